"""What a treatment achieved and what the patient was given: outcome measurements, care documents.

An outcome measurement is one score on one scale on one day. Each scale has its own valid
range. Where the scale is computed by needlepoint the range comes from the scale's table
(``scales.yaml``): Goodman & Baron quantitative 0 to its maximum total (84 with the table as
published), ECCA 0 to its maximum total, Goodman & Baron qualitative from its lowest to its
highest grade. The two scales needlepoint only records carry their range here, with the
source named beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Final
from uuid import UUID

from needlepoint.domain.errors import InputCode, InvalidInputError
from needlepoint.domain.records import PatientRecord
from needlepoint.domain.scales.grading import ScaleTables


class OutcomeScale(StrEnum):
    """A scale an outcome is measured on."""

    GB_QUANTITATIVE = "gb_quantitative"
    GB_QUALITATIVE = "gb_qualitative"
    ECCA = "ecca"
    GAIS = "gais"
    SATISFACTION = "satisfaction"


@dataclass(frozen=True, slots=True)
class ScaleRange:
    """The values a scale allows, both ends inclusive; ordinal scales take whole numbers only."""

    lowest: Decimal
    highest: Decimal
    whole_numbers: bool
    source: str

    def contains(self, value: Decimal) -> bool:
        """Whether a value is a possible score on this scale."""
        if self.whole_numbers and value != value.to_integral_value():
            return False
        return self.lowest <= value <= self.highest


GAIS_RANGE: Final = ScaleRange(
    Decimal(1),
    Decimal(5),
    whole_numbers=True,
    # GAIS as used in the SkinPen studies: 1 very much improved … 4 no change, 5 worse.
    # clinical.md §5.5 (SkinPen manual Table 7; sources fda-den160029-skinpen,
    # nct02646917-skinpen-pivotal).
    source="clinical.md §5.5: Global Aesthetic Improvement Scale, SkinPen manual Table 7",
)

SATISFACTION_RANGE: Final = ScaleRange(
    Decimal(0),
    Decimal(10),
    whole_numbers=True,
    # Patient satisfaction as an 11-point numeric rating scale (0 not at all … 10 completely
    # satisfied): a recording convention [INF], not a published instrument. The SkinPen pivotal
    # study (nct02646917-skinpen-pivotal, clinical.md §6.1 row 8) reports satisfaction without
    # a retrievable scale.
    source="0–10 numeric rating scale (recording convention, clinical.md §6.1)",
)


def scale_ranges(tables: ScaleTables) -> dict[OutcomeScale, ScaleRange]:
    """The valid range of every outcome scale, the computed ones taken from the scale tables."""
    source = f"scales.yaml {tables.version}"
    grades = [g.grade for g in tables.gb_qualitative.grades]
    return {
        OutcomeScale.GB_QUANTITATIVE: ScaleRange(
            _lowest_gb_quantitative(tables),
            Decimal(tables.gb_quantitative.max_total),
            whole_numbers=True,
            source=source,
        ),
        OutcomeScale.GB_QUALITATIVE: ScaleRange(
            Decimal(min(grades)), Decimal(max(grades)), whole_numbers=True, source=source
        ),
        OutcomeScale.ECCA: ScaleRange(
            _lowest_ecca(tables), Decimal(tables.ecca.max_total), whole_numbers=True, source=source
        ),
        OutcomeScale.GAIS: GAIS_RANGE,
        OutcomeScale.SATISFACTION: SATISFACTION_RANGE,
    }


def _lowest_gb_quantitative(tables: ScaleTables) -> Decimal:
    """Every row and the keloid area in their lowest band (no scars: 0 with the table)."""
    table = tables.gb_quantitative
    lowest_multiplier = min(band.multiplier for band in table.count_bands)
    lowest_keloid = min(band.score for band in table.keloid_area_bands)
    return Decimal(sum(row.points for row in table.points) * lowest_multiplier + lowest_keloid)


def _lowest_ecca(tables: ScaleTables) -> Decimal:
    """Every item in its lowest count band (no scars: 0 with the table)."""
    lowest_score = min(band.score for band in tables.ecca.count_bands)
    return Decimal(sum(row.weight for row in tables.ecca.weights) * lowest_score)


@dataclass(frozen=True, slots=True)
class OutcomeMeasurement:
    """One score on one scale on one day, optionally tied to a treatment series."""

    id: UUID
    clinic_id: UUID
    patient_id: UUID
    series_id: UUID | None
    measured_on: date
    scale: OutcomeScale
    value: Decimal
    note: str | None
    recorded_at: datetime
    recorded_by: UUID


def check_outcome_value(
    scale: OutcomeScale, value: Decimal, ranges: Mapping[OutcomeScale, ScaleRange]
) -> None:
    """Refuse a value the scale cannot take.

    Raises:
        InvalidInputError: The value is outside the scale's range or not a whole number on an
            ordinal scale; the problem names ``value`` and the range.
    """
    allowed = ranges[scale]
    if not value.is_finite() or not allowed.contains(value):
        kind = "a whole number " if allowed.whole_numbers else "a value "
        raise InvalidInputError.single(
            "value",
            f"{value} is not a possible {scale.value} score.",
            f"give {kind}from {allowed.lowest} to {allowed.highest} ({allowed.source}).",
            InputCode.OUT_OF_RANGE,
        )


class CareDocumentKind(StrEnum):
    """What a care document is for."""

    PRE_CARE = "pre_care"
    AFTERCARE = "aftercare"


@dataclass(frozen=True, slots=True)
class CareDocument:
    """A document given to the patient (pre-care or aftercare instructions), as given."""

    id: UUID
    clinic_id: UUID
    patient_id: UUID
    series_id: UUID
    kind: CareDocumentKind
    issued_at: datetime
    issued_by: UUID
    content: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class OutcomePoint:
    """One scar score, the sessions done by then, and the range expected at that point."""

    measurement: OutcomeMeasurement
    sessions_done: int
    expected_low: Decimal | None
    """The lowest (best) score the evidence expects by then; None without a baseline."""
    expected_high: Decimal | None
    """The highest (worst) score still within the expected range."""

    @property
    def behind(self) -> bool:
        """Whether the score is worse than the whole expected range."""
        return self.expected_high is not None and self.measurement.value > self.expected_high


@dataclass(frozen=True, slots=True)
class OutcomeChart:
    """A patient's outcome measurements, and the scar-score track against expectations."""

    patient: PatientRecord
    measurements: tuple[OutcomeMeasurement, ...]
    scale: OutcomeScale | None
    """The scar scale plotted (the one with most scores), or None without scar scores."""
    points: tuple[OutcomePoint, ...]

    @property
    def behind(self) -> bool:
        """Whether the newest scar score is worse than the range expected by then."""
        return bool(self.points) and self.points[-1].behind
