"""Authenticator secrets, recovery codes, pending sign-ins and the clinic's requirement (AU-5).

Rows read to be changed are locked (``FOR UPDATE`` on PostgreSQL; SQLite runs one writer at a
time): two requests answering with the same code are taken one after the other, and the
second finds the step already used.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import RowMapping, delete, insert, select, update

from needlepoint.adapters.db.accounts.members import staff_columns, staff_from_labelled_row
from needlepoint.adapters.db.repository import SqlRepository
from needlepoint.adapters.db.tables import (
    clinic,
    sign_in_challenge,
    staff_member,
    staff_recovery_code,
    staff_totp,
)
from needlepoint.domain.records import StaffMember
from needlepoint.services.accounts.ports import SignInChallenge, TotpEnrolment


class SqlTwoStepRepository(SqlRepository):
    """Authenticators, recovery codes, pending sign-ins and the clinic's requirement."""

    def totp(self, staff_id: UUID) -> TotpEnrolment | None:
        """A member of staff's authenticator, locked until the transaction ends."""
        query = select(staff_totp).where(staff_totp.c.staff_id == staff_id).with_for_update()
        return self._one(query, _totp_from_row)

    def put_totp(self, enrolment: TotpEnrolment) -> None:
        """Store a member of staff's authenticator, replacing any they had."""
        connection = self._connection()
        connection.execute(delete(staff_totp).where(staff_totp.c.staff_id == enrolment.staff_id))
        values = {
            "staff_id": enrolment.staff_id,
            "secret": enrolment.secret,
            "created_at": enrolment.created_at,
            "confirmed_at": enrolment.confirmed_at,
            "last_step": enrolment.last_step,
        }
        connection.execute(insert(staff_totp).values(values))

    def accept_step(self, staff_id: UUID, step: int, confirmed_at: datetime) -> None:
        """Record an accepted code's time step (and confirm the enrolment if it was not)."""
        columns = staff_totp.c
        connection = self._connection()
        connection.execute(
            update(staff_totp).where(columns.staff_id == staff_id).values(last_step=step)
        )
        connection.execute(
            update(staff_totp)
            .where(columns.staff_id == staff_id, columns.confirmed_at.is_(None))
            .values(confirmed_at=confirmed_at)
        )

    def remove_totp(self, staff_id: UUID) -> None:
        """Forget a member of staff's authenticator and recovery codes."""
        connection = self._connection()
        connection.execute(delete(staff_totp).where(staff_totp.c.staff_id == staff_id))
        connection.execute(
            delete(staff_recovery_code).where(staff_recovery_code.c.staff_id == staff_id)
        )

    def replace_recovery_codes(self, staff_id: UUID, hashes: Sequence[str], at: datetime) -> None:
        """Replace every recovery code of a member of staff (only their hashes are kept)."""
        connection = self._connection()
        connection.execute(
            delete(staff_recovery_code).where(staff_recovery_code.c.staff_id == staff_id)
        )
        rows = [
            {"code_hash": code_hash, "staff_id": staff_id, "created_at": at, "used_at": None}
            for code_hash in hashes
        ]
        if rows:
            connection.execute(insert(staff_recovery_code), rows)

    def use_recovery_code(self, staff_id: UUID, code_hash: str, at: datetime) -> bool:
        """Mark an unused recovery code used; False if there is none by that hash."""
        columns = staff_recovery_code.c
        statement = (
            update(staff_recovery_code)
            .where(
                columns.staff_id == staff_id,
                columns.code_hash == code_hash,
                columns.used_at.is_(None),
            )
            .values(used_at=at)
        )
        return self._connection().execute(statement).rowcount == 1

    def unused_recovery_codes(self, staff_id: UUID) -> int:
        """How many recovery codes a member of staff has left."""
        columns = staff_recovery_code.c
        query = select(columns.code_hash).where(
            columns.staff_id == staff_id, columns.used_at.is_(None)
        )
        return len(self._connection().execute(query).all())

    def add_challenge(self, challenge: SignInChallenge) -> None:
        """Store a pending sign-in."""
        values = {
            "id_hash": challenge.id_hash,
            "staff_id": challenge.staff_id,
            "purpose": challenge.purpose,
            "created_at": challenge.created_at,
            "expires_at": challenge.expires_at,
            "used_at": challenge.used_at,
        }
        self._connection().execute(insert(sign_in_challenge).values(values))

    def challenge(self, id_hash: str) -> tuple[SignInChallenge, StaffMember] | None:
        """A pending sign-in and its member of staff, locked until the transaction ends."""
        query = (
            select(sign_in_challenge, *staff_columns())
            .join(staff_member, staff_member.c.id == sign_in_challenge.c.staff_id)
            .where(sign_in_challenge.c.id_hash == id_hash)
            .with_for_update(of=sign_in_challenge)
        )
        row = self._connection().execute(query).mappings().one_or_none()
        return None if row is None else (_challenge_from_row(row), staff_from_labelled_row(row))

    def use_challenge(self, id_hash: str, at: datetime) -> None:
        """Mark a pending sign-in used (it is never answered twice)."""
        statement = (
            update(sign_in_challenge)
            .where(sign_in_challenge.c.id_hash == id_hash)
            .values(used_at=at)
        )
        self._connection().execute(statement)

    def clinic_requires(self, clinic_id: UUID) -> bool:
        """Whether the clinic asks every member of staff for a code."""
        query = select(clinic.c.require_staff_mfa).where(clinic.c.id == clinic_id)
        return bool(self._connection().execute(query).scalar_one_or_none())

    def set_clinic_requires(self, clinic_id: UUID, required: bool) -> None:
        """Set whether the clinic asks every member of staff for a code."""
        statement = (
            update(clinic).where(clinic.c.id == clinic_id).values(require_staff_mfa=required)
        )
        self._connection().execute(statement)


def _totp_from_row(row: RowMapping) -> TotpEnrolment:
    return TotpEnrolment(
        staff_id=row["staff_id"],
        secret=row["secret"],
        created_at=row["created_at"],
        confirmed_at=row["confirmed_at"],
        last_step=row["last_step"],
    )


def _challenge_from_row(row: RowMapping) -> SignInChallenge:
    return SignInChallenge(
        id_hash=row["id_hash"],
        staff_id=row["staff_id"],
        purpose=row["purpose"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        used_at=row["used_at"],
    )
