"""The acne-scar scales, one module per scale, each citing its original publication.

* :mod:`~needlepoint.domain.scales.jacob`: Jacob, Dover & Kaminer 2001 morphology.
* :mod:`~needlepoint.domain.scales.goodman_baron_qualitative`: Goodman & Baron 2006, grades 1–4.
* :mod:`~needlepoint.domain.scales.goodman_baron_quantitative`: Goodman & Baron 2006, score 0–84.
* :mod:`~needlepoint.domain.scales.ecca`: Dréno 2007 ECCA, weighted score.
* :mod:`~needlepoint.domain.scales.grading`: all four across zones.

Every number a scale uses comes in as a table argument built from ``scales.yaml``.
"""

from needlepoint.domain.scales.ecca import EccaResult, EccaSubscore, EccaTable
from needlepoint.domain.scales.goodman_baron_qualitative import (
    GbQualitativeGrades,
    GbQualitativeLevel,
    GbQualitativeResult,
)
from needlepoint.domain.scales.goodman_baron_quantitative import (
    GbQuantitativeResult,
    GbQuantitativeTable,
    KeloidAreaScore,
    RowScore,
)
from needlepoint.domain.scales.grading import (
    ScaleTables,
    ScarGrading,
    ZoneGrading,
    grade_assessments,
)
from needlepoint.domain.scales.jacob import JacobCriteria, JacobResult, JacobType

__all__ = [
    "EccaResult",
    "EccaSubscore",
    "EccaTable",
    "GbQualitativeGrades",
    "GbQualitativeLevel",
    "GbQualitativeResult",
    "GbQuantitativeResult",
    "GbQuantitativeTable",
    "JacobCriteria",
    "JacobResult",
    "JacobType",
    "KeloidAreaScore",
    "RowScore",
    "ScaleTables",
    "ScarGrading",
    "ZoneGrading",
    "grade_assessments",
]
