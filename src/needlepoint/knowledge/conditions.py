"""The named conditions that care templates and adjunct rows may refer to.

YAML never holds expressions. A care template names a condition; an adjunct row names a
trigger. Two kinds of care condition exist:

* **plain** conditions (``CARE_CONDITIONS``) take nothing but the context;
* **parameterised** conditions (``CARE_CONDITION_FACTORIES``) also take ``params`` from the
  row, validated by a small model, so that thresholds such as "deepest setting of 1.5 mm or
  more" live in the table next to their sources and never in Python.

``care_condition`` resolves a name and its parameters into a callable, and raises
``ValueError`` for an unknown name or bad parameters; the loaders turn that into a
``KnowledgeError`` naming the table and row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from pydantic import Field, field_validator

from needlepoint.domain.adjuncts import AdjunctContext, AdjunctTrigger
from needlepoint.domain.care import CareCondition, CareContext
from needlepoint.domain.consultation import FITZPATRICK_TYPES, Consultation
from needlepoint.domain.scales.goodman_baron_qualitative import GbQualitativeLevel
from needlepoint.domain.scales.inputs import ScarDepth
from needlepoint.domain.scales.jacob import JacobType
from needlepoint.domain.vocabulary import (
    FACIAL_ZONES,
    Device,
    Indication,
    IsotretinoinStatus,
    TopicalActive,
    Zone,
    ZoneCondition,
)
from needlepoint.knowledge.schema import Strict

ParamsT = TypeVar("ParamsT", bound=Strict)


@dataclass(frozen=True, slots=True)
class ConditionFactory(Generic[ParamsT]):
    """A care condition that needs parameters: their model and how to build the callable."""

    params_model: type[ParamsT]
    build: Callable[[ParamsT], CareCondition]

    def make(self, params: Mapping[str, Any]) -> CareCondition:
        """Validate the parameters and build the condition.

        Raises:
            ValueError: The parameters do not fit the model (a pydantic ValidationError).
        """
        return build_condition(self.build, self.params_model.model_validate(dict(params)))


def build_condition(build: Callable[[ParamsT], CareCondition], params: ParamsT) -> CareCondition:
    """A parameterised care condition built from validated params.

    It remembers how it was made (``__recipe__``), so that the compiled knowledge snapshot
    stores the recipe and rebuilds the condition without validating anything again.
    """
    condition = build(params)
    condition.__recipe__ = (build_condition, (build, params))  # type: ignore[attr-defined]
    return condition


# ------------------------------------------------------------------ parameter models


class ActivesParams(Strict):
    """``actives``: the topical products that make the condition hold (any of them)."""

    actives: frozenset[TopicalActive] = Field(min_length=1)


class SkinTypeParams(Strict):
    """``min_type``: the lowest Fitzpatrick type (1–6) for which the condition holds."""

    min_type: int

    @field_validator("min_type")
    @classmethod
    def _is_a_skin_type(cls, value: int) -> int:
        if value not in FITZPATRICK_TYPES:
            raise ValueError(f"{value} is not a Fitzpatrick skin type")
        return value


class DepthParams(Strict):
    """``depth_mm``: a depth threshold in millimetres."""

    depth_mm: Decimal = Field(gt=0)


class DevicesParams(Strict):
    """``devices``: the device families for which the condition holds."""

    devices: frozenset[Device] = Field(min_length=1)


# ------------------------------------------------------------------ plain care conditions


def always(_context: CareContext) -> bool:
    """Applies to every patient."""
    return True


def is_face_treated(context: CareContext) -> bool:
    """At least one facial zone is treated (makeup, facials, fillers and pillows concern it)."""
    return not context.treated_zones.isdisjoint(FACIAL_ZONES)


def has_isotretinoin_history(context: CareContext) -> bool:
    """The patient has taken oral isotretinoin (now or in the past)."""
    status = context.consultation.history.isotretinoin.status
    return status is not IsotretinoinStatus.NEVER


# ------------------------------------------------------------ parameterised care conditions


def uses_any_active(params: ActivesParams) -> CareCondition:
    """The patient uses at least one of the listed topical products."""

    def condition(context: CareContext) -> bool:
        return bool(context.consultation.history.topical_actives & params.actives)

    return condition


def fitzpatrick_at_least(params: SkinTypeParams) -> CareCondition:
    """The patient's Fitzpatrick type is at least ``min_type``."""

    def condition(context: CareContext) -> bool:
        return context.consultation.patient.fitzpatrick >= params.min_type

    return condition


def fitzpatrick_at_least_with_pigment_history(params: SkinTypeParams) -> CareCondition:
    """Fitzpatrick type at least ``min_type`` and melasma or earlier post-procedure pigment."""
    skin_type = fitzpatrick_at_least(params)

    def condition(context: CareContext) -> bool:
        return skin_type(context) and has_pigment_history(context.consultation)

    return condition


def deepest_at_least(params: DepthParams) -> CareCondition:
    """The deepest planned setting is at least ``depth_mm``."""

    def condition(context: CareContext) -> bool:
        return context.deepest_mm >= params.depth_mm

    return condition


def deepest_below(params: DepthParams) -> CareCondition:
    """The deepest planned setting is below ``depth_mm``."""

    def condition(context: CareContext) -> bool:
        return context.deepest_mm < params.depth_mm

    return condition


def cold_sore_risk_with_device(params: DevicesParams) -> CareCondition:
    """The face is treated with one of ``devices``, and cold sores are a risk there.

    The risk is a cold-sore history or treatment of the lips; body-only treatment is not
    around the lips and does not count.
    """

    def condition(context: CareContext) -> bool:
        history = context.consultation.history.cold_sores
        at_risk = history or Zone.PERIORAL in context.treated_zones
        return at_risk and is_face_treated(context) and context.device in params.devices

    return condition


def has_pigment_history(consultation: Consultation) -> bool:
    """Melasma (asked for or found in a zone) or pigment changes after earlier procedures."""
    return (
        consultation.history.pigmentation_after_procedures
        or Indication.MELASMA in consultation.indications
        or bool(consultation.zones_with(ZoneCondition.MELASMA))
    )


# ------------------------------------------------------------------ adjunct triggers


def is_icepick_dominant(context: AdjunctContext) -> bool:
    """Icepick is the Jacob type with the most scars."""
    return context.grading.dominant_jacob_type is JacobType.ICEPICK


def has_rolling_scars(context: AdjunctContext) -> bool:
    """At least one rolling scar was classified."""
    return context.grading.jacob_counts.get(JacobType.ROLLING, 0) > 0


def has_deep_boxcar_scars(context: AdjunctContext) -> bool:
    """At least one scar group was classified as a deep boxcar."""
    return any(
        result.scar_type is JacobType.BOXCAR and result.boxcar_depth is ScarDepth.DEEP
        for zone in context.grading.zones
        for result in zone.jacob
    )


def is_severe_grade(context: AdjunctContext) -> bool:
    """The global Goodman & Baron qualitative grade is severe."""
    worst = context.grading.gb_qualitative
    return worst is not None and worst.level is GbQualitativeLevel.SEVERE


def has_macular_zone(context: AdjunctContext) -> bool:
    """At least one zone was graded macular (flat marks)."""
    return any(
        zone.gb_qualitative is not None and zone.gb_qualitative.level is GbQualitativeLevel.MACULAR
        for zone in context.grading.zones
    )


def is_melasma_requested(context: AdjunctContext) -> bool:
    """Melasma is one of the indications asked for."""
    return Indication.MELASMA in context.consultation.indications


def is_acne_scars_requested(context: AdjunctContext) -> bool:
    """Acne scars are one of the indications asked for."""
    return Indication.ACNE_SCARS in context.consultation.indications


# ------------------------------------------------------------------ registries

CARE_CONDITIONS: Mapping[str, CareCondition] = MappingProxyType(
    {
        "always": always,
        "face-treated": is_face_treated,
        "isotretinoin-history": has_isotretinoin_history,
    }
)

CARE_CONDITION_FACTORIES: Mapping[str, ConditionFactory[Any]] = MappingProxyType(
    {
        "uses-any-active": ConditionFactory(ActivesParams, uses_any_active),
        "fitzpatrick-at-least": ConditionFactory(SkinTypeParams, fitzpatrick_at_least),
        "fitzpatrick-at-least-with-pigment-history": ConditionFactory(
            SkinTypeParams, fitzpatrick_at_least_with_pigment_history
        ),
        "deepest-at-least": ConditionFactory(DepthParams, deepest_at_least),
        "deepest-below": ConditionFactory(DepthParams, deepest_below),
        "cold-sore-risk-with-device": ConditionFactory(DevicesParams, cold_sore_risk_with_device),
    }
)

ADJUNCT_TRIGGERS: Mapping[str, AdjunctTrigger] = MappingProxyType(
    {
        "icepick-dominant": is_icepick_dominant,
        "rolling-present": has_rolling_scars,
        "deep-boxcar-present": has_deep_boxcar_scars,
        "severe-grade": is_severe_grade,
        "macular-grade": has_macular_zone,
        "melasma-requested": is_melasma_requested,
        "acne-scars-requested": is_acne_scars_requested,
    }
)


def care_condition_names() -> frozenset[str]:
    """Every name a care template may use, plain or parameterised."""
    return frozenset(CARE_CONDITIONS) | frozenset(CARE_CONDITION_FACTORIES)


def care_condition(name: str, params: Mapping[str, Any]) -> CareCondition:
    """The care condition called ``name``, built with ``params`` if it takes any.

    Raises:
        ValueError: The name is unknown, a plain condition was given parameters, or the
            parameters do not fit the condition.
    """
    if name in CARE_CONDITIONS:
        if params:
            raise ValueError(f"condition '{name}' takes no params")
        return CARE_CONDITIONS[name]
    factory = CARE_CONDITION_FACTORIES.get(name)
    if factory is None:
        known = ", ".join(sorted(care_condition_names()))
        raise ValueError(f"unknown condition '{name}' (known: {known})")
    return factory.make(params)


def adjunct_trigger(name: str) -> AdjunctTrigger:
    """The adjunct trigger called ``name``.

    Raises:
        ValueError: The name is unknown.
    """
    trigger = ADJUNCT_TRIGGERS.get(name)
    if trigger is None:
        known = ", ".join(sorted(ADJUNCT_TRIGGERS))
        raise ValueError(f"unknown trigger '{name}' (known: {known})")
    return trigger
