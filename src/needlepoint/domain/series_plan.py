"""The agreed plan of a treatment series, and where it deviates from the engine's proposal.

The engine proposes a depth range per zone, a number of sessions and an interval (the
consultation report's ``plan`` and ``series``). A clinician may agree a different plan, but:

* every value that differs from the proposal needs a non-blank reason, recorded as a
  ``Deviation`` naming its path (``plan.zones[cheeks].depth_mm.max``, ``plan.sessions``);
* no zone may be added (the engine never screened or planned it);
* hard limits (``domain.limits``), never passed whatever the reason: no planned depth past the
  zone's maximum or the device's cap; no interval shorter than the protocol's shortest; no
  more sessions, or a longer interval, than the soft limits' bounds allow;
* soft limits, passed only with a reason and recorded with the limit's id: more sessions than
  the protocol's maximum (up to ``extra_sessions`` more), an interval longer than its longest
  (up to ``extra_interval_days`` more). Going deeper on the day is a chart override.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from needlepoint.domain import limits
from needlepoint.domain.errors import FieldProblem, InputCode, InvalidInputError
from needlepoint.domain.limits import LimitTable
from needlepoint.domain.planning import PlanningTables
from needlepoint.domain.units import CountRange, DayRange
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
    """One value of the agreed plan that differs from the engine's proposal, and why.

    ``rule_id`` names the soft limit the value passes (``sessions-beyond-range``), if any.
    """

    path: str
    proposed: str
    chosen: str
    reason: str
    by: UUID
    at: datetime
    rule_id: str = ""


@dataclass(frozen=True, slots=True)
class PlanLimits:
    """What a plan is held to: the protocol's ranges, the soft limits' bounds, the depth caps.

    ``zone_max_mm`` and ``device_cap_mm`` are the hard depth caps; the protocol's sessions and
    interval ranges come from the proposal (``proposed_ranges``).
    """

    sessions: CountRange
    interval: DayRange
    extra_sessions: int
    extra_interval_days: int
    zone_max_mm: Mapping[Zone, Decimal]
    device_cap_mm: Decimal

    @classmethod
    def of(
        cls, proposal: Mapping[str, Any], tables: PlanningTables, device: Device, table: LimitTable
    ) -> PlanLimits:
        """The limits of a plan agreed from this proposal, with this device."""
        series = proposal["series"]
        sessions, interval = series["sessions"], series["interval_days"]
        return cls(
            sessions=CountRange(
                int(sessions["min"]), int(sessions["default"]), int(sessions["max"])
            ),
            interval=DayRange(int(interval["min"]), int(interval["default"]), int(interval["max"])),
            extra_sessions=table.extra_sessions,
            extra_interval_days=table.extra_interval_days,
            zone_max_mm={
                zone: row.max_depth_mm
                for zone, row in tables.zones.items()
                if row.max_depth_mm is not None
            },
            device_cap_mm=tables.devices[device].cap_mm,
        )

    def cap(self, zone: Zone) -> tuple[Decimal, str]:
        """The deepest a zone may be planned, and the id of the limit that sets it."""
        zone_max = self.zone_max_mm.get(zone)
        if zone_max is not None and zone_max < self.device_cap_mm:
            return zone_max, limits.ZONE_DEPTH_MAXIMUM
        return self.device_cap_mm, limits.DEVICE_DEPTH_CAP


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


def start_depths_mm(proposal: Mapping[str, Any], plan: SeriesPlan) -> dict[Zone, Decimal]:
    """The depth each planned zone starts at: the engine's start, within the agreed range.

    The first session starts here; later sessions carry on from the depth last delivered.
    """
    proposed = {
        Zone(row["zone"]): Decimal(str(row.get("start_mm") or row["depth_mm"]["min"]))
        for row in proposal.get("plan", {}).get("zones", ())
    }
    return {
        zone.zone: min(
            max(proposed.get(zone.zone, zone.depth_min_mm), zone.depth_min_mm), zone.depth_max_mm
        )
        for zone in plan.zones
    }


def plan_deviations(
    proposed: SeriesPlan,
    chosen: SeriesPlan,
    *,
    reasons: Mapping[str, str],
    limits_of_plan: PlanLimits,
    signed: tuple[UUID, datetime],
) -> tuple[Deviation, ...]:
    """Every value of the chosen plan that differs from the proposal, with its reason.

    ``reasons`` maps a path to the clinician's reason; ``signed`` is who agreed it and when.

    Raises:
        InvalidInputError: The chosen plan is impossible (unknown or repeated zone, empty or
            reversed range, no sessions) or breaks a hard limit (coded with the limit's id),
            or a difference has no reason. Each problem names its path and fix.
    """
    problems = list(_plan_problems(proposed, chosen, limits_of_plan))
    if problems:
        raise InvalidInputError(problems)
    by, at = signed
    soft = dict(_soft_limits_passed(chosen, limits_of_plan))
    found = [
        Deviation(path, was, now, reasons.get(path, "").strip(), by, at, soft.get(path, ""))
        for path, was, now in _differences(proposed, chosen)
    ]
    unexplained = [_unexplained(d) for d in found if not d.reason]
    if unexplained:
        raise InvalidInputError(unexplained)
    return tuple(found)


def _unexplained(deviation: Deviation) -> FieldProblem:
    path = deviation.path
    passes = f" It passes the soft limit {deviation.rule_id}." if deviation.rule_id else ""
    return FieldProblem(
        path,
        f"differs from the proposal ({deviation.proposed} → {deviation.chosen}) and no reason "
        f"was given.{passes}",
        f"give a reason for {path} in the plan's reasons, or keep the proposed value.",
        InputCode.REASON_REQUIRED,
    )


def _soft_limits_passed(chosen: SeriesPlan, bounds: PlanLimits) -> Iterator[tuple[str, str]]:
    if chosen.sessions > bounds.sessions.max_count:
        yield "plan.sessions", limits.SESSIONS_BEYOND_RANGE
    if chosen.interval_days > bounds.interval.max_days:
        yield "plan.interval_days", limits.INTERVAL_BEYOND_MAXIMUM


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
    proposed: SeriesPlan, chosen: SeriesPlan, bounds: PlanLimits
) -> Iterator[FieldProblem]:
    if not chosen.zones:
        yield FieldProblem(
            "plan.zones",
            "the plan has no zone.",
            "keep at least one proposed zone.",
            InputCode.REQUIRED,
        )
    seen: set[Zone] = set()
    for zone in chosen.zones:
        yield from _zone_problems(zone, proposed, bounds, seen)
        seen.add(zone.zone)
    yield from _count_problems(chosen, bounds)


def _count_problems(chosen: SeriesPlan, bounds: PlanLimits) -> Iterator[FieldProblem]:
    for name, value in (("sessions", chosen.sessions), ("interval_days", chosen.interval_days)):
        if value < 1:
            yield FieldProblem(
                f"plan.{name}",
                f"{value} is not a positive number.",
                "give 1 or more.",
                InputCode.OUT_OF_RANGE,
            )
    most_sessions = bounds.sessions.max_count + bounds.extra_sessions
    if chosen.sessions > most_sessions:
        yield FieldProblem(
            "plan.sessions",
            f"{chosen.sessions} sessions is more than the protocol's {bounds.sessions.max_count} "
            f"plus the {bounds.extra_sessions} a reason may add; no reason unlocks more.",
            f"plan at most {most_sessions}; beyond that, consult again and re-plan.",
            limits.SESSIONS_BEYOND_RANGE,
        )
    yield from _interval_problems(chosen.interval_days, bounds)


def _interval_problems(interval_days: int, bounds: PlanLimits) -> Iterator[FieldProblem]:
    shortest, longest = bounds.interval.min_days, bounds.interval.max_days
    if 1 <= interval_days < shortest:
        yield FieldProblem(
            "plan.interval_days",
            f"{interval_days} days is shorter than the protocol's minimum of {shortest} days "
            "between sessions; no reason unlocks it.",
            f"plan {shortest} days or more.",
            limits.MINIMUM_INTERVAL,
        )
    elif interval_days > longest + bounds.extra_interval_days:
        yield FieldProblem(
            "plan.interval_days",
            f"{interval_days} days is longer than the protocol's {longest} days plus the "
            f"{bounds.extra_interval_days} a reason may add.",
            f"plan at most {longest + bounds.extra_interval_days} days, or consult again later.",
            limits.INTERVAL_BEYOND_MAXIMUM,
        )


def _zone_problems(
    zone: PlannedZone, proposed: SeriesPlan, bounds: PlanLimits, seen: set[Zone]
) -> Iterator[FieldProblem]:
    path = f"plan.zones[{zone.zone}]"
    if zone.zone in seen:
        yield FieldProblem(
            path, "appears more than once.", "give each zone once.", InputCode.REPEATED
        )
    if proposed.zone(zone.zone) is None:
        yield FieldProblem(
            path,
            "was not in the engine's proposal, so it was never screened and planned.",
            "remove it, or record a new consultation that requests this zone.",
            InputCode.NOT_PLANNED,
        )
        return
    if not Decimal(0) < zone.depth_min_mm <= zone.depth_max_mm:
        yield FieldProblem(
            f"{path}.depth_mm",
            f"{zone} is not a positive ordered range.",
            "give a minimum above 0 and not above the maximum.",
            InputCode.OUT_OF_ORDER,
        )
    yield from _cap_problem(zone, bounds)


def _cap_problem(zone: PlannedZone, bounds: PlanLimits) -> Iterator[FieldProblem]:
    cap_mm, limit_id = bounds.cap(zone.zone)
    if zone.depth_max_mm > cap_mm:
        yield FieldProblem(
            f"plan.zones[{zone.zone}].depth_mm.max",
            f"{zone.depth_max_mm} mm is deeper than the {cap_mm} mm cap for {zone.zone} with "
            "this device; no reason unlocks it.",
            f"plan at most {cap_mm} mm.",
            limit_id,
        )
