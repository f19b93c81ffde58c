"""Hypothesis strategies for domain types: varied but always valid consultations.

``consultations()`` draws a patient, a health history, zone findings, recent procedures and
one to three treatment requests. Each answer departs from the clean default only
occasionally (flags about one time in ten), so clean, partly clean and heavily
contraindicated consultations all turn up. ``consultations(scar_records=True)`` also draws
scar assessments that sometimes record keloid or hypertrophic scarring.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TypeVar

from hypothesis import strategies as st

from needlepoint.domain.consultation import (
    Consultation,
    HealthHistory,
    Isotretinoin,
    Patient,
    RecentProcedure,
    TreatmentRequest,
    ZoneState,
)
from needlepoint.domain.scales.inputs import EccaItem, ZoneScarAssessment
from needlepoint.domain.vocabulary import (
    Device,
    DiabetesControl,
    Indication,
    IsotretinoinStatus,
    ProcedureKind,
    Sex,
    SkinCancerHistory,
    TopicalActive,
    Zone,
    ZoneCondition,
)

FIRST_DAY = date(2024, 1, 1)
LAST_DAY = date(2028, 12, 31)
LOOKBACK_DAYS = 800

T = TypeVar("T")

# Hypothesis favours the bounds of a range, so rarity is keyed on a middle value.
rarely = st.integers(min_value=0, max_value=9).map(lambda n: n == 5)
zones = st.sampled_from(Zone)


def mostly(default: T, otherwise: st.SearchStrategy[T]) -> st.SearchStrategy[T]:
    """``default`` about three times in four, else a draw from ``otherwise``."""
    return st.integers(min_value=0, max_value=3).flatmap(
        lambda n: otherwise if n == 2 else st.just(default)
    )


HISTORY_FLAGS = (
    "pregnant",
    "breastfeeding",
    "anticoagulant",
    "antiplatelet",
    "bleeding_disorder",
    "keloid_history",
    "hypertrophic_scar_history",
    "cold_sores",
    "immunosuppressed",
    "autoimmune_or_collagen_vascular",
    "metal_allergy",
    "anaesthetic_allergy",
    "pigmentation_after_procedures",
    "cardiac_device",
    "unwell_or_feverish",
)
"""The yes/no answers of ``HealthHistory``."""


def consultation_days() -> st.SearchStrategy[date]:
    """Days a consultation may happen on."""
    return st.dates(min_value=FIRST_DAY, max_value=LAST_DAY)


def days_before(on: date, *, up_to: int = LOOKBACK_DAYS) -> st.SearchStrategy[date]:
    """A day from ``up_to`` days before ``on`` up to ``on`` itself."""
    return st.dates(min_value=on - timedelta(days=up_to), max_value=on)


def patients(on: date) -> st.SearchStrategy[Patient]:
    """Patients aged 12 to 80 on ``on``, any sex and Fitzpatrick type."""
    born = st.dates(
        min_value=on - timedelta(days=80 * 365), max_value=on - timedelta(days=12 * 365)
    )
    return st.builds(Patient, born_on=born, sex=st.sampled_from(Sex), fitzpatrick=st.integers(1, 6))


def isotretinoin_exposures(on: date) -> st.SearchStrategy[Isotretinoin]:
    """Never taken, taken now, or stopped on a day up to about two years before ``on``."""
    stopped = days_before(on).map(
        lambda day: Isotretinoin(status=IsotretinoinStatus.STOPPED, stopped_on=day)
    )
    return mostly(
        Isotretinoin(), st.one_of(st.just(Isotretinoin(status=IsotretinoinStatus.CURRENT)), stopped)
    )


def recent_procedures(
    on: date, where: st.SearchStrategy[Zone] = zones
) -> st.SearchStrategy[RecentProcedure]:
    """A procedure of any kind, in one to three zones, up to about 8 months before ``on``."""
    return st.builds(
        RecentProcedure,
        kind=st.sampled_from(ProcedureKind),
        performed_on=days_before(on, up_to=240),
        zones=st.frozensets(where, min_size=1, max_size=3),
    )


@st.composite
def health_histories(
    draw: st.DrawFn, on: date, where: st.SearchStrategy[Zone] = zones
) -> HealthHistory:
    """A health history with each answer drawn independently, mostly clean.

    ``where`` draws the zones of recent procedures.
    """
    flags = {name: draw(rarely) for name in HISTORY_FLAGS}
    return HealthHistory(
        **flags,
        isotretinoin=draw(isotretinoin_exposures(on)),
        diabetes=draw(mostly(DiabetesControl.NONE, st.sampled_from(DiabetesControl))),
        photosensitising_drugs=draw(mostly((), st.just(("doxycycline",)))),
        topical_actives=draw(st.frozensets(st.sampled_from(TopicalActive), max_size=2)),
        recent_procedures=tuple(draw(st.lists(recent_procedures(on, where), max_size=2))),
        skin_cancer=draw(mostly(SkinCancerHistory.NONE, st.sampled_from(SkinCancerHistory))),
    )


def treatment_requests() -> st.SearchStrategy[TreatmentRequest]:
    """One indication with one to four distinct zones."""
    return st.builds(
        TreatmentRequest,
        indication=st.sampled_from(Indication),
        zones=st.lists(zones, min_size=1, max_size=4, unique=True).map(tuple),
    )


def zone_states(where: st.SearchStrategy[Zone] = zones) -> st.SearchStrategy[ZoneState]:
    """What an examiner found in one zone: usually nothing, sometimes one or two things."""
    conditions = mostly(
        frozenset[ZoneCondition](),
        st.frozensets(st.sampled_from(ZoneCondition), min_size=1, max_size=2),
    )
    return st.builds(ZoneState, zone=where, conditions=conditions)


def scar_records(where: st.SearchStrategy[Zone] = zones) -> st.SearchStrategy[ZoneScarAssessment]:
    """A zone's scar assessment: usually no raised scars, sometimes a keloid area or count."""
    return st.builds(
        ZoneScarAssessment,
        zone=where,
        keloid_area_cm2=mostly(
            Decimal(0), st.decimals(min_value=Decimal("0.1"), max_value=Decimal(30), places=1)
        ),
        ecca_counts=mostly(
            {}, st.dictionaries(st.sampled_from(EccaItem), st.integers(0, 5), max_size=2)
        ),
    )


@st.composite
def consultations(draw: st.DrawFn, *, scar_records_too: bool = False) -> Consultation:
    """A valid consultation with varied patient, history, zones, findings and device.

    Zone findings name requested zones (once each); recent procedures land mostly, not
    only, in requested zones. With ``scar_records_too`` some requested zones also get a
    scar assessment (once each).
    """
    on = draw(consultation_days())
    requests = tuple(draw(st.lists(treatment_requests(), min_size=1, max_size=3)))
    requested = sorted({zone for request in requests for zone in request.zones})
    where = mostly(None, zones).flatmap(
        lambda zone: st.sampled_from(requested) if zone is None else st.just(zone)
    )
    return Consultation(
        consulted_on=on,
        patient=draw(patients(on)),
        history=draw(health_histories(on, where)),
        requests=requests,
        device=draw(st.sampled_from(Device)),
        zone_states=tuple(
            draw(
                st.lists(
                    zone_states(st.sampled_from(requested)),
                    max_size=3,
                    unique_by=lambda state: state.zone,
                )
            )
        ),
        scar_assessments=tuple(
            draw(
                st.lists(
                    scar_records(st.sampled_from(requested)),
                    max_size=2 if scar_records_too else 0,
                    unique_by=lambda assessment: assessment.zone,
                )
            )
        ),
    )
