"""scales.yaml: it loads, every row is cited, and malformed tables are refused by row."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

import pytest

from needlepoint.domain.errors import KnowledgeError
from needlepoint.domain.evidence import EvidenceLevel
from needlepoint.domain.scales.goodman_baron_qualitative import GbQualitativeLevel
from needlepoint.knowledge import files
from needlepoint.knowledge.scales import (
    ScalesFile,
    build_scale_tables,
    cited_rows,
    load_scale_tables,
    scale_rows,
)
from needlepoint.knowledge.schema import SourcesFile

KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def known_sources() -> set[str]:
    return {row.id for row in files.parse_table("sources", SourcesFile).sources}


def test_the_shipped_table_loads_with_its_version() -> None:
    tables = load_scale_tables()

    assert tables.version == "2026-11-22"
    assert tables is load_scale_tables()


def test_the_gb_quantitative_table_allows_at_most_84() -> None:
    assert load_scale_tables().gb_quantitative.max_total == 84


def test_the_ecca_table_allows_at_most_540() -> None:
    assert load_scale_tables().ecca.max_total == 540


def test_every_row_cites_a_known_source() -> None:
    known = known_sources()

    for row_id, row in scale_rows():
        assert row.sources, row_id
        assert set(row.sources) <= known, row_id


def test_row_ids_are_unique_and_kebab_case() -> None:
    ids = [row_id for row_id, _ in scale_rows()]

    assert len(ids) == len(set(ids)) == 41
    assert all(KEBAB.match(row_id) for row_id in ids)


def test_cited_rows_name_the_scales_table() -> None:
    rows = cited_rows()

    assert {table for table, _, _ in rows} == {"scales"}
    assert [(row_id, row) for _, row_id, row in rows] == list(scale_rows())


def test_every_ecca_weight_and_band_is_flagged_unverified_and_inferred() -> None:
    rows = [row for row_id, row in scale_rows() if row_id.startswith(("ecca-weight", "ecca-count"))]

    assert len(rows) == 10
    assert all(row.unverified and row.evidence is EvidenceLevel.INFERRED for row in rows)


def test_only_grade_4_of_the_qualitative_scale_is_unverified() -> None:
    grades = load_scale_tables().gb_qualitative.grades

    assert [g.provenance.unverified for g in grades] == [False, False, False, True]
    assert [g.level for g in grades] == list(GbQualitativeLevel)
    assert [g.grade for g in grades] == [1, 2, 3, 4]


def test_the_jacob_limits_are_well_supported() -> None:
    criteria = load_scale_tables().jacob
    rows = [row for row_id, row in scale_rows() if row_id.startswith("jacob-")]

    assert all(row.evidence is EvidenceLevel.WELL_SUPPORTED for row in rows)
    assert "jacob-2001-classification" in criteria.sources
    assert criteria.boxcar_min_width_mm < criteria.icepick_max_width_mm


def modified(change: Callable[[dict[str, Any]], None]) -> ScalesFile:
    raw = copy.deepcopy(files.raw_table("scales"))
    change(raw)
    return ScalesFile.model_validate(raw)


def refused_row(change: Callable[[dict[str, Any]], None]) -> str:
    with pytest.raises(KnowledgeError) as caught:
        build_scale_tables(modified(change))
    assert caught.value.table == "scales"
    return caught.value.row


def test_the_unmodified_raw_table_builds() -> None:
    assert build_scale_tables(modified(lambda _: None)) == load_scale_tables()


def test_a_gap_between_count_bands_is_refused() -> None:
    def change(raw: dict[str, Any]) -> None:
        raw["gb_quantitative"]["count_bands"][2]["min_count"] = 12

    assert refused_row(change) == "gb-quantitative-count-11-to-20"


def test_count_bands_that_do_not_start_at_zero_are_refused() -> None:
    def change(raw: dict[str, Any]) -> None:
        del raw["ecca"]["count_bands"][0]

    assert refused_row(change) == "ecca-count-under-5"


def test_a_closed_last_count_band_is_refused() -> None:
    def change(raw: dict[str, Any]) -> None:
        raw["ecca"]["count_bands"][3]["max_count"] = 100

    assert refused_row(change) == "ecca-count-over-20"


def test_a_band_for_more_scars_that_scores_less_is_refused() -> None:
    def change(raw: dict[str, Any]) -> None:
        raw["gb_quantitative"]["count_bands"][3]["multiplier"] = 1

    assert refused_row(change) == "gb-quantitative-count-over-20"


def test_a_count_band_ending_below_its_start_is_refused() -> None:
    def change(raw: dict[str, Any]) -> None:
        raw["ecca"]["count_bands"][1]["max_count"] = 0
        raw["ecca"]["count_bands"][2]["min_count"] = 1

    assert refused_row(change) == "ecca-count-under-5"


def test_overlapping_keloid_area_bands_are_refused() -> None:
    def change(raw: dict[str, Any]) -> None:
        raw["gb_quantitative"]["keloid_area_bands"][1]["max_inclusive"] = True

    assert refused_row(change) == "gb-quantitative-keloid-5-to-20"


def test_a_gap_between_keloid_area_bands_is_refused() -> None:
    def change(raw: dict[str, Any]) -> None:
        raw["gb_quantitative"]["keloid_area_bands"][3]["min_cm2"] = 25

    assert refused_row(change) == "gb-quantitative-keloid-over-20"


def test_an_empty_keloid_area_band_is_refused() -> None:
    def change(raw: dict[str, Any]) -> None:
        raw["gb_quantitative"]["keloid_area_bands"][0]["max_inclusive"] = False
        raw["gb_quantitative"]["keloid_area_bands"][1]["min_inclusive"] = True

    assert refused_row(change) == "gb-quantitative-keloid-none"


def test_keloid_bands_must_start_at_zero_inclusive() -> None:
    def change(raw: dict[str, Any]) -> None:
        raw["gb_quantitative"]["keloid_area_bands"][0]["min_inclusive"] = False

    assert refused_row(change) == "gb-quantitative-keloid-none"


def test_a_keloid_band_scoring_less_for_more_area_is_refused() -> None:
    def change(raw: dict[str, Any]) -> None:
        raw["gb_quantitative"]["keloid_area_bands"][3]["score"] = 10

    assert refused_row(change) == "gb-quantitative-keloid-over-20"


def test_a_lesion_row_listed_twice_is_refused() -> None:
    def change(raw: dict[str, Any]) -> None:
        raw["gb_quantitative"]["points"][1]["lesion"] = "a1_macular"

    assert refused_row(change) == "gb-quantitative-a1-macular"


def test_a_missing_lesion_row_is_refused() -> None:
    def change(raw: dict[str, Any]) -> None:
        del raw["gb_quantitative"]["points"][9]

    assert refused_row(change) == "points"


def test_a_weight_of_zero_is_refused() -> None:
    def change(raw: dict[str, Any]) -> None:
        raw["ecca"]["weights"][3]["weight"] = 0

    assert refused_row(change) == "ecca-weight-superficial-elastolysis"


def test_points_of_zero_are_refused() -> None:
    def change(raw: dict[str, Any]) -> None:
        raw["gb_quantitative"]["points"][0]["points"] = 0

    assert refused_row(change) == "gb-quantitative-a1-macular"


def test_a_missing_ecca_item_is_refused() -> None:
    def change(raw: dict[str, Any]) -> None:
        del raw["ecca"]["weights"][0]

    assert refused_row(change) == "weights"


def test_qualitative_grades_out_of_severity_order_are_refused() -> None:
    def change(raw: dict[str, Any]) -> None:
        grades = raw["gb_qualitative"]["grades"]
        grades[2], grades[3] = grades[3], grades[2]

    assert refused_row(change) == "gb-qualitative-grades"


def test_qualitative_grade_numbers_that_do_not_rise_are_refused() -> None:
    def change(raw: dict[str, Any]) -> None:
        raw["gb_qualitative"]["grades"][1]["grade"] = 1

    assert refused_row(change) == "gb-qualitative-grade-2"


def test_a_boxcar_minimum_above_its_maximum_is_refused() -> None:
    def change(raw: dict[str, Any]) -> None:
        raw["jacob"]["boxcar_min_width_mm"]["value_mm"] = 4.5

    assert refused_row(change) == "jacob-boxcar-min-width-mm"


def test_a_boxcar_maximum_above_the_rolling_minimum_is_refused() -> None:
    def change(raw: dict[str, Any]) -> None:
        raw["jacob"]["boxcar_max_width_mm"]["value_mm"] = 5.0

    assert refused_row(change) == "jacob-boxcar-max-width-mm"


def test_a_repeated_row_id_is_refused() -> None:
    def change(raw: dict[str, Any]) -> None:
        raw["ecca"]["count_bands"][1]["id"] = "ecca-count-none"

    assert refused_row(change) == "ecca-count-none"


def test_a_row_without_sources_is_refused_by_the_schema() -> None:
    raw = copy.deepcopy(files.raw_table("scales"))
    raw["ecca"]["weights"][0]["sources"] = []

    with pytest.raises(ValueError, match="sources"):
        ScalesFile.model_validate(raw)
