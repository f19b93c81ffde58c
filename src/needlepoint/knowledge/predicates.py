"""The only condition functions a contraindication rule may name.

A row of ``data/contraindications.yaml`` names a predicate from ``RULE_PREDICATES`` and may
give it ``params`` (waiting periods, ages, zones, skin types). YAML never holds an
expression. Each ``PredicateFactory`` validates its params with a strict model, raising
``PredicateParamsError`` when they do not fit, and builds a pure ``Predicate``: a function
of the consultation and the screening day, nothing else.

* Zone predicates return ``Match(zones=...)`` naming only zones the patient asked to treat.
* A raised scar (keloid or hypertrophic) counts as recorded in a zone when the examiner
  noted the ``keloid_or_hypertrophic_scar`` condition there, or when the zone's scar
  assessment has a keloid/hypertrophic area above 0 or an ECCA count of hypertrophic or
  keloid scars above 0. Every predicate that asks about raised scars in a zone uses this one
  definition.
* Waiting-period predicates return ``Match(clears_on=...)``: the first day the rule no
  longer matches. On that day itself the predicate is silent.
* ``detail`` is a short plain-words specific, e.g. "stopped 2026-08-01; 6 months ends
  2027-02-01".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from needlepoint.domain.consultation import Consultation, HealthHistory, RecentProcedure
from needlepoint.domain.dates import add_months
from needlepoint.domain.scales.inputs import EccaItem, ZoneScarAssessment
from needlepoint.domain.screening import Match, Predicate
from needlepoint.domain.vocabulary import (
    DiabetesControl,
    IsotretinoinStatus,
    SkinCancerHistory,
    Zone,
    ZoneCondition,
)
from needlepoint.knowledge.predicate_params import (
    AgeParams,
    DevicesParams,
    FitzpatrickParams,
    IndicationParams,
    MonthsParams,
    MonthWindowParams,
    NoParams,
    RecentProcedureParams,
    ZoneConditionParams,
    ZonesFitzpatrickParams,
    ZonesParams,
)

HistoryTest = Callable[[HealthHistory], bool]

ParamsT = TypeVar("ParamsT", bound=BaseModel)

RAISED_SCAR_ECCA_ITEMS = frozenset(
    {EccaItem.HYPERTROPHIC_RECENT, EccaItem.KELOID_OR_OLD_HYPERTROPHIC}
)
"""ECCA items that are raised scars: hypertrophic (any age) and keloid."""
_ROMAN = ("0", "I", "II", "III", "IV", "V", "VI")


class PredicateParamsError(ValueError):
    """A rule's ``params`` do not fit the predicate it names."""


# --- params models ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PredicateFactory(Generic[ParamsT]):
    """A predicate's params model and how to build the predicate from validated params."""

    params_model: type[ParamsT]
    build: Callable[[ParamsT], Predicate]

    def parse(self, params: Mapping[str, object]) -> ParamsT:
        """Validate a rule's ``params``; ``PredicateParamsError`` names the bad key."""
        try:
            return self.params_model.model_validate(dict(params))
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "params"
            raise PredicateParamsError(f"{where}: {first['msg']}") from error


def build_predicate(name: str, params: BaseModel) -> Predicate:
    """The predicate called ``name`` built from validated params.

    The predicate remembers how it was made (``__recipe__``), so that the compiled knowledge
    snapshot stores the recipe and rebuilds the predicate without validating anything again.
    """
    predicate = RULE_PREDICATES[name].build(params)
    predicate.__recipe__ = (build_predicate, (name, params))  # type: ignore[attr-defined]
    return predicate


# --- shared pieces ---------------------------------------------------------------------


def _zones_match(zones: frozenset[Zone], detail: str) -> Match | None:
    """A zone match naming the zones, or None when there are none."""
    if not zones:
        return None
    return Match(zones=zones, detail=f"{detail}: {', '.join(sorted(zones))}")


def _has_raised_scar(assessment: ZoneScarAssessment) -> bool:
    """Whether a scar assessment records keloid or hypertrophic scarring in its zone."""
    return assessment.keloid_area_cm2 > 0 or any(
        assessment.ecca_counts.get(item, 0) > 0 for item in RAISED_SCAR_ECCA_ITEMS
    )


def _zones_with_assessed_raised_scar(consultation: Consultation) -> frozenset[Zone]:
    """Requested zones whose scar assessment records keloid or hypertrophic scarring."""
    requested = set(consultation.requested_zones)
    return frozenset(
        a.zone for a in consultation.scar_assessments if a.zone in requested and _has_raised_scar(a)
    )


def _zones_with_raised_scar(consultation: Consultation) -> frozenset[Zone]:
    """Requested zones with a keloid or hypertrophic scar, by either kind of record."""
    examined = consultation.zones_with(ZoneCondition.KELOID_OR_HYPERTROPHIC_SCAR)
    return examined | _zones_with_assessed_raised_scar(consultation)


def _fitzpatrick(skin_type: int) -> str:
    return f"Fitzpatrick {_ROMAN[skin_type]}"


def _isotretinoin_stop(consultation: Consultation) -> date | None:
    iso = consultation.history.isotretinoin
    return iso.stopped_on if iso.status is IsotretinoinStatus.STOPPED else None


# --- factories -------------------------------------------------------------------------


def _answer(test: HistoryTest, detail: str) -> PredicateFactory[NoParams]:
    """A patient predicate that holds when one health-history answer says so."""

    def build(params: NoParams) -> Predicate:
        del params  # takes none

        def predicate(consultation: Consultation, _on: date) -> Match | None:
            return Match(detail=detail) if test(consultation.history) else None

        return predicate

    return PredicateFactory(NoParams, build)


def _answer_or_zone_scar(test: HistoryTest, detail: str) -> PredicateFactory[NoParams]:
    """A history answer, or a keloid or hypertrophic scar found in a requested zone now.

    A raised scar in one zone shows the same tendency to over-heal as a past one, so the
    zones still being treated need the same clearance and caution.
    """

    def build(params: NoParams) -> Predicate:
        del params  # takes none

        def predicate(consultation: Consultation, _on: date) -> Match | None:
            if test(consultation.history):
                return Match(detail=detail)
            in_zone = _zones_with_raised_scar(consultation)
            if in_zone:
                return Match(detail=f"raised scar now in: {', '.join(sorted(in_zone))}")
            return None

        return predicate

    return PredicateFactory(NoParams, build)


def _photosensitising_drugs(params: NoParams) -> Predicate:
    del params  # takes none

    def predicate(consultation: Consultation, _on: date) -> Match | None:
        drugs = consultation.history.photosensitising_drugs
        return Match(detail=f"takes {', '.join(drugs)}") if drugs else None

    return predicate


def _zone_has_condition(params: ZoneConditionParams) -> Predicate:
    condition = params.condition

    def predicate(consultation: Consultation, _on: date) -> Match | None:
        return _zones_match(consultation.zones_with(condition), f"{condition} found in")

    return predicate


def _zone_has_raised_scar(params: NoParams) -> Predicate:
    del params  # takes none

    def predicate(consultation: Consultation, _on: date) -> Match | None:
        examined = consultation.zones_with(ZoneCondition.KELOID_OR_HYPERTROPHIC_SCAR)
        assessed = _zones_with_assessed_raised_scar(consultation)
        parts = [
            f"{label}: {', '.join(sorted(zones))}"
            for label, zones in (
                ("keloid or hypertrophic scar found in", examined),
                ("keloid or hypertrophic scarring in the scar assessment of", assessed),
            )
            if zones
        ]
        return Match(zones=examined | assessed, detail="; ".join(parts)) if parts else None

    return predicate


def _zones_requested(params: ZonesParams) -> Predicate:
    """Requested zones among ``zones``, leaving out any asked for only ``unless_only_for``."""
    parsed = params
    wanted, spared = frozenset(parsed.zones), parsed.unless_only_for

    def predicate(consultation: Consultation, _on: date) -> Match | None:
        zones = frozenset(
            zone
            for zone in wanted & set(consultation.requested_zones)
            if spared is None or set(consultation.indication_for(zone)) != {spared}
        )
        return _zones_match(zones, "requested")

    return predicate


def _zones_only_for_indication(params: IndicationParams) -> Predicate:
    indication = params.indication

    def predicate(consultation: Consultation, _on: date) -> Match | None:
        zones = frozenset(
            zone
            for zone in consultation.requested_zones
            if set(consultation.indication_for(zone)) == {indication}
        )
        return _zones_match(zones, f"requested only for {indication}")

    return predicate


def _zones_with_fitzpatrick(params: ZonesFitzpatrickParams) -> Predicate:
    parsed = params
    wanted, types = frozenset(parsed.zones), frozenset(parsed.types)

    def predicate(consultation: Consultation, _on: date) -> Match | None:
        skin_type = consultation.patient.fitzpatrick
        if skin_type not in types:
            return None
        zones = wanted & set(consultation.requested_zones)
        return _zones_match(zones, f"{_fitzpatrick(skin_type)} skin, requested")

    return predicate


def _fitzpatrick_in(params: FitzpatrickParams) -> Predicate:
    types = frozenset(params.types)

    def predicate(consultation: Consultation, _on: date) -> Match | None:
        skin_type = consultation.patient.fitzpatrick
        return Match(detail=f"{_fitzpatrick(skin_type)} skin") if skin_type in types else None

    return predicate


def _age_in_range(params: AgeParams) -> Predicate:
    ages = params

    def predicate(consultation: Consultation, on: date) -> Match | None:
        age = consultation.patient.age_years(on)
        return Match(detail=f"aged {age}") if ages.min_years <= age < ages.below_years else None

    return predicate


def _cardiac_device_with(params: DevicesParams) -> Predicate:
    devices = frozenset(params.devices)

    def predicate(consultation: Consultation, _on: date) -> Match | None:
        if not (consultation.history.cardiac_device and consultation.device in devices):
            return None
        return Match(detail=f"{consultation.device} device planned with a cardiac device")

    return predicate


def _isotretinoin_stopped_within(params: MonthsParams) -> Predicate:
    months = params.months

    def predicate(consultation: Consultation, on: date) -> Match | None:
        stopped = _isotretinoin_stop(consultation)
        if stopped is None or on >= (ends := add_months(stopped, months)):
            return None
        return Match(clears_on=ends, detail=f"stopped {stopped}; {months} months ends {ends}")

    return predicate


def _isotretinoin_stopped_between(params: MonthWindowParams) -> Predicate:
    window = params

    def predicate(consultation: Consultation, on: date) -> Match | None:
        stopped = _isotretinoin_stop(consultation)
        if stopped is None:
            return None
        ends = add_months(stopped, window.to_months)
        if not add_months(stopped, window.from_months) <= on < ends:
            return None
        detail = f"stopped {stopped}; {window.to_months} months ends {ends}"
        return Match(clears_on=ends, detail=detail)

    return predicate


def _recent_procedure_in_zone(params: RecentProcedureParams) -> Predicate:
    wait = params

    def predicate(consultation: Consultation, on: date) -> Match | None:
        requested = frozenset(consultation.requested_zones)
        recent = [
            p
            for p in consultation.history.recent_procedures
            if p.kind in wait.kinds and p.zones & requested and on < wait.ends_on(p.performed_on)
        ]
        if not recent:
            return None
        return Match(
            zones=frozenset().union(*(p.zones & requested for p in recent)),
            clears_on=max(wait.ends_on(p.performed_on) for p in recent),
            detail="; ".join(_procedure_detail(p, wait) for p in recent),
        )

    return predicate


def _procedure_detail(procedure: RecentProcedure, wait: RecentProcedureParams) -> str:
    ends = wait.ends_on(procedure.performed_on)
    return f"{procedure.kind} on {procedure.performed_on}; {wait.period} ends {ends}"


# --- the registry ----------------------------------------------------------------------

_HISTORY_ANSWERS: Mapping[str, tuple[HistoryTest, str]] = {
    "is_pregnant": (lambda h: h.pregnant, "pregnant"),
    "is_breastfeeding": (lambda h: h.breastfeeding, "breastfeeding"),
    "has_metal_allergy": (lambda h: h.metal_allergy, "allergic to needle metals"),
    "has_bleeding_disorder": (lambda h: h.bleeding_disorder, "bleeding disorder"),
    "has_anaesthetic_allergy": (lambda h: h.anaesthetic_allergy, "anaesthetic allergy"),
    "takes_anticoagulant": (lambda h: h.anticoagulant, "takes an anticoagulant"),
    "takes_antiplatelet": (lambda h: h.antiplatelet, "takes an antiplatelet drug"),
    "has_cold_sore_history": (lambda h: h.cold_sores, "gets cold sores"),
    "is_immunosuppressed": (lambda h: h.immunosuppressed, "immunosuppressed"),
    "is_unwell_or_feverish": (lambda h: h.unwell_or_feverish, "unwell or feverish today"),
    "has_autoimmune_or_collagen_vascular_disease": (
        lambda h: h.autoimmune_or_collagen_vascular,
        "autoimmune or collagen vascular disease",
    ),
    "has_uncontrolled_diabetes": (
        lambda h: h.diabetes is DiabetesControl.UNCONTROLLED,
        "diabetes not controlled",
    ),
    "takes_isotretinoin": (
        lambda h: h.isotretinoin.status is IsotretinoinStatus.CURRENT,
        "taking isotretinoin now",
    ),
    "has_active_skin_cancer": (
        lambda h: h.skin_cancer is SkinCancerHistory.ACTIVE,
        "skin cancer under treatment now",
    ),
    "had_treated_skin_cancer": (
        lambda h: h.skin_cancer is SkinCancerHistory.TREATED,
        "skin cancer treated in the past",
    ),
    "has_pigmentation_after_procedures": (
        lambda h: h.pigmentation_after_procedures,
        "darkened after earlier procedures",
    ),
}

RULE_PREDICATES: Mapping[str, PredicateFactory[Any]] = MappingProxyType(
    {
        **{name: _answer(test, detail) for name, (test, detail) in _HISTORY_ANSWERS.items()},
        "has_keloid_tendency": _answer_or_zone_scar(
            lambda h: h.keloid_history, "keloids in the past"
        ),
        "has_hypertrophic_scar_history": _answer(
            lambda h: h.hypertrophic_scar_history, "hypertrophic scars in the past"
        ),
        "takes_photosensitising_drugs": PredicateFactory(NoParams, _photosensitising_drugs),
        "zone_has_condition": PredicateFactory(ZoneConditionParams, _zone_has_condition),
        "zone_has_raised_scar": PredicateFactory(NoParams, _zone_has_raised_scar),
        "zones_requested": PredicateFactory(ZonesParams, _zones_requested),
        "zones_only_for_indication": PredicateFactory(IndicationParams, _zones_only_for_indication),
        "zones_with_fitzpatrick": PredicateFactory(ZonesFitzpatrickParams, _zones_with_fitzpatrick),
        "fitzpatrick_in": PredicateFactory(FitzpatrickParams, _fitzpatrick_in),
        "age_in_range": PredicateFactory(AgeParams, _age_in_range),
        "cardiac_device_with": PredicateFactory(DevicesParams, _cardiac_device_with),
        "isotretinoin_stopped_within": PredicateFactory(MonthsParams, _isotretinoin_stopped_within),
        "isotretinoin_stopped_between": PredicateFactory(
            MonthWindowParams, _isotretinoin_stopped_between
        ),
        "recent_procedure_in_zone": PredicateFactory(
            RecentProcedureParams, _recent_procedure_in_zone
        ),
    }
)
"""Predicate name (as written in YAML) → its params model and builder."""

DAY_PREDICATES = frozenset(
    {
        "age_in_range",
        "isotretinoin_stopped_within",
        "isotretinoin_stopped_between",
        "recent_procedure_in_zone",
    }
)
"""The predicates that read the screening day; every other one answers the same on any day
(a rule built on one of them has ``reads_day=False``, and screening on a second day reuses
its finding)."""
