"""The append-only audit trail: one HMAC-keyed hash chain per writer (ADR 0032).

A writer is one database connection of one process: it gets a random id the first time it
appends, and runs one transaction at a time, so its chain is ordered without any lock shared
with other writers. Each row carries ``writer_id`` and ``writer_seq`` (1, 2, 3... in its chain)
and ``hash = HMAC-SHA256(key, "needlepoint-audit/2" NUL writer_id NUL writer_seq NUL prev_hash
NUL canonical JSON of the event)``, where ``prev_hash`` is the hash of the writer's row before
it. The key is kept outside the database (settings or a key file), so rows rewritten and
rehashed without it do not verify.

The rows written before this format (``writer_id`` NULL) form the legacy chain:
``sha256(prev_hash + canonical JSON)`` numbered by ``seq`` from 1. It no longer grows. Every
writer chain starts from the legacy chain's head (64 zeros when there is none), so that
rewriting, extending or truncating the legacy chain breaks the first row of every keyed chain.

Changing a row breaks its own hash; deleting one leaves a gap in its chain's numbering or a
broken link. Deleting the newest rows of a chain leaves a valid, shorter chain: record the
heads outside the database (``needlepoint audit anchor``) and verify against them. The
arithmetic and the canonical JSON are in ``domain.audit_chain``.
"""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import Connection, Engine, RowMapping, Select, bindparam, insert, select

from needlepoint.adapters.db.engine import AUDIT_KEY_OPTION, SQLITE_BEGIN_OPTION
from needlepoint.adapters.db.repository import SqlRepository
from needlepoint.adapters.db.sealed import UNREADABLE_ACTION, Unreadable, take_unreadable
from needlepoint.adapters.db.tables import audit_event
from needlepoint.domain.audit_chain import (
    GENESIS_HASH,
    LEGACY_CHAIN,
    ChainHead,
    Link,
    canonical_json,
    chain_hash,
    keyed_hash,
    trail_digest,
)
from needlepoint.domain.records import AuditEvent

__all__ = [
    "GENESIS_HASH",
    "LEGACY_CHAIN",
    "AuditKeyMissingError",
    "ChainHead",
    "ChainProblem",
    "ChainReport",
    "SqlAuditLog",
    "canonical_json",
    "chain_hash",
    "event_from_row",
    "keyed_hash",
    "verify_chain",
]

_WRITER_ID: Final = "needlepoint_audit_writer_id"
_VERIFY_BATCH: Final = 1000


class AuditKeyMissingError(RuntimeError):
    """The engine was opened without the audit trail's key, so it can neither append nor verify."""

    code: Final = "audit-key-missing"

    def __init__(self) -> None:
        super().__init__(
            "the audit trail's key is missing: set NEEDLEPOINT_AUDIT_KEY (or let needlepoint "
            "keep one in <data dir>/audit-key) and open the database with make_engine(url, "
            "audit_key=...)."
        )


class ChainProblem(StrEnum):
    """Why a row breaks the chain."""

    CHANGED = "changed"
    DELETED = "deleted"
    DELETED_OR_INSERTED = "deleted-or-inserted"
    TRUNCATED = "truncated"


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The result of walking the chains: ok, or the first bad row and why.

    ``first_bad_seq`` is the bad row's ``seq`` (None for rows that are gone, named by
    ``first_bad_chain`` and ``first_bad_chain_seq`` instead).
    """

    ok: bool
    checked: int
    heads: tuple[ChainHead, ...] = ()
    first_bad_seq: int | None = None
    first_bad_chain: str | None = None
    first_bad_chain_seq: int | None = None
    problem: ChainProblem | None = None
    detail: str = ""

    @property
    def head_hash(self) -> str:
        """One digest of every chain's head (the genesis hash for an empty trail)."""
        return trail_digest(self.heads)


def audit_key(connection: Connection) -> bytes:
    """The audit key the connection's engine was opened with; raises if it has none."""
    key = connection.get_execution_options().get(AUDIT_KEY_OPTION)
    if not isinstance(key, bytes) or not key:
        raise AuditKeyMissingError
    return key


def writer_id(connection: Connection) -> str:
    """The id of this database connection's chain, made the first time it appends."""
    info = connection.info
    found = info.get(_WRITER_ID)
    if not isinstance(found, str):
        found = str(uuid.uuid4())
        info[_WRITER_ID] = found
    return found


class SqlAuditLog(SqlRepository):
    """Appends events to the writer's own chain inside the unit of work's transaction."""

    def append(self, event: AuditEvent) -> None:
        """Append one event, chained to this writer's newest row.

        No lock is shared with other writers: this connection runs one transaction at a time,
        and a rolled-back append takes its row with it, so the next append reads the same head.
        """
        connection = self._connection()
        key = audit_key(connection)
        writer = writer_id(connection)
        newest = connection.execute(_NEWEST_OF_WRITER, {"writer": writer}).one_or_none()
        if newest is None:
            link = Link(writer, 1, _legacy_head(connection))
        else:
            link = Link(writer, newest.writer_seq + 1, newest.hash)
        values = _event_values(event)
        values.update(
            writer_id=link.writer_id,
            writer_seq=link.writer_seq,
            prev_hash=link.prev_hash,
            hash=keyed_hash(key, link, event),
        )
        connection.execute(_APPEND, values)
        for unreadable in take_unreadable(connection):
            self.append(_unreadable_event(event, unreadable))


def _unreadable_event(event: AuditEvent, unreadable: Unreadable) -> AuditEvent:
    """The event of a sealed field that did not open during ``event``'s request (ADR 0039).

    Severity high; it names the field and its row, never the stored value.
    """
    return replace(
        event,
        action=UNREADABLE_ACTION,
        resource_type=f"{unreadable.table}.{unreadable.name}",
        resource_id=str(unreadable.row_id),
        outcome="unreadable",
        severity="high",
    )


# Built once: an audit append runs on every request that touches patient data.
_NEWEST_OF_WRITER: Final = (
    select(audit_event.c.writer_seq, audit_event.c.hash)
    .where(audit_event.c.writer_id == bindparam("writer"))
    .order_by(audit_event.c.writer_seq.desc())
    .limit(1)
)

_LEGACY_HEAD: Final = (
    select(audit_event.c.hash)
    .where(audit_event.c.writer_id.is_(None))
    .order_by(audit_event.c.seq.desc())
    .limit(1)
)

_APPEND: Final = insert(audit_event)


def _legacy_head(connection: Connection) -> str:
    """The legacy chain's newest hash, from which every writer's chain starts."""
    head: str | None = connection.execute(_LEGACY_HEAD).scalar_one_or_none()
    return GENESIS_HASH if head is None else head


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
        "severity": event.severity,
        "break_glass_id": event.break_glass_id,
    }


def event_from_row(row: RowMapping) -> AuditEvent:
    """The event a stored row holds (its chain columns left out)."""
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
        severity=row["severity"],
        break_glass_id=row["break_glass_id"],
    )


def verify_chain(
    engine: Engine, *, key: bytes | None = None, anchor: Sequence[ChainHead] = ()
) -> ChainReport:
    """Walk the legacy chain, then each writer's, and report the first bad row, if any.

    ``key``: the audit key (default: the one the engine was opened with). ``anchor``: chain
    heads recorded earlier outside the database; a chain shorter than its anchored head, or
    whose row at that place has another hash, was truncated or rewritten.
    """
    reader = engine.execution_options(**{SQLITE_BEGIN_OPTION: "DEFERRED"})
    with reader.connect() as connection:
        walker = _Walker(key if key is not None else audit_key(connection))
        walker.anchored = {head.chain: head.count for head in anchor}
        legacy = select(audit_event).where(audit_event.c.writer_id.is_(None))
        _walk(connection, legacy.order_by(audit_event.c.seq), walker.legacy_row)
        if walker.problem is None:
            walker.close_legacy()
            keyed = select(audit_event).where(audit_event.c.writer_id.is_not(None))
            order = (audit_event.c.writer_id, audit_event.c.writer_seq)
            _walk(connection, keyed.order_by(*order), walker.keyed_row)
            walker.close_writer()
    if walker.problem is None:
        walker.check_anchor(anchor)
    return walker.report()


def _walk(connection: Connection, query: Select[Any], visit: Callable[[RowMapping], bool]) -> None:
    """Feed the rows to ``visit`` in order until it returns False."""
    result = connection.execution_options(yield_per=_VERIFY_BATCH).execute(query)
    try:
        for row in result.mappings():
            if not visit(row):
                return
    finally:
        result.close()


@dataclass(slots=True)
class _Walker:
    """Walks the rows chain by chain; remembers the heads and the first problem."""

    key: bytes
    heads: list[ChainHead] = field(default_factory=list)
    checked: int = 0
    legacy_head: str = GENESIS_HASH
    legacy_count: int = 0
    writer: str | None = None
    writer_count: int = 0
    writer_head: str = GENESIS_HASH
    problem: _Problem | None = None
    anchored: dict[str, int] = field(default_factory=dict)
    """chain -> the count an anchor recorded: the hash at that place is kept for the check"""
    hash_at_anchor: dict[str, str] = field(default_factory=dict)

    def _keep(self, chain: str, chain_seq: int, row_hash: str) -> None:
        if self.anchored.get(chain) == chain_seq:
            self.hash_at_anchor[chain] = row_hash

    def legacy_row(self, row: RowMapping) -> bool:
        seq: int = row["seq"]
        expected = self.legacy_count + 1
        if seq != expected:
            detail = f"rows {expected}..{seq - 1} are missing (deleted)"
            return self._fail(_Problem(ChainProblem.DELETED, LEGACY_CHAIN, expected, None, detail))
        if row["prev_hash"] != self.legacy_head:
            detail = f"row {seq} does not link to the row before it (a row was deleted or inserted)"
            return self._fail(
                _Problem(ChainProblem.DELETED_OR_INSERTED, LEGACY_CHAIN, seq, seq, detail)
            )
        if chain_hash(self.legacy_head, event_from_row(row)) != row["hash"]:
            detail = f"row {seq} was changed after it was written (its hash does not match)"
            return self._fail(_Problem(ChainProblem.CHANGED, LEGACY_CHAIN, seq, seq, detail))
        self.legacy_count, self.legacy_head = seq, row["hash"]
        self._keep(LEGACY_CHAIN, seq, self.legacy_head)
        self.checked += 1
        return True

    def close_legacy(self) -> None:
        if self.legacy_count:
            self.heads.append(ChainHead(LEGACY_CHAIN, self.legacy_count, self.legacy_head))

    def keyed_row(self, row: RowMapping) -> bool:
        writer: str = row["writer_id"]
        if writer != self.writer:
            self.close_writer()
            self.writer, self.writer_count, self.writer_head = writer, 0, self.legacy_head
        problem = self._keyed_problem(row, writer)
        if problem is not None:
            return self._fail(problem)
        self.writer_count, self.writer_head = row["writer_seq"], row["hash"]
        self._keep(writer, self.writer_count, self.writer_head)
        self.checked += 1
        return True

    def _keyed_problem(self, row: RowMapping, writer: str) -> _Problem | None:
        seq: int = row["seq"]
        writer_seq: int = row["writer_seq"]
        expected = self.writer_count + 1
        where = f"row {seq} (chain {writer}, event {writer_seq})"
        if writer_seq != expected:
            detail = f"events {expected}..{writer_seq - 1} of chain {writer} are missing (deleted)"
            return _Problem(ChainProblem.DELETED, writer, expected, None, detail)
        if row["prev_hash"] != self.writer_head:
            detail = (
                f"{where} does not link to the event before it (an event was deleted or "
                "inserted, or the legacy chain it starts from was rewritten)"
            )
            return _Problem(ChainProblem.DELETED_OR_INSERTED, writer, writer_seq, seq, detail)
        link = Link(writer, writer_seq, self.writer_head)
        if not hmac.compare_digest(keyed_hash(self.key, link, event_from_row(row)), row["hash"]):
            detail = (
                f"{where} was changed after it was written, or rehashed without the audit key "
                "(its HMAC does not match)"
            )
            return _Problem(ChainProblem.CHANGED, writer, writer_seq, seq, detail)
        return None

    def close_writer(self) -> None:
        if self.writer is not None and self.problem is None:
            self.heads.append(ChainHead(self.writer, self.writer_count, self.writer_head))
        self.writer = None

    def check_anchor(self, anchor: Sequence[ChainHead]) -> None:
        found = {head.chain: head for head in self.heads}
        for anchored in sorted(anchor, key=lambda head: head.chain):
            problem = _anchor_problem(
                anchored, found.get(anchored.chain), self.hash_at_anchor.get(anchored.chain)
            )
            if problem is not None:
                self._fail(problem)
                return

    def _fail(self, problem: _Problem) -> bool:
        self.problem = problem
        return False

    def report(self) -> ChainReport:
        problem = self.problem
        if problem is None:
            return ChainReport(ok=True, checked=self.checked, heads=tuple(self.heads))
        return ChainReport(
            ok=False,
            checked=self.checked,
            heads=tuple(self.heads),
            first_bad_seq=problem.seq,
            first_bad_chain=problem.chain,
            first_bad_chain_seq=problem.chain_seq,
            problem=problem.kind,
            detail=problem.detail,
        )


@dataclass(frozen=True, slots=True)
class _Problem:
    kind: ChainProblem
    chain: str
    chain_seq: int
    seq: int | None
    detail: str


def _anchor_problem(
    anchored: ChainHead, found: ChainHead | None, hash_there: str | None
) -> _Problem | None:
    count = 0 if found is None else found.count
    if count < anchored.count:
        detail = (
            f"events {count + 1}..{anchored.count} of chain {anchored.chain} are missing: the "
            f"anchor saw {anchored.count}, the database holds {count} (the newest were deleted)"
        )
        return _Problem(ChainProblem.TRUNCATED, anchored.chain, count + 1, None, detail)
    if anchored.count and hash_there != anchored.head_hash:
        detail = (
            f"event {anchored.count} of chain {anchored.chain} is not the one the anchor "
            "recorded (the chain was rewritten up to there)"
        )
        return _Problem(ChainProblem.CHANGED, anchored.chain, anchored.count, None, detail)
    return None
