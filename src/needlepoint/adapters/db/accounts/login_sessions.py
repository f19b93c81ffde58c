"""Server-side sessions of staff, kept under the SHA-256 of their token."""

from __future__ import annotations

from datetime import datetime
from typing import Final
from uuid import UUID

from sqlalchemy import ColumnElement, RowMapping, and_, bindparam, insert, select, update

from needlepoint.adapters.db.accounts.members import staff_columns, staff_from_labelled_row
from needlepoint.adapters.db.repository import SqlRepository, revoking
from needlepoint.adapters.db.tables import login_session, staff_member
from needlepoint.domain.records import StaffMember
from needlepoint.services.accounts.ports import LoginSession


class SqlLoginSessionRepository(SqlRepository):
    """Server-side sessions, read together with their member of staff."""

    def add(self, session: LoginSession) -> None:
        """Store a new session."""
        values = {
            "id_hash": session.id_hash,
            "staff_id": session.staff_id,
            "created_at": session.created_at,
            "last_seen_at": session.last_seen_at,
            "expires_at": session.expires_at,
            "revoked_at": session.revoked_at,
            "authenticated_at": session.authenticated_at,
        }
        self._connection().execute(insert(login_session).values(values))

    def get(self, id_hash: str) -> tuple[LoginSession, StaffMember] | None:
        """A session and its member of staff, by the hash of its token."""
        found = self._connection().execute(_SESSION_WITH_STAFF, {"id_hash": id_hash})
        row = found.mappings().one_or_none()
        return None if row is None else (_session_from_row(row), staff_from_labelled_row(row))

    def touch(self, id_hash: str, at: datetime) -> None:
        """Record use of the session."""
        statement = (
            update(login_session).where(login_session.c.id_hash == id_hash).values(last_seen_at=at)
        )
        self._connection().execute(statement)

    def revoke(self, id_hash: str, at: datetime) -> None:
        """End one session (a no-op if it has already ended)."""
        self._revoke(login_session.c.id_hash == id_hash, at)

    def revoke_all(self, staff_id: UUID, at: datetime) -> None:
        """End every live session of one member of staff."""
        self._revoke(login_session.c.staff_id == staff_id, at)

    def revoke_others(self, staff_id: UUID, keep_id_hash: str, at: datetime) -> None:
        """End every live session of one member of staff but the one with this token hash."""
        self._revoke(
            and_(login_session.c.staff_id == staff_id, login_session.c.id_hash != keep_id_hash),
            at,
        )

    def reauthenticate(self, id_hash: str, at: datetime) -> None:
        """Record that the password was typed again for this session."""
        statement = (
            update(login_session)
            .where(login_session.c.id_hash == id_hash)
            .values(authenticated_at=at)
        )
        self._connection().execute(statement)

    def _revoke(self, which: ColumnElement[bool], at: datetime) -> None:
        self._connection().execute(revoking(login_session, which, at))


def _session_from_row(row: RowMapping) -> LoginSession:
    return LoginSession(
        id_hash=row["id_hash"],
        staff_id=row["staff_id"],
        created_at=row["created_at"],
        last_seen_at=row["last_seen_at"],
        expires_at=row["expires_at"],
        revoked_at=row["revoked_at"],
        authenticated_at=row["authenticated_at"],
    )


_SESSION_WITH_STAFF: Final = (
    select(login_session, *staff_columns())
    .join(staff_member, staff_member.c.id == login_session.c.staff_id)
    .where(login_session.c.id_hash == bindparam("id_hash"))
)
"""Built once: the session check runs on every request (building it each time cost ~150 µs)."""
