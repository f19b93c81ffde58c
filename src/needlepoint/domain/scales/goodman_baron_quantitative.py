"""Goodman & Baron quantitative global acne-scar score (0 to the table maximum, 84).

Publication: Goodman GJ, Baron JA. *Postacne scarring – a quantitative global scarring
grading system.* J Cosmet Dermatol 2006;5:48–52 (source id
``goodman-baron-2006-quantitative``).

Items: ten rows scored by lesion count (``GbLesionType``: A1 macular, A2 mildly atrophic
dish-like, B1 moderately atrophic, B2 small punched-out shallow, B3 shallow broad atrophic,
C1/C2 small punched-out deep with normal/abnormal bases, C3 linear or troughed, C4 deep broad
atrophic, D1 papular) and one row, D2 keloidal or hypertrophic scarring, scored by area.

Scoring: for each row, the lesion count falls in a band that gives a multiplier; the row
scores its points times that multiplier. The keloid area falls in an area band with its own
score. The total is the sum of the rows. Points, bands and scores all come from
:class:`GbQuantitativeTable`, which the knowledge layer builds from ``scales.yaml``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal

from needlepoint.domain.errors import FieldProblem, InvalidInputError, KnowledgeError
from needlepoint.domain.evidence import Provenance
from needlepoint.domain.scales.bands import CountBand
from needlepoint.domain.scales.inputs import GbLesionType

KELOID_ROW = "D2 keloidal or hypertrophic scarring"
"""How explanations name the area-scored row (the publication's name for it)."""


@dataclass(frozen=True, slots=True)
class LesionCountBand(CountBand):
    """A band of lesion counts and its multiplier."""

    multiplier: int
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class PointsRow:
    """The points one lesion-count row is worth before its multiplier.

    ``label`` is the row as the knowledge table words it (``B1 Moderately atrophic scars
    (moderate scarring)``); explanations name rows by it, never by the ``lesion`` code.
    """

    lesion: GbLesionType
    points: int
    provenance: Provenance
    label: str


@dataclass(frozen=True, slots=True)
class KeloidAreaBand:
    """A band of keloid/hypertrophic area in cm², with each end open or closed."""

    min_cm2: Decimal
    min_inclusive: bool
    max_cm2: Decimal | None
    max_inclusive: bool
    score: int
    provenance: Provenance

    def contains(self, area_cm2: Decimal) -> bool:
        """Whether an area falls in this band."""
        above = area_cm2 >= self.min_cm2 if self.min_inclusive else area_cm2 > self.min_cm2
        if self.max_cm2 is None:
            return above
        below = area_cm2 <= self.max_cm2 if self.max_inclusive else area_cm2 < self.max_cm2
        return above and below

    @property
    def label(self) -> str:
        """The band as a clinician writes it, e.g. ``≥ 5 and ≤ 20 cm²``."""
        if self.max_cm2 == self.min_cm2:
            return f"{self.min_cm2} cm²"
        lower = f"{'≥' if self.min_inclusive else '>'} {self.min_cm2}"
        if self.max_cm2 is None:
            return f"{lower} cm²"
        return f"{lower} and {'≤' if self.max_inclusive else '<'} {self.max_cm2} cm²"


@dataclass(frozen=True, slots=True)
class GbQuantitativeTable:
    """Points per row, lesion-count bands and keloid area bands, from ``scales.yaml``."""

    points: tuple[PointsRow, ...]
    count_bands: tuple[LesionCountBand, ...]
    keloid_area_bands: tuple[KeloidAreaBand, ...]

    @property
    def max_total(self) -> int:
        """The highest total the table allows (every row in its top band)."""
        top_multiplier = max(band.multiplier for band in self.count_bands)
        top_keloid = max(band.score for band in self.keloid_area_bands)
        return sum(row.points for row in self.points) * top_multiplier + top_keloid

    def band_for(self, count: int) -> LesionCountBand:
        """The lesion-count band a count falls in.

        Raises:
            KnowledgeError: No band covers the count.
        """
        for band in self.count_bands:
            if band.contains(count):
                return band
        raise KnowledgeError("scales", "gb-quantitative-count-bands", f"no band covers {count}")

    def keloid_band_for(self, area_cm2: Decimal) -> KeloidAreaBand:
        """The keloid area band an area falls in.

        Raises:
            KnowledgeError: No band covers the area.
        """
        for band in self.keloid_area_bands:
            if band.contains(area_cm2):
                return band
        raise KnowledgeError(
            "scales", "gb-quantitative-keloid-area-bands", f"no band covers {area_cm2} cm²"
        )


@dataclass(frozen=True, slots=True)
class RowScore:
    """The score of one lesion-count row: points × the multiplier of the count's band."""

    lesion: GbLesionType
    count: int
    multiplier: int
    points: int
    score: int


@dataclass(frozen=True, slots=True)
class KeloidAreaScore:
    """The score of the keloid/hypertrophic row (D2), from the area's band."""

    area_cm2: Decimal
    band: str
    score: int


@dataclass(frozen=True, slots=True)
class GbQuantitativeResult:
    """A Goodman & Baron quantitative score, row by row, with why.

    Attributes:
        rows: One score per lesion-count row, in table order (rows not counted score 0).
        keloid: The keloid/hypertrophic area row.
        total: Sum of all rows.
        max_total: The highest total the table allows.
        explanation: Plain words: each scoring row, its band and arithmetic, and the total.
        sources: Source ids behind the rows and bands used.
        unverified: True when any row or band used awaits checking against the publication.
    """

    rows: tuple[RowScore, ...]
    keloid: KeloidAreaScore
    total: int
    max_total: int
    explanation: str
    sources: tuple[str, ...]
    unverified: bool


def score(
    counts: Mapping[GbLesionType, int], keloid_area_cm2: Decimal, table: GbQuantitativeTable
) -> GbQuantitativeResult:
    """Score the whole-face burden of acne scars from lesion counts and keloid area.

    Args:
        counts: Lesions counted per row; a row left out counts 0.
        keloid_area_cm2: Area of keloidal or hypertrophic scarring in cm², 0 if none.
        table: Points, count bands and area bands from the knowledge table.

    Returns:
        The score of every row, the total, the maximum and an explanation.

    Raises:
        InvalidInputError: A count is negative or names no row, or the area is negative.
    """
    _check(counts, keloid_area_cm2, table)
    bands = [table.band_for(counts.get(row.lesion, 0)) for row in table.points]
    rows = tuple(
        _row_score(row, counts.get(row.lesion, 0), band)
        for row, band in zip(table.points, bands, strict=True)
    )
    area_band = table.keloid_band_for(keloid_area_cm2)
    keloid = KeloidAreaScore(area_cm2=keloid_area_cm2, band=area_band.label, score=area_band.score)
    used = [row.provenance for row in table.points] + [band.provenance for band in bands]
    used.append(area_band.provenance)
    unverified = any(p.is_unverified for p in used)
    total = sum(row.score for row in rows) + keloid.score
    labels = {row.lesion: row.label for row in table.points}
    scored = zip(rows, bands, strict=True)
    lines = _explain(scored, labels, keloid, total, table.max_total, unverified)
    return GbQuantitativeResult(
        rows=rows,
        keloid=keloid,
        total=total,
        max_total=table.max_total,
        explanation=lines,
        sources=tuple(dict.fromkeys(source for p in used for source in p.sources)),
        unverified=unverified,
    )


def _row_score(row: PointsRow, count: int, band: LesionCountBand) -> RowScore:
    return RowScore(
        lesion=row.lesion,
        count=count,
        multiplier=band.multiplier,
        points=row.points,
        score=row.points * band.multiplier,
    )


def _check(
    counts: Mapping[GbLesionType, int], area_cm2: Decimal, table: GbQuantitativeTable
) -> None:
    problems = list(_count_problems(counts, {row.lesion for row in table.points}))
    if not area_cm2.is_finite() or area_cm2 < 0:
        problems.append(
            FieldProblem(
                "keloid_area_cm2",
                f"{area_cm2} cm² is not an area.",
                "give the keloid/hypertrophic area in cm², 0 if none.",
            )
        )
    if problems:
        raise InvalidInputError(problems)


def _count_problems(
    counts: Mapping[GbLesionType, int], rows: set[GbLesionType]
) -> Iterator[FieldProblem]:
    for lesion, count in counts.items():
        where = f"quantitative_counts.{lesion}"
        if lesion not in rows:
            yield FieldProblem(where, "is not a row of the scale.", "use a GbLesionType row.")
        elif count < 0:
            yield FieldProblem(
                where, f"{count} is a negative lesion count.", "count lesions as 0 or more."
            )


def _explain(
    rows: Iterable[tuple[RowScore, LesionCountBand]],
    labels: Mapping[GbLesionType, str],
    keloid: KeloidAreaScore,
    total: int,
    max_total: int,
    unverified: bool,
) -> str:
    lines = [
        f"{labels[row.lesion]}: {row.count} {'lesion' if row.count == 1 else 'lesions'} "
        f"({band.label}) → ×{row.multiplier} × {row.points} points = {row.score}"
        for row, band in rows
        if row.count
    ]
    if keloid.area_cm2:
        lines.append(f"{KELOID_ROW}: {keloid.area_cm2} cm² ({keloid.band}) → {keloid.score}")
    if not lines:
        lines.append("no lesions counted and no keloid area")
    lines.append(f"total {total} of {max_total}")
    if unverified:
        lines.append("the scoring table is from recall and unverified against the publication")
    return "; ".join(lines)
