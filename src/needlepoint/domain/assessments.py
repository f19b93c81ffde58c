"""Scar assessments: scar counts per zone, with their grades, over time.

An assessment keeps what the examiner recorded in each zone (the raw inputs of every scale)
and the grading computed from them at the time, with the ``scales.yaml`` version used, so
that a later change to the scale tables never rewrites an earlier grade.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID


@dataclass(frozen=True, slots=True)
class ScarAssessmentRecord:
    """One assessment of a patient's scars on one day.

    Attributes:
        zones: The raw inputs per zone, as recorded (plain data, one mapping per zone).
        grading: The computed scores per zone and overall, with their explanations, sources
            and the scales version (plain data).
    """

    id: UUID
    clinic_id: UUID
    patient_id: UUID
    assessed_on: date
    assessed_by: UUID
    zones: tuple[Mapping[str, Any], ...]
    grading: Mapping[str, Any]
    created_at: datetime
