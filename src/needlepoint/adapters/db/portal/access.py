"""Sign-in links, link requests and patient sessions of the portal.

Links and sessions are kept under the SHA-256 of their secret; link requests under the SHA-256
of the email.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import RowMapping, func, insert, select, update

from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.repository import SqlRepository, revoking
from needlepoint.adapters.db.shared.patients import patient_from_row
from needlepoint.domain.portal import PatientSession, SignInLink
from needlepoint.domain.records import PatientRecord


class SqlPortalAccessRepository(SqlRepository):
    """Sign-in links, link requests and patient sessions."""

    def patients_with_email(self, email: str) -> Sequence[PatientRecord]:
        """Every patient record with this email (ignoring case), in any clinic."""
        query = (
            select(t.patient)
            .where(func.lower(t.patient.c.email) == email.strip().lower())
            .order_by(t.patient.c.created_at, t.patient.c.id)
        )
        return self._all(query, patient_from_row)

    def add_link(self, link: SignInLink) -> None:
        """Store a new sign-in link."""
        values = {
            "id": link.id,
            "clinic_id": link.clinic_id,
            "patient_id": link.patient_id,
            "token_hash": link.token_hash,
            "created_at": link.created_at,
            "expires_at": link.expires_at,
            "used_at": link.used_at,
        }
        self._connection().execute(insert(t.portal_sign_in_link).values(values))

    def link(self, token_hash: str) -> SignInLink | None:
        """A sign-in link by the hash of its token."""
        query = select(t.portal_sign_in_link).where(
            t.portal_sign_in_link.c.token_hash == token_hash
        )
        return self._one(query, _link_from_row)

    def use_link(self, link_id: UUID, at: datetime) -> bool:
        """Mark a link used, only if nobody has: the UPDATE itself decides between two clicks."""
        columns = t.portal_sign_in_link.c
        statement = (
            update(t.portal_sign_in_link)
            .where(columns.id == link_id, columns.used_at.is_(None))
            .values(used_at=at)
        )
        return bool(self._connection().execute(statement).rowcount == 1)

    def rekey_link(self, link_id: UUID, token_hash: str, now: datetime) -> bool:
        """Give an unused, unexpired link a new token (its hash); False if there is none."""
        columns = t.portal_sign_in_link.c
        statement = (
            update(t.portal_sign_in_link)
            .where(columns.id == link_id, columns.used_at.is_(None), columns.expires_at > now)
            .values(token_hash=token_hash)
        )
        return bool(self._connection().execute(statement).rowcount == 1)

    def add_request(self, email_hash: str, ip: str, at: datetime) -> None:
        """Record one request for a link."""
        values = {"email_hash": email_hash, "ip": ip, "at": at}
        self._connection().execute(insert(t.portal_sign_in_request).values(values))

    def requests_for_email(self, email_hash: str, *, since: datetime) -> int:
        """Requests for one email after ``since``."""
        columns = t.portal_sign_in_request.c
        query = select(func.count()).where(columns.email_hash == email_hash, columns.at > since)
        return int(self._connection().execute(query).scalar_one())

    def requests_from_ip(self, ip: str, *, since: datetime) -> int:
        """Requests from one address after ``since``."""
        columns = t.portal_sign_in_request.c
        query = select(func.count()).where(columns.ip == ip, columns.at > since)
        return int(self._connection().execute(query).scalar_one())

    def add_session(self, session: PatientSession) -> None:
        """Store a new patient session."""
        values = {
            "id_hash": session.id_hash,
            "clinic_id": session.clinic_id,
            "patient_id": session.patient_id,
            "created_at": session.created_at,
            "last_seen_at": session.last_seen_at,
            "expires_at": session.expires_at,
            "revoked_at": session.revoked_at,
        }
        self._connection().execute(insert(t.patient_session).values(values))

    def session(self, id_hash: str) -> PatientSession | None:
        """A patient session by the hash of its token."""
        query = select(t.patient_session).where(t.patient_session.c.id_hash == id_hash)
        return self._one(query, _session_from_row)

    def touch_session(self, id_hash: str, at: datetime) -> None:
        """Record use of a session."""
        statement = (
            update(t.patient_session)
            .where(t.patient_session.c.id_hash == id_hash)
            .values(last_seen_at=at)
        )
        self._connection().execute(statement)

    def revoke_session(self, id_hash: str, at: datetime) -> None:
        """End a session (a no-op if it has ended)."""
        which = t.patient_session.c.id_hash == id_hash
        self._connection().execute(revoking(t.patient_session, which, at))


def _link_from_row(row: RowMapping) -> SignInLink:
    return SignInLink(
        id=row["id"],
        clinic_id=row["clinic_id"],
        patient_id=row["patient_id"],
        token_hash=row["token_hash"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        used_at=row["used_at"],
    )


def _session_from_row(row: RowMapping) -> PatientSession:
    return PatientSession(
        id_hash=row["id_hash"],
        clinic_id=row["clinic_id"],
        patient_id=row["patient_id"],
        created_at=row["created_at"],
        last_seen_at=row["last_seen_at"],
        expires_at=row["expires_at"],
        revoked_at=row["revoked_at"],
    )
