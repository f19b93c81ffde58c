"""Grading across zones: per-zone results and whole-face results."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.scales import JacobType, grade_assessments
from needlepoint.domain.scales.inputs import (
    EccaItem,
    GbLesionType,
    GbQualitativeCriteria,
    ScarDepth,
    ScarEdges,
    ScarMorphology,
    ZoneScarAssessment,
)
from needlepoint.domain.vocabulary import Zone
from needlepoint.knowledge.scales import load_scale_tables

TABLES = load_scale_tables()
MODERATE = GbQualitativeCriteria(
    contour_change=True,
    visible_at_social_distance=True,
    easily_concealed=False,
    flattens_on_stretch=True,
)
SEVERE = GbQualitativeCriteria(
    contour_change=True,
    visible_at_social_distance=True,
    easily_concealed=False,
    flattens_on_stretch=False,
)
ROLLING = ScarMorphology(Decimal(6), ScarEdges.SLOPING, False, ScarDepth.SHALLOW, count=4)
BOXCAR = ScarMorphology(Decimal(3), ScarEdges.VERTICAL, False, ScarDepth.DEEP, count=4)
ICEPICK = ScarMorphology(Decimal(1), ScarEdges.VERTICAL, True, ScarDepth.DEEP, count=2)
CONFLICTING = ScarMorphology(Decimal(1), ScarEdges.SLOPING, False, ScarDepth.SHALLOW, count=50)


def test_each_zone_is_graded_on_the_scales_it_has_inputs_for() -> None:
    cheeks = ZoneScarAssessment(
        Zone.CHEEKS,
        morphology=(ROLLING,),
        qualitative=MODERATE,
        quantitative_counts={GbLesionType.B1_MODERATE_ATROPHIC: 4},
    )
    chin = ZoneScarAssessment(Zone.CHIN, ecca_counts={EccaItem.U_SHAPED_ATROPHIC: 2})

    grading = grade_assessments([cheeks, chin], TABLES)

    first, second = grading.zones
    assert first.zone is Zone.CHEEKS
    assert [j.scar_type for j in first.jacob] == [JacobType.ROLLING]
    assert first.gb_qualitative is not None and first.gb_qualitative.grade == 3
    assert first.gb_quantitative is not None and first.gb_quantitative.total == 2
    assert first.ecca is None
    assert second.jacob == ()
    assert (second.gb_qualitative, second.gb_quantitative) == (None, None)
    assert second.ecca is not None and second.ecca.total == 20


def test_the_global_qualitative_grade_is_the_worst_zone_grade() -> None:
    grading = grade_assessments(
        [
            ZoneScarAssessment(Zone.FOREHEAD, qualitative=MODERATE),
            ZoneScarAssessment(Zone.CHEEKS, qualitative=SEVERE),
        ],
        TABLES,
    )

    assert grading.gb_qualitative is not None
    assert grading.gb_qualitative.grade == 4
    assert grading.gb_qualitative.explanation.startswith("worst zone, cheeks:")


def test_a_zone_without_its_own_grade_falls_back_to_the_global_grade() -> None:
    grading = grade_assessments(
        [
            ZoneScarAssessment(Zone.FOREHEAD, qualitative=MODERATE),
            ZoneScarAssessment(Zone.CHEEKS, qualitative=SEVERE),
            ZoneScarAssessment(Zone.CHIN, morphology=(BOXCAR,)),
        ],
        TABLES,
    )

    assert grading.grade_for(Zone.FOREHEAD) == 3
    assert grading.grade_for(Zone.CHIN) == 4
    assert grading.grade_for(Zone.NECK) == 4


def test_without_any_qualitative_input_there_is_no_grade() -> None:
    grading = grade_assessments([ZoneScarAssessment(Zone.CHIN, morphology=(BOXCAR,))], TABLES)

    assert grading.gb_qualitative is None
    assert grading.grade_for(Zone.CHIN) is None


def test_the_global_quantitative_score_scores_summed_counts_not_summed_zone_scores() -> None:
    zones = [
        ZoneScarAssessment(zone, quantitative_counts={GbLesionType.B1_MODERATE_ATROPHIC: 15})
        for zone in (Zone.CHEEKS, Zone.FOREHEAD)
    ]

    grading = grade_assessments(zones, TABLES)

    zone_totals = [z.gb_quantitative.total for z in grading.zones if z.gb_quantitative]
    assert zone_totals == [4, 4]
    assert grading.gb_quantitative is not None
    assert grading.gb_quantitative.total == 6


def test_keloid_areas_are_summed_across_zones() -> None:
    zones = [
        ZoneScarAssessment(zone, keloid_area_cm2=Decimal(3)) for zone in (Zone.CHIN, Zone.JAWLINE)
    ]

    grading = grade_assessments(zones, TABLES)

    assert grading.gb_quantitative is not None
    assert grading.gb_quantitative.keloid.score == 12


def test_the_global_ecca_score_scores_summed_counts() -> None:
    zones = [
        ZoneScarAssessment(zone, ecca_counts={EccaItem.V_SHAPED_ATROPHIC: 3})
        for zone in (Zone.CHEEKS, Zone.NOSE)
    ]

    grading = grade_assessments(zones, TABLES)

    assert [z.ecca.total for z in grading.zones if z.ecca] == [15, 15]
    assert grading.ecca is not None
    assert grading.ecca.total == 30
    assert grading.ecca.unverified


def test_without_counts_there_are_no_global_scores() -> None:
    grading = grade_assessments([ZoneScarAssessment(Zone.CHEEKS, qualitative=MODERATE)], TABLES)

    assert grading.gb_quantitative is None
    assert grading.ecca is None


def test_the_dominant_jacob_type_has_the_most_scars_ignoring_indeterminate_groups() -> None:
    grading = grade_assessments(
        [
            ZoneScarAssessment(Zone.CHEEKS, morphology=(ROLLING, ICEPICK, CONFLICTING)),
            ZoneScarAssessment(Zone.FOREHEAD, morphology=(ROLLING, BOXCAR)),
        ],
        TABLES,
    )

    assert grading.dominant_jacob_type is JacobType.ROLLING
    assert dict(grading.jacob_counts) == {
        JacobType.ROLLING: 8,
        JacobType.ICEPICK: 2,
        JacobType.INDETERMINATE: 50,
        JacobType.BOXCAR: 4,
    }


def test_a_tie_for_dominant_jacob_type_goes_to_the_type_listed_first() -> None:
    grading = grade_assessments(
        [ZoneScarAssessment(Zone.CHEEKS, morphology=(ROLLING, BOXCAR))], TABLES
    )

    assert grading.dominant_jacob_type is JacobType.BOXCAR


def test_only_indeterminate_groups_give_no_dominant_type() -> None:
    grading = grade_assessments(
        [ZoneScarAssessment(Zone.CHEEKS, morphology=(CONFLICTING,))], TABLES
    )

    assert grading.dominant_jacob_type is None


def test_the_grading_records_the_scales_table_version() -> None:
    grading = grade_assessments([], TABLES)

    assert grading.table_version == TABLES.version == "2026-11-22"
    assert grading.zones == ()


def test_a_zone_assessed_twice_is_refused() -> None:
    zones = [ZoneScarAssessment(Zone.CHEEKS), ZoneScarAssessment(Zone.CHEEKS)]

    with pytest.raises(InvalidInputError) as caught:
        grade_assessments(zones, TABLES)

    assert [p.field for p in caught.value.problems] == ["scar_assessments[1].zone"]


qualitatives = st.builds(
    GbQualitativeCriteria, st.booleans(), st.booleans(), st.booleans(), st.booleans()
)


@st.composite
def assessments(draw: st.DrawFn) -> list[ZoneScarAssessment]:
    zones = draw(st.lists(st.sampled_from(Zone), unique=True, max_size=5))
    return [
        ZoneScarAssessment(
            zone,
            qualitative=draw(st.none() | qualitatives),
            quantitative_counts=draw(
                st.dictionaries(st.sampled_from(GbLesionType), st.integers(0, 25), max_size=4)
            ),
            keloid_area_cm2=draw(st.decimals(min_value=0, max_value=25, places=1)),
            ecca_counts=draw(
                st.dictionaries(st.sampled_from(EccaItem), st.integers(0, 25), max_size=3)
            ),
        )
        for zone in zones
    ]


@given(assessments())
def test_summed_counts_never_score_lower_than_any_single_zone(
    zones: list[ZoneScarAssessment],
) -> None:
    grading = grade_assessments(zones, TABLES)

    for zone in grading.zones:
        if zone.gb_quantitative is not None:
            assert grading.gb_quantitative is not None
            assert grading.gb_quantitative.total >= zone.gb_quantitative.total
        if zone.ecca is not None:
            assert grading.ecca is not None
            assert grading.ecca.total >= zone.ecca.total


@given(assessments())
def test_the_global_qualitative_grade_is_the_highest_zone_grade(
    zones: list[ZoneScarAssessment],
) -> None:
    grading = grade_assessments(zones, TABLES)

    zone_grades = [z.gb_qualitative.grade for z in grading.zones if z.gb_qualitative]
    expected = max(zone_grades, default=None)
    assert (grading.gb_qualitative.grade if grading.gb_qualitative else None) == expected


@given(assessments())
def test_the_global_scores_are_the_summed_counts_scored_once(
    zones: list[ZoneScarAssessment],
) -> None:
    from collections import Counter  # noqa: PLC0415

    from needlepoint.domain.scales import ecca, goodman_baron_quantitative  # noqa: PLC0415

    grading = grade_assessments(zones, TABLES)

    quantitative = [z for z in zones if z.has_quantitative]
    if quantitative:
        counts: Counter[GbLesionType] = Counter()
        for zone in quantitative:
            counts.update(zone.quantitative_counts)
        area_cm2 = sum((z.keloid_area_cm2 for z in quantitative), Decimal(0))
        expected = goodman_baron_quantitative.score(counts, area_cm2, TABLES.gb_quantitative)
        assert grading.gb_quantitative == expected
    counted = [z for z in zones if z.ecca_counts]
    if counted:
        items: Counter[EccaItem] = Counter()
        for zone in counted:
            items.update(zone.ecca_counts)
        assert grading.ecca == ecca.score(items, TABLES.ecca)
