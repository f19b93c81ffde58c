"""Loading ``scales.yaml``: the cited numbers and wording behind the four acne-scar scales.

The file is validated in two steps. Pydantic models check shape and types; then semantic
checks make sure that bands start at 0, are contiguous, end open and never score less for
more scars, that every lesion row and ECCA item appears exactly once with positive points or
weight, that the four qualitative grades rise with severity, and that the Jacob limits are
ordered. Any failure raises ``KnowledgeError`` naming the row.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from enum import StrEnum
from functools import cache
from itertools import pairwise

from pydantic import Field

from needlepoint.domain.errors import KnowledgeError
from needlepoint.domain.scales.ecca import EccaCountBand, EccaTable, EccaWeight
from needlepoint.domain.scales.goodman_baron_qualitative import (
    GbQualitativeGrade,
    GbQualitativeGrades,
    GbQualitativeLevel,
)
from needlepoint.domain.scales.goodman_baron_quantitative import (
    GbQuantitativeTable,
    KeloidAreaBand,
    LesionCountBand,
    PointsRow,
)
from needlepoint.domain.scales.grading import ScaleTables
from needlepoint.domain.scales.inputs import EccaItem, GbLesionType
from needlepoint.domain.scales.jacob import JacobCriteria
from needlepoint.knowledge import files
from needlepoint.knowledge.schema import CitedRow, RuleId, Strict, TableHeader, check_unique

TABLE = "scales"


class ScaleAbout(CitedRow):
    """The scale as a whole: its name and the publication it comes from."""

    name: str = Field(min_length=5)


class JacobCriterionRow(CitedRow):
    """One Jacob width or depth limit, in millimetres."""

    value_mm: Decimal = Field(gt=0)


class JacobSection(Strict):
    """``jacob``: the limits that separate icepick, boxcar and rolling scars."""

    scale: ScaleAbout
    icepick_max_width_mm: JacobCriterionRow
    boxcar_min_width_mm: JacobCriterionRow
    boxcar_max_width_mm: JacobCriterionRow
    rolling_min_width_mm: JacobCriterionRow
    boxcar_deep_min_depth_mm: JacobCriterionRow


class GbQualitativeGradeRow(CitedRow):
    """One Goodman & Baron qualitative grade."""

    id: RuleId
    grade: int = Field(ge=1)
    level: GbQualitativeLevel
    definition: str = Field(min_length=10)
    examples: str = Field(min_length=5)


class GbQualitativeSection(Strict):
    """``gb_qualitative``: the four grades, mildest first."""

    scale: ScaleAbout
    grades: tuple[GbQualitativeGradeRow, ...]


class CountBandRow(CitedRow):
    """A band of lesion counts; ``max_count`` null means no upper limit."""

    id: RuleId
    min_count: int = Field(ge=0)
    max_count: int | None


class GbCountBandRow(CountBandRow):
    """A Goodman & Baron lesion-count band and its multiplier."""

    multiplier: int = Field(ge=0)


class GbPointsRow(CitedRow):
    """Points for one Goodman & Baron lesion-count row."""

    id: RuleId
    lesion: GbLesionType
    description: str = Field(min_length=5)
    points: int


class KeloidAreaBandRow(CitedRow):
    """A band of keloid area in cm²; ``max_cm2`` null means no upper limit."""

    id: RuleId
    min_cm2: Decimal = Field(ge=0)
    min_inclusive: bool
    max_cm2: Decimal | None
    max_inclusive: bool = False
    score: int = Field(ge=0)


class GbQuantitativeSection(Strict):
    """``gb_quantitative``: points per row, count bands and keloid area bands."""

    scale: ScaleAbout
    points: tuple[GbPointsRow, ...]
    count_bands: tuple[GbCountBandRow, ...]
    keloid_area_bands: tuple[KeloidAreaBandRow, ...]


class EccaWeightRow(CitedRow):
    """The weight (a) of one ECCA item."""

    id: RuleId
    item: EccaItem
    description: str = Field(min_length=5)
    weight: int


class EccaCountBandRow(CountBandRow):
    """An ECCA count band and its semi-quantitative score (b)."""

    score: int = Field(ge=0)


class EccaSection(Strict):
    """``ecca``: item weights and count bands."""

    scale: ScaleAbout
    weights: tuple[EccaWeightRow, ...]
    count_bands: tuple[EccaCountBandRow, ...]


class ScalesFile(TableHeader):
    """``scales.yaml``."""

    jacob: JacobSection
    gb_qualitative: GbQualitativeSection
    gb_quantitative: GbQuantitativeSection
    ecca: EccaSection


@cache
def load_scales_file() -> ScalesFile:
    """The validated ``scales.yaml``, read once per process."""
    return files.parse_table(TABLE, ScalesFile)


@cache
def load_scale_tables() -> ScaleTables:
    """The four scale tables from ``scales.yaml``, checked and read once per process.

    Raises:
        KnowledgeError: The file is missing, malformed or fails a semantic check.
    """
    return build_scale_tables(load_scales_file())


def build_scale_tables(scales: ScalesFile) -> ScaleTables:
    """Check a validated scales file and turn it into domain tables.

    Raises:
        KnowledgeError: A row id repeats, or a band, row, weight, grade or limit is wrong.
    """
    check_unique(TABLE, ((row_id, row_id) for row_id, _ in scale_rows(scales)), "id")
    return ScaleTables(
        jacob=_jacob(scales.jacob),
        gb_qualitative=_gb_qualitative(scales.gb_qualitative),
        gb_quantitative=_gb_quantitative(scales.gb_quantitative),
        ecca=_ecca(scales.ecca),
        version=scales.table_version,
    )


def scale_rows(scales: ScalesFile | None = None) -> tuple[tuple[str, CitedRow], ...]:
    """Every cited row of ``scales.yaml`` with its id, in file order.

    Args:
        scales: A validated file; the shipped one when None.
    """
    return tuple(_rows(scales if scales is not None else load_scales_file()))


def cited_rows() -> tuple[tuple[str, str, CitedRow], ...]:
    """(table, row id, row) for every cited row of the shipped ``scales.yaml``."""
    return tuple((TABLE, row_id, row) for row_id, row in scale_rows())


def _rows(scales: ScalesFile) -> Iterator[tuple[str, CitedRow]]:
    yield from _rows_of_jacob(scales.jacob)
    yield "gb-qualitative-scale", scales.gb_qualitative.scale
    yield from ((row.id, row) for row in scales.gb_qualitative.grades)
    quantitative = scales.gb_quantitative
    yield "gb-quantitative-scale", quantitative.scale
    yield from ((row.id, row) for row in quantitative.points)
    yield from ((row.id, row) for row in quantitative.count_bands)
    yield from ((row.id, row) for row in quantitative.keloid_area_bands)
    yield "ecca-scale", scales.ecca.scale
    yield from ((row.id, row) for row in scales.ecca.weights)
    yield from ((row.id, row) for row in scales.ecca.count_bands)


def _jacob(section: JacobSection) -> JacobCriteria:
    if section.boxcar_min_width_mm.value_mm > section.boxcar_max_width_mm.value_mm:
        raise KnowledgeError(TABLE, "jacob-boxcar-min-width-mm", "above the boxcar maximum")
    if section.boxcar_max_width_mm.value_mm > section.rolling_min_width_mm.value_mm:
        raise KnowledgeError(TABLE, "jacob-boxcar-max-width-mm", "above the rolling minimum")
    rows = [row for _, row in _rows_of_jacob(section)]
    return JacobCriteria(
        icepick_max_width_mm=section.icepick_max_width_mm.value_mm,
        boxcar_min_width_mm=section.boxcar_min_width_mm.value_mm,
        boxcar_max_width_mm=section.boxcar_max_width_mm.value_mm,
        rolling_min_width_mm=section.rolling_min_width_mm.value_mm,
        boxcar_deep_min_depth_mm=section.boxcar_deep_min_depth_mm.value_mm,
        sources=tuple(dict.fromkeys(source for row in rows for source in row.sources)),
    )


def _rows_of_jacob(section: JacobSection) -> Iterator[tuple[str, CitedRow]]:
    yield "jacob-scale", section.scale
    for name in JacobSection.model_fields:
        row = getattr(section, name)
        if isinstance(row, JacobCriterionRow):
            yield f"jacob-{name.replace('_', '-')}", row


def _gb_qualitative(section: GbQualitativeSection) -> GbQualitativeGrades:
    levels = [row.level for row in section.grades]
    if levels != list(GbQualitativeLevel):
        detail = f"grades must list {', '.join(GbQualitativeLevel)} once each, in that order"
        raise KnowledgeError(TABLE, "gb-qualitative-grades", detail)
    for previous, row in pairwise(section.grades):
        if row.grade <= previous.grade:
            raise KnowledgeError(TABLE, row.id, "grade numbers must rise with severity")
    return GbQualitativeGrades(
        grades=tuple(
            GbQualitativeGrade(
                grade=row.grade,
                level=row.level,
                definition=row.definition,
                examples=row.examples,
                provenance=row.provenance(),
            )
            for row in section.grades
        )
    )


def _gb_quantitative(section: GbQuantitativeSection) -> GbQuantitativeTable:
    _check_once_each(GbLesionType, [(row.id, row.lesion) for row in section.points], "points")
    _check_positive([(row.id, row.points) for row in section.points])
    _check_count_bands(section.count_bands, [band.multiplier for band in section.count_bands])
    _check_area_bands(section.keloid_area_bands)
    return GbQuantitativeTable(
        points=tuple(
            PointsRow(row.lesion, row.points, row.provenance(), _label(row.description))
            for row in section.points
        ),
        count_bands=tuple(
            LesionCountBand(row.min_count, row.max_count, row.multiplier, row.provenance())
            for row in section.count_bands
        ),
        keloid_area_bands=tuple(
            KeloidAreaBand(
                row.min_cm2,
                row.min_inclusive,
                row.max_cm2,
                row.max_inclusive,
                row.score,
                row.provenance(),
            )
            for row in section.keloid_area_bands
        ),
    )


def _ecca(section: EccaSection) -> EccaTable:
    _check_once_each(EccaItem, [(row.id, row.item) for row in section.weights], "weights")
    _check_positive([(row.id, row.weight) for row in section.weights])
    _check_count_bands(section.count_bands, [band.score for band in section.count_bands])
    return EccaTable(
        weights=tuple(
            EccaWeight(row.item, row.weight, row.provenance(), _label(row.description))
            for row in section.weights
        ),
        count_bands=tuple(
            EccaCountBand(row.min_count, row.max_count, row.score, row.provenance())
            for row in section.count_bands
        ),
    )


def _check_once_each(
    members: type[StrEnum], rows: Sequence[tuple[str, StrEnum]], section: str
) -> None:
    listed = [member for _, member in rows]
    for row_id, member in rows:
        if listed.count(member) > 1:
            raise KnowledgeError(TABLE, row_id, f"{member} appears more than once in {section}")
    missing = [str(member) for member in members if member not in listed]
    if missing:
        raise KnowledgeError(TABLE, section, f"no row for {', '.join(missing)}")


def _check_positive(rows: Sequence[tuple[str, int]]) -> None:
    for row_id, value in rows:
        if value <= 0:
            raise KnowledgeError(TABLE, row_id, f"{value} must be greater than 0")


def _check_count_bands(bands: Sequence[CountBandRow], values: Sequence[int]) -> None:
    if not bands or bands[0].min_count != 0:
        raise KnowledgeError(TABLE, bands[0].id if bands else "-", "bands must start at 0")
    for previous, band in pairwise(bands):
        if previous.max_count is None or band.min_count != previous.max_count + 1:
            raise KnowledgeError(TABLE, band.id, "band does not follow on from the previous one")
    for band in bands:
        if band.max_count is not None and band.max_count < band.min_count:
            raise KnowledgeError(TABLE, band.id, "max_count is below min_count")
    if bands[-1].max_count is not None:
        raise KnowledgeError(TABLE, bands[-1].id, "the last band must have no max_count")
    _check_not_decreasing([band.id for band in bands], values)


def _check_area_bands(bands: Sequence[KeloidAreaBandRow]) -> None:
    if not bands or bands[0].min_cm2 != 0 or not bands[0].min_inclusive:
        raise KnowledgeError(TABLE, bands[0].id if bands else "-", "bands must start at 0")
    for previous, band in pairwise(bands):
        follows = previous.max_cm2 == band.min_cm2 and previous.max_inclusive != band.min_inclusive
        if not follows:
            raise KnowledgeError(TABLE, band.id, "band does not follow on from the previous one")
    for band in bands:
        if _is_empty(band):
            raise KnowledgeError(TABLE, band.id, "the band holds no area")
    if bands[-1].max_cm2 is not None:
        raise KnowledgeError(TABLE, bands[-1].id, "the last band must have no max_cm2")
    _check_not_decreasing([band.id for band in bands], [band.score for band in bands])


def _is_empty(band: KeloidAreaBandRow) -> bool:
    if band.max_cm2 is None:
        return False
    if band.max_cm2 == band.min_cm2:
        return not (band.min_inclusive and band.max_inclusive)
    return band.max_cm2 < band.min_cm2


def _check_not_decreasing(ids: Sequence[str], values: Sequence[int]) -> None:
    for (_, previous), (row_id, value) in pairwise(zip(ids, values, strict=True)):
        if value < previous:
            raise KnowledgeError(TABLE, row_id, "a band for more scars must not score less")


def _label(description: str) -> str:
    """A row's description as a label inside a sentence: without its closing full stop."""
    return description.strip().removesuffix(".")
