"""Properties of check-in triage: more symptoms never mean a milder level; red flags are red."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from builders import with_red_flag
from needlepoint.domain.checkins import (
    MAX_PAIN,
    CheckInAnswers,
    Degree,
    TriageLevel,
    TriageRules,
    triage,
)
from needlepoint.knowledge import checkins as triage_table

RULES = triage_table.load_triage_rules()
DEGREES = st.sampled_from(list(Degree))
DAYS = st.integers(min_value=0, max_value=RULES.last_day)


@st.composite
def answers(draw: st.DrawFn) -> CheckInAnswers:
    return CheckInAnswers(
        redness=draw(DEGREES),
        swelling=draw(DEGREES),
        pain=draw(st.integers(0, MAX_PAIN)),
        pus=draw(st.booleans()),
        fever=draw(st.booleans()),
        blisters=draw(st.booleans()),
        note=draw(st.text(max_size=50)),
    )


@st.composite
def worse(draw: st.DrawFn, base: CheckInAnswers) -> CheckInAnswers:
    """The same answers with any of them made worse (or kept)."""
    return CheckInAnswers(
        redness=draw(st.sampled_from([d for d in Degree if d.rank >= base.redness.rank])),
        swelling=draw(st.sampled_from([d for d in Degree if d.rank >= base.swelling.rank])),
        pain=draw(st.integers(base.pain, MAX_PAIN)),
        pus=base.pus or draw(st.booleans()),
        fever=base.fever or draw(st.booleans()),
        blisters=base.blisters or draw(st.booleans()),
    )


@given(data=st.data(), base=answers(), day=DAYS)
def test_adding_or_worsening_a_symptom_never_lowers_the_level(
    data: st.DataObject, base: CheckInAnswers, day: int
) -> None:
    more = data.draw(worse(base))

    before = triage(base, day=day, rules=RULES)
    after = triage(more, day=day, rules=RULES)

    assert after.level.rank >= before.level.rank
    assert {r.rule_id for r in before.reasons} <= {r.rule_id for r in after.reasons}


@given(base=answers(), day=DAYS, flag=st.sampled_from(["pus", "fever", "blisters"]))
def test_any_red_flag_answer_gives_red(base: CheckInAnswers, day: int, flag: str) -> None:
    result = triage(with_red_flag(base, flag), day=day, rules=RULES)

    assert result.level is TriageLevel.RED


@given(base=answers(), day=DAYS)
def test_the_level_is_the_worst_reason_and_green_has_none(base: CheckInAnswers, day: int) -> None:
    result = triage(base, day=day, rules=RULES)

    if result.reasons:
        assert result.level is max((r.level for r in result.reasons), key=lambda lv: lv.rank)
        assert all(r.sources for r in result.reasons)
    else:
        assert result.level is TriageLevel.GREEN


@given(base=answers(), day=DAYS, order=st.permutations(list(RULES.rules)))
def test_triage_does_not_depend_on_rule_order(base: CheckInAnswers, day: int, order: list) -> None:  # type: ignore[type-arg]
    shuffled = TriageRules(tuple(order), RULES.last_day, RULES.version)

    assert triage(base, day=day, rules=shuffled) == triage(base, day=day, rules=RULES)


@given(day=DAYS)
def test_no_symptom_at_all_is_green(day: int) -> None:
    nothing = CheckInAnswers(Degree.NONE, Degree.NONE, 0, pus=False, fever=False, blisters=False)

    assert triage(nothing, day=day, rules=RULES).level is TriageLevel.GREEN
