"""The audit trail's chain arithmetic and its anchor format (ADR 0032): pure, no I/O.

Keyed rows: ``hash = HMAC-SHA256(key, "needlepoint-audit/2" NUL writer_id NUL writer_seq NUL
prev_hash NUL canonical JSON of the event)``. Legacy rows (before ADR 0032):
``sha256(prev_hash + canonical JSON)``.

Canonical JSON: sorted keys, no whitespace, UUIDs as ``str``, instants as ISO 8601 in UTC with
microseconds (``2026-11-23T09:30:00.000000Z``), absent values as ``null``; ``severity`` and
``break_glass_id`` (ADR 0038) only when they are not ``normal`` and null.

An anchor is a small JSON document naming each chain's length and newest hash at a moment,
kept outside the database (a file, an email): ``{"format": "needlepoint-audit-anchor/1",
"taken_at": "...", "digest": "...", "chains": [{"chain": "...", "count": 12, "head": "..."}]}``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final
from uuid import UUID

from needlepoint.domain.records import AuditEvent

GENESIS_HASH: Final = "0" * 64
"""The ``prev_hash`` of the legacy chain's first row, and of every writer's first row when
there is no legacy chain."""

LEGACY_CHAIN: Final = "legacy"
"""How reports and anchors name the chain of the rows written before writers had chains."""

KEYED_FORMAT: Final = "needlepoint-audit/2"
ANCHOR_FORMAT: Final = "needlepoint-audit-anchor/1"
_HEX_DIGITS: Final = frozenset("0123456789abcdef")


@dataclass(frozen=True, slots=True)
class ChainHead:
    """One chain's newest row: how many rows the chain holds and the newest one's hash."""

    chain: str
    count: int
    head_hash: str


@dataclass(frozen=True, slots=True)
class Link:
    """Where a keyed row sits: its writer, its place in the writer's chain, the hash before."""

    writer_id: str
    writer_seq: int
    prev_hash: str


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
    # Added by ADR 0038; hashed only when set, so every row written before verifies as it was.
    if event.severity != "normal":
        fields["severity"] = event.severity
    if event.break_glass_id is not None:
        fields["break_glass_id"] = str(event.break_glass_id)
    return json.dumps(fields, sort_keys=True, separators=(",", ":"))


def chain_hash(prev_hash: str, event: AuditEvent) -> str:
    """The legacy, unkeyed hash of ``event`` chained after ``prev_hash`` (rows before ADR 0032)."""
    return hashlib.sha256((prev_hash + canonical_json(event)).encode("utf-8")).hexdigest()


def keyed_hash(key: bytes, link: Link, event: AuditEvent) -> str:
    """HMAC-SHA256 under ``key`` of the event and its place in its writer's chain."""
    parts = (KEYED_FORMAT, link.writer_id, str(link.writer_seq), link.prev_hash)
    message = "\0".join((*parts, canonical_json(event)))
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def trail_digest(heads: Sequence[ChainHead]) -> str:
    """SHA-256 over the sorted chain heads: one value to compare, print or keep."""
    if not heads:
        return GENESIS_HASH
    ordered = sorted(heads, key=_by_chain)
    lines = "".join(f"{h.chain} {h.count} {h.head_hash}\n" for h in ordered)
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def _by_chain(head: ChainHead) -> str:
    return head.chain


def _utc_iso(instant: datetime) -> str:
    if instant.utcoffset() is None:
        raise ValueError("naive datetime in an audit event: give the instant in UTC")
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _uuid_text(value: UUID | None) -> str | None:
    return None if value is None else str(value)


class AnchorError(ValueError):
    """An anchor document that cannot be read; the message names what is wrong."""


def anchor_document(heads: Sequence[ChainHead], *, taken_at: datetime) -> str:
    """The anchor of ``heads`` taken at ``taken_at``, as JSON text ending in a newline."""
    chains = [
        {"chain": h.chain, "count": h.count, "head": h.head_hash}
        for h in sorted(heads, key=_by_chain)
    ]
    document = {
        "format": ANCHOR_FORMAT,
        "taken_at": _utc_iso(taken_at),
        "digest": trail_digest(heads),
        "chains": chains,
    }
    return json.dumps(document, indent=1) + "\n"


def parse_anchor(text: str) -> tuple[ChainHead, ...]:
    """The chain heads an anchor document records; AnchorError names what is wrong."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise AnchorError(f"the anchor is not JSON ({error.msg} at line {error.lineno})") from None
    if not isinstance(document, dict) or document.get("format") != ANCHOR_FORMAT:
        raise AnchorError(f"the anchor's format is not {ANCHOR_FORMAT}")
    chains = document.get("chains")
    if not isinstance(chains, list):
        raise AnchorError("the anchor has no list of chains")
    heads = tuple(_parse_head(n, entry) for n, entry in enumerate(chains, start=1))
    if document.get("digest") != trail_digest(heads):
        raise AnchorError("the anchor's digest does not match its chains (the file was edited)")
    return heads


def _parse_head(n: int, entry: Any) -> ChainHead:
    if not isinstance(entry, dict):
        raise AnchorError(f"chain {n} of the anchor is not an object")
    chain, count, head = entry.get("chain"), entry.get("count"), entry.get("head")
    if not isinstance(chain, str) or not chain:
        raise AnchorError(f"chain {n} of the anchor has no name")
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise AnchorError(f"chain {chain} of the anchor has no count (a whole number >= 0)")
    if not isinstance(head, str) or len(head) != len(GENESIS_HASH) or set(head) - _HEX_DIGITS:
        raise AnchorError(f"chain {chain} of the anchor has no head hash (64 hex digits)")
    return ChainHead(chain, count, head)
