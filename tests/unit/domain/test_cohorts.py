"""Cohort analytics (ADR 0045): outcomes, windows, suppression and the estimates' coverage."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from cohort_support import FIRST, GBQ, series, simulated_clinic
from needlepoint.domain import cohorts
from needlepoint.domain.cohorts import (
    MIN_CELL_PATIENTS,
    CohortCell,
    CohortFilter,
    Estimate,
    FitzpatrickGroup,
    Horizon,
    RawCell,
    Score,
    SeriesFacts,
    SuppressedCell,
    SuppressedEstimate,
)


def test_the_interval_holds_the_true_difference_in_at_least_90_of_100_simulations() -> None:
    covered = 0
    for seed in range(100):
        found = cohorts.report(simulated_clinic(seed), CohortFilter(reference_sessions=3))
        (four,) = [
            e for e in found.estimates if e.sessions == 4 and e.horizon is Horizon.THREE_MONTHS
        ]
        assert isinstance(four, Estimate)
        assert four.adjusted
        covered += four.low <= 2.0 <= four.high
    assert covered >= 90


def test_an_estimate_without_a_difference_is_near_zero_and_names_few_patients() -> None:
    facts = [
        series(n, sessions=3 + n % 2, baseline=30.0, three_months=20.0 + (n % 3)) for n in range(12)
    ]
    found = cohorts.report(facts, CohortFilter(reference_sessions=3))
    (four,) = [e for e in found.estimates if e.horizon is Horizon.THREE_MONTHS]
    assert isinstance(four, Estimate)
    assert four.few_patients
    assert four.low <= 0.0 <= four.high


def test_a_comparison_with_a_group_under_five_is_suppressed() -> None:
    facts = [series(n, sessions=3, baseline=30.0, three_months=20.0 + n % 4) for n in range(10)]
    facts += [series(100 + n, sessions=4, baseline=30.0, three_months=18.0) for n in range(4)]
    found = cohorts.report(facts, CohortFilter(reference_sessions=3))
    assert all(isinstance(e, SuppressedEstimate) for e in found.estimates)
    four = [c for c in found.cells if c.sessions == 4]
    assert four
    assert all(isinstance(c, SuppressedCell) for c in four)


def test_the_follow_up_is_the_score_closest_to_three_months_inside_the_window() -> None:
    last = FIRST + timedelta(days=56)
    facts = SeriesFacts(
        "s", "p", ("acne_scars",), 3, "pen", ("forehead",), Decimal(1), 28, 3, FIRST, last,
        (
            Score(GBQ, FIRST, Decimal(30)),
            Score(GBQ, last + timedelta(days=60), Decimal(25)),  # outside the ±30-day window
            Score(GBQ, last + timedelta(days=80), Decimal(22)),
            Score(GBQ, last + timedelta(days=93), Decimal(20)),
        ),
    )  # fmt: skip
    chosen = cohorts.follow_up_score(facts, GBQ, Horizon.THREE_MONTHS)
    assert chosen is not None
    assert chosen.value == Decimal(20)
    assert cohorts.follow_up_score(facts, GBQ, Horizon.SIX_MONTHS) is None
    outcome = cohorts.outcome_of(facts, GBQ)
    assert outcome is not None
    assert outcome.improvement == {Horizon.THREE_MONTHS: 10.0}


def test_a_score_after_the_first_session_is_not_a_baseline() -> None:
    facts = series(1, sessions=3, baseline=30.0, three_months=20.0)
    late_only = SeriesFacts(
        **{**{f: getattr(facts, f) for f in facts.__slots__}, "scores": facts.scores[2:]}
    )
    assert cohorts.outcome_of(late_only, GBQ) is None


def test_the_filters_choose_the_cohort() -> None:
    facts = [
        series(n, sessions=3, baseline=30.0, three_months=20.0, fitzpatrick=1 + n % 6)
        for n in range(12)
    ]
    dark = cohorts.cohort_outcomes(facts, CohortFilter(fitzpatrick=FitzpatrickGroup.V_VI))
    assert len(dark) == 4
    assert not cohorts.cohort_outcomes(facts, CohortFilter(indication="striae"))
    assert len(cohorts.cohort_outcomes(facts, CohortFilter(baseline_grade=3))) == 12
    assert not cohorts.cohort_outcomes(facts, CohortFilter(sessions=4))


def test_one_patient_counts_once() -> None:
    one = series(1, sessions=3, baseline=30.0, three_months=20.0)
    again = SeriesFacts(**{**{f: getattr(one, f) for f in one.__slots__}, "series_id": "s2"})
    assert len(cohorts.cohort_outcomes([one, again], CohortFilter())) == 1


@given(
    st.lists(
        st.tuples(st.integers(1, 8), st.lists(st.floats(-50, 50), min_size=0, max_size=12)),
        max_size=10,
    )
)
def test_suppression_hides_every_cell_under_five(groups: list[tuple[int, list[float]]]) -> None:
    for sessions, values in groups:
        raw = RawCell(sessions, Horizon.THREE_MONTHS, tuple(values), tuple(values), ())
        shown = cohorts.suppress(raw)
        if len(values) < MIN_CELL_PATIENTS:
            assert isinstance(shown, SuppressedCell)
            assert not hasattr(shown, "patients")
        else:
            assert isinstance(shown, CohortCell)
            assert shown.patients == len(values)


@given(st.lists(st.tuples(st.integers(2, 5), st.integers(0, 7)), min_size=1, max_size=40))
def test_no_shown_cell_or_estimate_rests_on_fewer_than_five(spec: list[tuple[int, int]]) -> None:
    facts = [
        series(n, sessions=sessions, baseline=30.0, three_months=30.0 - gain)
        for n, (sessions, gain) in enumerate(spec)
    ]
    found = cohorts.report(facts, CohortFilter(reference_sessions=3))
    for cell in found.cells:
        if isinstance(cell, CohortCell):
            assert cell.patients >= MIN_CELL_PATIENTS
    for shown in found.estimates:
        if isinstance(shown, Estimate):
            groups = [s for s, _ in spec if s in (shown.sessions, shown.reference_sessions)]
            assert min(groups.count(shown.sessions), groups.count(3)) >= MIN_CELL_PATIENTS
    assert found.patients == 0 or found.patients >= MIN_CELL_PATIENTS


def test_student_t_quantiles() -> None:
    assert abs(cohorts.t_quantile_975(10) - 2.228) < 0.01
    assert abs(cohorts.t_quantile_975(1000) - 1.962) < 0.01


def test_an_estimate_is_few_patients_when_its_smaller_group_is() -> None:
    facts = [series(n, sessions=3, baseline=30.0, three_months=20.0 + n % 3) for n in range(40)]
    facts += [
        series(100 + n, sessions=4, baseline=30.0, three_months=18.0 + n % 3) for n in range(8)
    ]
    found = cohorts.report(facts, CohortFilter(reference_sessions=3))
    (four,) = [e for e in found.estimates if e.horizon is Horizon.THREE_MONTHS]
    assert isinstance(four, Estimate)
    assert four.patients == 48
    assert four.few_patients
    lenient = cohorts.report(facts, CohortFilter(reference_sessions=3), few_patients=8)
    assert isinstance(lenient.estimates[0], Estimate)
    assert not lenient.estimates[0].few_patients


def test_a_follow_up_nobody_reached_is_no_comparison_at_all() -> None:
    facts = [series(n, sessions=3 + n % 2, baseline=30.0, three_months=20.0) for n in range(20)]
    found = cohorts.report(facts, CohortFilter(reference_sessions=3))
    assert [(e.sessions, e.horizon) for e in found.estimates] == [(4, Horizon.THREE_MONTHS)]
