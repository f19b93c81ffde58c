"""The transaction behind every unit of work: one connection, opened at the first statement."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine

from needlepoint.adapters.db.sealed import take_unreadable


class Transaction:
    """One transaction; leaving the block rolls back whatever was not committed.

    It may be entered again after it has been left, but not while it is in use. A connection
    is taken from the pool at the first statement and the transaction begins there (on SQLite
    with ``BEGIN IMMEDIATE``); a block that runs no statement never touches the database.
    Repositories receive ``self._connection`` and call it for each statement.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._entered = False
        self._open: Connection | None = None

    def __enter__(self) -> Self:
        """Start using the unit of work; the transaction begins with the first statement."""
        if self._entered:
            raise RuntimeError("this unit of work is already in use")
        self._entered = True
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back anything not committed and give the connection back to the pool."""
        connection, self._open = self._open, None
        self._entered = False
        if connection is not None:
            connection.close()

    def commit(self) -> None:
        """Make everything done so far durable."""
        connection = self._active()
        if connection is not None:
            connection.commit()

    def rollback(self) -> None:
        """Undo everything done since the last commit."""
        connection = self._active()
        if connection is not None:
            connection.rollback()

    def _active(self) -> Connection | None:
        if not self._entered:
            raise RuntimeError("use the unit of work inside a 'with' block")
        return self._open

    def _connection(self) -> Connection:
        connection = self._active()
        if connection is None:
            connection = self._open = self._engine.connect()
            take_unreadable(connection)  # a pooled connection: nothing of another transaction
        return connection
