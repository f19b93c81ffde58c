"""Goodman & Baron qualitative grading: the decision tree and the grade table."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.scales import goodman_baron_qualitative as gbq
from needlepoint.domain.scales.goodman_baron_qualitative import GbQualitativeLevel
from needlepoint.domain.scales.inputs import GbQualitativeCriteria
from needlepoint.knowledge.scales import load_scale_tables

GRADES = load_scale_tables().gb_qualitative


def criteria(
    contour: bool = True, visible: bool = True, concealed: bool = False, flattens: bool = True
) -> GbQualitativeCriteria:
    return GbQualitativeCriteria(
        contour_change=contour,
        visible_at_social_distance=visible,
        easily_concealed=concealed,
        flattens_on_stretch=flattens,
    )


def test_marks_without_contour_change_are_grade_1_macular() -> None:
    result = gbq.grade(criteria(contour=False, visible=True, flattens=False), GRADES)

    assert (result.grade, result.level) == (1, GbQualitativeLevel.MACULAR)
    assert "colour" in result.explanation


def test_contour_change_not_obvious_at_social_distance_is_grade_2_mild() -> None:
    result = gbq.grade(criteria(visible=False, flattens=False), GRADES)

    assert (result.grade, result.level) == (2, GbQualitativeLevel.MILD)
    assert "not obvious at social distance" in result.explanation


def test_visible_scarring_that_is_easily_concealed_is_grade_2_mild() -> None:
    result = gbq.grade(criteria(visible=True, concealed=True, flattens=False), GRADES)

    assert (result.grade, result.level) == (2, GbQualitativeLevel.MILD)
    assert "easily concealed" in result.explanation


def test_visible_scarring_that_flattens_on_stretch_is_grade_3_moderate() -> None:
    result = gbq.grade(criteria(flattens=True), GRADES)

    assert (result.grade, result.level) == (3, GbQualitativeLevel.MODERATE)
    assert "flattens" in result.explanation


def test_visible_scarring_that_does_not_flatten_on_stretch_is_grade_4_severe() -> None:
    result = gbq.grade(criteria(flattens=False), GRADES)

    assert (result.grade, result.level) == (4, GbQualitativeLevel.SEVERE)
    assert "does not flatten" in result.explanation


def test_grade_4_wording_is_reported_as_unverified() -> None:
    result = gbq.grade(criteria(flattens=False), GRADES)

    assert result.unverified
    assert "unverified" in result.explanation


@pytest.mark.parametrize(
    "observed",
    [criteria(contour=False), criteria(visible=False), criteria(flattens=True)],
    ids=["macular", "mild", "moderate"],
)
def test_grades_1_to_3_are_not_flagged_unverified(observed: GbQualitativeCriteria) -> None:
    result = gbq.grade(observed, GRADES)

    assert not result.unverified
    assert "unverified" not in result.explanation


def test_the_result_carries_the_published_wording_and_source() -> None:
    result = gbq.grade(criteria(flattens=True), GRADES)

    assert result.definition == GRADES.for_level(GbQualitativeLevel.MODERATE).definition
    assert result.sources == ("goodman-baron-2006-qualitative",)


def test_an_observation_that_is_not_yes_or_no_is_refused() -> None:
    observed = replace(criteria(), easily_concealed="no")  # type: ignore[arg-type]

    with pytest.raises(InvalidInputError) as caught:
        gbq.grade(observed, GRADES)

    assert [p.field for p in caught.value.problems] == ["easily_concealed"]


all_criteria = st.builds(
    GbQualitativeCriteria, st.booleans(), st.booleans(), st.booleans(), st.booleans()
)


@given(all_criteria)
def test_every_observation_set_gets_a_grade_matching_its_level(
    observed: GbQualitativeCriteria,
) -> None:
    result = gbq.grade(observed, GRADES)

    assert result.grade == GRADES.for_level(result.level).grade
    assert 1 <= result.grade <= 4


@given(all_criteria)
def test_flattening_on_stretch_never_makes_the_grade_worse(
    observed: GbQualitativeCriteria,
) -> None:
    flattens = replace(observed, flattens_on_stretch=True)
    does_not = replace(observed, flattens_on_stretch=False)

    assert gbq.grade(flattens, GRADES).grade <= gbq.grade(does_not, GRADES).grade
