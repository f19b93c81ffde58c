"""Which interval problem is reported for each session changed: hard first, reasons pass gaps."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from needlepoint.domain.intervals import IntervalKind, IntervalProblem, problems_to_report

problems = st.lists(
    st.builds(
        IntervalProblem,
        kind=st.sampled_from(IntervalKind),
        session_number=st.integers(min_value=1, max_value=4),
        gap_days=st.integers(min_value=-60, max_value=60),
        limit_days=st.integers(min_value=1, max_value=42),
    ),
    max_size=10,
)
reasons = st.dictionaries(
    st.integers(min_value=1, max_value=4), st.sampled_from(["", "  ", "patient away"])
)


@given(found=problems, given_reasons=reasons)
def test_one_problem_per_session_and_a_hard_one_whenever_there_is_one(
    found: list[IntervalProblem], given_reasons: dict[int, str]
) -> None:
    reported = problems_to_report(found, given_reasons)
    for number in {p.session_number for p in found}:
        ours = [p for p in found if p.session_number == number]
        hard = [p for p in ours if p.is_hard]
        reasoned = bool(given_reasons.get(number, "").strip())
        if hard:
            assert reported[number] is hard[0]
        elif reasoned:
            assert number not in reported
        else:
            assert reported[number] is ours[0]
    assert set(reported) <= {p.session_number for p in found}


@given(found=problems)
def test_only_a_longer_gap_passes_with_a_reason(found: list[IntervalProblem]) -> None:
    everyone_reasoned = dict.fromkeys(range(1, 5), "patient away")
    reported = problems_to_report(found, everyone_reasoned)
    assert all(p.is_hard for p in reported.values())
    assert all(p.kind is not IntervalKind.TOO_LATE for p in reported.values())
