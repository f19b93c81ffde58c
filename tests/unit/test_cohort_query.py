"""The cohort filter read from a query (ADR 0045): every field optional; a bad value names its
field."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
from hypothesis import given
from hypothesis import strategies as st

from needlepoint.domain.cohorts import CohortFilter, DepthBand, FitzpatrickGroup
from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.outcomes import OutcomeScale
from needlepoint.entrypoints import cohort_query


def test_an_empty_query_is_every_series_on_the_quantitative_score_against_3_sessions() -> None:
    assert cohort_query.cohort_filter({}) == CohortFilter()


def test_the_query_round_trips() -> None:
    wanted = CohortFilter(
        indication="acne_scars",
        baseline_grade=3,
        fitzpatrick=FitzpatrickGroup.V_VI,
        depth_band=DepthBand.OVER_1_TO_1_5_MM,
        sessions=4,
        scale=OutcomeScale.ECCA,
        reference_sessions=2,
    )
    given_back = dict(parse_qsl(cohort_query.query_of(wanted)))
    assert cohort_query.cohort_filter(given_back) == wanted


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("indication", "warts"),
        ("baseline_grade", "5"),
        ("fitzpatrick", "VII"),
        ("sessions", "0"),
        ("sessions", "-1"),
        ("reference_sessions", "21"),
        ("scale", "gais"),
        ("depth_band", "deep"),
    ],
)
def test_a_value_not_among_the_choices_names_its_field(field: str, value: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        cohort_query.cohort_filter({field: value})

    (problem,) = raised.value.problems
    assert problem.field == field
    assert "leave it empty for any" in problem.fix


@given(st.dictionaries(st.sampled_from(cohort_query.FIELDS), st.text(max_size=12)))
def test_any_query_gives_a_filter_or_names_a_field(given_values: dict[str, str]) -> None:
    try:
        cohort_query.cohort_filter(given_values)
    except InvalidInputError as error:
        assert {p.field for p in error.problems} <= set(cohort_query.FIELDS)
