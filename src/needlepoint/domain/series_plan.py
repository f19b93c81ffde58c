"""The agreed plan of a treatment series, and where it deviates from the engine's proposal.

The engine proposes a depth range per zone, a number of sessions and an interval (the
consultation report's ``plan`` and ``series``). A clinician may agree a different plan, but:

* every value that differs from the proposal needs a non-blank reason, recorded as a
  ``Deviation`` naming its path (``plan.zones[cheeks].depth_mm.max``, ``plan.sessions``);
* no zone may be added (the engine never screened or planned it);
* no planned depth may go past the zone's maximum or the device's cap, whichever is lower.
  Going deeper on the day is an override at the chart, with its own reason (``charting``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from needlepoint.domain.errors import FieldProblem, InvalidInputError
from needlepoint.domain.planning import PlanningTables
from needlepoint.domain.vocabulary import Device, Zone

NOT_TREATED = "not treated"
"""How a deviation names a proposed zone the clinician left out of the plan."""


@dataclass(frozen=True, slots=True)
class PlannedZone:
    """The agreed depth range for one zone, in millimetres (device setting)."""

    zone: Zone
    depth_min_mm: Decimal
    depth_max_mm: Decimal

    def __str__(self) -> str:
        """The range as clinicians write it: ``1.0–1.25 mm``, or ``1.5 mm`` when both ends meet."""
        if self.depth_min_mm == self.depth_max_mm:
            return f"{self.depth_max_mm} mm"
        return f"{self.depth_min_mm}–{self.depth_max_mm} mm"


@dataclass(frozen=True, slots=True)
class SeriesPlan:
    """The plan a series follows: depths per zone, the number of sessions, the interval."""

    zones: tuple[PlannedZone, ...]
    sessions: int
    interval_days: int

    def zone(self, zone: Zone) -> PlannedZone | None:
        """The plan for one zone, if the zone is planned."""
        return next((z for z in self.zones if z.zone is zone), None)

    @property
    def zone_names(self) -> frozenset[Zone]:
        """Every planned zone."""
        return frozenset(z.zone for z in self.zones)


@dataclass(frozen=True, slots=True)
class Deviation:
    """One value of the agreed plan that differs from the engine's proposal, and why."""

    path: str
    proposed: str
    chosen: str
    reason: str
    by: UUID
    at: datetime


def proposed_plan(proposal: Mapping[str, Any]) -> SeriesPlan:
    """The plan as the engine proposed it: each zone's depth range and the default series.

    ``proposal`` holds the report's ``plan`` and ``series`` sections, verbatim.
    """
    zones = tuple(
        PlannedZone(
            zone=Zone(row["zone"]),
            depth_min_mm=Decimal(str(row["depth_mm"]["min"])),
            depth_max_mm=Decimal(str(row["depth_mm"]["max"])),
        )
        for row in proposal["plan"]["zones"]
    )
    series = proposal["series"]
    return SeriesPlan(
        zones=zones,
        sessions=int(series["sessions"]["default"]),
        interval_days=int(series["interval_days"]["default"]),
    )


def zone_caps_mm(tables: PlanningTables, device: Device) -> dict[Zone, Decimal]:
    """The deepest depth a plan may set per zone with this device: the lower of the caps."""
    device_cap = tables.devices[device].cap_mm
    return {
        zone: min(limit.max_depth_mm, device_cap)
        for zone, limit in tables.zones.items()
        if limit.max_depth_mm is not None
    }


def plan_deviations(
    proposed: SeriesPlan,
    chosen: SeriesPlan,
    *,
    reasons: Mapping[str, str],
    caps_mm: Mapping[Zone, Decimal],
    by: UUID,
    at: datetime,
) -> tuple[Deviation, ...]:
    """Every value of the chosen plan that differs from the proposal, with its reason.

    ``reasons`` maps a path to the clinician's reason; ``by`` and ``at`` sign the deviations.

    Raises:
        InvalidInputError: The chosen plan is impossible (unknown or repeated zone, empty or
            reversed range, deeper than a cap, no sessions), or a difference has no reason.
            Each problem names its path (e.g. ``plan.zones[cheeks].depth_mm.max``) and fix.
    """
    problems = list(_plan_problems(proposed, chosen, caps_mm))
    if problems:
        raise InvalidInputError(problems)
    found = [
        Deviation(path, was, now, reasons.get(path, "").strip(), by, at)
        for path, was, now in _differences(proposed, chosen)
    ]
    unexplained = [_unexplained(d.path, d.proposed, d.chosen) for d in found if not d.reason]
    if unexplained:
        raise InvalidInputError(unexplained)
    return tuple(found)


def _unexplained(path: str, proposed: str, chosen: str) -> FieldProblem:
    return FieldProblem(
        path,
        f"differs from the proposal ({proposed} → {chosen}) and no reason was given.",
        f"give a reason for {path} in the plan's reasons, or keep the proposed value.",
    )


def _differences(proposed: SeriesPlan, chosen: SeriesPlan) -> Iterator[tuple[str, str, str]]:
    for planned in proposed.zones:
        path = f"plan.zones[{planned.zone}]"
        picked = chosen.zone(planned.zone)
        if picked is None:
            yield path, str(planned), NOT_TREATED
            continue
        for end, was, now in (
            ("min", planned.depth_min_mm, picked.depth_min_mm),
            ("max", planned.depth_max_mm, picked.depth_max_mm),
        ):
            if was != now:
                yield f"{path}.depth_mm.{end}", f"{was} mm", f"{now} mm"
    for name, was_count, now_count in (
        ("sessions", proposed.sessions, chosen.sessions),
        ("interval_days", proposed.interval_days, chosen.interval_days),
    ):
        if was_count != now_count:
            yield f"plan.{name}", str(was_count), str(now_count)


def _plan_problems(
    proposed: SeriesPlan, chosen: SeriesPlan, caps_mm: Mapping[Zone, Decimal]
) -> Iterator[FieldProblem]:
    if not chosen.zones:
        yield FieldProblem(
            "plan.zones", "the plan has no zone.", "keep at least one proposed zone."
        )
    seen: set[Zone] = set()
    for zone in chosen.zones:
        yield from _zone_problems(zone, proposed, caps_mm, seen)
        seen.add(zone.zone)
    for name, value in (("sessions", chosen.sessions), ("interval_days", chosen.interval_days)):
        if value < 1:
            yield FieldProblem(
                f"plan.{name}", f"{value} is not a positive number.", "give 1 or more."
            )


def _zone_problems(
    zone: PlannedZone, proposed: SeriesPlan, caps_mm: Mapping[Zone, Decimal], seen: set[Zone]
) -> Iterator[FieldProblem]:
    path = f"plan.zones[{zone.zone}]"
    if zone.zone in seen:
        yield FieldProblem(path, "appears more than once.", "give each zone once.")
    if proposed.zone(zone.zone) is None:
        yield FieldProblem(
            path,
            "was not in the engine's proposal, so it was never screened and planned.",
            "remove it, or record a new consultation that requests this zone.",
        )
        return
    if not Decimal(0) < zone.depth_min_mm <= zone.depth_max_mm:
        yield FieldProblem(
            f"{path}.depth_mm",
            f"{zone} is not a positive ordered range.",
            "give a minimum above 0 and not above the maximum.",
        )
    yield from _cap_problem(zone, caps_mm.get(zone.zone))


def _cap_problem(zone: PlannedZone, cap_mm: Decimal | None) -> Iterator[FieldProblem]:
    if cap_mm is not None and zone.depth_max_mm > cap_mm:
        yield FieldProblem(
            f"plan.zones[{zone.zone}].depth_mm.max",
            f"{zone.depth_max_mm} mm is deeper than the {cap_mm} mm cap for {zone.zone} with "
            "this device.",
            f"plan at most {cap_mm} mm; going deeper on the day is an override recorded in the "
            "chart, with a reason.",
        )
