"""What the repositories share: the unit of work's connection, an insert under a conflict check."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Executable
from sqlalchemy.exc import IntegrityError

ConnectionSource = Callable[[], Connection]
"""Returns the unit of work's current connection (inside its transaction)."""


def insert_or_conflict(
    connection: Connection,
    statement: Executable,
    values: dict[str, Any],
    taken: Callable[[], Executable],
    conflict: Exception,
) -> None:
    """Insert, turning "another writer took this number" into ``conflict``.

    The insert runs in a savepoint, so that after a clash the transaction can still record
    the refusal. On PostgreSQL a concurrent insert of the same key waits for the other
    transaction and fails once it commits; the row it committed is then visible here.
    """
    try:
        with connection.begin_nested():
            connection.execute(statement, values)
    except IntegrityError:
        if connection.execute(taken()).first() is not None:
            raise conflict from None
        raise
