"""ECCA: weighted items, count bands, maximum and the unverified weights."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.evidence import EvidenceLevel
from needlepoint.domain.scales import ecca
from needlepoint.domain.scales.inputs import EccaItem
from needlepoint.knowledge.scales import load_scale_tables

TABLE = load_scale_tables().ecca
WEIGHTS = {
    EccaItem.V_SHAPED_ATROPHIC: 15,
    EccaItem.U_SHAPED_ATROPHIC: 20,
    EccaItem.M_SHAPED_ATROPHIC: 25,
    EccaItem.SUPERFICIAL_ELASTOLYSIS: 10,
    EccaItem.HYPERTROPHIC_RECENT: 50,
    EccaItem.KELOID_OR_OLD_HYPERTROPHIC: 60,
}


def subscore(result: ecca.EccaResult, item: EccaItem) -> ecca.EccaSubscore:
    return next(s for s in result.subscores if s.item is item)


def test_no_lesions_score_zero() -> None:
    result = ecca.score({}, TABLE)

    assert result.total == 0
    assert "no lesions counted" in result.explanation


@pytest.mark.parametrize(
    ("count", "band_score"), [(0, 0), (1, 1), (4, 1), (5, 2), (20, 2), (21, 3), (300, 3)]
)
@pytest.mark.parametrize("item", list(EccaItem))
def test_each_item_scores_its_weight_times_the_count_band_score(
    item: EccaItem, count: int, band_score: int
) -> None:
    result = ecca.score({item: count}, TABLE)

    scored = subscore(result, item)
    assert (scored.weight, scored.band_score) == (WEIGHTS[item], band_score)
    assert scored.subscore == WEIGHTS[item] * band_score
    assert result.total == scored.subscore


def test_the_explanation_shows_the_arithmetic_of_each_counted_item() -> None:
    result = ecca.score({EccaItem.U_SHAPED_ATROPHIC: 7}, TABLE)

    item = "U-shaped atrophic scars, diameter 2–4 mm, steep edges (≈ boxcar)"  # not the code
    assert f"{item}: 7 lesions (5–20) → b = 2 × weight 20 = 40" in result.explanation
    assert "u_shaped_atrophic" not in result.explanation
    assert "total 40 of 540" in result.explanation


def test_the_maximal_input_scores_540() -> None:
    result = ecca.score(dict.fromkeys(EccaItem, 21), TABLE)

    assert result.total == 540
    assert result.max_total == 540


def test_ecca_weights_await_verification_against_dreno_2007() -> None:
    # The weights 15/20/25/10/50/60 are recalled (clinical.md §5.4). When someone checks them
    # against Dréno 2007 Table 1 and clears the flags, this test must be updated on purpose.
    assert all(row.provenance.unverified for row in TABLE.weights)
    assert all(row.provenance.evidence is EvidenceLevel.INFERRED for row in TABLE.weights)
    assert ecca.score({}, TABLE).unverified


def test_every_result_says_it_rests_on_unverified_weights() -> None:
    result = ecca.score({EccaItem.M_SHAPED_ATROPHIC: 3}, TABLE)

    assert result.unverified
    assert "unverified against Dréno 2007" in result.explanation
    assert result.sources == ("dreno-2007-ecca",)


def test_a_negative_lesion_count_is_refused_naming_the_item() -> None:
    with pytest.raises(InvalidInputError) as caught:
        ecca.score({EccaItem.SUPERFICIAL_ELASTOLYSIS: -3}, TABLE)

    assert [p.field for p in caught.value.problems] == ["ecca_counts.superficial_elastolysis"]


def test_a_count_for_an_item_the_scale_does_not_have_is_refused() -> None:
    with pytest.raises(InvalidInputError) as caught:
        ecca.score({"w_shaped": 2}, TABLE)  # type: ignore[dict-item]

    assert [p.field for p in caught.value.problems] == ["ecca_counts.w_shaped"]


counts_strategy = st.dictionaries(st.sampled_from(EccaItem), st.integers(min_value=0, max_value=60))


@given(counts_strategy)
def test_the_total_always_lies_between_0_and_the_table_maximum(
    counts: dict[EccaItem, int],
) -> None:
    result = ecca.score(counts, TABLE)

    assert 0 <= result.total <= result.max_total
    assert result.total == sum(s.subscore for s in result.subscores)


@given(counts_strategy, st.sampled_from(EccaItem), st.integers(1, 30))
def test_more_lesions_of_any_item_never_lower_the_total(
    counts: dict[EccaItem, int], item: EccaItem, extra: int
) -> None:
    more = {**counts, item: counts.get(item, 0) + extra}

    before = ecca.score(counts, TABLE).total

    assert ecca.score(more, TABLE).total >= before
