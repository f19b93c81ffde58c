"""Break-glass access (ADR 0038, scenario AC-6): a time-boxed emergency read of one patient.

A member of staff whose role may not read clinical records (front desk) may, in an emergency,
open one patient's clinical record by giving a reason. The grant names the actor, the patient
and the reason, and lapses at ``expires_at``: at most ``MAX_TTL_MINUTES`` after it was granted
(a clinic may set a shorter time, never a longer one). Pure: the clock is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final
from uuid import UUID

from needlepoint.domain.errors import InputCode, InvalidInputError
from needlepoint.domain.records import StaffMember

MAX_TTL_MINUTES: Final = 60
"""The hard limit: no grant lasts longer, whatever the settings say."""

MIN_REASON_CHARS: Final = 15
"""A reason says what the emergency is: at least this many characters, spaces trimmed."""

MAX_REASON_CHARS: Final = 500

HIGH: Final = "high"
"""The severity of the audit events of break-glass access."""
NORMAL: Final = "normal"


@dataclass(frozen=True, slots=True)
class BreakGlassGrant:
    """One member of staff's emergency access to one patient's clinical record, until expiry."""

    id: UUID
    clinic_id: UUID
    actor_id: UUID
    patient_id: UUID
    reason: str
    granted_at: datetime
    expires_at: datetime

    def is_active(self, at: datetime) -> bool:
        """Whether the grant still opens the record at ``at`` (it lapses at ``expires_at``)."""
        return self.granted_at <= at < self.expires_at

    def opens(self, actor_id: UUID, patient_id: UUID, at: datetime) -> bool:
        """Whether the grant lets ``actor_id`` read ``patient_id``'s record at ``at``."""
        return self.actor_id == actor_id and self.patient_id == patient_id and self.is_active(at)


def checked_reason(reason: str | None) -> str:
    """The reason, trimmed; or ``InvalidInputError`` naming ``reason`` and the fix."""
    text = " ".join((reason or "").split())
    if not text:
        raise InvalidInputError.single(
            "reason",
            "a reason is required to break the glass.",
            "say what the emergency is (for example: patient phoned with a severe reaction, "
            "clinician unreachable).",
            InputCode.REASON_REQUIRED,
        )
    if len(text) < MIN_REASON_CHARS:
        raise InvalidInputError.single(
            "reason",
            f"the reason is {len(text)} characters; that does not say what the emergency is.",
            f"write at least {MIN_REASON_CHARS} characters saying what the emergency is.",
            InputCode.TOO_SHORT,
        )
    if len(text) > MAX_REASON_CHARS:
        raise InvalidInputError.single(
            "reason",
            f"the reason is {len(text)} characters long.",
            f"keep it to {MAX_REASON_CHARS} characters.",
            InputCode.TOO_LONG,
        )
    return text


def ttl_of(ttl_minutes: int) -> timedelta:
    """How long a grant lasts: the clinic's setting, never more than ``MAX_TTL_MINUTES``."""
    if ttl_minutes < 1:
        raise ValueError(f"break-glass ttl_minutes must be 1 to {MAX_TTL_MINUTES}")
    return timedelta(minutes=min(ttl_minutes, MAX_TTL_MINUTES))


def grant(
    *,
    grant_id: UUID,
    actor: StaffMember,
    patient_id: UUID,
    reason: str | None,
    at: datetime,
    ttl_minutes: int = MAX_TTL_MINUTES,
) -> BreakGlassGrant:
    """A new grant from ``at``, lapsing ``ttl_minutes`` later (capped at the hard limit)."""
    return BreakGlassGrant(
        id=grant_id,
        clinic_id=actor.clinic_id,
        actor_id=actor.id,
        patient_id=patient_id,
        reason=checked_reason(reason),
        granted_at=at,
        expires_at=at + ttl_of(ttl_minutes),
    )
