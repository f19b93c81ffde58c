"""Screening with the real ruleset: the four decisions, zone exclusions and invariants."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from builders import (
    CONSULTED_ON,
    isotretinoin_stopped,
    make_consultation,
    make_history,
    procedure,
)
from needlepoint.domain import charting
from needlepoint.domain.consultation import Consultation, TreatmentRequest, ZoneState
from needlepoint.domain.screening import (
    Course,
    Decision,
    Match,
    Rule,
    Screening,
    findings_on,
    screen,
)
from needlepoint.domain.vocabulary import Indication, ProcedureKind, Zone, ZoneCondition
from needlepoint.knowledge import files, rules, schema
from needlepoint.knowledge.rules import load_ruleset
from strategies import consultations

ON = CONSULTED_ON
RULESET = rules.load_ruleset()
KNOWN_SOURCES = {s.id for s in files.parse_table("sources", schema.SourcesFile).sources}


def screened(consultation: Consultation, on: date = ON) -> Screening:
    return screen(consultation, RULESET, on=on)


def rule_ids(screening: Screening) -> set[str]:
    return {f.rule_id for f in screening.findings}


def days_ago(days: int) -> date:
    return ON - timedelta(days=days)


# --- the four decisions -----------------------------------------------------------------


def test_a_clean_consultation_proceeds_today_with_every_zone() -> None:
    screening = screened(make_consultation(zones=[Zone.CHEEKS, Zone.CHIN]))

    assert screening.decision is Decision.PROCEED
    assert screening.findings == ()
    assert screening.treatable_zones == (Zone.CHEEKS, Zone.CHIN)
    assert screening.earliest_eligible_on == ON
    assert screening.ruleset_version == RULESET.version


def test_an_anticoagulant_needs_physician_clearance_but_allows_a_series() -> None:
    screening = screened(make_consultation(history=make_history(anticoagulant=True)))

    assert screening.decision is Decision.NEEDS_CLEARANCE
    assert screening.allows_series
    assert rule_ids(screening) == {"anticoagulant"}


def test_a_caution_alone_still_proceeds() -> None:
    screening = screened(
        make_consultation(history=make_history(pigmentation_after_procedures=True))
    )

    assert screening.decision is Decision.PROCEED
    assert rule_ids(screening) == {"pigmentation-history"}


def test_pregnancy_defers_with_no_date_to_offer() -> None:
    screening = screened(make_consultation(history=make_history(pregnant=True)))

    assert screening.decision is Decision.DEFER
    assert screening.earliest_eligible_on is None
    assert "pregnancy" in rule_ids(screening)


def test_a_bleeding_disorder_declines_the_programme() -> None:
    screening = screened(make_consultation(history=make_history(bleeding_disorder=True)))

    assert screening.decision is Decision.DECLINE
    assert screening.earliest_eligible_on is None
    assert screening.treatable_zones == ()


def test_isotretinoin_stopped_two_months_ago_needs_clearance_until_six_months_have_passed() -> None:
    history = make_history(isotretinoin=isotretinoin_stopped(date(2026, 9, 2)))

    screening = screened(make_consultation(history=history))

    assert screening.decision is Decision.NEEDS_CLEARANCE
    assert screening.earliest_eligible_on == date(2027, 3, 2)


# --- zones ------------------------------------------------------------------------------


def test_active_acne_on_the_chin_excludes_only_the_chin_and_the_programme_proceeds() -> None:
    consultation = make_consultation(
        zones=[Zone.CHEEKS, Zone.CHIN],
        conditions={Zone.CHIN: {ZoneCondition.ACTIVE_INFLAMMATORY_ACNE}},
    )

    screening = screened(consultation)

    assert screening.decision is Decision.PROCEED
    assert screening.treatable_zones == (Zone.CHEEKS,)
    [exclusion] = screening.exclusions
    assert exclusion.zone is Zone.CHIN
    assert exclusion.rule_ids == ("active-acne-in-zone",)
    assert not exclusion.permanent


def test_every_zone_out_for_now_defers_until_the_first_zone_reopens() -> None:
    history = make_history(
        recent_procedures=(
            procedure(ProcedureKind.WAXING, days_ago(3), Zone.CHEEKS),
            procedure(ProcedureKind.SUPERFICIAL_PEEL, days_ago(10), Zone.CHIN),
        )
    )
    consultation = make_consultation(zones=[Zone.CHEEKS, Zone.CHIN], history=history)

    screening = screened(consultation)

    assert screening.decision is Decision.DEFER
    assert screening.treatable_zones == ()
    assert screening.earliest_eligible_on == ON + timedelta(days=4)


def test_every_zone_out_for_an_undated_reason_defers_without_a_date() -> None:
    consultation = make_consultation(conditions={Zone.CHEEKS: {ZoneCondition.SUNBURN}})

    screening = screened(consultation)

    assert screening.decision is Decision.DEFER
    assert screening.earliest_eligible_on is None


def test_recent_resurfacing_in_the_only_zone_defers_until_the_waiting_period_ends() -> None:
    history = make_history(
        recent_procedures=(procedure(ProcedureKind.ABLATIVE_LASER, days_ago(30), Zone.CHEEKS),)
    )

    screening = screened(make_consultation(history=history))

    assert screening.decision is Decision.DEFER
    assert screening.earliest_eligible_on == ON + timedelta(days=60)
    assert rule_ids(screening) == {"recent-resurfacing-in-zone"}


def test_a_suspicious_lesion_in_one_zone_defers_every_zone_with_no_date_to_offer() -> None:
    consultation = make_consultation(
        zones=[Zone.CHEEKS, Zone.CHIN],
        conditions={Zone.CHIN: {ZoneCondition.SUSPICIOUS_LESION}},
    )

    screening = screened(consultation)

    assert screening.decision is Decision.DEFER
    assert screening.treatable_zones == ()
    assert screening.earliest_eligible_on is None
    (lesion,) = screening.findings
    assert lesion.rule_id == "suspicious-lesion-in-zone"
    assert lesion.zones == (Zone.CHIN,)
    assert lesion.holds_programme and lesion.blocks_patient


def test_a_suspicious_lesion_found_on_a_session_day_stops_the_session() -> None:
    consultation = make_consultation(conditions={Zone.CHEEKS: {ZoneCondition.SUSPICIOUS_LESION}})

    blocking = charting.blocking_findings(screened(consultation).findings)

    assert [f.rule_id for f in blocking] == ["suspicious-lesion-in-zone"]


def test_a_suspicious_lesion_with_a_bleeding_disorder_is_still_declined() -> None:
    consultation = make_consultation(
        history=make_history(bleeding_disorder=True),
        conditions={Zone.CHEEKS: {ZoneCondition.SUSPICIOUS_LESION}},
    )

    assert screened(consultation).decision is Decision.DECLINE


def test_other_zone_findings_exclude_their_zone_but_do_not_hold_the_programme() -> None:
    consultation = make_consultation(
        zones=[Zone.CHEEKS, Zone.CHIN],
        conditions={Zone.CHIN: {ZoneCondition.INFECTION}},
    )

    screening = screened(consultation)

    assert screening.decision is Decision.PROCEED
    assert not any(f.holds_programme or f.blocks_patient for f in screening.findings)


def test_eyelids_alone_are_declined() -> None:
    screening = screened(make_consultation(zones=[Zone.EYELIDS]))

    assert screening.decision is Decision.DECLINE
    assert rule_ids(screening) == {"inside-orbital-rim"}
    assert screening.exclusions[0].permanent


def test_eyelids_with_cheeks_treats_the_cheeks_and_never_the_eyelids() -> None:
    screening = screened(make_consultation(zones=[Zone.CHEEKS, Zone.EYELIDS]))

    assert screening.decision is Decision.PROCEED
    assert screening.treatable_zones == (Zone.CHEEKS,)
    assert [e.zone for e in screening.exclusions] == [Zone.EYELIDS]


def test_hair_loss_alone_is_declined_as_out_of_scope() -> None:
    consultation = make_consultation(
        requests=(TreatmentRequest(indication=Indication.HAIR_LOSS, zones=(Zone.SCALP,)),),
        scar_assessments=(),
    )

    screening = screened(consultation)

    assert screening.decision is Decision.DECLINE
    assert rule_ids(screening) == {"hair-loss-out-of-scope"}


# --- properties -------------------------------------------------------------------------


@given(consultation=consultations(), order=st.permutations(RULESET.rules))
def test_screening_does_not_depend_on_rule_order(
    consultation: Consultation, order: list[Rule]
) -> None:
    shuffled = replace(RULESET, rules=tuple(order))
    on = consultation.consulted_on

    assert screen(consultation, shuffled, on=on) == screen(consultation, RULESET, on=on)


@given(consultation=consultations(), later=st.integers(0, 800))
def test_findings_on_a_later_day_equal_a_fresh_screening_of_that_day(
    consultation: Consultation, later: int
) -> None:
    on = consultation.consulted_on
    day = on + timedelta(days=later)

    assert findings_on(consultation, RULESET, screened(consultation, on), day=day) == (
        screened(consultation, day).findings
    )


def test_only_the_rules_that_read_the_day_are_asked_again_on_another_day() -> None:
    asked: list[str] = []

    def counting(rule: Rule) -> Rule:
        def predicate(consultation: Consultation, on: date) -> Match | None:
            asked.append(rule.id)
            return rule.predicate(consultation, on)

        return replace(rule, predicate=predicate)

    counted = replace(RULESET, rules=tuple(counting(r) for r in RULESET.rules))
    consultation = make_consultation()
    first = screen(consultation, counted, on=ON)
    asked.clear()

    findings_on(consultation, counted, first, day=ON + timedelta(days=30))

    dated = {r.id for r in RULESET.rules if r.reads_day}
    assert set(asked) == dated
    assert 0 < len(dated) < len(RULESET.rules)


@given(consultation=consultations(), later=st.integers(0, 400))
def test_defer_and_decline_never_offer_treatable_zones_or_a_series(
    consultation: Consultation, later: int
) -> None:
    screening = screened(consultation, consultation.consulted_on + timedelta(days=later))

    if screening.decision in (Decision.DEFER, Decision.DECLINE):
        assert screening.treatable_zones == ()
        assert not screening.allows_series


@given(consultation=consultations())
def test_every_finding_cites_known_sources(consultation: Consultation) -> None:
    screening = screened(consultation, consultation.consulted_on)

    for finding in screening.findings:
        assert finding.provenance.sources
        assert set(finding.provenance.sources) <= KNOWN_SOURCES


@given(consultation=consultations(), data=st.data())
def test_a_suspicious_lesion_in_any_requested_zone_defers_unless_something_declines(
    consultation: Consultation, data: st.DataObject
) -> None:
    zone = data.draw(st.sampled_from(consultation.requested_zones))
    states = {s.zone: s.conditions for s in consultation.zone_states}
    states[zone] = states.get(zone, frozenset()) | {ZoneCondition.SUSPICIOUS_LESION}
    lesion = replace(
        consultation, zone_states=tuple(ZoneState(z, c) for z, c in sorted(states.items()))
    )

    screening = screened(lesion, lesion.consulted_on)

    declined = any(f.blocks_patient and f.course is Course.PERMANENT for f in screening.findings)
    assert screening.decision is (Decision.DECLINE if declined else Decision.DEFER)
    assert screening.treatable_zones == ()
    assert screening.earliest_eligible_on is None
    assert not screening.allows_series


@given(consultation=consultations(), later=st.integers(0, 400))
def test_a_decline_never_offers_a_date(consultation: Consultation, later: int) -> None:
    screening = screened(consultation, consultation.consulted_on + timedelta(days=later))

    if screening.decision is Decision.DECLINE:
        assert screening.earliest_eligible_on is None


@given(consultation=consultations(), later=st.integers(0, 400))
def test_the_earliest_eligible_day_is_never_before_the_screening_day(
    consultation: Consultation, later: int
) -> None:
    on = consultation.consulted_on + timedelta(days=later)

    screening = screened(consultation, on)

    if screening.earliest_eligible_on is not None:
        assert screening.earliest_eligible_on >= on


@given(consultation=consultations())
def test_treatable_and_excluded_zones_are_requested_zones_that_never_overlap(
    consultation: Consultation,
) -> None:
    screening = screened(consultation, consultation.consulted_on)
    excluded = {e.zone for e in screening.exclusions}

    assert excluded <= set(consultation.requested_zones)
    assert set(screening.treatable_zones) <= set(consultation.requested_zones) - excluded


def test_a_zone_excluded_for_a_waiting_period_does_not_delay_the_other_zones() -> None:
    waxed = procedure(ProcedureKind.WAXING, CONSULTED_ON, Zone.CHIN)
    consultation = make_consultation(
        zones=[Zone.CHEEKS, Zone.CHIN], history=make_history(recent_procedures=(waxed,))
    )

    result = screen(consultation, load_ruleset(), on=CONSULTED_ON)

    assert result.decision.value == "proceed"
    assert [e.zone for e in result.exclusions] == [Zone.CHIN]
    assert result.earliest_eligible_on == CONSULTED_ON
