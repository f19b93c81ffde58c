"""Sealed columns: the free text encrypted per row with the engine's field keyring (ADR 0039).

The repositories seal a value as they build a row and open it as they read one: the row's
primary key is part of the associated data, and it is known before the insert (ids are made by
the services), so sealing happens in the repository and the domain never sees ciphertext.

``SEALED_FIELDS`` lists every sealed value: table, name (a column, or ``chart.adverse_events``
for the adverse events inside the chart's JSON) and the column holding it. ``reseal`` re-seals
them under the current key in bounded batches (``needlepoint keys reencrypt-fields``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final
from uuid import UUID

from sqlalchemy import Connection, Engine, Table, select, update

from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.engine import FIELD_KEYS_OPTION
from needlepoint.adapters.field_crypto import FieldKeyring, SealedFieldError, aad
from needlepoint.domain.sealed_fields import UNREADABLE_TEXT

ADVERSE_EVENTS: Final = "adverse_events"
UNREADABLE_ACTION: Final = "sealed_field.unreadable"
"""The audit action of a sealed field that did not open when read (severity high)."""
_SEALED_KEY: Final = "sealed"
_UNREADABLE_KEY: Final = "needlepoint.unreadable_sealed_fields"
_log = logging.getLogger("needlepoint.sealed")


class FieldKeysMissingError(RuntimeError):
    """The engine was opened without the field keyring, so sealed fields can't be read."""

    code: Final = "field-keys-missing"

    def __init__(self) -> None:
        super().__init__(
            "the field encryption key is missing: set NEEDLEPOINT_FIELD_KEY (or let needlepoint "
            "keep one in <data dir>/field-key) and open the database with make_engine(url, "
            "field_keys=...)."
        )


def field_keys(connection: Connection) -> FieldKeyring:
    """The field keyring the connection's engine was opened with; raises if it has none."""
    keys = connection.get_execution_options().get(FIELD_KEYS_OPTION)
    if not isinstance(keys, FieldKeyring):
        raise FieldKeysMissingError
    return keys


def seal(connection: Connection, table: Table, name: str, row_id: UUID, text: str) -> str:
    """``text`` sealed for one row's field."""
    return field_keys(connection).seal(text, aad(table.name, name, row_id))


def seal_optional(
    connection: Connection, table: Table, name: str, row_id: UUID, text: str | None
) -> str | None:
    """``seal``, keeping None as None (a nullable column)."""
    return None if text is None else seal(connection, table, name, row_id, text)


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A sealed field that did not open when read: which table, field and row (no text)."""

    table: str
    name: str
    row_id: UUID


def open_text(connection: Connection, table: Table, name: str, row_id: UUID, stored: str) -> str:
    """A sealed field's text (text stored before encryption comes back as it is).

    A value that does not open for this row and field (changed in the database, or copied
    from another record) reads as ``UNREADABLE_TEXT``, so the rest of the record is still
    served; the failure is noted on the connection for the next audit event of this
    transaction to carry (``take_unreadable``), and logged without the stored value.
    """
    opened = _opened(connection, table, name, row_id, stored)
    return UNREADABLE_TEXT if opened is None else opened


def _opened(
    connection: Connection, table: Table, name: str, row_id: UUID, stored: str
) -> str | None:
    try:
        return field_keys(connection).open(stored, aad(table.name, name, row_id))
    except SealedFieldError:
        _log.warning("the sealed field %s.%s of row %s does not open", table.name, name, row_id)
        connection.info.setdefault(_UNREADABLE_KEY, []).append(Unreadable(table.name, name, row_id))
        return None


def take_unreadable(connection: Connection) -> list[Unreadable]:
    """The sealed fields that did not open on this connection since last taken (then none)."""
    found: list[Unreadable] = connection.info.pop(_UNREADABLE_KEY, [])
    return found


def open_optional(
    connection: Connection, table: Table, name: str, row_id: UUID, stored: str | None
) -> str | None:
    """``open_text``, keeping None as None."""
    return None if stored is None else open_text(connection, table, name, row_id, stored)


def seal_list(
    connection: Connection, table: Table, name: str, row_id: UUID, items: list[str]
) -> dict[str, str]:
    """A list of texts sealed as one JSON value, to store inside a JSON column."""
    return {_SEALED_KEY: seal(connection, table, name, row_id, json.dumps(items))}


def open_list(
    connection: Connection, table: Table, name: str, row_id: UUID, stored: Any
) -> list[str]:
    """A list sealed by ``seal_list`` (a plain list, stored before encryption, as it is)."""
    if isinstance(stored, dict):
        text = _opened(connection, table, name, row_id, stored[_SEALED_KEY])
        if text is None:
            return [UNREADABLE_TEXT]
        return [str(item) for item in json.loads(text)]
    return [str(item) for item in stored]


# --- re-sealing every stored value under the current key -------------------------------------


@dataclass(frozen=True, slots=True)
class SealedField:
    """One sealed value: its table, its name in the associated data, how to reach it."""

    table: Table
    name: str
    column: str
    stored: Callable[[Any], str | None]
    """The sealed text in the column's value (None: nothing to seal)."""
    replaced: Callable[[Any, str], Any]
    """The column's value with the sealed text replaced."""


def _whole(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _as_is(_value: Any, sealed: str) -> Any:
    return sealed


def _chart_events(value: Any) -> str | None:
    events = value.get(ADVERSE_EVENTS) if isinstance(value, dict) else None
    if isinstance(events, dict):
        return str(events[_SEALED_KEY])
    return None if events is None else json.dumps(events)


def _chart_with_events(value: Any, sealed: str) -> Any:
    return {**value, ADVERSE_EVENTS: {_SEALED_KEY: sealed}}


SEALED_FIELDS: Final = (
    SealedField(t.check_in, "note", "note", _whole, _as_is),
    SealedField(t.check_in, "review_note", "review_note", _whole, _as_is),
    SealedField(t.chart_version, "notes", "notes", _whole, _as_is),
    SealedField(
        t.chart_version, f"chart.{ADVERSE_EVENTS}", "chart", _chart_events, _chart_with_events
    ),
)


@dataclass(frozen=True, slots=True)
class ResealReport:
    """How many stored values were read, and how many were sealed anew."""

    checked: int
    resealed: int
    unreadable: tuple[str, ...] = ()
    """``table.name/row id`` of each value that did not open (changed, or moved from another
    row): left as it is, for someone to look at."""


def reseal(engine: Engine, keys: FieldKeyring, *, batch_size: int = 500) -> ResealReport:
    """Seal every value in clear or under a retired key with the current key.

    Each batch (``batch_size`` rows of one table, by primary key) is its own transaction, so a
    large database is never locked for long and an interrupted run can be started again.
    """
    checked = resealed = 0
    unreadable: list[str] = []
    for table in dict.fromkeys(f.table for f in SEALED_FIELDS):
        fields = [f for f in SEALED_FIELDS if f.table is table]
        after: UUID | None = None
        while True:
            with engine.begin() as conn, _guards_lifted(conn, table):
                batch, done, after = _reseal_batch(
                    conn, fields, keys, after, batch_size, unreadable
                )
            checked += batch
            resealed += done
            if batch < batch_size:
                break
    return ResealReport(checked=checked, resealed=resealed, unreadable=tuple(unreadable))


@contextmanager
def _guards_lifted(conn: Connection, table: Table) -> Iterator[None]:
    """Lift the chart-version guards for one re-sealing transaction, and put them back in it.

    A chart version's content never changes (migration 2026-11-23_treatment): its triggers
    refuse any UPDATE of it. Re-sealing changes the ciphertext, never the text (each value is
    opened before it is sealed again), so the guards are dropped and recreated inside the
    batch's own transaction: no other writer ever sees the table unguarded (SQLite's writer
    holds the database; PostgreSQL's ALTER TABLE holds an exclusive lock until commit), and a
    failure rolls the guards back with the batch.
    """
    if table is not t.chart_version:
        yield
        return
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("ALTER TABLE chart_version DISABLE TRIGGER chart_version_guard")
        yield
        conn.exec_driver_sql("ALTER TABLE chart_version ENABLE TRIGGER chart_version_guard")
        return
    found = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
        ("chart_version",),
    ).all()
    for name, _sql in found:
        conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
    yield
    for _name, sql in found:
        conn.exec_driver_sql(sql)


def _reseal_batch(
    conn: Connection,
    fields: list[SealedField],
    keys: FieldKeyring,
    after: UUID | None,
    batch_size: int,
    unreadable: list[str],
) -> tuple[int, int, UUID | None]:
    """Re-seal one batch of one table's fields: (rows read, rows changed, the last row's id)."""
    table = fields[0].table
    columns = sorted({f.column for f in fields})
    query = select(table.c.id, *(table.c[c] for c in columns)).order_by(table.c.id)
    if after is not None:
        query = query.where(table.c.id > after)
    rows = conn.execute(query.limit(batch_size)).mappings().all()
    resealed = 0
    for row in rows:
        changes: dict[str, Any] = {}
        for sealed_field in fields:
            value = changes.get(sealed_field.column, row[sealed_field.column])
            stored = sealed_field.stored(value)
            if not keys.needs_resealing(stored) or stored is None:
                continue
            associated = aad(table.name, sealed_field.name, row["id"])
            try:
                plain = keys.open(stored, associated)
            except SealedFieldError:
                unreadable.append(f"{table.name}.{sealed_field.name}/{row['id']}")
                continue
            changes[sealed_field.column] = sealed_field.replaced(
                value, keys.seal(plain, associated)
            )
        if changes:
            conn.execute(update(table).where(table.c.id == row["id"]).values(changes))
            resealed += 1
    return len(rows), resealed, rows[-1]["id"] if rows else after
