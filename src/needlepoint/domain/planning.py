"""Planning: a depth range per zone, the number of sessions, the interval and a dated series.

Depths are device settings in millimetres. A zone's range starts from the depth table
(indication × zone × severity) and is then narrowed, never widened, by: the device cap, the
zone maximum, the Fitzpatrick adjustment and any finding that asks for a shallower plan.
Every narrowing is recorded as a ``PlanReason`` with its sources, so the clinician sees why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from needlepoint.domain.evidence import Provenance
from needlepoint.domain.units import CountRange, DayRange, DepthRange
from needlepoint.domain.vocabulary import Device, Indication, Zone


class SeverityBand(StrEnum):
    """Severity used to pick a depth or protocol row; acne scars map from the GB grade."""

    ANY = "any"
    MACULAR = "macular"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


class Endpoint(StrEnum):
    """The clinical sign at which needling of a zone stops."""

    ERYTHEMA = "erythema"
    PINPOINT_BLEEDING = "pinpoint_bleeding"


@dataclass(frozen=True, slots=True)
class ZoneLimit:
    """The deepest setting ever planned for a zone, whatever the indication or device."""

    zone: Zone
    label: str
    max_depth_mm: Decimal | None
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class DepthRow:
    """Recommended depth for one indication in one zone at one severity.

    ``depth`` is None where needling is not recommended; ``advice`` then says what instead.
    """

    indication: Indication
    zone: Zone
    severity: SeverityBand
    depth: DepthRange | None
    advice: str
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class DeviceProfile:
    """How a device family caps depth and how it is worked."""

    device: Device
    cap_mm: Decimal
    min_setting_mm: Decimal
    passes_min: int
    passes_max: int
    technique: str
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class FitzpatrickAdjustment:
    """Depth handling for a group of Fitzpatrick types (e.g. IV–VI)."""

    types: frozenset[int]
    start_at_lower_end: bool
    max_step_per_session_mm: Decimal | None
    facial_cap_mm: Decimal | None
    advice: str
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class FindingAdjustment:
    """A shallower plan asked for by a screening finding (by rule id)."""

    rule_id: str
    cap_mm: Decimal | None
    reduce_by_mm: Decimal | None
    whole_plan: bool
    advice: str
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class Protocol:
    """Sessions and interval for one indication at one severity, and the endpoint."""

    indication: Indication
    severity: SeverityBand
    sessions: CountRange
    interval: DayRange
    endpoint: Endpoint
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class PlanningTables:
    """Everything planning needs from the knowledge base."""

    zones: Mapping[Zone, ZoneLimit]
    depths: tuple[DepthRow, ...]
    devices: Mapping[Device, DeviceProfile]
    fitzpatrick: tuple[FitzpatrickAdjustment, ...]
    finding_adjustments: tuple[FindingAdjustment, ...]
    protocols: tuple[Protocol, ...]
    version: str

    def depth_row(self, indication: Indication, zone: Zone, band: SeverityBand) -> DepthRow | None:
        """The most specific depth row: exact severity first, then ``any``."""
        for wanted in (band, SeverityBand.ANY):
            for row in self.depths:
                if (row.indication, row.zone, row.severity) == (indication, zone, wanted):
                    return row
        return None

    def protocol(self, indication: Indication, band: SeverityBand) -> Protocol | None:
        """The protocol row for an indication: exact severity first, then ``any``."""
        for wanted in (band, SeverityBand.ANY):
            for row in self.protocols:
                if (row.indication, row.severity) == (indication, wanted):
                    return row
        return None


@dataclass(frozen=True, slots=True)
class PlanReason:
    """Why a plan value is what it is, with its sources."""

    text: str
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class ZonePlan:
    """The depth plan for one zone."""

    zone: Zone
    indication: Indication
    severity: SeverityBand
    depth: DepthRange
    start_mm: Decimal
    max_step_per_session_mm: Decimal | None
    endpoint: Endpoint
    passes_min: int
    passes_max: int
    reasons: tuple[PlanReason, ...]


@dataclass(frozen=True, slots=True)
class ZoneNotPlanned:
    """A treatable zone that gets no depth, and what to do instead."""

    zone: Zone
    indication: Indication
    reason: PlanReason


@dataclass(frozen=True, slots=True)
class ProposedSession:
    """One session of a proposed series: its target day and the window around it."""

    number: int
    on: date
    earliest_on: date
    latest_on: date


@dataclass(frozen=True, slots=True)
class SeriesProposal:
    """The number of sessions, the interval and the dated sessions of a series."""

    sessions: CountRange
    interval: DayRange
    dated: tuple[ProposedSession, ...]
    reasons: tuple[PlanReason, ...]


def severity_band_for_grade(grade: int | None, grade_bands: Mapping[int, SeverityBand]) -> SeverityBand:
    """The severity band for a Goodman & Baron qualitative grade (``any`` if ungraded)."""
    if grade is None:
        return SeverityBand.ANY
    return grade_bands.get(grade, SeverityBand.ANY)


def propose_dates(
    start_on: date, sessions: int, interval: DayRange
) -> tuple[ProposedSession, ...]:
    """Dated sessions from a first day, each at the default interval after the previous.

    The window of session *n* is measured from the proposed day of session *n − 1*.
    """
    dated: list[ProposedSession] = []
    previous: date | None = None
    for number in range(1, sessions + 1):
        on = start_on if previous is None else previous + timedelta(days=interval.default_days)
        earliest = on if previous is None else previous + timedelta(days=interval.min_days)
        latest = on if previous is None else previous + timedelta(days=interval.max_days)
        dated.append(ProposedSession(number=number, on=on, earliest_on=earliest, latest_on=latest))
        previous = on
    return tuple(dated)
