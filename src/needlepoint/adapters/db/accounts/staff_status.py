"""Whether members of staff may sign in, with what password and licence."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from uuid import UUID

from sqlalchemy import insert, select, update

from needlepoint.adapters.db.accounts.members import staff_columns, staff_from_labelled_row
from needlepoint.adapters.db.repository import SqlRepository
from needlepoint.adapters.db.tables import staff_member
from needlepoint.domain.records import Role, StaffMember


class SqlStaffStatusRepository(SqlRepository):
    """Whether members of staff may sign in, with what password and licence."""

    def get(self, clinic_id: UUID, staff_id: UUID) -> StaffMember | None:
        """A member of staff of this clinic, or None (also for another clinic's)."""
        query = select(*staff_columns()).where(
            staff_member.c.clinic_id == clinic_id, staff_member.c.id == staff_id
        )
        return self._one(query, staff_from_labelled_row)

    def active_admins(self, clinic_id: UUID) -> Sequence[StaffMember]:
        """The clinic's active admins, their rows locked until the transaction ends.

        On PostgreSQL ``FOR UPDATE``: a second transaction waits, then reads the rows as the
        first left them. SQLite runs one writer at a time (``BEGIN IMMEDIATE``).
        """
        columns = staff_member.c
        query = (
            select(*staff_columns())
            .where(
                columns.clinic_id == clinic_id,
                columns.role == Role.ADMIN.value,
                columns.active.is_(True),
            )
            .order_by(columns.id)
            .with_for_update()
        )
        return self._all(query, staff_from_labelled_row)

    def deactivate(self, clinic_id: UUID, staff_id: UUID) -> None:
        """Stop a member of this clinic from signing in."""
        self._set(clinic_id, staff_id, active=False)

    def reactivate(self, clinic_id: UUID, staff_id: UUID) -> None:
        """Let a member of this clinic sign in again."""
        self._set(clinic_id, staff_id, active=True)

    def add_invited(self, member: StaffMember, *, password_hash: str) -> None:
        """Store a new member who cannot sign in yet (``active`` false) until they accept."""
        values = {
            "id": member.id,
            "clinic_id": member.clinic_id,
            "email": member.email,
            "display_name": member.display_name,
            "role": member.role.value,
            "licence_max_depth_mm": member.licence_max_depth_mm,
            "password_hash": password_hash,
            "active": False,
        }
        self._connection().execute(insert(staff_member).values(values))

    def set_password_hash(self, clinic_id: UUID, staff_id: UUID, password_hash: str) -> None:
        """Replace a member of this clinic's password hash."""
        self._set(clinic_id, staff_id, password_hash=password_hash)

    def set_email(self, clinic_id: UUID, staff_id: UUID, email: str) -> None:
        """Replace a member of this clinic's sign-in email."""
        self._set(clinic_id, staff_id, email=email)

    def email_in_use(self, email: str) -> bool:
        """Whether any account (any clinic, active or not) signs in with this email."""
        query = select(staff_member.c.id).where(staff_member.c.email == email)
        return self._connection().execute(query).first() is not None

    def active_by_email(self, email: str) -> StaffMember | None:
        """The active member of staff with this sign-in email (any clinic), or None."""
        query = select(*staff_columns()).where(
            staff_member.c.email == email, staff_member.c.active.is_(True)
        )
        row = self._connection().execute(query).mappings().one_or_none()
        return None if row is None else staff_from_labelled_row(row)

    def set_licence(
        self, clinic_id: UUID, staff_id: UUID, licence_max_depth_mm: Decimal | None
    ) -> None:
        """Replace the deepest setting a member of this clinic's licence allows."""
        self._set(clinic_id, staff_id, licence_max_depth_mm=licence_max_depth_mm)

    def _set(self, clinic_id: UUID, staff_id: UUID, **values: object) -> None:
        statement = (
            update(staff_member)
            .where(staff_member.c.clinic_id == clinic_id, staff_member.c.id == staff_id)
            .values(**values)
        )
        self._connection().execute(statement)
