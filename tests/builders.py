"""Builders for domain objects: sensible defaults, override only what a test is about."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from needlepoint.domain.care import CareContext
from needlepoint.domain.checkins import CheckInAnswers
from needlepoint.domain.consultation import (
    Consultation,
    HealthHistory,
    Isotretinoin,
    Patient,
    RecentProcedure,
    TreatmentRequest,
    ZoneState,
)
from needlepoint.domain.scales.inputs import GbQualitativeCriteria, ZoneScarAssessment
from needlepoint.domain.vocabulary import (
    Device,
    Indication,
    IsotretinoinStatus,
    ProcedureKind,
    Sex,
    Zone,
    ZoneCondition,
)

CONSULTED_ON = date(2026, 11, 2)


def make_patient(**overrides: Any) -> Patient:
    """A 34-year-old woman, Fitzpatrick III."""
    values: dict[str, Any] = {"born_on": date(1992, 5, 14), "sex": Sex.FEMALE, "fitzpatrick": 3}
    values.update(overrides)
    return Patient(**values)


def make_history(**overrides: Any) -> HealthHistory:
    """A clean health history."""
    return replace(HealthHistory(), **overrides)


def isotretinoin_stopped(on: date) -> Isotretinoin:
    """Isotretinoin stopped on a given day."""
    return Isotretinoin(status=IsotretinoinStatus.STOPPED, stopped_on=on)


def procedure(kind: ProcedureKind, on: date, *zones: Zone) -> RecentProcedure:
    """A past procedure in some zones."""
    return RecentProcedure(kind=kind, performed_on=on, zones=frozenset(zones))


def moderate_criteria() -> GbQualitativeCriteria:
    """Visible at social distance, not easily concealed, flattens on stretch: grade 3."""
    return GbQualitativeCriteria(
        contour_change=True,
        visible_at_social_distance=True,
        easily_concealed=False,
        flattens_on_stretch=True,
    )


def make_assessment(zone: Zone = Zone.CHEEKS, **overrides: Any) -> ZoneScarAssessment:
    """A moderate (grade 3) acne-scar assessment of one zone."""
    values: dict[str, Any] = {"zone": zone, "qualitative": moderate_criteria()}
    values.update(overrides)
    return ZoneScarAssessment(**values)


def make_consultation(**overrides: Any) -> Consultation:
    """Acne scars on both cheeks with a pen, a clean history and a grade-3 assessment.

    Pass ``zones=[...]`` to change the requested zones of the single acne-scar request,
    ``conditions={zone: {ZoneCondition...}}`` to record zone findings.
    """
    zones = tuple(overrides.pop("zones", (Zone.CHEEKS,)))
    conditions: dict[Zone, set[ZoneCondition]] = overrides.pop("conditions", {})
    values: dict[str, Any] = {
        "consulted_on": CONSULTED_ON,
        "patient": make_patient(),
        "history": make_history(),
        "requests": (TreatmentRequest(indication=Indication.ACNE_SCARS, zones=zones),),
        "device": Device.PEN,
        "zone_states": tuple(
            ZoneState(zone=z, conditions=frozenset(c)) for z, c in conditions.items()
        ),
        "scar_assessments": tuple(make_assessment(z) for z in zones if z in _SCARRABLE),
    }
    values.update(overrides)
    return Consultation(**values)


_SCARRABLE = {
    Zone.CHEEKS,
    Zone.CHIN,
    Zone.FOREHEAD,
    Zone.JAWLINE,
    Zone.TEMPLES,
    Zone.NOSE,
    Zone.PERIORAL,
}

__all__ = [
    "CONSULTED_ON",
    "Decimal",
    "isotretinoin_stopped",
    "make_assessment",
    "make_consultation",
    "make_history",
    "make_patient",
    "procedure",
]


def make_care_context(consultation: Consultation | None = None, **overrides: Any) -> CareContext:
    """The care context of a planned session: the consultation's device and requested zones.

    The deepest setting defaults to 1.0 mm.

    Override ``device``, ``treated_zones`` or ``deepest_mm`` to state what a test is about.
    """
    consultation = consultation or make_consultation()
    values: dict[str, Any] = {
        "consultation": consultation,
        "device": consultation.device,
        "treated_zones": frozenset(consultation.requested_zones),
        "deepest_mm": Decimal("1.0"),
    }
    values.update(overrides)
    return CareContext(**values)


def with_red_flag(answers: CheckInAnswers, flag: str) -> CheckInAnswers:
    """The same answers with one red flag (``pus``, ``fever`` or ``blisters``) answered yes."""
    return replace(
        answers,
        pus=answers.pus or flag == "pus",
        fever=answers.fever or flag == "fever",
        blisters=answers.blisters or flag == "blisters",
    )
