"""Goodman & Baron qualitative global acne-scar grading (grades 1–4).

Publication: Goodman GJ, Baron JA. *Postacne scarring: a qualitative global scarring grading
system.* Dermatol Surg 2006;32:1458–66 (source id ``goodman-baron-2006-qualitative``).

Items (the four grades; wording in ``scales.yaml``):

* **macular**: flat marks, a problem of colour rather than contour.
* **mild**: atrophy or hypertrophy that is not obvious at social distance or is easily
  concealed by makeup, beard shadow or body hair.
* **moderate**: obvious at social distance, not easily concealed, but flattens when the skin
  is stretched.
* **severe**: obvious at social distance, not easily concealed, and does not flatten on
  stretching.

The decision tree is derived from those definitions: no contour change gives macular; not
visible at social distance or easily concealed gives mild; otherwise stretching decides
between moderate and severe. Grade numbers, wording and provenance come from
:class:`GbQualitativeGrades`; a grade whose wording is unverified is reported as such.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import StrEnum

from needlepoint.domain.errors import FieldProblem, InvalidInputError, KnowledgeError
from needlepoint.domain.evidence import Provenance
from needlepoint.domain.scales.inputs import GbQualitativeCriteria


class GbQualitativeLevel(StrEnum):
    """The level name of a Goodman & Baron qualitative grade, mildest first."""

    MACULAR = "macular"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


@dataclass(frozen=True, slots=True)
class GbQualitativeGrade:
    """One grade of the scale: its number, level, published wording and provenance."""

    grade: int
    level: GbQualitativeLevel
    definition: str
    examples: str
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class GbQualitativeGrades:
    """The four grades, mildest first, as read from ``scales.yaml``."""

    grades: tuple[GbQualitativeGrade, ...]

    def for_level(self, level: GbQualitativeLevel) -> GbQualitativeGrade:
        """The grade row for a level.

        Raises:
            KnowledgeError: The table has no row for the level.
        """
        for row in self.grades:
            if row.level is level:
                return row
        raise KnowledgeError("scales", f"gb-qualitative-{level}", "no grade for this level")


@dataclass(frozen=True, slots=True)
class GbQualitativeResult:
    """A Goodman & Baron qualitative grade, with why.

    Attributes:
        grade: 1 (macular) to 4 (severe).
        level: The level name.
        definition: The published wording of the grade.
        explanation: Plain words: which observations led to the grade.
        sources: Source ids behind the grade.
        unverified: True when the grade's wording awaits checking against the publication.
    """

    grade: int
    level: GbQualitativeLevel
    definition: str
    explanation: str
    sources: tuple[str, ...]
    unverified: bool


def grade(criteria: GbQualitativeCriteria, grades: GbQualitativeGrades) -> GbQualitativeResult:
    """Grade the overall severity of acne scarring from four visual observations.

    Args:
        criteria: Contour change, visibility at social distance, concealment, stretch test.
        grades: Grade numbers and wording from the knowledge table.

    Returns:
        The grade, its level name and wording, and an explanation.

    Raises:
        InvalidInputError: An observation is not a yes/no value.
    """
    _check(criteria)
    level, reason = _level_for(criteria)
    row = grades.for_level(level)
    caveat = " The wording of this grade is unverified." if row.provenance.is_unverified else ""
    return GbQualitativeResult(
        grade=row.grade,
        level=level,
        definition=row.definition,
        explanation=f"grade {row.grade} ({level}): {reason}{caveat}",
        sources=row.provenance.sources,
        unverified=row.provenance.is_unverified,
    )


def _check(criteria: GbQualitativeCriteria) -> None:
    problems = [
        FieldProblem(item.name, f"{value!r} is not yes or no.", "answer true or false.")
        for item in fields(criteria)
        if not isinstance(value := getattr(criteria, item.name), bool)
    ]
    if problems:
        raise InvalidInputError(problems)


def _level_for(criteria: GbQualitativeCriteria) -> tuple[GbQualitativeLevel, str]:
    if not criteria.contour_change:
        return GbQualitativeLevel.MACULAR, "no change in contour; a problem of colour only."
    if not criteria.visible_at_social_distance or criteria.easily_concealed:
        why = [
            *(
                ["not obvious at social distance"]
                if not criteria.visible_at_social_distance
                else []
            ),
            *(["easily concealed"] if criteria.easily_concealed else []),
        ]
        return GbQualitativeLevel.MILD, f"contour change, but {' and '.join(why)}."
    if criteria.flattens_on_stretch:
        return GbQualitativeLevel.MODERATE, (
            "obvious at social distance and not easily concealed, but flattens when the skin "
            "is stretched."
        )
    return GbQualitativeLevel.SEVERE, (
        "obvious at social distance, not easily concealed, and does not flatten when the "
        "skin is stretched."
    )
