"""Jacob, Dover & Kaminer 2001: icepick, boxcar, rolling or indeterminate."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.scales import jacob
from needlepoint.domain.scales.inputs import ScarDepth, ScarEdges, ScarMorphology
from needlepoint.domain.scales.jacob import JacobType
from needlepoint.knowledge.scales import load_scale_tables

CRITERIA = load_scale_tables().jacob

VERTICAL = ScarEdges.VERTICAL
SLOPING = ScarEdges.SLOPING


def group(
    width_mm: str,
    edges: ScarEdges = VERTICAL,
    tapers: bool = False,
    depth: ScarDepth = ScarDepth.SHALLOW,
    count: int = 1,
) -> ScarMorphology:
    return ScarMorphology(
        width_mm=Decimal(width_mm), edges=edges, tapers_to_point=tapers, depth=depth, count=count
    )


def test_a_narrow_tapering_scar_with_vertical_edges_is_icepick() -> None:
    result = jacob.classify(group("1.0", tapers=True, depth=ScarDepth.DEEP), CRITERIA)

    assert result.scar_type is JacobType.ICEPICK
    assert result.boxcar_depth is None
    assert "icepick" in result.explanation


@pytest.mark.parametrize("depth", list(ScarDepth))
def test_a_flat_based_scar_with_vertical_edges_is_boxcar_of_its_depth(depth: ScarDepth) -> None:
    result = jacob.classify(group("3.0", depth=depth), CRITERIA)

    assert result.scar_type is JacobType.BOXCAR
    assert result.boxcar_depth is depth
    assert str(depth) in result.explanation


def test_a_wide_scar_with_sloping_edges_is_rolling() -> None:
    result = jacob.classify(group("6.0", edges=SLOPING), CRITERIA)

    assert result.scar_type is JacobType.ROLLING
    assert result.boxcar_depth is None
    assert "rolling" in result.explanation


@pytest.mark.parametrize(("tapers", "expected"), [(True, "icepick"), (False, "boxcar")])
def test_in_the_icepick_boxcar_overlap_the_taper_decides(tapers: bool, expected: str) -> None:
    result = jacob.classify(group("1.8", tapers=tapers), CRITERIA)

    assert result.scar_type == expected


@pytest.mark.parametrize(
    ("width_mm", "edges", "tapers", "expected"),
    [
        ("1.99", VERTICAL, True, JacobType.ICEPICK),
        ("2.0", VERTICAL, True, JacobType.INDETERMINATE),
        ("1.49", VERTICAL, False, JacobType.INDETERMINATE),
        ("1.5", VERTICAL, False, JacobType.BOXCAR),
        ("4.0", VERTICAL, False, JacobType.BOXCAR),
        ("4.01", VERTICAL, False, JacobType.INDETERMINATE),
        ("4.0", SLOPING, False, JacobType.INDETERMINATE),
        ("4.01", SLOPING, False, JacobType.ROLLING),
    ],
)
def test_width_limits_are_applied_at_their_exact_boundaries(
    width_mm: str, edges: ScarEdges, tapers: bool, expected: JacobType
) -> None:
    result = jacob.classify(group(width_mm, edges=edges, tapers=tapers), CRITERIA)

    assert result.scar_type is expected


@pytest.mark.parametrize(
    ("scar", "recheck"),
    [
        (group("1.0", edges=SLOPING), "Re-check the edges and the width"),
        (group("1.0", edges=SLOPING, tapers=True), "Re-check the edges and the width"),
        (group("7.0"), "Re-check the edges and the width"),
        (group("1.0"), "Re-check the taper and the width"),
        (group("3.0", tapers=True), "Re-check the width"),
        (group("6.0", edges=SLOPING, tapers=True), "Re-check the taper"),
    ],
    ids=[
        "sloping-narrow",
        "sloping-narrow-tapering",
        "vertical-too-wide",
        "vertical-too-narrow-without-taper",
        "tapering-too-wide",
        "sloping-wide-tapering",
    ],
)
def test_contradictory_features_are_indeterminate_and_say_what_to_recheck(
    scar: ScarMorphology, recheck: str
) -> None:
    result = jacob.classify(scar, CRITERIA)

    assert result.scar_type is JacobType.INDETERMINATE
    assert result.boxcar_depth is None
    assert recheck in result.explanation
    assert str(scar.width_mm) in result.explanation


def test_the_result_carries_the_group_count_width_and_sources() -> None:
    result = jacob.classify(group("2.5", count=7), CRITERIA)

    assert result.count == 7
    assert result.width_mm == Decimal("2.5")
    assert result.explanation.startswith("7 × boxcar")
    assert "jacob-2001-classification" in result.sources


@pytest.mark.parametrize("width_mm", ["0", "-1.0", "NaN", "Infinity"])
def test_a_width_that_is_not_a_positive_number_is_refused(width_mm: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        jacob.classify(group(width_mm), CRITERIA)

    assert [p.field for p in caught.value.problems] == ["width_mm"]


def test_a_group_of_no_scars_is_refused() -> None:
    with pytest.raises(InvalidInputError) as caught:
        jacob.classify(group("2.5", count=0), CRITERIA)

    assert [p.field for p in caught.value.problems] == ["count"]


morphologies = st.builds(
    ScarMorphology,
    width_mm=st.decimals(min_value="0.01", max_value="20", places=2),
    edges=st.sampled_from(ScarEdges),
    tapers_to_point=st.booleans(),
    depth=st.sampled_from(ScarDepth),
    count=st.integers(min_value=1, max_value=500),
)


@given(morphologies)
def test_classification_is_deterministic_and_always_one_of_the_four_types(
    scar: ScarMorphology,
) -> None:
    first = jacob.classify(scar, CRITERIA)

    assert first == jacob.classify(scar, CRITERIA)
    assert first.scar_type in set(JacobType)
    assert first.explanation


@given(morphologies)
def test_only_boxcar_scars_report_a_boxcar_depth(scar: ScarMorphology) -> None:
    result = jacob.classify(scar, CRITERIA)

    assert (result.boxcar_depth is not None) == (result.scar_type is JacobType.BOXCAR)


@given(morphologies)
def test_icepick_needs_a_taper_and_rolling_needs_sloping_edges(scar: ScarMorphology) -> None:
    result = jacob.classify(scar, CRITERIA)

    if result.scar_type is JacobType.ICEPICK:
        assert scar.tapers_to_point
        assert scar.edges is VERTICAL
    if result.scar_type is JacobType.ROLLING:
        assert scar.edges is SLOPING
        assert not scar.tapers_to_point
