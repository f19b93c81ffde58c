"""What an admin asks of the audit trail (ADR 0038, scenario AC-5): filters and their bounds.

A view is a page of events, newest first, after a keyset cursor (the event's ``seq``); an
export is every event of a bounded date range, streamed. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final
from uuid import UUID

from needlepoint.domain.errors import InputCode, InvalidInputError
from needlepoint.domain.records import AuditEvent

MAX_RANGE_DAYS: Final = 92
"""The longest date range one view or export covers (about a quarter)."""

MAX_PAGE_EVENTS: Final = 200
"""The most events one page of the view holds."""

ACTION_MAX_CHARS: Final = 80


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Which events: ``from_at`` ≤ at < ``to_at``, and optionally one actor, patient, action."""

    from_at: datetime
    to_at: datetime
    actor_id: UUID | None = None
    patient_id: UUID | None = None
    action: str | None = None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One stored event and its number in the trail (the cursor of the next page)."""

    seq: int
    event: AuditEvent


def checked_filter(wanted: AuditFilter) -> AuditFilter:
    """The filter, or ``InvalidInputError`` naming ``from``/``to``/``action`` and the fix."""
    if wanted.to_at <= wanted.from_at:
        raise InvalidInputError.single(
            "to_at",
            "the end of the range is not after its start.",
            "give a to_at later than from_at.",
            InputCode.OUT_OF_ORDER,
        )
    if wanted.to_at - wanted.from_at > timedelta(days=MAX_RANGE_DAYS):
        raise InvalidInputError.single(
            "from_at",
            f"the range is longer than {MAX_RANGE_DAYS} days.",
            f"ask for {MAX_RANGE_DAYS} days or fewer at a time.",
            InputCode.OUT_OF_RANGE,
        )
    action = (wanted.action or "").strip() or None
    if action is not None and len(action) > ACTION_MAX_CHARS:
        raise InvalidInputError.single(
            "action",
            f"the action is longer than {ACTION_MAX_CHARS} characters.",
            "give an action id such as patient.read.",
            InputCode.TOO_LONG,
        )
    return AuditFilter(wanted.from_at, wanted.to_at, wanted.actor_id, wanted.patient_id, action)


def checked_limit(limit: int) -> int:
    """A page size of 1 to ``MAX_PAGE_EVENTS``, or ``InvalidInputError`` naming ``limit``."""
    if not 1 <= limit <= MAX_PAGE_EVENTS:
        raise InvalidInputError.single(
            "limit",
            f"{limit} is not a page size.",
            f"use 1 to {MAX_PAGE_EVENTS}.",
            InputCode.OUT_OF_RANGE,
        )
    return limit
