"""Loading the planning tables: zones, needle depths, adjustments and protocols.

Four files make up :class:`~needlepoint.domain.planning.PlanningTables`:

* ``zones.yaml``: one ceiling per zone (null = never needled);
* ``needle_depths.yaml``: a range (or null with advice) per indication, zone and severity;
* ``adjustments.yaml``: device profiles, the Fitzpatrick adjustment, finding adjustments;
* ``protocols.yaml``: sessions, interval and endpoint per indication and severity, and the
  Goodman & Baron grade to severity-band mapping.

Pydantic checks shape and types; semantic checks then make sure that ids are unique, every
zone and device has exactly one row, ranges are ordered, no depth exceeds its zone's ceiling
and no depth row exists for a never-needled zone. Any failure raises ``KnowledgeError``
naming the table and row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from types import MappingProxyType
from typing import Annotated, TypeVar

from pydantic import Field

from needlepoint.domain.consultation import FITZPATRICK_TYPES
from needlepoint.domain.errors import KnowledgeError
from needlepoint.domain.planning import (
    DepthRow,
    DeviceProfile,
    Endpoint,
    FindingAdjustment,
    FitzpatrickAdjustment,
    PlanningTables,
    SeverityBand,
    TreatmentProtocol,
    ZoneLimit,
)
from needlepoint.domain.scheduling import AppointmentPart
from needlepoint.domain.units import CountRange, DayRange, DepthRange
from needlepoint.domain.vocabulary import Device, Indication, Zone
from needlepoint.knowledge import files
from needlepoint.knowledge.schema import (
    CitedRow,
    IdentifiedRow,
    RuleId,
    Strict,
    TableHeader,
    check_unique,
    combined_version,
    domain_errors_as_knowledge,
)

ZONES = "zones"
DEPTHS = "needle_depths"
ADJUSTMENTS = "adjustments"
PROTOCOLS = "protocols"

PositiveMm = Annotated[Decimal, Field(gt=0)]


# ------------------------------------------------------------------ schema models


class ZoneRow(IdentifiedRow):
    """One zone and its ceiling."""

    zone: Zone
    label: str = Field(min_length=2)
    max_depth_mm: PositiveMm | None


class ZonesFile(TableHeader):
    """``zones.yaml``."""

    zones: tuple[ZoneRow, ...]


class RangeMm(Strict):
    """``{min, max}`` in millimetres, both inclusive."""

    min: Decimal
    max: Decimal


class DepthTableRow(IdentifiedRow):
    """One indication × zone × severity row."""

    indication: Indication
    zone: Zone
    severity: SeverityBand
    depth_mm: RangeMm | None
    advice: str = ""


class NeedleDepthsFile(TableHeader):
    """``needle_depths.yaml``."""

    depths: tuple[DepthTableRow, ...]


class PassesRange(Strict):
    """``{min, max}`` passes per section."""

    min: int = Field(ge=1)
    max: int = Field(ge=1)


class DeviceRow(IdentifiedRow):
    """One device family."""

    device: Device
    cap_mm: PositiveMm
    min_setting_mm: PositiveMm
    passes: PassesRange
    technique: str = Field(min_length=10)


class FitzpatrickRow(IdentifiedRow):
    """Depth handling for a group of Fitzpatrick types."""

    types: frozenset[int] = Field(min_length=1)
    start_at_lower_end: bool
    max_step_per_session_mm: PositiveMm | None
    facial_cap_mm: PositiveMm | None
    advice: str = Field(min_length=10)


class FindingAdjustmentRow(IdentifiedRow):
    """A shallower plan asked for by a screening finding."""

    rule_id: RuleId
    cap_mm: PositiveMm | None
    reduce_by_mm: PositiveMm | None
    whole_plan: bool
    advice: str = Field(min_length=10)
    endpoint: Endpoint | None = None


class AdjustmentsFile(TableHeader):
    """``adjustments.yaml``."""

    devices: tuple[DeviceRow, ...]
    fitzpatrick: tuple[FitzpatrickRow, ...]
    findings: tuple[FindingAdjustmentRow, ...]


class CountSpec(Strict):
    """``{min, default, max}`` as whole numbers."""

    min: int
    default: int
    max: int


class ProtocolRow(IdentifiedRow):
    """Sessions, interval and endpoint for one indication and severity."""

    indication: Indication
    severity: SeverityBand
    sessions: CountSpec
    interval_days: CountSpec
    endpoint: Endpoint


class GradeBandRow(IdentifiedRow):
    """One Goodman & Baron qualitative grade and its severity band."""

    grade: int = Field(ge=1)
    band: SeverityBand


class AppointmentPartRow(IdentifiedRow):
    """One part of a treatment appointment and its default length in minutes."""

    part: str = Field(pattern=r"^[a-z_]+$")
    minutes: int = Field(ge=1, le=240)


class ProtocolsFile(TableHeader):
    """``protocols.yaml``."""

    protocols: tuple[ProtocolRow, ...]
    grade_bands: tuple[GradeBandRow, ...]
    appointment_parts: tuple[AppointmentPartRow, ...] = ()


# ------------------------------------------------------------------ public API


@dataclass(frozen=True, slots=True)
class PlanningFiles:
    """The four planning files as parsed, before semantic checks."""

    zones: ZonesFile
    depths: NeedleDepthsFile
    adjustments: AdjustmentsFile
    protocols: ProtocolsFile


@cache
def load_planning_files() -> PlanningFiles:
    """The four planning files, parsed once per process.

    Raises:
        KnowledgeError: A file is missing, is not YAML, or does not fit its schema.
    """
    return PlanningFiles(
        zones=files.parse_table(ZONES, ZonesFile),
        depths=files.parse_table(DEPTHS, NeedleDepthsFile),
        adjustments=files.parse_table(ADJUSTMENTS, AdjustmentsFile),
        protocols=files.parse_table(PROTOCOLS, ProtocolsFile),
    )


@cache
def load_planning_tables() -> PlanningTables:
    """The planning tables, validated and converted to domain objects, once per process.

    Raises:
        KnowledgeError: A file is missing or malformed, or fails a semantic check.
    """
    return build_planning_tables(load_planning_files())


def build_planning_tables(parsed: PlanningFiles) -> PlanningTables:
    """Check the parsed planning files against each other and build the domain tables.

    Raises:
        KnowledgeError: An id or key repeats, a zone or device has no row, a range is not
            ordered, a depth exceeds its zone's ceiling or names a never-needled zone.
    """
    zones = _zone_limits(parsed.zones)
    return PlanningTables(
        zones=zones,
        depths=_depth_rows(parsed.depths, zones),
        devices=_devices(parsed.adjustments),
        fitzpatrick=_fitzpatrick(parsed.adjustments),
        finding_adjustments=_finding_adjustments(parsed.adjustments),
        protocols=_protocols(parsed.protocols),
        grade_bands=_grade_bands(parsed.protocols),
        appointment_parts=_appointment_parts(parsed.protocols),
        version=combined_version(
            {
                ZONES: parsed.zones.table_version,
                DEPTHS: parsed.depths.table_version,
                ADJUSTMENTS: parsed.adjustments.table_version,
                PROTOCOLS: parsed.protocols.table_version,
            }
        ),
    )


def cited_rows() -> tuple[tuple[str, str, CitedRow], ...]:
    """(table, row id, row) for every cited row of the four planning tables."""
    parsed = load_planning_files()
    adjustments = parsed.adjustments
    groups: list[tuple[str, Iterable[IdentifiedRow]]] = [
        (ZONES, parsed.zones.zones),
        (DEPTHS, parsed.depths.depths),
        (ADJUSTMENTS, (*adjustments.devices, *adjustments.fitzpatrick, *adjustments.findings)),
        (
            PROTOCOLS,
            (
                *parsed.protocols.protocols,
                *parsed.protocols.grade_bands,
                *parsed.protocols.appointment_parts,
            ),
        ),
    ]
    return tuple((table, row.id, row) for table, rows in groups for row in rows)


# ------------------------------------------------------------------ zones


def _zone_limits(parsed: ZonesFile) -> Mapping[Zone, ZoneLimit]:
    rows = parsed.zones
    check_unique(ZONES, ((r.id, r.id) for r in rows), "id")
    check_unique(ZONES, ((r.id, r.zone) for r in rows), "zone")
    missing = sorted(set(Zone) - {r.zone for r in rows})
    if missing:
        raise KnowledgeError(ZONES, "-", f"no row for zone(s) {', '.join(missing)}")
    limits = {r.zone: ZoneLimit(r.zone, r.label, r.max_depth_mm, r.provenance()) for r in rows}
    return MappingProxyType({zone: limits[zone] for zone in Zone})


# ------------------------------------------------------------------ depths


def _depth_rows(parsed: NeedleDepthsFile, zones: Mapping[Zone, ZoneLimit]) -> tuple[DepthRow, ...]:
    rows = parsed.depths
    check_unique(DEPTHS, ((r.id, r.id) for r in rows), "id")
    check_unique(
        DEPTHS,
        ((r.id, (r.indication, r.zone, r.severity)) for r in rows),
        "indication/zone/severity",
    )
    return tuple(_depth_row(row, zones[row.zone]) for row in rows)


def _depth_row(row: DepthTableRow, limit: ZoneLimit) -> DepthRow:
    if limit.max_depth_mm is None:
        raise KnowledgeError(DEPTHS, row.id, f"zone '{row.zone}' is never needled")
    depth = _depth_range(row)
    if depth is None and not row.advice:
        raise KnowledgeError(DEPTHS, row.id, "a row without depth_mm needs advice")
    if depth is not None and depth.max_mm > limit.max_depth_mm:
        detail = f"{depth} exceeds the {row.zone} maximum of {limit.max_depth_mm} mm"
        raise KnowledgeError(DEPTHS, row.id, detail)
    return DepthRow(
        indication=row.indication,
        zone=row.zone,
        severity=row.severity,
        depth=depth,
        advice=row.advice,
        provenance=row.provenance(),
    )


def _depth_range(row: DepthTableRow) -> DepthRange | None:
    if row.depth_mm is None:
        return None
    with domain_errors_as_knowledge(DEPTHS, row.id):
        return DepthRange(min_mm=row.depth_mm.min, max_mm=row.depth_mm.max)


# ------------------------------------------------------------------ adjustments


def _devices(parsed: AdjustmentsFile) -> Mapping[Device, DeviceProfile]:
    _check_adjustment_ids(parsed)
    check_unique(ADJUSTMENTS, ((r.id, r.device) for r in parsed.devices), "device")
    missing = sorted(set(Device) - {r.device for r in parsed.devices})
    if missing:
        raise KnowledgeError(ADJUSTMENTS, "devices", f"no row for {', '.join(missing)}")
    profiles = {r.device: _device(r) for r in parsed.devices}
    return MappingProxyType({device: profiles[device] for device in Device})


def _device(row: DeviceRow) -> DeviceProfile:
    if row.min_setting_mm > row.cap_mm:
        raise KnowledgeError(ADJUSTMENTS, row.id, "min_setting_mm is above cap_mm")
    if row.passes.min > row.passes.max:
        raise KnowledgeError(ADJUSTMENTS, row.id, "passes.min is above passes.max")
    return DeviceProfile(
        device=row.device,
        cap_mm=row.cap_mm,
        min_setting_mm=row.min_setting_mm,
        passes_min=row.passes.min,
        passes_max=row.passes.max,
        technique=row.technique,
        provenance=row.provenance(),
    )


def _fitzpatrick(parsed: AdjustmentsFile) -> tuple[FitzpatrickAdjustment, ...]:
    keyed = ((r.id, skin_type) for r in parsed.fitzpatrick for skin_type in r.types)
    check_unique(ADJUSTMENTS, keyed, "Fitzpatrick type")
    return tuple(_fitzpatrick_row(r) for r in parsed.fitzpatrick)


def _fitzpatrick_row(row: FitzpatrickRow) -> FitzpatrickAdjustment:
    unknown = sorted(t for t in row.types if t not in FITZPATRICK_TYPES)
    if unknown:
        raise KnowledgeError(ADJUSTMENTS, row.id, f"{unknown} are not Fitzpatrick types")
    return FitzpatrickAdjustment(
        types=row.types,
        start_at_lower_end=row.start_at_lower_end,
        max_step_per_session_mm=row.max_step_per_session_mm,
        facial_cap_mm=row.facial_cap_mm,
        advice=row.advice,
        provenance=row.provenance(),
    )


def _finding_adjustments(parsed: AdjustmentsFile) -> tuple[FindingAdjustment, ...]:
    check_unique(ADJUSTMENTS, ((r.id, r.rule_id) for r in parsed.findings), "rule_id")
    return tuple(_finding(r) for r in parsed.findings)


def _finding(row: FindingAdjustmentRow) -> FindingAdjustment:
    if row.cap_mm is None and row.reduce_by_mm is None:
        raise KnowledgeError(ADJUSTMENTS, row.id, "give cap_mm, reduce_by_mm or both")
    return FindingAdjustment(
        rule_id=row.rule_id,
        cap_mm=row.cap_mm,
        reduce_by_mm=row.reduce_by_mm,
        whole_plan=row.whole_plan,
        advice=row.advice,
        provenance=row.provenance(),
        endpoint=row.endpoint,
    )


def _check_adjustment_ids(parsed: AdjustmentsFile) -> None:
    rows: tuple[IdentifiedRow, ...] = (
        *parsed.devices,
        *parsed.fitzpatrick,
        *parsed.findings,
    )
    check_unique(ADJUSTMENTS, ((r.id, r.id) for r in rows), "id")


# ------------------------------------------------------------------ protocols


def _protocols(parsed: ProtocolsFile) -> tuple[TreatmentProtocol, ...]:
    ids = (*((r.id, r.id) for r in parsed.protocols), *((r.id, r.id) for r in parsed.grade_bands))
    check_unique(PROTOCOLS, ids, "id")
    check_unique(
        PROTOCOLS, ((r.id, (r.indication, r.severity)) for r in parsed.protocols), "protocol"
    )
    return tuple(_protocol(r) for r in parsed.protocols)


def _protocol(row: ProtocolRow) -> TreatmentProtocol:
    with domain_errors_as_knowledge(PROTOCOLS, row.id):
        sessions = _built(CountRange, row.sessions)
        interval = _built(DayRange, row.interval_days)
    return TreatmentProtocol(
        indication=row.indication,
        severity=row.severity,
        sessions=sessions,
        interval=interval,
        endpoint=row.endpoint,
        provenance=row.provenance(),
    )


_RangeT = TypeVar("_RangeT", CountRange, DayRange)


def _built(kind: Callable[[int, int, int], _RangeT], spec: CountSpec) -> _RangeT:
    return kind(spec.min, spec.default, spec.max)


def _appointment_parts(parsed: ProtocolsFile) -> tuple[AppointmentPart, ...]:
    return tuple(
        AppointmentPart(row.part, row.minutes, row.sources, row.evidence.value)
        for row in parsed.appointment_parts
    )


def _grade_bands(parsed: ProtocolsFile) -> Mapping[int, SeverityBand]:
    check_unique(PROTOCOLS, ((r.id, r.grade) for r in parsed.grade_bands), "grade")
    ordered = sorted(parsed.grade_bands, key=lambda r: r.grade)
    return MappingProxyType({r.grade: r.band for r in ordered})
