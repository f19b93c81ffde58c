"""The accounts' unit of work: sessions, API tokens, the sign-in throttle, staff status."""

from __future__ import annotations

from sqlalchemy import Engine

from needlepoint.adapters.db.accounts.api_tokens import SqlApiTokenRepository
from needlepoint.adapters.db.accounts.login_sessions import SqlLoginSessionRepository
from needlepoint.adapters.db.accounts.reset_links import SqlResetLinkRepository
from needlepoint.adapters.db.accounts.staff_status import SqlStaffStatusRepository
from needlepoint.adapters.db.accounts.throttle import SqlThrottleRepository
from needlepoint.adapters.db.accounts.two_step import SqlTwoStepRepository
from needlepoint.adapters.db.messaging.outbox import SqlOutboxRepository
from needlepoint.adapters.db.shared.audit import SqlAuditLog
from needlepoint.adapters.db.transaction import Transaction
from needlepoint.services.accounts.ports import (
    AccountsUnitOfWork,
    ApiTokenRead,
    ApiTokenRepository,
    LoginSessionRepository,
    ResetLinkRepository,
    SessionRead,
    StaffStatusRepository,
    ThrottleRepository,
    TwoStepRepository,
)
from needlepoint.services.messaging.ports import OutboxRepository
from needlepoint.services.ports import AuditLog


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
        self.two_step: TwoStepRepository = SqlTwoStepRepository(self._connection)
        self.audit: AuditLog = SqlAuditLog(self._connection)
        self.reset_links: ResetLinkRepository = SqlResetLinkRepository(self._connection)
        self.outbox: OutboxRepository = SqlOutboxRepository(self._connection)


class SqlSessionReader(Transaction):
    """Reads sign-in sessions and API tokens only (``engine.single_statement_reads``)."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.sessions: LoginSessionRepository = SqlLoginSessionRepository(self._connection)
        self.tokens: ApiTokenRepository = SqlApiTokenRepository(self._connection)


def _implements_the_port(uow: SqlAccountsUnitOfWork) -> AccountsUnitOfWork:
    """Never called: mypy checks here that the class satisfies the services' port."""
    return uow


def _reads_sessions(reader: SqlSessionReader) -> SessionRead:
    """Never called: mypy checks here that the reader satisfies the services' port."""
    return reader


def _reads_tokens(reader: SqlSessionReader) -> ApiTokenRead:
    """Never called: mypy checks here that the reader satisfies the services' port."""
    return reader
