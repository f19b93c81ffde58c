"""The consultation report never contradicts itself (issue 10).

Two defects were reported. A waiting period that ends before the proposed first session
(recent isotretinoin, a recent filler or neurotoxin in the zone) moved the series past its
end, yet the report still asked for clearance "before the first session". And a suspected
skin cancer in a requested zone gave ``proceed`` beside "no contraindication stands in the
way", while cancer elsewhere needed clearance.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builders import (
    CONSULTED_ON,
    isotretinoin_stopped,
    make_consultation,
    make_history,
    make_patient,
    procedure,
)
from needlepoint.domain import readiness
from needlepoint.domain.consultation import Consultation, HealthHistory, ZoneState
from needlepoint.domain.programme import FirstAppointment, propose_programme
from needlepoint.domain.screening import Course, Scope, Severity, screen
from needlepoint.domain.vocabulary import ProcedureKind, Zone, ZoneCondition
from needlepoint.knowledge import catalogue
from needlepoint.services.consultation import decision_texts
from needlepoint.services.consultation.engine import ConsultationOutcome
from needlepoint.services.consultation.reports import build_report
from strategies import consultations

KNOWLEDGE = catalogue.load_knowledge()
CITE = {s.id: s.citation for s in catalogue.sources().sources}
LONDON = ZoneInfo("Europe/London")

Json = dict[str, Any]


def report_for(consultation: Consultation, *, appointment_on: date | None = None) -> Json:
    requested = None if appointment_on is None else datetime.combine(appointment_on, time(10))
    appointment = FirstAppointment(
        requested_at=None if requested is None else requested.replace(tzinfo=LONDON),
        clinic_tz=LONDON,
        default_time=time(9),
    )
    programme = propose_programme(
        consultation, KNOWLEDGE, on=consultation.consulted_on, appointment=appointment
    )
    outcome = ConsultationOutcome(
        clinic_name="Test", time_zone="Europe/London", programme=programme, intake={}
    )
    return build_report(outcome, cite=CITE)


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.;:])\s+", text) if s]


def first_session_on(report: Json) -> str:
    series = report["series"]
    assert series is not None
    return str(series["dated"][0]["on"])


def finding(report: Json, rule_id: str) -> Json:
    return next(f for f in report["findings"] if f["rule_id"] == rule_id)


# --- waiting periods: the reported cases ------------------------------------------------


def isotretinoin_two_months_ago() -> Consultation:
    """Stopped 2026-09-02, so the six-month wait ends on 2027-03-02."""
    return make_consultation(
        history=make_history(isotretinoin=isotretinoin_stopped(date(2026, 9, 2)))
    )


def filler_in_the_cheeks_five_days_ago() -> Consultation:
    """Filler on 2026-10-28, so the 14-day wait ends on 2026-11-11."""
    filler = procedure(ProcedureKind.FILLER, CONSULTED_ON - timedelta(days=5), Zone.CHEEKS)
    return make_consultation(history=make_history(recent_procedures=(filler,)))


def test_a_recent_isotretinoin_course_starts_the_series_when_its_wait_ends() -> None:
    report = report_for(isotretinoin_two_months_ago())

    summary = report["decision_summary"]
    assert report["decision"] == "needs_clearance"
    assert first_session_on(report) == "2027-03-02"
    assert "before the first session" not in summary
    assert "on or after 2027-03-02" in summary
    assert "earlier needs a clinician's clearance" in summary


def test_a_recent_filler_in_the_zone_starts_the_series_when_its_wait_ends() -> None:
    report = report_for(filler_in_the_cheeks_five_days_ago())

    summary = report["decision_summary"]
    assert first_session_on(report) == "2026-11-11"
    assert "before the first session" not in summary
    assert "on or after 2026-11-11" in summary


def test_an_appointment_after_the_wait_keeps_its_date_and_asks_no_clearance_before_it() -> None:
    report = report_for(isotretinoin_two_months_ago(), appointment_on=date(2027, 4, 5))

    summary = report["decision_summary"]
    assert first_session_on(report) == "2027-04-05"
    assert "before the first session" not in summary
    assert "2027-03-02" in summary


def test_a_finding_without_a_wait_still_needs_clearance_before_the_first_session() -> None:
    history = make_history(anticoagulant=True, isotretinoin=isotretinoin_stopped(date(2026, 9, 2)))

    report = report_for(make_consultation(history=history))

    clear, *_ = (s for s in sentences(report["decision_summary"]) if "must clear" in s)
    assert "anticoagulant" in clear
    assert "before the first session" in clear
    assert "isotretinoin-recent" not in clear


def test_two_waits_are_stated_together_and_the_series_starts_after_the_later() -> None:
    filler = procedure(ProcedureKind.FILLER, CONSULTED_ON - timedelta(days=5), Zone.CHEEKS)
    history = make_history(
        isotretinoin=isotretinoin_stopped(date(2026, 9, 2)), recent_procedures=(filler,)
    )

    report = report_for(make_consultation(history=history))

    assert first_session_on(report) == "2027-03-02"
    assert report["decision_summary"] == (
        "Needs clearance only to start earlier. The waiting periods of isotretinoin-recent "
        "(2027-03-02) and recent-injectable-in-zone (2026-11-11) end by 2027-03-02, so the "
        "series starts on or after 2027-03-02 (first session 2027-03-02); starting earlier "
        "needs a clinician's clearance."
    )


def test_a_wait_in_a_zone_left_out_of_the_series_neither_delays_it_nor_is_cleared_first() -> None:
    filler = procedure(ProcedureKind.FILLER, CONSULTED_ON - timedelta(days=5), Zone.CHIN)
    consultation = make_consultation(
        zones=[Zone.CHEEKS, Zone.CHIN],
        history=make_history(recent_procedures=(filler,)),
        conditions={Zone.CHIN: {ZoneCondition.ACTIVE_INFLAMMATORY_ACNE}},
    )

    report = report_for(consultation)

    block = finding(report, "recent-injectable-in-zone")["first_session"]
    assert first_session_on(report) == CONSULTED_ON.isoformat()
    assert block["standing"] == "zones_left_out"
    assert block["text"] == (
        "It concerns only chin, which this series leaves out: clear it, or wait until "
        "2026-11-11, before treating chin."
    )
    assert report["decision_summary"].startswith("Needs clearance only for zones left out")
    assert "before the first session" not in report["decision_summary"]
    assert report["series"]["clearance_before_first_session"] is False


def test_findings_that_need_no_clearance_carry_no_first_session_words() -> None:
    report = report_for(make_consultation(patient=make_patient(fitzpatrick=5)))

    assert report["decision"] == "proceed"
    assert [f["first_session"] for f in report["findings"]] == [None]


# --- suspected malignancy: the reported case --------------------------------------------


def suspicious_lesion_on_the_chin() -> Consultation:
    return make_consultation(
        zones=[Zone.CHEEKS, Zone.CHIN],
        conditions={Zone.CHIN: {ZoneCondition.SUSPICIOUS_LESION}},
    )


def test_a_suspicious_lesion_in_one_requested_zone_defers_the_whole_programme() -> None:
    report = report_for(suspicious_lesion_on_the_chin())

    summary = report["decision_summary"]
    assert report["decision"] == "defer"
    assert report["series"] is None
    assert report["plan"]["zones"] == []
    assert report["care"] == {"pre": [], "post": []}
    assert report["earliest_eligible_on"] is None
    assert report["treatable_zones"] == []
    assert "no contraindication" not in summary.lower()
    assert "suspicious-lesion-in-zone (chin) holds every zone" in summary
    assert "Refer for a diagnosis" in summary
    assert "resumes with a new consultation" in summary
    assert finding(report, "suspicious-lesion-in-zone")["holds_programme"] is True


def test_a_zone_left_out_for_another_reason_does_not_hold_the_programme() -> None:
    consultation = make_consultation(
        zones=[Zone.CHEEKS, Zone.CHIN], conditions={Zone.CHIN: {ZoneCondition.INFECTION}}
    )

    report = report_for(consultation)

    assert report["decision"] == "proceed"
    assert finding(report, "active-infection-in-zone")["holds_programme"] is False
    assert "leaves out the excluded zones" in report["decision_summary"]


def test_a_programme_deferred_for_grading_does_not_claim_there_is_no_contraindication() -> None:
    consultation = make_consultation(history=make_history(anticoagulant=True), scar_assessments=())

    report = report_for(consultation)

    assert report["decision"] == "defer"
    assert report["screening_decision"] == "needs_clearance"
    assert "no contraindication" not in report["decision_summary"].lower()


# --- properties -------------------------------------------------------------------------

PERMANENT_PATIENT_RULES = {
    r.id
    for r in KNOWLEDGE.ruleset.rules
    if r.severity is Severity.ABSOLUTE and r.scope is Scope.PATIENT and r.course is Course.PERMANENT
}
WAIT_RULES = sorted(
    r.id
    for r in KNOWLEDGE.ruleset.rules
    if r.course is Course.WAITING_PERIOD and r.severity is Severity.RELATIVE
)
INJECTABLES = (ProcedureKind.FILLER, ProcedureKind.NEUROTOXIN)


def isotretinoin_course(history: HealthHistory, stopped_on: date, _kind: ProcedureKind) -> Any:
    return replace(history, isotretinoin=isotretinoin_stopped(stopped_on))


def injectable(history: HealthHistory, given_on: date, kind: ProcedureKind) -> Any:
    return replace(history, recent_procedures=(procedure(kind, given_on, Zone.CHEEKS),))


WAIT_TRIGGERS = {
    "isotretinoin-recent": isotretinoin_course,
    "recent-injectable-in-zone": injectable,
}


def test_every_waiting_period_relative_rule_is_covered_by_the_properties() -> None:
    assert sorted(WAIT_TRIGGERS) == WAIT_RULES


def with_wait(
    consultation: Consultation, rule_id: str, stopped_on: date, kind: ProcedureKind
) -> Consultation:
    history = WAIT_TRIGGERS[rule_id](consultation.history, stopped_on, kind)
    return replace(consultation, history=history)


@settings(max_examples=150, deadline=None)
@given(
    consulted_on=st.dates(date(2025, 1, 1), date(2027, 12, 31)),
    stopped_days_before=st.integers(0, 20) | st.integers(0, 400),
    appointment_after=st.none() | st.integers(0, 400),
    rule_id=st.sampled_from(WAIT_RULES),
    kind=st.sampled_from(INJECTABLES),
    anticoagulant=st.booleans(),
)
def test_a_wait_is_never_both_the_start_of_the_series_and_a_deadline_to_clear_by(
    consulted_on: date,
    stopped_days_before: int,
    appointment_after: int | None,
    rule_id: str,
    kind: ProcedureKind,
    anticoagulant: bool,
) -> None:
    stopped_on = consulted_on - timedelta(days=stopped_days_before)
    clean = make_consultation(
        consulted_on=consulted_on, history=make_history(anticoagulant=anticoagulant)
    )
    appointment_on = None
    if appointment_after is not None:
        appointment_on = consulted_on + timedelta(days=appointment_after)

    report = report_for(with_wait(clean, rule_id, stopped_on, kind), appointment_on=appointment_on)

    summary = report["decision_summary"]
    wait = next((f for f in report["findings"] if f["rule_id"] == rule_id), None)
    if wait is None:  # the wait was over by the consultation day
        assert rule_id not in summary
        return
    assert report["decision"] == "needs_clearance"
    _assert_dates_agree(report, wait, appointment_on)
    _assert_the_wait_is_worded_as_the_start(report, wait)
    _assert_only_undated_findings_are_to_be_cleared_first(report, anticoagulant=anticoagulant)


def _assert_dates_agree(report: Json, wait: Json, appointment_on: date | None) -> None:
    ends_on, starts_on = wait["clears_on"], first_session_on(report)
    eligible = report["earliest_eligible_on"]
    assert ends_on <= eligible <= starts_on
    if appointment_on is not None:
        assert starts_on == max(eligible, appointment_on.isoformat())
    assert wait["first_session"]["wait_ends_on"] == ends_on
    assert wait["first_session"]["first_session_on"] == starts_on


def _assert_the_wait_is_worded_as_the_start(report: Json, wait: Json) -> None:
    ends_on, starts_on = wait["clears_on"], first_session_on(report)
    block = wait["first_session"]
    assert block["standing"] == "wait_ends_by_first_session"
    assert not block["clear_before_first_session"]
    assert "must clear" not in block["text"]
    assert "before the first session" not in block["text"]
    assert f"starts on or after {ends_on}" in block["text"]
    named = [s for s in sentences(report["decision_summary"]) if wait["rule_id"] in s]
    assert named
    for sentence in named:
        assert "must clear" not in sentence
        assert "before the first session" not in sentence
        assert ends_on in sentence
    assert (
        f"series starts on or after {ends_on} (first session {starts_on})"
        in (report["decision_summary"])
    )


def _assert_only_undated_findings_are_to_be_cleared_first(
    report: Json, *, anticoagulant: bool
) -> None:
    to_clear = [s for s in sentences(report["decision_summary"]) if "must clear" in s]
    assert report["series"]["clearance_before_first_session"] is anticoagulant
    if anticoagulant:
        (sentence,) = to_clear
        assert "anticoagulant" in sentence
        assert "before the first session" in sentence
        assert report["decision_summary"].startswith("Needs clearance before the first session.")
    else:
        assert to_clear == []
        assert "before the first session" not in report["decision_summary"]
        assert report["decision_summary"].startswith("Needs clearance only to start earlier.")


@settings(max_examples=150, deadline=None)
@given(
    stopped_days_before=st.integers(0, 20) | st.integers(0, 200),
    first_after=st.integers(0, 400),
    rule_id=st.sampled_from(WAIT_RULES),
    kind=st.sampled_from(INJECTABLES),
)
def test_a_first_session_before_the_wait_ends_asks_for_clearance_before_it_with_both_dates(
    stopped_days_before: int, first_after: int, rule_id: str, kind: ProcedureKind
) -> None:
    stopped_on = CONSULTED_ON - timedelta(days=stopped_days_before)
    consultation = with_wait(make_consultation(), rule_id, stopped_on, kind)
    screening = screen(consultation, KNOWLEDGE.ruleset, on=CONSULTED_ON)
    first = CONSULTED_ON + timedelta(days=first_after)

    prerequisites = readiness.prerequisites(screening, first)

    if not prerequisites:
        return
    (wait,) = prerequisites
    text = decision_texts.first_session_text(wait)
    summary = decision_texts.clearance_summary(prerequisites)
    ends = wait.wait_ends_on
    assert ends is not None
    assert f"on or after {ends}" in text
    if ends <= first:
        assert not wait.is_to_be_cleared_first
        assert "must clear" not in text + summary
        assert "before the first session" not in summary
    else:
        assert wait.standing is readiness.Standing.WAIT_OUTLASTS_FIRST_SESSION
        assert wait.is_to_be_cleared_first
        assert f"ends on {ends}, after the first session ({first})" in text
        assert f"must clear this before {first}" in text
        assert f"must clear {rule_id} before the first session ({first})" in summary
        assert f"must start on or after {ends}" in summary


def with_suspicious_lesion(consultation: Consultation, zone: Zone) -> Consultation:
    others = tuple(s for s in consultation.zone_states if s.zone is not zone)
    found = next((s.conditions for s in consultation.zone_states if s.zone is zone), frozenset())
    state = ZoneState(zone=zone, conditions=found | {ZoneCondition.SUSPICIOUS_LESION})
    return replace(consultation, zone_states=(*others, state))


@pytest.mark.slow
@settings(max_examples=80, deadline=None)
@given(
    consultation=consultations(scar_records_too=True),
    data=st.data(),
    appointment_after=st.none() | st.integers(0, 400),
)
def test_a_suspicious_lesion_in_any_requested_zone_never_lets_a_series_be_proposed(
    consultation: Consultation, data: st.DataObject, appointment_after: int | None
) -> None:
    zone = data.draw(st.sampled_from(consultation.requested_zones))
    on = consultation.consulted_on
    appointment_on = None if appointment_after is None else on + timedelta(appointment_after)

    report = report_for(with_suspicious_lesion(consultation, zone), appointment_on=appointment_on)

    declined = any(f["rule_id"] in PERMANENT_PATIENT_RULES for f in report["findings"])
    assert report["decision"] == ("decline" if declined else "defer")
    assert report["series"] is None
    assert report["plan"]["zones"] == []
    assert report["first_session_at"] is None
    assert report["earliest_eligible_on"] is None
    assert "no contraindication" not in report["decision_summary"].lower()
    lesion = finding(report, "suspicious-lesion-in-zone")
    assert zone.value in lesion["zones"]
    if not declined:
        assert "Refer for a diagnosis" in report["decision_summary"]
