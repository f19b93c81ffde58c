"""Charting a treatment session: the hard stops, and the soft limits that need a reason.

These rules run in the service layer before anything is written (ADR 0020):

* a cartridge past its expiry date is refused (single-use, sterile, dated);
* a zone excluded by the day's re-screen cannot be charted;
* **hard**, never unlocked by a reason: no delivered depth deeper than the device's cap, the
  zone's maximum or the clinician's licence (``DepthCaps``); numbing that came off before it
  went on, was on longer than the stated bound, or is recorded in the future;
* **soft**, passed only with a written reason (an ``Override``) recorded with the limit's id and
  the user: a delivered depth deeper than the plan (always within the caps), and a product
  the topicals table names as unsafe on needled skin;
* a session cannot start when the day-of re-screen finds an absolute patient-level
  contraindication (``screening``).

Rules return problems or raise ``DomainError`` subclasses with stable codes; they never write
anything. Fields are named relative to the chart (``zones[cheeks].delivered_depth_mm``); the
service names them from the request (``chart.`` + field).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from needlepoint.domain import limits
from needlepoint.domain.errors import ConflictError, FieldProblem, InputCode, InvalidInputError
from needlepoint.domain.planning import Endpoint
from needlepoint.domain.screening import Finding
from needlepoint.domain.topicals import TopicalTable
from needlepoint.domain.vocabulary import Device, Zone


class OverrideKind(StrEnum):
    """Which soft limit a clinician's recorded reason passes."""

    DEEPER_THAN_PLAN = "deeper_than_plan"
    UNSAFE_TOPICAL = "unsafe_topical"
    BEYOND_LICENCE = "beyond_licence"
    """Only in charts recorded before the licence became a hard limit: never accepted now."""


OVERRIDABLE: frozenset[OverrideKind] = frozenset(
    {OverrideKind.DEEPER_THAN_PLAN, OverrideKind.UNSAFE_TOPICAL}
)
_RULE_OF_KIND = {
    OverrideKind.DEEPER_THAN_PLAN: limits.DEEPER_THAN_PLAN,
    OverrideKind.BEYOND_LICENCE: limits.LICENCE_DEPTH,
}


@dataclass(frozen=True, slots=True)
class Cartridge:
    """The single-use needle cartridge: lot number and expiry date."""

    lot: str
    expires_on: date


@dataclass(frozen=True, slots=True)
class Numbing:
    """Topical anaesthetic: product and when it went on and came off."""

    product: str
    applied_at: datetime
    removed_at: datetime | None


@dataclass(frozen=True, slots=True)
class ZoneTreatment:
    """What was done in one zone: planned and delivered depth, passes."""

    zone: Zone
    planned_depth_mm: Decimal
    delivered_depth_mm: Decimal
    passes: int


@dataclass(frozen=True, slots=True)
class Override:
    """A clinician's recorded reason for passing a soft limit in one zone or for one product.

    ``rule_id`` is the limit passed (``deeper-than-plan``) or the topicals row matched
    (``topical-vitamin-c``); ``by`` is who recorded it. The service sets both when it saves.
    """

    kind: OverrideKind
    reason: str
    zone: Zone | None = None
    product: str | None = None
    rule_id: str = ""
    by: UUID | None = None

    @property
    def subject(self) -> str:
        """What the override is about: the zone, or the product as charted."""
        return str(self.zone) if self.zone is not None else (self.product or "")

    def recorded(self, rule_id: str, by: UUID) -> Override:
        """The override as saved: the limit or row it passes, and who recorded it."""
        return replace(self, rule_id=rule_id, by=self.by or by, reason=self.reason.strip())


@dataclass(frozen=True, slots=True)
class SessionChart:
    """Everything charted for one session."""

    device: Device
    cartridge: Cartridge
    numbing: Numbing | None
    zones: tuple[ZoneTreatment, ...]
    endpoint_reached: Endpoint | None
    products_applied: tuple[str, ...]
    adverse_events: tuple[str, ...]
    overrides: tuple[Override, ...]


@dataclass(frozen=True, slots=True)
class DepthCaps:
    """The hard depth limits of one chart: the device's cap, each zone's maximum, the licence.

    ``licence_mm`` is the deepest setting the charting clinician's licence allows.
    """

    device: Device
    device_cap_mm: Decimal
    zone_max_mm: Mapping[Zone, Decimal | None]
    licence_mm: Decimal

    def lowest(self, zone: Zone) -> tuple[Decimal, str]:
        """The shallowest of the caps for a zone, and the id of the limit it is."""
        candidates = [
            (self.device_cap_mm, limits.DEVICE_DEPTH_CAP),
            (self.licence_mm, limits.LICENCE_DEPTH),
        ]
        zone_max = self.zone_max_mm.get(zone)
        if zone_max is not None:
            candidates.append((zone_max, limits.ZONE_DEPTH_MAXIMUM))
        return min(candidates, key=lambda c: (c[0], c[1]))


@dataclass(frozen=True, slots=True)
class NumbingBounds:
    """When numbing may be recorded: not in the future beyond a small allowance, not too long."""

    now: datetime
    ahead: timedelta
    longest: timedelta


class ExpiredCartridgeError(InvalidInputError):
    """The needle cartridge is past its expiry date."""

    code = "cartridge-expired"

    def __init__(self, lot: str, expires_on: date, on: date) -> None:
        super().__init__(
            [
                FieldProblem(
                    "cartridge.expires_on",
                    f"is past: cartridge lot {lot} expired on {expires_on}; today is {on}.",
                    "open a cartridge that is in date, and give its lot and expiry.",
                    code=self.code,
                )
            ]
        )
        self.lot = lot
        self.expires_on = expires_on


@dataclass(frozen=True, slots=True)
class MissingOverride:
    """A soft limit passed without the reason it needs: a zone too deep, an unsafe product."""

    kind: OverrideKind
    rule_id: str
    zone: Zone | None = None
    delivered_mm: Decimal | None = None
    limit_mm: Decimal | None = None
    product: str | None = None
    product_index: int | None = None
    concern: str = ""

    def problem(self) -> FieldProblem:
        """The field problem that asks for the reason."""
        if self.kind is OverrideKind.UNSAFE_TOPICAL:
            return FieldProblem(
                f"products_applied[{self.product_index}]",
                f"{self.product} is unsafe on needled skin ({self.rule_id}): {self.concern}",
                "take it off the chart if it was not used, or give the reason it was used.",
                code=limits.UNSAFE_TOPICAL,
            )
        return FieldProblem(
            f"zones[{self.zone}].delivered_depth_mm",
            f"{self.delivered_mm} mm is deeper than the plan's {self.limit_mm} mm.",
            "give the reason for going deeper (it stays within the caps), or chart the depth "
            "of the plan.",
            code=limits.DEEPER_THAN_PLAN,
        )


class OverrideRequiredError(InvalidInputError):
    """A soft limit is passed without the recorded reason it needs."""

    code = "override-reason-required"

    def __init__(self, missing: tuple[MissingOverride, ...]) -> None:
        super().__init__([m.problem() for m in missing])
        self.missing = missing


class ContraindicatedError(ConflictError):
    """An action cannot proceed because of absolute findings; carries the findings."""

    code = "contraindicated"

    def __init__(self, findings: tuple[Finding, ...]) -> None:
        ids = ", ".join(f.rule_id for f in findings)
        super().__init__(f"{len(findings)} absolute contraindication(s): {ids}")
        self.findings = findings


def check_cartridge(cartridge: Cartridge, *, on: date) -> None:
    """Refuse a cartridge whose expiry date has passed (it may be used on its last day)."""
    if cartridge.expires_on < on:
        raise ExpiredCartridgeError(cartridge.lot, cartridge.expires_on, on)


def missing_overrides(chart: SessionChart, topicals: TopicalTable) -> tuple[MissingOverride, ...]:
    """Every soft limit the chart passes without a reason for it."""
    given = {(o.kind, o.subject) for o in chart.overrides if o.reason.strip()}
    missing = [
        MissingOverride(
            OverrideKind.DEEPER_THAN_PLAN,
            limits.DEEPER_THAN_PLAN,
            zone=z.zone,
            delivered_mm=z.delivered_depth_mm,
            limit_mm=z.planned_depth_mm,
        )
        for z in chart.zones
        if z.delivered_depth_mm > z.planned_depth_mm
        and (OverrideKind.DEEPER_THAN_PLAN, str(z.zone)) not in given
    ]
    missing += [
        MissingOverride(
            OverrideKind.UNSAFE_TOPICAL,
            found.id,
            product=product,
            product_index=index,
            concern=found.concern,
        )
        for index, product, found in topicals.flagged(chart.products_applied)
        if (OverrideKind.UNSAFE_TOPICAL, product) not in given
    ]
    return tuple(missing)


def depth_problems(zones: Iterable[ZoneTreatment], caps: DepthCaps) -> Iterator[FieldProblem]:
    """The hard depth limits: a delivered depth past the device cap, zone maximum or licence."""
    for zone in zones:
        cap_mm, limit_id = caps.lowest(zone.zone)
        if zone.delivered_depth_mm > cap_mm:
            yield FieldProblem(
                f"zones[{zone.zone}].delivered_depth_mm",
                f"{zone.delivered_depth_mm} mm is past the {_CAP_WORDS[limit_id]} "
                f"({cap_mm} mm for {zone.zone} with a {caps.device}); no reason unlocks it.",
                f"chart at most {cap_mm} mm.",
                code=limit_id,
            )


_CAP_WORDS = {
    limits.DEVICE_DEPTH_CAP: "device's depth cap",
    limits.ZONE_DEPTH_MAXIMUM: "zone's maximum depth",
    limits.LICENCE_DEPTH: "deepest setting your licence allows",
}


def numbing_problems(numbing: Numbing | None, bounds: NumbingBounds) -> Iterator[FieldProblem]:
    """Numbing times that cannot be: off before on, on too long, or not happened yet."""
    if numbing is None:
        return
    latest = bounds.now + bounds.ahead
    for name, moment in (("applied_at", numbing.applied_at), ("removed_at", numbing.removed_at)):
        if moment is not None and moment > latest:
            yield FieldProblem(
                f"numbing.{name}",
                "is in the future.",
                "give the time the clock showed when it happened.",
                code=limits.RECORDED_TIME_AHEAD,
            )
    removed = numbing.removed_at
    if removed is not None and removed < numbing.applied_at:
        yield FieldProblem(
            "numbing.removed_at",
            "is before the time it was applied.",
            "give the times the numbing went on and came off.",
            code=InputCode.OUT_OF_ORDER,
        )
    elif removed is not None and removed - numbing.applied_at > bounds.longest:
        minutes = int(bounds.longest.total_seconds() // 60)
        yield FieldProblem(
            "numbing.removed_at",
            f"is more than {minutes} minutes after it was applied.",
            "check the times; numbing left on longer than that is an adverse event to record.",
            code=limits.NUMBING_DURATION,
        )


def override_problems(overrides: Iterable[Override]) -> Iterator[FieldProblem]:
    """Overrides that try to pass a hard limit (a blank reason counts as no reason at all)."""
    for index, override in enumerate(overrides):
        if override.kind not in OVERRIDABLE:
            yield FieldProblem(
                f"overrides[{index}].kind",
                "the clinician's licence is a hard limit; no reason unlocks it.",
                "remove this override and chart within your licence.",
                code=limits.LICENCE_DEPTH,
            )


@dataclass(frozen=True, slots=True)
class ChartRules:
    """What a chart is checked against on the day: caps, today's zones, numbing, topicals."""

    on: date
    caps: DepthCaps
    treatable: frozenset[Zone]
    numbing: NumbingBounds
    topicals: TopicalTable


def check_chart(chart: SessionChart, rules: ChartRules, *, by: UUID) -> tuple[Override, ...]:
    """Every charting stop, hard then soft; the overrides to keep, with their rule ids.

    Raises:
        ExpiredCartridgeError: The cartridge is past its expiry date.
        InvalidInputError: A hard stop: a zone excluded today, a depth past a cap, impossible
            numbing times, an override of a hard limit (each problem coded with its limit id).
        OverrideRequiredError: A soft limit is passed without a reason.
    """
    check_cartridge(chart.cartridge, on=rules.on)
    hard = [
        *_excluded_problems(chart, rules.treatable),
        *depth_problems(chart.zones, rules.caps),
        *numbing_problems(chart.numbing, rules.numbing),
        *override_problems(chart.overrides),
    ]
    if hard:
        raise InvalidInputError(hard)
    missing = missing_overrides(chart, rules.topicals)
    if missing:
        raise OverrideRequiredError(missing)
    return kept_overrides(chart, rules.topicals, by=by)


def kept_overrides(
    chart: SessionChart, topicals: TopicalTable, *, by: UUID
) -> tuple[Override, ...]:
    """The overrides the chart needs, each with the limit or topicals row it passes."""
    deeper = {str(z.zone) for z in chart.zones if z.delivered_depth_mm > z.planned_depth_mm}
    flagged = {product: found.id for _i, product, found in topicals.flagged(chart.products_applied)}
    kept = []
    for override in (o for o in chart.overrides if o.reason.strip()):
        if override.kind is OverrideKind.DEEPER_THAN_PLAN and override.subject in deeper:
            kept.append(override.recorded(limits.DEEPER_THAN_PLAN, by))
        elif override.kind is OverrideKind.UNSAFE_TOPICAL and override.subject in flagged:
            kept.append(override.recorded(flagged[override.subject], by))
    return tuple(kept)


def rule_of(override: Override) -> str:
    """The rule an override passed (older charts recorded only its kind)."""
    return override.rule_id or _RULE_OF_KIND.get(override.kind, "")


def _excluded_problems(chart: SessionChart, treatable: frozenset[Zone]) -> Iterator[FieldProblem]:
    for zone in chart.zones:
        if zone.zone not in treatable:
            yield FieldProblem(
                f"zones[{zone.zone}]",
                f"{zone.zone} is excluded by today's re-screen and cannot be charted.",
                "remove the zone from this session, or re-screen once it has resolved.",
                code="excluded-today",
            )


def blocking_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """The absolute patient-level findings that stop a session from starting."""
    return tuple(f for f in findings if f.blocks_patient)
