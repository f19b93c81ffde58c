"""The transaction behind every unit of work: one ORM session, opened on enter."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy import Connection
from sqlalchemy.orm import Session


class Transaction:
    """One transaction; leaving the block rolls back whatever was not committed.

    It may be entered again after it has been left, but not while it is in use. The
    transaction begins at the first statement (on SQLite with ``BEGIN IMMEDIATE``).
    Repositories receive ``self._connection`` and call it for each statement.
    """

    def __init__(self, new_session: Callable[[], Session]) -> None:
        self._new_session = new_session
        self._session: Session | None = None

    def __enter__(self) -> Self:
        """Open the session; the transaction begins with the first statement."""
        if self._session is not None:
            raise RuntimeError("this unit of work is already in use")
        self._session = self._new_session()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back anything not committed and release the connection."""
        session, self._session = self._session, None
        if session is not None:
            session.close()

    def commit(self) -> None:
        """Make everything done so far durable."""
        self._active().commit()

    def rollback(self) -> None:
        """Undo everything done since the last commit."""
        self._active().rollback()

    def _active(self) -> Session:
        if self._session is None:
            raise RuntimeError("use the unit of work inside a 'with' block")
        return self._session

    def _connection(self) -> Connection:
        return self._active().connection()
