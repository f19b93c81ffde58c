"""How each finding that needs clearance stands on the first session day (issue 10)."""

from __future__ import annotations

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
from needlepoint.domain.consultation import Consultation
from needlepoint.domain.readiness import Prerequisite, Standing, prerequisites
from needlepoint.domain.screening import Severity, screen
from needlepoint.domain.vocabulary import ProcedureKind, Zone, ZoneCondition
from needlepoint.knowledge.rules import load_ruleset
from strategies import consultations

RULESET = load_ruleset()
STOPPED = date(2026, 9, 2)  # the six-month wait ends on 2027-03-02
WAIT_ENDS = date(2027, 3, 2)


def standing_on(consultation: Consultation, first: date) -> dict[str, Prerequisite]:
    screening = screen(consultation, RULESET, on=consultation.consulted_on)
    return {p.finding.rule_id: p for p in prerequisites(screening, first)}


def recent_isotretinoin(**history: object) -> Consultation:
    return make_consultation(
        history=make_history(isotretinoin=isotretinoin_stopped(STOPPED), **history)
    )


def test_a_wait_that_ends_on_the_first_session_day_has_passed_by_then() -> None:
    (wait,) = standing_on(recent_isotretinoin(), WAIT_ENDS).values()

    assert wait.standing is Standing.WAIT_ENDS_BY_FIRST_SESSION
    assert wait.wait_ends_on == WAIT_ENDS
    assert not wait.is_to_be_cleared_first


def test_a_wait_that_ends_a_day_after_the_first_session_is_to_be_cleared_first() -> None:
    (wait,) = standing_on(recent_isotretinoin(), WAIT_ENDS - timedelta(days=1)).values()

    assert wait.standing is Standing.WAIT_OUTLASTS_FIRST_SESSION
    assert wait.is_to_be_cleared_first


def test_a_finding_with_no_wait_is_always_to_be_cleared_first() -> None:
    found = standing_on(recent_isotretinoin(anticoagulant=True), WAIT_ENDS + timedelta(days=90))

    assert found["anticoagulant"].standing is Standing.CLEAR_BEFORE_FIRST_SESSION
    assert found["anticoagulant"].is_to_be_cleared_first
    assert found["anticoagulant"].wait_ends_on is None
    assert not found["isotretinoin-recent"].is_to_be_cleared_first


def test_a_finding_only_in_a_zone_left_out_of_the_series_is_not_to_be_cleared_first() -> None:
    filler = procedure(ProcedureKind.FILLER, CONSULTED_ON, Zone.CHIN)
    consultation = make_consultation(
        zones=[Zone.CHEEKS, Zone.CHIN],
        history=make_history(recent_procedures=(filler,)),
        conditions={Zone.CHIN: {ZoneCondition.INFECTION}},
    )

    (wait,) = standing_on(consultation, CONSULTED_ON).values()

    assert wait.standing is Standing.ZONES_LEFT_OUT
    assert not wait.is_to_be_cleared_first


def test_absolute_findings_and_cautions_ask_nothing_of_the_first_session() -> None:
    consultation = make_consultation(
        zones=[Zone.CHEEKS, Zone.CHIN],
        history=make_history(pigmentation_after_procedures=True),
        conditions={Zone.CHIN: {ZoneCondition.INFECTION}},
    )

    assert standing_on(consultation, CONSULTED_ON) == {}


@given(consultation=consultations(), first_after=st.integers(0, 400))
def test_every_relative_finding_stands_one_way_and_a_wait_only_by_its_end(
    consultation: Consultation, first_after: int
) -> None:
    on = consultation.consulted_on
    screening = screen(consultation, RULESET, on=on)
    first = on + timedelta(days=first_after)

    found = prerequisites(screening, first)

    relative = [f for f in screening.findings if f.severity is Severity.RELATIVE]
    assert [p.finding for p in found] == relative
    for p in found:
        ends = p.finding.clears_on
        if not screening.is_delayed_by(p.finding):
            assert p.standing is Standing.ZONES_LEFT_OUT
        elif ends is None:
            assert p.standing is Standing.CLEAR_BEFORE_FIRST_SESSION
        else:
            assert p.is_to_be_cleared_first is (ends > first)
