"""Goodman & Baron quantitative score: count bands, points, keloid area, total 0–84."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.scales import goodman_baron_quantitative as gbq
from needlepoint.domain.scales.inputs import GbLesionType
from needlepoint.knowledge.scales import load_scale_tables

TABLE = load_scale_tables().gb_quantitative
NONE = Decimal(0)
POINTS = {
    GbLesionType.A1_MACULAR: 1,
    GbLesionType.A2_MILD_ATROPHIC_DISH: 1,
    GbLesionType.B1_MODERATE_ATROPHIC: 2,
    GbLesionType.B2_PUNCHED_OUT_SHALLOW_SMALL: 2,
    GbLesionType.B3_SHALLOW_BROAD_ATROPHIC: 2,
    GbLesionType.C1_PUNCHED_OUT_DEEP_NORMAL_BASE: 3,
    GbLesionType.C2_PUNCHED_OUT_DEEP_ABNORMAL_BASE: 3,
    GbLesionType.C3_LINEAR_TROUGHED: 3,
    GbLesionType.C4_DEEP_BROAD_ATROPHIC: 3,
    GbLesionType.D1_PAPULAR: 2,
}


def row(result: gbq.GbQuantitativeResult, lesion: GbLesionType) -> gbq.RowScore:
    return next(r for r in result.rows if r.lesion is lesion)


def test_no_lesions_and_no_keloid_score_zero() -> None:
    result = gbq.score({}, NONE, TABLE)

    assert result.total == 0
    assert all(r.score == 0 for r in result.rows)
    assert "no lesions counted" in result.explanation


@pytest.mark.parametrize(
    ("count", "multiplier"), [(0, 0), (1, 1), (10, 1), (11, 2), (20, 2), (21, 3), (500, 3)]
)
@pytest.mark.parametrize("lesion", list(GbLesionType))
def test_each_row_scores_its_points_times_the_count_band_multiplier(
    lesion: GbLesionType, count: int, multiplier: int
) -> None:
    result = gbq.score({lesion: count}, NONE, TABLE)

    scored = row(result, lesion)
    assert (scored.count, scored.multiplier, scored.points) == (count, multiplier, POINTS[lesion])
    assert scored.score == POINTS[lesion] * multiplier
    assert result.total == scored.score


def test_eleven_lesions_double_the_row_points() -> None:
    result = gbq.score({GbLesionType.B1_MODERATE_ATROPHIC: 11}, NONE, TABLE)

    assert result.total == 4


def test_the_explanation_shows_the_arithmetic_of_each_counted_row() -> None:
    result = gbq.score({GbLesionType.B1_MODERATE_ATROPHIC: 12}, NONE, TABLE)

    row = "B1 Moderately atrophic scars (moderate scarring)"  # the table's words, not the code
    assert f"{row}: 12 lesions (11–20) → ×2 × 2 points = 4" in result.explanation
    assert "total 4 of 84" in result.explanation
    assert "b1_moderate_atrophic" not in result.explanation


@pytest.mark.parametrize(
    ("area_cm2", "score"),
    [("0", 0), ("0.1", 6), ("4.99", 6), ("5", 12), ("20", 12), ("20.01", 18), ("400", 18)],
)
def test_keloid_area_is_scored_by_band_with_5_and_20_cm2_in_the_middle_band(
    area_cm2: str, score: int
) -> None:
    result = gbq.score({}, Decimal(area_cm2), TABLE)

    assert result.keloid.score == score
    assert result.total == score


def test_the_keloid_row_is_explained_with_its_band() -> None:
    result = gbq.score({}, Decimal(5), TABLE)

    row = "D2 keloidal or hypertrophic scarring"
    assert f"{row}: 5 cm² (≥ 5 and ≤ 20 cm²) → 12" in result.explanation


def test_the_maximal_input_scores_84() -> None:
    counts = dict.fromkeys(GbLesionType, 21)

    result = gbq.score(counts, Decimal("20.01"), TABLE)

    assert result.total == 84
    assert result.max_total == 84
    assert TABLE.max_total == 84


def test_the_recalled_table_is_reported_as_unverified_with_its_source() -> None:
    result = gbq.score({GbLesionType.A1_MACULAR: 3}, NONE, TABLE)

    assert result.unverified
    assert result.sources == ("goodman-baron-2006-quantitative",)
    assert "unverified" in result.explanation


def test_a_negative_lesion_count_is_refused_naming_the_row() -> None:
    with pytest.raises(InvalidInputError) as caught:
        gbq.score({GbLesionType.C3_LINEAR_TROUGHED: -1}, NONE, TABLE)

    assert [p.field for p in caught.value.problems] == ["quantitative_counts.c3_linear_troughed"]


@pytest.mark.parametrize("area_cm2", ["-0.1", "NaN", "Infinity"])
def test_a_keloid_area_that_is_not_an_area_is_refused(area_cm2: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        gbq.score({}, Decimal(area_cm2), TABLE)

    assert [p.field for p in caught.value.problems] == ["keloid_area_cm2"]


def test_a_count_for_a_row_the_scale_does_not_have_is_refused() -> None:
    with pytest.raises(InvalidInputError) as caught:
        gbq.score({"d2_keloid": 3}, NONE, TABLE)  # type: ignore[dict-item]

    assert [p.field for p in caught.value.problems] == ["quantitative_counts.d2_keloid"]


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(InvalidInputError) as caught:
        gbq.score({GbLesionType.A1_MACULAR: -2}, Decimal(-1), TABLE)

    assert len(caught.value.problems) == 2


counts_strategy = st.dictionaries(
    st.sampled_from(GbLesionType), st.integers(min_value=0, max_value=60)
)
areas = st.decimals(min_value=0, max_value=50, places=2)


@given(counts_strategy, areas)
def test_the_total_always_lies_between_0_and_84(
    counts: dict[GbLesionType, int], area_cm2: Decimal
) -> None:
    result = gbq.score(counts, area_cm2, TABLE)

    assert 0 <= result.total <= 84
    assert result.total == sum(r.score for r in result.rows) + result.keloid.score


@given(counts_strategy, areas, st.sampled_from(GbLesionType), st.integers(1, 30))
def test_more_lesions_in_any_row_never_lower_the_total(
    counts: dict[GbLesionType, int], area_cm2: Decimal, lesion: GbLesionType, extra: int
) -> None:
    more = {**counts, lesion: counts.get(lesion, 0) + extra}

    before = gbq.score(counts, area_cm2, TABLE).total

    assert gbq.score(more, area_cm2, TABLE).total >= before


@given(counts_strategy, areas, st.decimals(min_value="0.01", max_value=30, places=2))
def test_a_larger_keloid_area_never_lowers_the_total(
    counts: dict[GbLesionType, int], area_cm2: Decimal, extra_cm2: Decimal
) -> None:
    before = gbq.score(counts, area_cm2, TABLE).total

    assert gbq.score(counts, area_cm2 + extra_cm2, TABLE).total >= before
