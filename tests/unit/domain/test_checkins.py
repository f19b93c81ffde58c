"""Triage of a daily check-in, with the rules from ``checkin_triage.yaml``."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from builders import with_red_flag
from needlepoint.domain.checkins import (
    CheckInAnswers,
    Degree,
    TriageLevel,
    check_in_open,
    day_after,
    triage,
)
from needlepoint.domain.errors import InvalidInputError, KnowledgeError
from needlepoint.knowledge import checkins as triage_table
from needlepoint.knowledge import rules as red_flag_table

RULES = triage_table.load_triage_rules()
HEALING = CheckInAnswers(Degree.MILD, Degree.MILD, pain=2, pus=False, fever=False, blisters=False)


def test_mild_redness_and_swelling_on_the_day_after_is_green() -> None:
    result = triage(HEALING, day=1, rules=RULES)

    assert result.level is TriageLevel.GREEN
    assert result.reasons == ()
    assert result.rules_version == RULES.version


@pytest.mark.parametrize("answer", ["pus", "fever", "blisters"])
def test_a_red_flag_answer_is_red_on_any_day(answer: str) -> None:
    answers = with_red_flag(HEALING, answer)

    results = [triage(answers, day=day, rules=RULES) for day in range(RULES.last_day + 1)]

    assert {r.level for r in results} == {TriageLevel.RED}
    assert all(answer in r.reasons[0].rule_id for r in results)


def test_fever_names_the_infection_sources() -> None:
    result = triage(replace(HEALING, fever=True), day=2, rules=RULES)

    reason = result.reasons[0]
    assert reason.rule_id == "fever"
    assert "fda-den160029-skinpen" in reason.sources
    assert not reason.unverified


def test_severe_swelling_is_amber_and_marked_as_an_inferred_threshold() -> None:
    result = triage(replace(HEALING, swelling=Degree.SEVERE), day=0, rules=RULES)

    assert result.level is TriageLevel.AMBER
    assert [r.rule_id for r in result.reasons] == ["severe-swelling"]
    assert result.reasons[0].unverified


@pytest.mark.parametrize(("pain", "level"), [(6, TriageLevel.GREEN), (7, TriageLevel.AMBER)])
def test_pain_of_seven_or_more_is_amber(pain: int, level: TriageLevel) -> None:
    assert triage(replace(HEALING, pain=pain), day=0, rules=RULES).level is level


def test_redness_is_expected_for_three_days_and_amber_from_the_fourth() -> None:
    red = replace(HEALING, redness=Degree.MODERATE)

    levels = [triage(red, day=day, rules=RULES).level for day in range(6)]

    assert levels[:4] == [TriageLevel.GREEN] * 4
    assert levels[4:] == [TriageLevel.AMBER] * 2


def test_red_wins_over_amber_and_every_reason_is_kept_worst_first() -> None:
    answers = replace(HEALING, pain=9, pus=True, swelling=Degree.SEVERE)

    result = triage(answers, day=1, rules=RULES)

    assert result.level is TriageLevel.RED
    assert [r.level for r in result.reasons] == [
        TriageLevel.RED,
        TriageLevel.AMBER,
        TriageLevel.AMBER,
    ]
    assert result.needs_attention


def test_pain_outside_the_scale_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidInputError) as raised:
        replace(HEALING, pain=11)

    assert [p.field for p in raised.value.problems] == ["pain"]


def test_an_over_long_note_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidInputError) as raised:
        replace(HEALING, note="x" * 1001)

    assert [p.field for p in raised.value.problems] == ["note"]


def test_check_ins_are_open_from_the_treatment_day_to_the_last_day() -> None:
    treated = date(2026, 11, 20)

    days = [day_after(treated, date(2026, 11, d)) for d in (19, 20, 27, 28)]

    assert [check_in_open(day, RULES) for day in days] == [False, True, True, False]


def test_every_red_rule_stands_for_a_red_flag_of_the_table() -> None:
    flags = {row.id for row in red_flag_table.red_flags_table().red_flags}

    red = [r for r in RULES.rules if r.level is TriageLevel.RED]

    assert red
    assert all(rule.red_flag in flags for rule in red)


def test_a_rule_naming_an_unknown_red_flag_is_refused() -> None:
    parsed = triage_table.load_triage_file()
    broken = parsed.model_copy(
        update={"rules": (parsed.rules[0].model_copy(update={"red_flag": "no-such-flag"}),)}
    )

    with pytest.raises(KnowledgeError, match="no-such-flag"):
        triage_table.build_triage_rules(broken, red_flags=frozenset({"skin-infection"}))


@pytest.mark.parametrize(
    ("answer", "at_least"),
    [("pus", 1), ("swelling", "huge"), ("pain", 11), ("pain", True), ("redness", 2)],
)
def test_a_threshold_that_does_not_fit_its_answer_is_refused(answer: str, at_least: object) -> None:
    parsed = triage_table.load_triage_file()
    row = parsed.rules[0].model_copy(update={"answer": answer, "at_least": at_least})

    with pytest.raises(KnowledgeError, match="at_least"):
        triage_table.build_triage_rules(
            parsed.model_copy(update={"rules": (row,)}), red_flags=frozenset({"skin-infection"})
        )


def test_a_rule_firing_after_the_last_check_in_day_is_refused() -> None:
    parsed = triage_table.load_triage_file()
    row = parsed.rules[-1].model_copy(update={"from_day": parsed.window.last_day + 1})

    with pytest.raises(KnowledgeError, match="from_day"):
        triage_table.build_triage_rules(
            parsed.model_copy(update={"rules": (row,)}), red_flags=frozenset()
        )
