"""Properties of the whole engine: screening → grading → plan → series → care → expectations."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builders import (
    CONSULTED_ON,
    isotretinoin_stopped,
    make_assessment,
    make_consultation,
    make_history,
)
from needlepoint.domain.consultation import Consultation, TreatmentRequest
from needlepoint.domain.planning import Endpoint, ZonePlan
from needlepoint.domain.programme import FirstAppointment, Programme, propose_programme
from needlepoint.domain.readiness import Standing
from needlepoint.domain.scales.inputs import GbQualitativeCriteria, ZoneScarAssessment
from needlepoint.domain.screening import Decision, Severity
from needlepoint.domain.vocabulary import FACIAL_ZONES, Device, Indication, Zone
from needlepoint.knowledge import catalogue
from needlepoint.services.consultation.engine import ConsultationOutcome
from needlepoint.services.consultation.reports import build_report
from strategies import consultations

KNOWLEDGE = catalogue.load_knowledge()
KNOWN_SOURCES = {s.id for s in catalogue.sources().sources}
CLINIC_ZONES = [ZoneInfo("Europe/London"), ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata")]
SCARRED = [z for z in Zone if z not in {Zone.EYELIDS, Zone.SCALP}]

criteria = st.builds(
    GbQualitativeCriteria,
    contour_change=st.booleans(),
    visible_at_social_distance=st.booleans(),
    easily_concealed=st.booleans(),
    flattens_on_stretch=st.booleans(),
)


@st.composite
def graded_consultations(draw: st.DrawFn) -> Consultation:
    """A consultation whose acne-scar zones carry a qualitative assessment, mostly."""
    consultation = draw(consultations())
    acne_zones = sorted(
        {z for r in consultation.requests if r.indication is Indication.ACNE_SCARS for z in r.zones}
    )
    graded = [z for z in acne_zones if z in SCARRED and draw(st.integers(0, 9)) > 0]
    assessments = tuple(ZoneScarAssessment(zone=z, qualitative=draw(criteria)) for z in graded)
    return replace(consultation, scar_assessments=assessments)


@st.composite
def appointments(draw: st.DrawFn, on: date) -> FirstAppointment:
    tz = draw(st.sampled_from(CLINIC_ZONES))
    requested = None
    if draw(st.booleans()):
        day = on + timedelta(days=draw(st.integers(0, 400)))
        requested = datetime.combine(day, time(draw(st.integers(8, 18)), 0), tzinfo=tz)
    return FirstAppointment(requested_at=requested, clinic_tz=tz, default_time=time(9, 0))


@st.composite
def programmes(draw: st.DrawFn) -> Programme:
    consultation = draw(graded_consultations())
    appointment = draw(appointments(consultation.consulted_on))
    return propose_programme(
        consultation, KNOWLEDGE, on=consultation.consulted_on, appointment=appointment
    )


SETTINGS = settings(max_examples=150, deadline=None)


@pytest.mark.slow
@SETTINGS
@given(programmes())
def test_defer_and_decline_never_come_with_a_plan_a_dated_series_or_a_timeline(
    p: Programme,
) -> None:
    if p.decision in (Decision.DEFER, Decision.DECLINE):
        assert p.series is None
        assert p.zone_plans == ()
        assert p.care_items == ()
        assert p.first_session_at is None


@pytest.mark.slow
@SETTINGS
@given(programmes())
def test_no_depth_exceeds_the_zone_maximum_or_the_device_cap(p: Programme) -> None:
    tables = KNOWLEDGE.planning
    device = tables.devices[p.consultation.device]
    for plan in p.zone_plans:
        limit = tables.zones[plan.zone].max_depth_mm
        assert limit is not None
        assert plan.depth.max_mm <= limit
        assert plan.depth.max_mm <= device.cap_mm
        assert plan.depth.min_mm > 0
        assert plan.start_mm == plan.depth.min_mm


@pytest.mark.slow
@SETTINGS
@given(programmes())
def test_skin_types_four_to_six_respect_the_facial_cap(p: Programme) -> None:
    adjustment = next(
        (
            a
            for a in KNOWLEDGE.planning.fitzpatrick
            if p.consultation.patient.fitzpatrick in a.types
        ),
        None,
    )
    if adjustment is None or adjustment.facial_cap_mm is None:
        return
    for plan in p.zone_plans:
        if plan.zone in FACIAL_ZONES:
            assert plan.depth.max_mm <= adjustment.facial_cap_mm


@pytest.mark.slow
@SETTINGS
@given(programmes())
def test_nothing_is_ever_planned_inside_the_orbital_rim(p: Programme) -> None:
    assert Zone.EYELIDS not in {plan.zone for plan in p.zone_plans}


@pytest.mark.slow
@SETTINGS
@given(programmes())
def test_every_output_item_cites_a_known_source(p: Programme) -> None:
    outcome = ConsultationOutcome(clinic_name="Test", time_zone="UTC", programme=p, intake={})
    report = build_report(outcome, cite={s: s for s in KNOWN_SOURCES})

    cited = list(_source_lists(report))
    assert all(sources for sources in cited)
    assert {s for sources in cited for s in sources} <= KNOWN_SOURCES
    assert set(report["sources"]) == {s for sources in cited for s in sources}


def _source_lists(node: object):  # type: ignore[no-untyped-def]
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "sources" and isinstance(value, list):
                yield value
            else:
                yield from _source_lists(value)
    elif isinstance(node, list):
        for value in node:
            yield from _source_lists(value)


@pytest.mark.slow
@SETTINGS
@given(programmes())
def test_timelines_are_ordered_and_anchored_to_the_first_session(p: Programme) -> None:
    if p.first_session_at is None:
        return
    templates = {t.id: t for t in KNOWLEDGE.care.templates}
    starts = [item.starts_at for item in p.care_items]
    assert starts == sorted(starts)
    for item in p.care_items:
        template = templates[item.id]
        assert item.starts_at == p.first_session_at + timedelta(hours=template.start_offset_hours)
        assert item.ends_at == p.first_session_at + timedelta(hours=template.end_offset_hours)
        assert item.starts_at <= item.ends_at
        assert item.starts_at.tzinfo is p.first_session_at.tzinfo


@pytest.mark.slow
@SETTINGS
@given(programmes())
def test_a_dated_series_starts_when_eligible_and_keeps_its_interval(p: Programme) -> None:
    if p.series is None:
        return
    dated = p.series.dated
    assert len(dated) == p.series.sessions.default_count
    assert p.screening.earliest_eligible_on is not None
    assert dated[0].on >= p.screening.earliest_eligible_on
    assert p.first_session_at is not None and p.first_session_at.date() == dated[0].on
    for before, after in pairwise(dated):
        gap = (after.on - before.on).days
        assert gap == p.series.interval.default_days
        assert p.series.interval.contains(gap)
        assert after.earliest_on <= after.on <= after.latest_on


@pytest.mark.slow
@SETTINGS
@given(programmes())
def test_the_proposed_first_session_never_falls_inside_a_wait_that_delays_the_series(
    p: Programme,
) -> None:
    if p.series is None:
        assert p.prerequisites == ()
        return
    relative = [f for f in p.screening.findings if f.severity is Severity.RELATIVE]
    assert [r.finding for r in p.prerequisites] == relative
    assert all(r.first_session_on == p.first_session_on for r in p.prerequisites)
    assert Standing.WAIT_OUTLASTS_FIRST_SESSION not in {r.standing for r in p.prerequisites}


@pytest.mark.slow
@SETTINGS
@given(graded_consultations(), st.sampled_from(CLINIC_ZONES))
def test_the_engine_is_deterministic(consultation: Consultation, tz: ZoneInfo) -> None:
    appointment = FirstAppointment(requested_at=None, clinic_tz=tz, default_time=time(9, 0))

    first = propose_programme(
        consultation, KNOWLEDGE, on=consultation.consulted_on, appointment=appointment
    )
    again = propose_programme(
        consultation, KNOWLEDGE, on=consultation.consulted_on, appointment=appointment
    )

    assert first == again


@pytest.mark.slow
@SETTINGS
@given(programmes())
def test_every_treatable_zone_is_either_planned_or_explained(p: Programme) -> None:
    accounted = {plan.zone for plan in p.zone_plans} | {n.zone for n in p.not_planned}
    in_scope = {
        z
        for z in p.screening.treatable_zones
        if any(i is not Indication.HAIR_LOSS for i in p.consultation.indication_for(z))
    }
    assert in_scope == accounted


@pytest.mark.slow
@SETTINGS
@given(programmes())
def test_proceed_and_needs_clearance_always_come_with_a_plan_and_a_dated_series(
    p: Programme,
) -> None:
    if p.decision in (Decision.PROCEED, Decision.NEEDS_CLEARANCE):
        assert p.zone_plans
        assert p.series is not None and p.series.dated
    else:
        assert p.series is None and not p.zone_plans and not p.adjuncts


def _programme(consultation: Consultation) -> Programme:
    appointment = FirstAppointment(
        requested_at=None, clinic_tz=CLINIC_ZONES[0], default_time=time(9)
    )
    return propose_programme(
        consultation, KNOWLEDGE, on=consultation.consulted_on, appointment=appointment
    )


def _cheek_plan(p: Programme) -> ZonePlan:
    return next(plan for plan in p.zone_plans if plan.zone is Zone.CHEEKS)


def test_blood_thinners_move_the_whole_range_shallower_and_aim_for_erythema() -> None:
    plain = _cheek_plan(_programme(make_consultation()))
    thinned = _cheek_plan(_programme(make_consultation(history=make_history(anticoagulant=True))))
    adjustment = next(
        a for a in KNOWLEDGE.planning.finding_adjustments if a.rule_id == "anticoagulant"
    )
    floor = KNOWLEDGE.planning.devices[Device.PEN].min_setting_mm
    step = adjustment.reduce_by_mm or Decimal(0)

    assert thinned.depth.max_mm == max(floor, plain.depth.max_mm - step)
    assert thinned.depth.min_mm == max(floor, plain.depth.min_mm - step)
    assert thinned.start_mm < plain.start_mm
    assert thinned.endpoint is Endpoint.ERYTHEMA
    assert any("anticoagulant" in r.text for r in thinned.reasons)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 500), st.integers(1, 500))
def test_a_more_recent_isotretinoin_course_never_gives_a_deeper_plan(a: int, b: int) -> None:
    recent, older = sorted((a, b))

    def deepest(days_ago: int) -> Decimal:
        stopped = isotretinoin_stopped(CONSULTED_ON - timedelta(days=days_ago))
        p = _programme(make_consultation(history=make_history(isotretinoin=stopped)))
        return max((plan.depth.max_mm for plan in p.zone_plans), default=Decimal(0))

    assert deepest(recent) <= deepest(older)


def test_expectations_follow_the_most_severe_zone_of_an_indication() -> None:
    severe = GbQualitativeCriteria(
        contour_change=True,
        visible_at_social_distance=True,
        easily_concealed=False,
        flattens_on_stretch=False,
    )
    mild = GbQualitativeCriteria(
        contour_change=True,
        visible_at_social_distance=False,
        easily_concealed=True,
        flattens_on_stretch=True,
    )
    alone = make_consultation(scar_assessments=(make_assessment(Zone.CHEEKS, qualitative=severe),))
    with_mild_chin = make_consultation(
        zones=[Zone.CHEEKS, Zone.CHIN],
        scar_assessments=(
            make_assessment(Zone.CHEEKS, qualitative=severe),
            make_assessment(Zone.CHIN, qualitative=mild),
        ),
    )

    first = _programme(alone).expectations[0].improvement
    second = _programme(with_mild_chin).expectations[0].improvement

    assert first is not None and second is not None
    assert first.shifted_down and second.shifted_down
    assert second.mean_pct == first.mean_pct


def test_ungraded_acne_scars_are_deferred_until_the_zone_is_graded() -> None:
    p = _programme(make_consultation(scar_assessments=()))

    assert p.screening.decision is Decision.PROCEED
    assert p.decision is Decision.DEFER
    assert p.earliest_eligible_on is None
    assert [n.zone for n in p.not_planned if n.needs_grade] == [Zone.CHEEKS]


def test_an_indication_with_no_depth_in_any_requested_zone_is_declined() -> None:
    request = TreatmentRequest(indication=Indication.STRETCH_MARKS, zones=(Zone.CHEEKS,))
    p = _programme(make_consultation(requests=(request,), scar_assessments=()))

    assert p.decision is Decision.DECLINE
    assert p.series is None
    assert p.not_planned and not p.not_planned[0].needs_grade


def test_a_zone_requested_for_two_indications_says_which_one_sets_its_depth() -> None:
    requests = (
        TreatmentRequest(indication=Indication.ACNE_SCARS, zones=(Zone.CHEEKS,)),
        TreatmentRequest(indication=Indication.FINE_LINES, zones=(Zone.CHEEKS,)),
    )
    p = _programme(make_consultation(requests=requests))

    assert any("several indications" in n.text for n in p.notes)


def test_screening_runs_once_even_when_the_series_starts_on_a_later_day(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from needlepoint.domain import screening  # noqa: PLC0415 - patched below

    calls: list[date] = []
    real_screen = screening.screen

    def counted(consultation: Consultation, ruleset: object, *, on: date) -> object:
        calls.append(on)
        return real_screen(consultation, ruleset, on=on)  # type: ignore[arg-type]

    monkeypatch.setattr(screening, "screen", counted)
    later = datetime.combine(CONSULTED_ON + timedelta(days=20), time(10), CLINIC_ZONES[0])
    appointment = FirstAppointment(
        requested_at=later, clinic_tz=CLINIC_ZONES[0], default_time=time(9)
    )

    programme = propose_programme(
        make_consultation(), KNOWLEDGE, on=CONSULTED_ON, appointment=appointment
    )

    assert programme.first_session_on == later.date()
    assert calls == [CONSULTED_ON]
