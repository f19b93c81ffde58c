"""The append-only, hash-chained audit trail.

Each row's ``hash`` is ``sha256(prev_hash + canonical JSON of the event)``, where ``prev_hash``
is the hash of the row before it (64 zeros for the first). Changing a row breaks its own hash;
deleting or inserting one breaks the next row's link or leaves a gap in ``seq``. The database
refuses UPDATE and DELETE on the table (triggers, see the initial migration); the chain catches
what is done behind the database's back. Deleting the newest rows leaves a valid, shorter chain,
so record ``ChainReport.head_hash`` elsewhere to catch that.

Canonical JSON: sorted keys, no whitespace, UUIDs as ``str``, instants as ISO 8601 in UTC with
microseconds (``2026-11-23T09:30:00.000000Z``), absent values as ``null``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Final
from uuid import UUID

from sqlalchemy import Engine, RowMapping, func, insert, select

from needlepoint.adapters.db.engine import SQLITE_BEGIN_OPTION
from needlepoint.adapters.db.repository import SqlRepository
from needlepoint.adapters.db.tables import audit_event
from needlepoint.domain.records import AuditEvent

GENESIS_HASH: Final = "0" * 64
"""The ``prev_hash`` of the first row."""

AUDIT_LOCK_KEY: Final = 0x6E656564_6C617564  # "needlaud": serialises appenders on PostgreSQL

_VERIFY_BATCH: Final = 1000


class ChainProblem(StrEnum):
    """Why a row breaks the chain."""

    CHANGED = "changed"
    DELETED = "deleted"
    DELETED_OR_INSERTED = "deleted-or-inserted"


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The result of walking the chain: ok, or the first bad row and why."""

    ok: bool
    checked: int
    head_hash: str = GENESIS_HASH
    first_bad_seq: int | None = None
    problem: ChainProblem | None = None
    detail: str = ""


def canonical_json(event: AuditEvent) -> str:
    """The event's fields as canonical JSON (the hashed form)."""
    fields = {
        "at": _utc_iso(event.at),
        "actor_id": _uuid_text(event.actor_id),
        "actor_role": event.actor_role,
        "action": event.action,
        "resource_type": event.resource_type,
        "resource_id": event.resource_id,
        "patient_id": _uuid_text(event.patient_id),
        "outcome": event.outcome,
        "request_id": event.request_id,
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":"))


def chain_hash(prev_hash: str, event: AuditEvent) -> str:
    """The hash of ``event`` chained after a row whose hash is ``prev_hash``."""
    return hashlib.sha256((prev_hash + canonical_json(event)).encode("utf-8")).hexdigest()


def _utc_iso(instant: datetime) -> str:
    if instant.utcoffset() is None:
        raise ValueError("naive datetime in an audit event: give the instant in UTC")
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _uuid_text(value: UUID | None) -> str | None:
    return None if value is None else str(value)


class SqlAuditLog(SqlRepository):
    """Appends events to ``audit_event`` inside the unit of work's transaction."""

    def append(self, event: AuditEvent) -> None:
        """Append one event, chained to the newest row.

        Appenders are serialised (PostgreSQL: a transaction-scoped advisory lock; SQLite: the
        write lock taken by ``BEGIN IMMEDIATE``) so that two never chain to the same row.
        """
        connection = self._connection()
        if connection.dialect.name == "postgresql":
            connection.execute(_LOCK_APPENDERS)
        newest = connection.execute(_NEWEST).one_or_none()
        seq, prev_hash = (1, GENESIS_HASH) if newest is None else (newest.seq + 1, newest.hash)
        values = _event_values(event)
        values.update(seq=seq, prev_hash=prev_hash, hash=chain_hash(prev_hash, event))
        connection.execute(_APPEND, values)


# Built once: an audit append runs on every request that touches patient data.
_LOCK_APPENDERS: Final = select(func.pg_advisory_xact_lock(AUDIT_LOCK_KEY))

_NEWEST: Final = (
    select(audit_event.c.seq, audit_event.c.hash).order_by(audit_event.c.seq.desc()).limit(1)
)

_APPEND: Final = insert(audit_event)


def _event_values(event: AuditEvent) -> dict[str, object]:
    return {
        "at": event.at,
        "actor_id": event.actor_id,
        "actor_role": event.actor_role,
        "action": event.action,
        "resource_type": event.resource_type,
        "resource_id": event.resource_id,
        "patient_id": event.patient_id,
        "outcome": event.outcome,
        "request_id": event.request_id,
    }


def _event_from_row(row: RowMapping) -> AuditEvent:
    return AuditEvent(
        at=row["at"],
        actor_id=row["actor_id"],
        actor_role=row["actor_role"],
        action=row["action"],
        resource_type=row["resource_type"],
        resource_id=row["resource_id"],
        patient_id=row["patient_id"],
        outcome=row["outcome"],
        request_id=row["request_id"],
    )


def verify_chain(engine: Engine) -> ChainReport:
    """Walk the audit trail by ``seq`` and report the first bad row, if any."""
    reader = engine.execution_options(**{SQLITE_BEGIN_OPTION: "DEFERRED"})
    query = select(audit_event).order_by(audit_event.c.seq)
    with reader.connect() as connection:
        result = connection.execution_options(yield_per=_VERIFY_BATCH).execute(query)
        try:
            return _walk(result.mappings())
        finally:
            result.close()


def _walk(rows: Iterable[RowMapping]) -> ChainReport:
    expected_seq, prev_hash = 1, GENESIS_HASH
    for row in rows:
        problem = _check_row(row, expected_seq, prev_hash)
        if problem is not None:
            return problem
        expected_seq, prev_hash = row["seq"] + 1, row["hash"]
    return ChainReport(ok=True, checked=expected_seq - 1, head_hash=prev_hash)


def _check_row(row: RowMapping, expected_seq: int, prev_hash: str) -> ChainReport | None:
    seq: int = row["seq"]
    checked = expected_seq - 1
    if seq != expected_seq:
        detail = f"rows {expected_seq}..{seq - 1} are missing (deleted)"
        return _bad(checked, prev_hash, expected_seq, ChainProblem.DELETED, detail)
    if row["prev_hash"] != prev_hash:
        detail = f"row {seq} does not link to the row before it (a row was deleted or inserted)"
        return _bad(checked, prev_hash, seq, ChainProblem.DELETED_OR_INSERTED, detail)
    if chain_hash(prev_hash, _event_from_row(row)) != row["hash"]:
        detail = f"row {seq} was changed after it was written (its hash does not match)"
        return _bad(checked, prev_hash, seq, ChainProblem.CHANGED, detail)
    return None


def _bad(checked: int, head: str, seq: int, problem: ChainProblem, detail: str) -> ChainReport:
    return ChainReport(
        ok=False, checked=checked, head_hash=head, first_bad_seq=seq, problem=problem, detail=detail
    )
