"""Charting a treatment session: the hard stops and the overrides that need a reason.

These rules run in the service layer before anything is written:

* a cartridge past its expiry date is refused (single-use, sterile, dated);
* a delivered depth deeper than the plan, or deeper than the clinician's licence allows,
  needs an override with a written reason for that zone and that kind of override;
* a session cannot start when the day-of re-screen finds an absolute patient-level
  contraindication (``screening``); zones excluded that day cannot be charted.

Rules return problems or raise ``DomainError`` subclasses with stable codes; they never
write anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from needlepoint.domain.errors import DomainError, FieldProblem, InvalidInputError
from needlepoint.domain.planning import Endpoint
from needlepoint.domain.screening import Finding
from needlepoint.domain.vocabulary import Device, Zone


class OverrideKind(StrEnum):
    """Why a delivered depth needed a clinician's override."""

    DEEPER_THAN_PLAN = "deeper_than_plan"
    BEYOND_LICENCE = "beyond_licence"


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
    """A clinician's recorded reason for going past the plan or the licence in one zone."""

    zone: Zone
    kind: OverrideKind
    reason: str


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


class ExpiredCartridgeError(DomainError):
    """The needle cartridge is past its expiry date."""

    code = "cartridge-expired"

    def __init__(self, lot: str, expires_on: date, on: date) -> None:
        super().__init__(f"cartridge lot {lot} expired on {expires_on}; today is {on}")
        self.lot = lot
        self.expires_on = expires_on


@dataclass(frozen=True, slots=True)
class MissingOverride:
    """A zone whose delivered depth needs an override reason that was not given."""

    zone: Zone
    kind: OverrideKind
    delivered_mm: Decimal
    limit_mm: Decimal


class OverrideRequiredError(DomainError):
    """A delivered depth goes past the plan or the licence without a recorded reason."""

    code = "override-reason-required"

    def __init__(self, missing: tuple[MissingOverride, ...]) -> None:
        text = "; ".join(
            f"{m.zone}: {m.delivered_mm} mm is past the {m.kind.replace('_', ' ')} "
            f"limit of {m.limit_mm} mm"
            for m in missing
        )
        super().__init__(f"an override reason is required ({text})")
        self.missing = missing


class ContraindicatedError(DomainError):
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


def missing_overrides(
    zones: Iterable[ZoneTreatment],
    overrides: Iterable[Override],
    *,
    licence_max_depth_mm: Decimal | None,
) -> tuple[MissingOverride, ...]:
    """Every zone and kind of excess that has no override reason."""
    given = {(o.zone, o.kind) for o in overrides if o.reason.strip()}
    missing = []
    for zone in zones:
        for kind, limit in _limits(zone, licence_max_depth_mm).items():
            if zone.delivered_depth_mm > limit and (zone.zone, kind) not in given:
                missing.append(MissingOverride(zone.zone, kind, zone.delivered_depth_mm, limit))
    return tuple(missing)


def _limits(
    zone: ZoneTreatment, licence_max_depth_mm: Decimal | None
) -> Mapping[OverrideKind, Decimal]:
    limits = {OverrideKind.DEEPER_THAN_PLAN: zone.planned_depth_mm}
    if licence_max_depth_mm is not None:
        limits[OverrideKind.BEYOND_LICENCE] = licence_max_depth_mm
    return limits


def check_chart(
    chart: SessionChart,
    *,
    on: date,
    licence_max_depth_mm: Decimal | None,
    treatable: frozenset[Zone],
) -> None:
    """All charting hard stops, in order: cartridge, zones excluded today, override reasons."""
    check_cartridge(chart.cartridge, on=on)
    excluded = [z.zone for z in chart.zones if z.zone not in treatable]
    if excluded:
        raise InvalidInputError(
            [
                FieldProblem(
                    f"zones[{z}]",
                    f"{z} is excluded by today's re-screen and cannot be charted.",
                    "remove the zone from this session, or re-screen once it has resolved.",
                )
                for z in excluded
            ]
        )
    missing = missing_overrides(
        chart.zones, chart.overrides, licence_max_depth_mm=licence_max_depth_mm
    )
    if missing:
        raise OverrideRequiredError(missing)


def blocking_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """The absolute patient-level findings that stop a session from starting."""
    return tuple(f for f in findings if f.blocks_patient)
