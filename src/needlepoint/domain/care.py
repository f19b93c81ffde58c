"""Care timelines: what the patient does before and after each session, and when.

Templates come from the knowledge base with offsets in hours from the start of the
appointment (negative = before). ``build_timeline`` keeps the templates whose condition
holds for this patient and plan, and anchors them to an appointment in the clinic's time
zone. Offsets are wall-clock: "5 days before 10:00" is 10:00 local five days earlier,
whatever daylight-saving change lies between.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from needlepoint.domain.consultation import Consultation
from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.evidence import Provenance
from needlepoint.domain.vocabulary import Device, Zone


class CarePhase(StrEnum):
    """Before or after the session."""

    PRE = "pre"
    POST = "post"


@dataclass(frozen=True, slots=True)
class CareContext:
    """What a care condition may look at: the consultation and the plan it led to."""

    consultation: Consultation
    device: Device
    treated_zones: frozenset[Zone]
    deepest_mm: Decimal


CareCondition = Callable[[CareContext], bool]


@dataclass(frozen=True, slots=True)
class CareTemplate:
    """One care instruction as cited knowledge, before it is anchored to an appointment.

    ``instruction`` may contain ``{starts_on}`` and ``{ends_on}``, filled with local dates.
    """

    id: str
    topic: str
    phase: CarePhase
    instruction: str
    start_offset_hours: int
    end_offset_hours: int
    condition_name: str
    condition: CareCondition
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class RedFlag:
    """A symptom that should make the patient call (or seek emergency care)."""

    id: str
    sign: str
    likely_cause: str
    window: str
    urgency: str
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class CareTables:
    """Care templates and red flags, with their table versions."""

    templates: tuple[CareTemplate, ...]
    red_flags: tuple[RedFlag, ...]
    version: str


@dataclass(frozen=True, slots=True)
class CareItem:
    """One personalised instruction with its local start and end times."""

    id: str
    topic: str
    phase: CarePhase
    instruction: str
    starts_at: datetime
    ends_at: datetime
    provenance: Provenance


def build_timeline(
    templates: Iterable[CareTemplate], context: CareContext, *, appointment_at: datetime
) -> tuple[CareItem, ...]:
    """The care items that apply to this patient, anchored to one appointment.

    Items are ordered by start time, then end time, then id.
    """
    if appointment_at.tzinfo is None:
        raise InvalidInputError.single(
            "appointment_at",
            "the appointment has no time zone.",
            "give the appointment in the clinic's local time zone.",
        )
    items = (_anchor(t, appointment_at) for t in templates if t.condition(context))
    return tuple(sorted(items, key=lambda i: (i.starts_at, i.ends_at, i.id)))


def _anchor(template: CareTemplate, appointment_at: datetime) -> CareItem:
    starts_at = appointment_at + timedelta(hours=template.start_offset_hours)
    ends_at = appointment_at + timedelta(hours=template.end_offset_hours)
    instruction = template.instruction
    if "{" in instruction:
        instruction = instruction.format(
            starts_on=_spoken_day(starts_at), ends_on=_spoken_day(ends_at)
        )
    return CareItem(
        id=template.id,
        topic=template.topic,
        phase=template.phase,
        instruction=instruction,
        starts_at=starts_at,
        ends_at=ends_at,
        provenance=template.provenance,
    )


_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _spoken_day(moment: datetime) -> str:
    """A day as people say it: "Monday 9 November 2026" (English, whatever the locale)."""
    day, month = _DAY_NAMES[moment.weekday()], _MONTH_NAMES[moment.month - 1]
    return f"{day} {moment.day} {month} {moment.year}"
