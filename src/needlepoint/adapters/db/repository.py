"""What the repositories share: the unit of work's connection and the few statements they repeat.

A repository runs inside a unit of work and asks it for the connection at each statement
(``ConnectionSource``), so that the transaction begins only when a statement runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    Connection,
    Executable,
    RowMapping,
    Select,
    Table,
    Update,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from needlepoint.domain.treatment import VersionConflictError

ConnectionSource = Callable[[], Connection]
"""Returns the unit of work's current connection (inside its transaction)."""

Record = TypeVar("Record")


class SqlRepository:
    """A repository over the unit of work's connection, with the two ways rows come back."""

    def __init__(self, connection: ConnectionSource) -> None:
        self._connection = connection

    def _one(
        self,
        query: Executable,
        convert: Callable[[RowMapping], Record],
        params: Mapping[str, Any] | None = None,
    ) -> Record | None:
        """The one row the query finds, converted; None when it finds none."""
        row = self._connection().execute(query, params).mappings().one_or_none()
        return None if row is None else convert(row)

    def _all(
        self,
        query: Executable,
        convert: Callable[[RowMapping], Record],
        params: Mapping[str, Any] | None = None,
    ) -> list[Record]:
        """Every row the query finds, converted, in its order."""
        return [convert(row) for row in self._connection().execute(query, params).mappings()]


def of_patient(table: Table, clinic_id: UUID, patient_id: UUID) -> Select[Any]:
    """The rows of one patient of one clinic (a row of another clinic is never read)."""
    return select(table).where(table.c.clinic_id == clinic_id, table.c.patient_id == patient_id)


def revoking(table: Table, which: ColumnElement[bool], at: datetime) -> Update:
    """Stamp ``revoked_at`` on the rows ``which`` names that are still live."""
    return update(table).where(which, table.c.revoked_at.is_(None)).values(revoked_at=at)


def upsert(connection: Connection, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An insert in the connection's dialect, which has ``ON CONFLICT`` clauses."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def version_conflict(
    connection: Connection, table: Table, what: str, row_id: UUID, based_on: int
) -> VersionConflictError:
    """The conflict of a save based on ``based_on`` that changed no row: what the row holds now."""
    current = connection.execute(
        select(table.c.version).where(table.c.id == row_id)
    ).scalar_one_or_none()
    return VersionConflictError(what, row_id, based_on, current)


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
