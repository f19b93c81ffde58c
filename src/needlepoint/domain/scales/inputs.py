"""Raw inputs for the acne-scar scales, recorded per zone at an assessment.

Each scale works from what the examiner saw, never from a pre-computed grade:

* Jacob, Dover & Kaminer 2001 morphology: width, edges, taper, depth of representative scars.
* Goodman & Baron qualitative: the four visual criteria of the global grade.
* Goodman & Baron quantitative: lesion counts per sub-type, and keloid area in cm².
* ECCA: lesion counts per item.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import TypeVar

from needlepoint.domain.errors import FieldProblem, InvalidInputError
from needlepoint.domain.vocabulary import Zone


class ScarEdges(StrEnum):
    """How the edge of a depressed scar meets normal skin."""

    VERTICAL = "vertical"
    SLOPING = "sloping"


class ScarDepth(StrEnum):
    """Estimated depth class of a depressed scar."""

    SHALLOW = "shallow"
    DEEP = "deep"


@dataclass(frozen=True, slots=True)
class ScarMorphology:
    """A group of similar scars in a zone, described by what the examiner sees."""

    width_mm: Decimal
    edges: ScarEdges
    tapers_to_point: bool
    depth: ScarDepth
    count: int = 1


@dataclass(frozen=True, slots=True)
class GbQualitativeCriteria:
    """The four observations behind the Goodman & Baron qualitative grade."""

    contour_change: bool
    visible_at_social_distance: bool
    easily_concealed: bool
    flattens_on_stretch: bool


class GbLesionType(StrEnum):
    """Rows of the Goodman & Baron quantitative table that are scored by lesion count."""

    A1_MACULAR = "a1_macular"
    A2_MILD_ATROPHIC_DISH = "a2_mild_atrophic_dish"
    B1_MODERATE_ATROPHIC = "b1_moderate_atrophic"
    B2_PUNCHED_OUT_SHALLOW_SMALL = "b2_punched_out_shallow_small"
    B3_SHALLOW_BROAD_ATROPHIC = "b3_shallow_broad_atrophic"
    C1_PUNCHED_OUT_DEEP_NORMAL_BASE = "c1_punched_out_deep_normal_base"
    C2_PUNCHED_OUT_DEEP_ABNORMAL_BASE = "c2_punched_out_deep_abnormal_base"
    C3_LINEAR_TROUGHED = "c3_linear_troughed"
    C4_DEEP_BROAD_ATROPHIC = "c4_deep_broad_atrophic"
    D1_PAPULAR = "d1_papular"


class EccaItem(StrEnum):
    """The six ECCA items (Dréno 2007)."""

    V_SHAPED_ATROPHIC = "v_shaped_atrophic"
    U_SHAPED_ATROPHIC = "u_shaped_atrophic"
    M_SHAPED_ATROPHIC = "m_shaped_atrophic"
    SUPERFICIAL_ELASTOLYSIS = "superficial_elastolysis"
    HYPERTROPHIC_RECENT = "hypertrophic_recent"
    KELOID_OR_OLD_HYPERTROPHIC = "keloid_or_old_hypertrophic"


KeyT = TypeVar("KeyT", bound=StrEnum)


def _frozen(counts: Mapping[KeyT, int]) -> Mapping[KeyT, int]:
    return MappingProxyType(dict(counts))


@dataclass(frozen=True, slots=True)
class ZoneScarAssessment:
    """Everything recorded about the scars in one zone at one assessment."""

    zone: Zone
    morphology: tuple[ScarMorphology, ...] = ()
    qualitative: GbQualitativeCriteria | None = None
    quantitative_counts: Mapping[GbLesionType, int] = field(default_factory=dict)
    keloid_area_cm2: Decimal = Decimal(0)
    ecca_counts: Mapping[EccaItem, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "quantitative_counts", _frozen(self.quantitative_counts))
        object.__setattr__(self, "ecca_counts", _frozen(self.ecca_counts))
        problems = list(self._problems())
        if problems:
            raise InvalidInputError(problems)

    @property
    def has_quantitative(self) -> bool:
        """Whether any Goodman & Baron quantitative input was recorded."""
        return bool(self.quantitative_counts) or self.keloid_area_cm2 > 0

    def _problems(self) -> Iterable[FieldProblem]:
        where = f"scar_assessments[{self.zone}]"
        for lesion, count in self.quantitative_counts.items():
            if count < 0:
                yield FieldProblem(
                    f"{where}.quantitative_counts.{lesion}",
                    f"{count} is a negative lesion count.",
                    "count lesions as 0 or more.",
                )
        for item, count in self.ecca_counts.items():
            if count < 0:
                yield FieldProblem(
                    f"{where}.ecca_counts.{item}",
                    f"{count} is a negative lesion count.",
                    "count lesions as 0 or more.",
                )
        if self.keloid_area_cm2 < 0:
            yield FieldProblem(
                f"{where}.keloid_area_cm2",
                f"{self.keloid_area_cm2} cm² is a negative area.",
                "give the keloid/hypertrophic area in cm², 0 if none.",
            )
        for index, group in enumerate(self.morphology):
            yield from _morphology_problems(f"{where}.morphology[{index}]", group)


def _morphology_problems(where: str, group: ScarMorphology) -> Iterable[FieldProblem]:
    if group.width_mm <= 0:
        yield FieldProblem(
            f"{where}.width_mm", f"{group.width_mm} mm is not a width.", "give a width above 0 mm."
        )
    if group.count < 1:
        yield FieldProblem(
            f"{where}.count",
            f"{group.count} is not a number of scars.",
            "give how many scars look like this (1 or more).",
        )
