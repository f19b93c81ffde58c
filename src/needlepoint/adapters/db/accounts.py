"""Account stores: server-side sessions, API tokens and the sign-in throttle.

The tables are in ``tables/accounts.py`` (created by the ``accounts`` migration; the
throttle by ``sign_in_throttle``). Secrets are never stored: sessions and tokens are kept under
the SHA-256 of their value, throttle counts under the SHA-256 of their key (an email, an
address, or both), never the email or the address itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final
from uuid import UUID

from sqlalchemy import (
    Connection,
    Engine,
    RowMapping,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from needlepoint.adapters.db.audit import SqlAuditLog
from needlepoint.adapters.db.tables import api_token, login_session, login_throttle, staff_member
from needlepoint.adapters.db.transaction import Transaction
from needlepoint.domain.records import Role, StaffMember
from needlepoint.domain.throttling import ThrottleCount
from needlepoint.services.accounts.ports import (
    AccountsUnitOfWork,
    ApiToken,
    ApiTokenRepository,
    LoginSession,
    LoginSessionRepository,
    StaffStatusRepository,
    ThrottleRepository,
)
from needlepoint.services.ports import AuditLog

ConnectionSource = Callable[[], Connection]
"""Returns the unit of work's current connection (inside its transaction)."""


class SqlLoginSessionRepository:
    """Server-side sessions, read together with their member of staff."""

    def __init__(self, connection: ConnectionSource) -> None:
        self._connection = connection

    def add(self, session: LoginSession) -> None:
        """Store a new session."""
        values = {
            "id_hash": session.id_hash,
            "staff_id": session.staff_id,
            "created_at": session.created_at,
            "last_seen_at": session.last_seen_at,
            "expires_at": session.expires_at,
            "revoked_at": session.revoked_at,
        }
        self._connection().execute(insert(login_session).values(values))

    def get(self, id_hash: str) -> tuple[LoginSession, StaffMember] | None:
        """A session and its member of staff, by the hash of its token."""
        found = self._connection().execute(_SESSION_WITH_STAFF, {"id_hash": id_hash})
        row = found.mappings().one_or_none()
        return None if row is None else (_session_from_row(row), _staff_from_row(row))

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

    def _revoke(self, which: Any, at: datetime) -> None:
        statement = (
            update(login_session)
            .where(which, login_session.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        self._connection().execute(statement)


class SqlApiTokenRepository:
    """API tokens (their hashes), read together with their member of staff."""

    def __init__(self, connection: ConnectionSource) -> None:
        self._connection = connection

    def add(self, token: ApiToken) -> None:
        """Store a new token."""
        values = {
            "id": token.id,
            "staff_id": token.staff_id,
            "name": token.name,
            "token_hash": token.token_hash,
            "created_at": token.created_at,
            "revoked_at": token.revoked_at,
            "issued_by": token.issued_by,
        }
        self._connection().execute(insert(api_token).values(values))

    def get(self, clinic_id: UUID, token_id: UUID) -> ApiToken | None:
        """A token acting as a member of this clinic, or None (also for another clinic's)."""
        query = (
            select(api_token)
            .join(staff_member, staff_member.c.id == api_token.c.staff_id)
            .where(api_token.c.id == token_id, staff_member.c.clinic_id == clinic_id)
        )
        row = self._connection().execute(query).mappings().one_or_none()
        return None if row is None else _token_from_row(row)

    def revoke(self, token_id: UUID, at: datetime) -> None:
        """Revoke one token (a no-op if it is revoked already)."""
        statement = (
            update(api_token)
            .where(api_token.c.id == token_id, api_token.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        self._connection().execute(statement)

    def by_hash(self, token_hash: str) -> tuple[ApiToken, StaffMember] | None:
        """A token and its member of staff, by the hash of its secret."""
        query = (
            select(api_token, *_staff_columns())
            .join(staff_member, staff_member.c.id == api_token.c.staff_id)
            .where(api_token.c.token_hash == token_hash)
        )
        row = self._connection().execute(query).mappings().one_or_none()
        return None if row is None else (_token_from_row(row), _staff_from_row(row))

    def revoke_all(self, staff_id: UUID, at: datetime) -> None:
        """Revoke every live token of one member of staff."""
        statement = (
            update(api_token)
            .where(api_token.c.staff_id == staff_id, api_token.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        self._connection().execute(statement)


class SqlThrottleRepository:
    """Sign-in failure counts, one row per throttle key, locked by the transaction reading them.

    ``lock`` is one upsert (``INSERT … ON CONFLICT DO UPDATE … RETURNING``) over the keys in
    ascending order: it creates a missing row and locks every row until the transaction ends
    (PostgreSQL: the row locks of the update; SQLite: the write lock ``BEGIN IMMEDIATE`` took),
    so racing attempts are checked and charged one after another, in any number of processes.
    """

    def __init__(self, connection: ConnectionSource) -> None:
        self._connection = connection

    def lock(self, keys: Sequence[str]) -> Mapping[str, ThrottleCount]:
        """The counts of these keys (a new key counts nothing), locked until the commit."""
        connection = self._connection()
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        statement = (
            dialect.insert(login_throttle)
            .values([{"key_hash": key, "failures": 0} for key in sorted(set(keys))])
            .on_conflict_do_update(
                index_elements=["key_hash"], set_={"failures": login_throttle.c.failures}
            )
            .returning(*login_throttle.c)
        )
        rows = connection.execute(statement).mappings().all()
        return {row["key_hash"]: _count_from_row(row) for row in rows}

    def save(self, counts: Mapping[str, ThrottleCount]) -> None:
        """Keep the counts of keys locked in this transaction."""
        values = [
            {
                "b_key_hash": key,
                "b_failures": count.failures,
                "b_last_failure_at": count.last_failure_at,
                "b_last_success_at": count.last_success_at,
            }
            for key, count in sorted(counts.items())
        ]
        self._connection().execute(_SAVE_COUNT, values)


class SqlStaffStatusRepository:
    """Whether members of staff may sign in."""

    def __init__(self, connection: ConnectionSource) -> None:
        self._connection = connection

    def get(self, clinic_id: UUID, staff_id: UUID) -> StaffMember | None:
        """A member of staff of this clinic, or None (also for another clinic's)."""
        query = select(*_staff_columns()).where(
            staff_member.c.clinic_id == clinic_id, staff_member.c.id == staff_id
        )
        row = self._connection().execute(query).mappings().one_or_none()
        return None if row is None else _staff_from_row(row)

    def deactivate(self, clinic_id: UUID, staff_id: UUID) -> None:
        """Stop a member of this clinic from signing in."""
        statement = (
            update(staff_member)
            .where(staff_member.c.clinic_id == clinic_id, staff_member.c.id == staff_id)
            .values(active=False)
        )
        self._connection().execute(statement)


class SqlAccountsUnitOfWork(Transaction):
    """One transaction over the account stores; leaving the block rolls back what is left.

    Like ``SqlAlchemyUnitOfWork`` it may be entered again after it has been left, but not
    while it is in use; on SQLite the transaction begins with ``BEGIN IMMEDIATE``.
    """

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.sessions: LoginSessionRepository = SqlLoginSessionRepository(self._connection)
        self.tokens: ApiTokenRepository = SqlApiTokenRepository(self._connection)
        self.throttle: ThrottleRepository = SqlThrottleRepository(self._connection)
        self.staff: StaffStatusRepository = SqlStaffStatusRepository(self._connection)
        self.audit: AuditLog = SqlAuditLog(self._connection)


def _staff_columns() -> tuple[Any, ...]:
    columns = staff_member.c
    return (
        columns.id.label("member_id"),
        columns.clinic_id.label("member_clinic_id"),
        columns.email.label("member_email"),
        columns.display_name.label("member_display_name"),
        columns.role.label("member_role"),
        columns.licence_max_depth_mm.label("member_licence_max_depth_mm"),
        columns.active.label("member_active"),
    )


def _staff_from_row(row: RowMapping) -> StaffMember:
    return StaffMember(
        id=row["member_id"],
        clinic_id=row["member_clinic_id"],
        email=row["member_email"],
        display_name=row["member_display_name"],
        role=Role(row["member_role"]),
        licence_max_depth_mm=row["member_licence_max_depth_mm"],
        active=row["member_active"],
    )


def _session_from_row(row: RowMapping) -> LoginSession:
    return LoginSession(
        id_hash=row["id_hash"],
        staff_id=row["staff_id"],
        created_at=row["created_at"],
        last_seen_at=row["last_seen_at"],
        expires_at=row["expires_at"],
        revoked_at=row["revoked_at"],
    )


def _token_from_row(row: RowMapping) -> ApiToken:
    return ApiToken(
        id=row["id"],
        staff_id=row["staff_id"],
        name=row["name"],
        token_hash=row["token_hash"],
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
        issued_by=row["issued_by"],
    )


def _count_from_row(row: RowMapping) -> ThrottleCount:
    return ThrottleCount(
        failures=row["failures"],
        last_failure_at=row["last_failure_at"],
        last_success_at=row["last_success_at"],
    )


def _implements_the_port(uow: SqlAccountsUnitOfWork) -> AccountsUnitOfWork:
    """Never called: mypy checks here that the class satisfies the services' port."""
    return uow


_SESSION_WITH_STAFF: Final = (
    select(login_session, *_staff_columns())
    .join(staff_member, staff_member.c.id == login_session.c.staff_id)
    .where(login_session.c.id_hash == bindparam("id_hash"))
)
"""Built once: the session check runs on every request (building it each time cost ~150 µs)."""

_SAVE_COUNT: Final = (
    update(login_throttle)
    .where(login_throttle.c.key_hash == bindparam("b_key_hash"))
    .values(
        failures=bindparam("b_failures"),
        last_failure_at=bindparam("b_last_failure_at"),
        last_success_at=bindparam("b_last_success_at"),
    )
)
