"""Group commit of the audit events of reads: several requests share one durable commit.

A read changes nothing but its audit event. Its unit of work (``ReadingUnitOfWork``) reads in a
deferred transaction (on SQLite: without the write lock, beside other readers and the writer)
and, at commit, hands its events to the engine's ``AuditCommitter``, then waits until they are
durable. The first waiter with no commit under way leads: it takes every event queued so far,
appends them to its connection's chain in one transaction and commits once; requests that
queued meanwhile wait for the next leader, who takes them all. No thread of its own, no lock
held while the database works, and no request is answered before its event is on disk
(ADR 0032).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from types import TracebackType
from typing import Final

from sqlalchemy import Engine

from needlepoint.adapters.db.engine import SQLITE_BEGIN_OPTION
from needlepoint.adapters.db.shared.audit import SqlAuditLog
from needlepoint.adapters.db.unit_of_work import SqlAlchemyUnitOfWork
from needlepoint.domain.records import AuditEvent

MAX_BATCH_EVENTS: Final = 512
"""At most this many events in one commit (a leader leaves the rest to the next)."""


class AuditCommitError(RuntimeError):
    """The group commit that held this request's audit event failed; the read is not answered."""


@dataclass(slots=True)
class _Ticket:
    events: Sequence[AuditEvent]
    done: bool = False
    error: BaseException | None = None


@dataclass(slots=True)
class AuditCommitter:
    """Appends queued audit events in shared, durable commits (one committer per engine)."""

    engine: Engine
    _queue: list[_Ticket] = field(default_factory=list)
    _leading: bool = False
    _turn: threading.Condition = field(default_factory=threading.Condition)

    def append_durably(self, events: Sequence[AuditEvent]) -> None:
        """Return once ``events`` are committed durably (with whatever else was queued)."""
        ticket = _Ticket(events)
        with self._turn:
            self._queue.append(ticket)
        while True:
            with self._turn:
                while not ticket.done and self._leading:
                    self._turn.wait()
                if ticket.done:
                    break
                self._leading = True
                batch = self._take_batch()
            self._lead(batch)
        if ticket.error is not None:
            raise AuditCommitError("the audit event could not be recorded") from ticket.error

    def _take_batch(self) -> list[_Ticket]:
        batch: list[_Ticket] = []
        count = 0
        while self._queue and (not batch or count + len(self._queue[0].events) <= MAX_BATCH_EVENTS):
            ticket = self._queue.pop(0)
            batch.append(ticket)
            count += len(ticket.events)
        return batch

    def _lead(self, batch: list[_Ticket]) -> None:
        error: BaseException | None = None
        try:
            self._commit(batch)
        except BaseException as failure:  # handed to every waiter of the batch, then raised
            error = failure
        with self._turn:
            for ticket in batch:
                ticket.done, ticket.error = True, error
            self._leading = False
            self._turn.notify_all()

    def _commit(self, batch: list[_Ticket]) -> None:
        with self.engine.connect() as connection:
            log = SqlAuditLog(lambda: connection)
            for ticket in batch:
                for event in ticket.events:
                    log.append(event)
            connection.commit()


class _QueuedAuditLog:
    """The audit trail of a reading unit of work: events wait for its commit."""

    def __init__(self) -> None:
        self.events: list[AuditEvent] = []

    def append(self, event: AuditEvent) -> None:
        """Queue one event; it is written when the unit of work commits."""
        self.events.append(event)


class ReadingUnitOfWork(SqlAlchemyUnitOfWork):
    """A unit of work for use cases that only read: no write lock; audit group-committed.

    Its transaction begins deferred (SQLite readers run beside the writer). ``commit`` ends
    the read, then waits until the queued audit events are durable in a group commit. Leaving
    without commit drops them, as a rollback would. Writing any record through it is a bug.
    """

    def __init__(self, engine: Engine, committer: AuditCommitter) -> None:
        super().__init__(engine.execution_options(**{SQLITE_BEGIN_OPTION: "DEFERRED"}))
        self._committer = committer

    @cached_property
    def audit(self) -> _QueuedAuditLog:  # type: ignore[override]
        """The events of this read, appended at commit."""
        return _QueuedAuditLog()

    def commit(self) -> None:
        """End the read, then return once its audit events are durable.

        The read's connection goes back to the pool before the wait: readers waiting with
        their connections could otherwise take the whole pool from the leader's commit.
        """
        super().commit()
        connection, self._open = self._open, None
        if connection is not None:
            connection.close()
        events, self.audit.events = self.audit.events, []
        if events:
            self._committer.append_durably(events)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Drop uncommitted events and give the connection back."""
        self.audit.events = []
        super().__exit__(exc_type, exc, tb)
