"""Grading a patient's acne scars across zones on all four scales at once.

Each zone is graded on its own (Jacob type per scar group, Goodman & Baron qualitative grade,
quantitative score and ECCA score where inputs were recorded), then the face as a whole:

* the global qualitative grade is the worst zone grade;
* the global quantitative and ECCA scores are computed from lesion counts (and keloid area)
  **summed across zones**, because both are whole-face scores in their publications. This is
  not the sum of the zone scores: band multipliers apply to the whole-face count;
* the dominant Jacob type is the one with the most scars across zones.

The tables travel together in :class:`ScaleTables`, with the ``scales.yaml`` version that
every grading records.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from types import MappingProxyType

from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.scales import ecca, goodman_baron_qualitative, goodman_baron_quantitative
from needlepoint.domain.scales import jacob as jacob_scale
from needlepoint.domain.scales.ecca import EccaResult, EccaTable
from needlepoint.domain.scales.goodman_baron_qualitative import (
    GbQualitativeGrades,
    GbQualitativeResult,
)
from needlepoint.domain.scales.goodman_baron_quantitative import (
    GbQuantitativeResult,
    GbQuantitativeTable,
)
from needlepoint.domain.scales.inputs import EccaItem, GbLesionType, ZoneScarAssessment
from needlepoint.domain.scales.jacob import JacobCriteria, JacobResult, JacobType
from needlepoint.domain.vocabulary import Zone


@dataclass(frozen=True, slots=True)
class ScaleTables:
    """The four scale tables, as read from one version of ``scales.yaml``."""

    jacob: JacobCriteria
    gb_qualitative: GbQualitativeGrades
    gb_quantitative: GbQuantitativeTable
    ecca: EccaTable
    version: str


@dataclass(frozen=True, slots=True)
class ZoneGrading:
    """The results for one zone; a scale without inputs in the zone is None."""

    zone: Zone
    jacob: tuple[JacobResult, ...]
    gb_qualitative: GbQualitativeResult | None
    gb_quantitative: GbQuantitativeResult | None
    ecca: EccaResult | None


@dataclass(frozen=True, slots=True)
class ScarGrading:
    """Scar grades per zone and for the whole face.

    Attributes:
        zones: One grading per assessed zone, in the order given.
        gb_qualitative: The worst zone grade, or None if no zone was graded.
        gb_quantitative: The score of lesion counts and keloid area summed across zones (not
            the sum of zone scores), or None if no zone had quantitative input.
        ecca: The score of lesion counts summed across zones, or None if no ECCA input.
        dominant_jacob_type: The type with the most scars across zones, ignoring
            indeterminate groups; ties go to the type listed first in ``JacobType``.
        jacob_counts: Scars per Jacob type across zones (indeterminate included).
        table_version: The ``scales.yaml`` version used.
    """

    zones: tuple[ZoneGrading, ...]
    gb_qualitative: GbQualitativeResult | None
    gb_quantitative: GbQuantitativeResult | None
    ecca: EccaResult | None
    dominant_jacob_type: JacobType | None
    jacob_counts: Mapping[JacobType, int]
    table_version: str

    def grade_for(self, zone: Zone) -> int | None:
        """The qualitative grade of a zone, or the global grade if the zone has none."""
        for graded in self.zones:
            if graded.zone is zone and graded.gb_qualitative is not None:
                return graded.gb_qualitative.grade
        return self.gb_qualitative.grade if self.gb_qualitative else None


def grade_assessments(
    assessments: Sequence[ZoneScarAssessment], tables: ScaleTables
) -> ScarGrading:
    """Grade acne scars in every assessed zone and for the face as a whole.

    Args:
        assessments: What was recorded per zone; each zone at most once.
        tables: The scale tables to grade with.

    Returns:
        Per-zone results and the global results.

    Raises:
        InvalidInputError: A zone is assessed twice, or an input is out of range.
    """
    _check_zones_unique(assessments)
    zones = tuple(_grade_zone(assessment, tables) for assessment in assessments)
    jacob_counts = _jacob_counts(result for zone in zones for result in zone.jacob)
    return ScarGrading(
        zones=zones,
        gb_qualitative=_worst_qualitative(zones),
        gb_quantitative=_global_quantitative(assessments, zones, tables.gb_quantitative),
        ecca=_global_ecca(assessments, zones, tables.ecca),
        dominant_jacob_type=_dominant(jacob_counts),
        jacob_counts=MappingProxyType(jacob_counts),
        table_version=tables.version,
    )


def _check_zones_unique(assessments: Sequence[ZoneScarAssessment]) -> None:
    seen: set[Zone] = set()
    for index, assessment in enumerate(assessments):
        if assessment.zone in seen:
            raise InvalidInputError.single(
                f"scar_assessments[{index}].zone",
                f"{assessment.zone} is assessed more than once.",
                "record each zone once, with all its scars in one assessment.",
            )
        seen.add(assessment.zone)


def _grade_zone(assessment: ZoneScarAssessment, tables: ScaleTables) -> ZoneGrading:
    qualitative = assessment.qualitative
    return ZoneGrading(
        zone=assessment.zone,
        jacob=tuple(jacob_scale.classify(group, tables.jacob) for group in assessment.morphology),
        gb_qualitative=(
            goodman_baron_qualitative.grade(qualitative, tables.gb_qualitative)
            if qualitative is not None
            else None
        ),
        gb_quantitative=(
            goodman_baron_quantitative.score(
                assessment.quantitative_counts, assessment.keloid_area_cm2, tables.gb_quantitative
            )
            if assessment.has_quantitative
            else None
        ),
        ecca=ecca.score(assessment.ecca_counts, tables.ecca) if assessment.ecca_counts else None,
    )


def _worst_qualitative(zones: Iterable[ZoneGrading]) -> GbQualitativeResult | None:
    graded = [(zone.zone, zone.gb_qualitative) for zone in zones if zone.gb_qualitative]
    if not graded:
        return None
    zone, worst = max(graded, key=lambda pair: pair[1].grade)
    return replace(worst, explanation=f"worst zone, {zone}: {worst.explanation}")


def _global_quantitative(
    assessments: Sequence[ZoneScarAssessment],
    zones: Sequence[ZoneGrading],
    table: GbQuantitativeTable,
) -> GbQuantitativeResult | None:
    """The whole face's score: the zones' counts and areas summed, then scored once.

    With one zone scored, the face's sums are that zone's own, so is its score.
    """
    with_input = [a for a in assessments if a.has_quantitative]
    if not with_input:
        return None
    scored = [z.gb_quantitative for z in zones if z.gb_quantitative is not None]
    if len(with_input) == 1 and len(scored) == 1:
        return scored[0]
    counts: Counter[GbLesionType] = Counter()
    for assessment in with_input:
        counts.update(assessment.quantitative_counts)
    area_cm2 = sum((a.keloid_area_cm2 for a in with_input), Decimal(0))
    return goodman_baron_quantitative.score(counts, area_cm2, table)


def _global_ecca(
    assessments: Sequence[ZoneScarAssessment], zones: Sequence[ZoneGrading], table: EccaTable
) -> EccaResult | None:
    """The whole face's ECCA: the zones' counts summed, then scored once (one zone: its own)."""
    with_input = [a for a in assessments if a.ecca_counts]
    if not with_input:
        return None
    scored = [z.ecca for z in zones if z.ecca is not None]
    if len(with_input) == 1 and len(scored) == 1:
        return scored[0]
    counts: Counter[EccaItem] = Counter()
    for assessment in with_input:
        counts.update(assessment.ecca_counts)
    return ecca.score(counts, table)


def _jacob_counts(results: Iterable[JacobResult]) -> dict[JacobType, int]:
    counts: dict[JacobType, int] = {}
    for result in results:
        counts[result.scar_type] = counts.get(result.scar_type, 0) + result.count
    return counts


def _dominant(counts: Mapping[JacobType, int]) -> JacobType | None:
    candidates = [t for t in JacobType if t is not JacobType.INDETERMINATE and counts.get(t)]
    if not candidates:
        return None
    return max(candidates, key=lambda t: counts[t])
