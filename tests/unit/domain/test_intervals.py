"""The interval limits between a patient's sessions, checked against a brute-force reading.

``minimum-interval`` holds across every series on a shared zone (the stricter minimum when two
series meet); ``interval-beyond-maximum`` is soft within one series up to the reason's bound,
hard past it; the dates a problem offers are dates that pass.
"""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from needlepoint.domain.errors import FieldProblem
from needlepoint.domain.intervals import (
    IntervalBeyondMaximumError,
    IntervalKind,
    MinimumIntervalError,
    Visit,
    blocked_days,
    interval_problems,
    interval_refusal,
    too_soon_on_a_zone,
)
from needlepoint.domain.limits import INTERVAL_BEYOND_MAXIMUM, MINIMUM_INTERVAL
from needlepoint.domain.scheduling import SeriesRules
from needlepoint.domain.vocabulary import Zone

DAY0 = date(2027, 1, 4)
SERIES_A, SERIES_B = UUID(int=1), UUID(int=2)
ZONES = [Zone.CHEEKS, Zone.CHIN, Zone.FOREHEAD]

zone_sets = st.frozensets(st.sampled_from(ZONES), min_size=1, max_size=3)


@st.composite
def visits(draw: st.DrawFn, number: int = 1) -> Visit:
    return Visit(
        id=uuid4(),
        series_id=draw(st.sampled_from([SERIES_A, SERIES_B])),
        session_number=number,
        on=DAY0 + timedelta(days=draw(st.integers(0, 120))),
        zones=draw(zone_sets),
        min_interval_days=draw(st.integers(1, 35)),
    )


def too_close(one: Visit, other: Visit, on: date) -> bool:
    """The rule, read plainly: a shared zone, and fewer days apart than the stricter minimum."""
    minimum = max(one.min_interval_days, other.min_interval_days)
    return bool(one.zones & other.zones) and abs((on - other.on).days) < minimum


def at(visit: Visit, on: date) -> Visit:
    return Visit(
        visit.id, visit.series_id, visit.session_number, on, visit.zones, visit.min_interval_days
    )


# ------------------------------------------------------------------ minimum, across series


@given(st.lists(visits(), max_size=8), visits(number=9))
def test_a_planned_visit_is_flagged_exactly_when_it_is_too_close_to_another(
    known: list[Visit], planned: Visit
) -> None:
    problems = too_soon_on_a_zone(known, [planned])

    assert bool(problems) == any(too_close(planned, other, planned.on) for other in known)
    for problem in problems:
        assert problem.kind is IntervalKind.TOO_SOON
        assert problem.limit_id == MINIMUM_INTERVAL and problem.is_hard
        assert abs(problem.gap_days) < problem.limit_days


@given(st.lists(visits(), max_size=8), visits(number=9))
def test_the_earliest_date_offered_is_the_nearest_clear_day_after(
    known: list[Visit], planned: Visit
) -> None:
    problems = too_soon_on_a_zone(known, [planned])
    assume(problems)
    (problem,) = problems
    assert problem.earliest_on is not None

    assert not any(too_close(planned, o, problem.earliest_on) for o in known)
    between = range(1, (problem.earliest_on - planned.on).days)
    for n in between:
        day = planned.on + timedelta(days=n)
        assert any(too_close(planned, o, day) for o in known), day
    assert too_soon_on_a_zone(known, [at(planned, problem.earliest_on)]) == ()


@given(st.lists(visits(), max_size=8), visits(number=9), st.integers(1, 34))
def test_a_visit_before_its_clash_is_also_offered_the_nearest_clear_day_before(
    others: list[Visit], planned: Visit, ahead_days: int
) -> None:
    # A visit on the same zones a little after the planned one, so that most examples clash
    # from after (random visits alone made Hypothesis's filter health check fail now and then).
    later_on = planned.on + timedelta(days=ahead_days)  # closer than its 35-day minimum
    known = [*others, Visit(uuid4(), SERIES_B, 2, later_on, planned.zones, 35)]
    problems = too_soon_on_a_zone(known, [planned])
    assume(problems and problems[0].gap_days < 0)
    latest_on = problems[0].latest_on
    assert latest_on is not None

    assert latest_on < planned.on
    assert not any(too_close(planned, o, latest_on) for o in known)


@given(visits(), visits(number=2))
def test_two_visits_clash_both_ways_or_not_at_all(one: Visit, other: Visit) -> None:
    assert bool(too_soon_on_a_zone([one], [other])) == bool(too_soon_on_a_zone([other], [one]))


@given(st.lists(visits(), max_size=6), zone_sets, st.integers(1, 35), st.integers(-40, 160))
def test_blocked_days_are_the_days_a_session_would_clash(
    known: list[Visit], zones: frozenset[Zone], minimum: int, offset: int
) -> None:
    day = DAY0 + timedelta(days=offset)
    candidate = Visit(uuid4(), SERIES_A, 9, day, zones, minimum)

    blocked = blocked_days(known, zones, minimum)

    assert (day in blocked) == any(too_close(candidate, o, day) for o in known)


def test_two_series_of_one_course_eleven_days_apart_clash_on_a_shared_zone() -> None:
    first = Visit(uuid4(), SERIES_A, 1, DAY0, frozenset({Zone.CHEEKS, Zone.CHIN}), 14)
    second = Visit(uuid4(), SERIES_B, 1, DAY0 + timedelta(days=11), frozenset({Zone.CHIN}), 14)
    elsewhere = Visit(uuid4(), SERIES_B, 1, second.on, frozenset({Zone.FOREHEAD}), 14)

    (problem,) = too_soon_on_a_zone([first], [second])

    assert str(problem) == (
        "session 1 is 11 days after session 1 of another series on a shared zone (chin); "
        "the minimum is 14 days"
    )
    assert problem.fix == f"choose {DAY0 + timedelta(days=14)} or later."
    assert too_soon_on_a_zone([first], [elsewhere]) == ()


def test_the_stricter_minimum_applies_when_two_series_meet() -> None:
    strict = Visit(uuid4(), SERIES_A, 1, DAY0, frozenset({Zone.CHEEKS}), 28)
    lenient = Visit(uuid4(), SERIES_B, 1, DAY0 + timedelta(days=20), frozenset({Zone.CHEEKS}), 14)

    (problem,) = too_soon_on_a_zone([strict], [lenient])

    assert (problem.gap_days, problem.limit_days) == (20, 28)
    assert problem.earliest_on == DAY0 + timedelta(days=28)


def test_planned_visits_are_measured_against_each_other() -> None:
    one = Visit(uuid4(), SERIES_A, 1, DAY0, frozenset({Zone.CHEEKS}), 14)
    two = Visit(uuid4(), SERIES_A, 2, DAY0 + timedelta(days=3), frozenset({Zone.CHEEKS}), 14)

    problems = too_soon_on_a_zone([], [one, two])

    assert [p.session_number for p in problems] == [1, 2]


# ------------------------------------------------------------------ within one series


def rules(min_days: int = 14, max_days: int = 42) -> SeriesRules:
    return SeriesRules(
        sessions=4,
        interval_days=28,
        min_interval_days=min_days,
        max_interval_days=max_days,
        earliest_on=DAY0,
    )


@given(
    min_days=st.integers(1, 28),
    spread=st.integers(0, 28),
    extra_days=st.integers(0, 60),
    gap_days=st.integers(-40, 200),
)
def test_each_gap_is_out_of_order_soon_fine_late_or_too_late_by_its_bounds(
    min_days: int, spread: int, extra_days: int, gap_days: int
) -> None:
    max_days = min_days + spread
    days = {1: DAY0, 2: DAY0 + timedelta(days=gap_days)}

    problems = interval_problems(rules(min_days, max_days), days, extra_days=extra_days)

    kinds = [p.kind for p in problems]
    if gap_days < 0:
        assert kinds == [IntervalKind.OUT_OF_ORDER]
    elif gap_days < min_days:
        assert kinds == [IntervalKind.TOO_SOON]
    elif gap_days <= max_days:
        assert kinds == []
    elif gap_days <= max_days + extra_days:
        assert kinds == [IntervalKind.TOO_LATE]
        assert problems[0].passes_with_reason
        assert problems[0].reason_bound_on == DAY0 + timedelta(days=max_days + extra_days)
    else:
        assert kinds == [IntervalKind.FAR_TOO_LATE]
        assert problems[0].is_hard
    assert all(p.session_number == 2 and p.other_number == 1 for p in problems)
    assert all(p.limit_id in {MINIMUM_INTERVAL, INTERVAL_BEYOND_MAXIMUM} for p in problems)


@given(
    min_days=st.integers(1, 28),
    spread=st.integers(0, 28),
    extra_days=st.integers(0, 60),
    gap_days=st.integers(-40, 200),
    changed=st.sampled_from([1, 2]),
)
def test_the_date_offered_to_the_session_changed_passes(
    min_days: int, spread: int, extra_days: int, gap_days: int, changed: int
) -> None:
    series = rules(min_days, min_days + spread)
    days = {1: DAY0 + timedelta(days=100), 2: DAY0 + timedelta(days=100 + gap_days)}
    problems = interval_problems(series, days, extra_days=extra_days, changed={changed})
    assume(problems)
    (problem,) = problems
    offered = problem.earliest_on or problem.latest_on
    assert offered is not None
    assert problem.session_number == changed

    again = interval_problems(
        series, days | {changed: offered}, extra_days=extra_days, changed={changed}
    )

    assert all(p.passes_with_reason for p in again)
    if problem.kind is not IntervalKind.FAR_TOO_LATE:
        assert again == ()


def test_an_earlier_session_moved_after_the_next_is_out_of_order_and_offered_an_earlier_day() -> (
    None
):
    days = {1: DAY0 + timedelta(days=30), 2: DAY0 + timedelta(days=16)}

    (problem,) = interval_problems(rules(), days, extra_days=42, changed={1})

    assert problem.kind is IntervalKind.OUT_OF_ORDER
    assert str(problem) == (
        "session 1 is 14 days after session 2: sessions are held in order, at least 14 days apart"
    )
    assert problem.fix == f"choose {DAY0 + timedelta(days=2)} or earlier."


def test_a_gap_widened_by_moving_the_earlier_session_is_offered_a_later_day() -> None:
    days = {1: DAY0, 2: DAY0 + timedelta(days=50)}

    (problem,) = interval_problems(rules(), days, extra_days=42, changed={1})

    assert str(problem) == "session 1 is 50 days before session 2; the maximum is 42 days"
    assert problem.fix == (
        f"give a reason for the longer gap (a reason covers it from {DAY0 - timedelta(days=34)})"
        f", or choose {DAY0 + timedelta(days=8)} or later."
    )


def test_interval_problems_keep_their_limits_and_words() -> None:
    days = {1: DAY0 - timedelta(days=2), 2: DAY0 + timedelta(days=8), 3: DAY0 + timedelta(days=67)}

    problems = {p.session_number: p for p in interval_problems(rules(), days, extra_days=42)}

    assert problems[1].limit_id == "deferral-date"
    assert "before the earliest eligible date 2027-01-04" in str(problems[1])
    assert problems[2].limit_id == "minimum-interval"
    assert "10 days after session 1; the minimum is 14" in str(problems[2])
    assert problems[3].limit_id == "interval-beyond-maximum"
    assert "59 days after session 2; the maximum is 42" in str(problems[3])
    assert "give a reason" in problems[3].fix


# ------------------------------------------------------------------ refusals


@pytest.mark.parametrize(
    ("limits", "refusal"),
    [
        ([INTERVAL_BEYOND_MAXIMUM], IntervalBeyondMaximumError),
        ([INTERVAL_BEYOND_MAXIMUM, MINIMUM_INTERVAL], MinimumIntervalError),
        ([MINIMUM_INTERVAL, INTERVAL_BEYOND_MAXIMUM], MinimumIntervalError),
    ],
)
def test_a_refusal_carries_every_problem_and_the_gravest_limit_as_its_code(
    limits: list[str], refusal: type[Exception]
) -> None:
    problems = [
        FieldProblem(f"sessions[{n}].starts_at", "x.", "y.", code=limit)
        for n, limit in enumerate(limits)
    ]

    error = interval_refusal(problems)

    assert type(error) is refusal
    assert error.problems == tuple(problems)
    assert [p.code for p in error.problems] == limits
