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
    endpoint: Endpoint | None = None


@dataclass(frozen=True, slots=True)
class TreatmentProtocol:
    """Sessions and interval for one indication at one severity, and the endpoint."""

    indication: Indication
    severity: SeverityBand
    sessions: CountRange
    interval: DayRange
    endpoint: Endpoint
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class AppointmentPart:
    """One part of a treatment appointment and how long the protocol gives it.

    Defined here, with the protocols that give it, and used by scheduling (which re-exports it).
    """

    part: str
    minutes: int
    sources: tuple[str, ...]
    evidence: str


@dataclass(frozen=True, slots=True)
class PlanningTables:
    """Everything planning needs from the knowledge base."""

    zones: Mapping[Zone, ZoneLimit]
    depths: tuple[DepthRow, ...]
    devices: Mapping[Device, DeviceProfile]
    fitzpatrick: tuple[FitzpatrickAdjustment, ...]
    finding_adjustments: tuple[FindingAdjustment, ...]
    protocols: tuple[TreatmentProtocol, ...]
    grade_bands: Mapping[int, SeverityBand]
    version: str
    appointment_parts: tuple[AppointmentPart, ...] = ()

    def depth_row(self, indication: Indication, zone: Zone, band: SeverityBand) -> DepthRow | None:
        """The most specific depth row: exact severity first, then ``any``."""
        for wanted in (band, SeverityBand.ANY):
            for row in self.depths:
                if (row.indication, row.zone, row.severity) == (indication, zone, wanted):
                    return row
        return None

    def protocol(self, indication: Indication, band: SeverityBand) -> TreatmentProtocol | None:
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
    needs_grade: bool = False


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


def severity_band_for_grade(
    grade: int | None, grade_bands: Mapping[int, SeverityBand]
) -> SeverityBand:
    """The severity band for a Goodman & Baron qualitative grade (``any`` if ungraded)."""
    if grade is None:
        return SeverityBand.ANY
    return grade_bands.get(grade, SeverityBand.ANY)


def propose_dates(start_on: date, sessions: int, interval: DayRange) -> tuple[ProposedSession, ...]:
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


@dataclass(frozen=True, slots=True)
class ZoneRequest:
    """What planning needs to know about one treatable zone."""

    zone: Zone
    indication: Indication
    severity: SeverityBand
    facial: bool


@dataclass(frozen=True, slots=True)
class PatientFactors:
    """Patient-level inputs to planning: device, skin type and the findings that matter."""

    device: Device
    fitzpatrick: int
    findings: tuple[tuple[str, tuple[Zone, ...]], ...]


def plan_zone(
    request: ZoneRequest, factors: PatientFactors, tables: PlanningTables
) -> ZonePlan | ZoneNotPlanned:
    """The depth plan for one zone, or why it gets none.

    The depth-table range is narrowed by the device cap, the zone maximum, the Fitzpatrick
    adjustment and finding adjustments, in that order. Each narrowing adds a reason. A
    finding adjustment may also ask for a gentler endpoint (erythema rather than bleeding).
    """
    row = tables.depth_row(request.indication, request.zone, request.severity)
    limit = tables.zones[request.zone]
    if row is None or row.depth is None or limit.max_depth_mm is None:
        return _not_planned(request, row, limit, tables)
    device = tables.devices[factors.device]
    reasons = [PlanReason(_base_text(request, row.depth), row.provenance)]
    depth = _cap(
        row.depth, device.cap_mm, f"{device.device} device cap", device.provenance, reasons
    )
    depth = _cap(depth, limit.max_depth_mm, f"{limit.label} maximum", limit.provenance, reasons)
    fitz = _fitzpatrick_adjustment(tables, factors.fitzpatrick)
    if fitz is not None:
        depth = _apply_fitzpatrick(depth, fitz, request.facial, reasons)
    adjustments = _finding_adjustments(tables, factors, request.zone)
    for adjustment in adjustments:
        depth = _apply_finding(depth, adjustment, device.min_setting_mm, reasons)
    return ZonePlan(
        zone=request.zone,
        indication=request.indication,
        severity=request.severity,
        depth=depth,
        start_mm=depth.min_mm,
        max_step_per_session_mm=fitz.max_step_per_session_mm if fitz else None,
        endpoint=_endpoint(tables, request, adjustments),
        passes_min=device.passes_min,
        passes_max=device.passes_max,
        reasons=tuple(reasons),
    )


def _endpoint(
    tables: PlanningTables, request: ZoneRequest, adjustments: tuple[FindingAdjustment, ...]
) -> Endpoint:
    """The protocol's endpoint, unless a finding asks for a gentler one."""
    if any(a.endpoint is Endpoint.ERYTHEMA for a in adjustments):
        return Endpoint.ERYTHEMA
    protocol = tables.protocol(request.indication, request.severity)
    return protocol.endpoint if protocol else Endpoint.ERYTHEMA


def _base_text(request: ZoneRequest, depth: DepthRange) -> str:
    severity = "" if request.severity is SeverityBand.ANY else f", {request.severity}"
    return (
        f"Depth table: {request.indication.replace('_', ' ')} in {request.zone}{severity}: {depth}."
    )


def _not_planned(
    request: ZoneRequest, row: DepthRow | None, limit: ZoneLimit, tables: PlanningTables
) -> ZoneNotPlanned:
    needs_grade = row is None and _graded_rows_exist(tables, request)
    if row is not None and row.depth is None:
        reason = PlanReason(row.advice, row.provenance)
    elif limit.max_depth_mm is None:
        reason = PlanReason(f"{limit.label} is never needled.", limit.provenance)
    elif needs_grade:
        reason = PlanReason(
            f"{request.indication.replace('_', ' ').capitalize()} in {limit.label} need a "
            "Goodman & Baron grade to set a depth: assess the zone, then plan.",
            limit.provenance,
        )
    else:
        reason = PlanReason(
            f"needlepoint has no depth for {request.indication.replace('_', ' ')} in "
            f"{limit.label}; it plans this indication elsewhere only.",
            limit.provenance,
        )
    return ZoneNotPlanned(
        zone=request.zone, indication=request.indication, reason=reason, needs_grade=needs_grade
    )


def _graded_rows_exist(tables: PlanningTables, request: ZoneRequest) -> bool:
    """Whether the table has rows for this indication and zone at some graded severity."""
    return request.severity is SeverityBand.ANY and any(
        r.indication is request.indication and r.zone is request.zone for r in tables.depths
    )


def _cap(
    depth: DepthRange, cap_mm: Decimal, what: str, provenance: Provenance, reasons: list[PlanReason]
) -> DepthRange:
    if depth.max_mm <= cap_mm:
        return depth
    capped = depth.capped_at(cap_mm)
    reasons.append(PlanReason(f"Capped at {cap_mm} mm ({what}): {capped}.", provenance))
    return capped


def _fitzpatrick_adjustment(
    tables: PlanningTables, fitzpatrick: int
) -> FitzpatrickAdjustment | None:
    return next((a for a in tables.fitzpatrick if fitzpatrick in a.types), None)


def _apply_fitzpatrick(
    depth: DepthRange, fitz: FitzpatrickAdjustment, facial: bool, reasons: list[PlanReason]
) -> DepthRange:
    if facial and fitz.facial_cap_mm is not None:
        depth = _cap(depth, fitz.facial_cap_mm, "skin-type facial cap", fitz.provenance, reasons)
    reasons.append(PlanReason(fitz.advice, fitz.provenance))
    return depth


def _finding_adjustments(
    tables: PlanningTables, factors: PatientFactors, zone: Zone
) -> tuple[FindingAdjustment, ...]:
    matched: list[FindingAdjustment] = []
    for rule_id, zones in factors.findings:
        for adjustment in tables.finding_adjustments:
            if adjustment.rule_id == rule_id and (adjustment.whole_plan or zone in zones):
                matched.append(adjustment)
    return tuple(sorted(matched, key=lambda a: a.rule_id))


def _apply_finding(
    depth: DepthRange, adjustment: FindingAdjustment, floor_mm: Decimal, reasons: list[PlanReason]
) -> DepthRange:
    what = f"finding {adjustment.rule_id}"
    if adjustment.cap_mm is not None:
        depth = _cap(depth, adjustment.cap_mm, what, adjustment.provenance, [])
    if adjustment.reduce_by_mm is not None:
        depth = _reduced(depth, adjustment.reduce_by_mm, floor_mm)
    reasons.append(PlanReason(f"{adjustment.advice} Now {depth}.", adjustment.provenance))
    return depth


def _reduced(depth: DepthRange, by_mm: Decimal, floor_mm: Decimal) -> DepthRange:
    """The whole range one step shallower, never below the device's smallest setting."""
    return DepthRange(
        min_mm=max(floor_mm, depth.min_mm - by_mm),
        max_mm=max(floor_mm, depth.max_mm - by_mm),
    )


def combine_protocols(
    protocols: tuple[TreatmentProtocol, ...],
) -> tuple[CountRange, DayRange, list[PlanReason]]:
    """One series for several indications: the longest course, at a shared interval.

    Sessions follow the protocol with the most default sessions. The interval is the overlap
    of every protocol's allowed interval; if they do not overlap, the longest course's
    interval is kept and a reason says so.
    """
    governing = max(protocols, key=lambda p: (p.sessions.default_count, p.indication))
    reasons = [
        PlanReason(
            f"{len(protocols)} indication(s); sessions follow "
            f"{governing.indication.replace('_', ' ')} ({governing.severity}).",
            governing.provenance,
        )
    ]
    low = max(p.interval.min_days for p in protocols)
    high = min(p.interval.max_days for p in protocols)
    if low > high:
        reasons.append(
            PlanReason(
                "The indications' allowed intervals do not overlap; the longest course's "
                "interval is used. Review the other indications' timing by hand.",
                governing.provenance,
            )
        )
        return governing.sessions, governing.interval, reasons
    default = min(max(governing.interval.default_days, low), high)
    return governing.sessions, DayRange(low, default, high), reasons
