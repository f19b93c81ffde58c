"""Scar assessments: the raw zone inputs and the grading, as JSON."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import RowMapping, insert

from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.repository import SqlRepository, of_patient
from needlepoint.domain.assessments import ScarAssessmentRecord


class SqlAssessmentRepository(SqlRepository):
    """Scar assessments: the raw zone inputs and the grading, as JSON."""

    def add(self, assessment: ScarAssessmentRecord) -> None:
        """Store a new assessment."""
        values = {
            "id": assessment.id,
            "clinic_id": assessment.clinic_id,
            "patient_id": assessment.patient_id,
            "assessed_on": assessment.assessed_on,
            "assessed_by": assessment.assessed_by,
            "zones": [dict(zone) for zone in assessment.zones],
            "grading": dict(assessment.grading),
            "created_at": assessment.created_at,
        }
        self._connection().execute(insert(t.scar_assessment).values(values))

    def for_patient(
        self, clinic_id: UUID, patient_id: UUID, *, offset: int, limit: int
    ) -> Sequence[ScarAssessmentRecord]:
        """A patient's assessments, oldest first."""
        columns = t.scar_assessment.c
        query = (
            of_patient(t.scar_assessment, clinic_id, patient_id)
            .order_by(columns.assessed_on, columns.created_at, columns.id)
            .offset(offset)
            .limit(limit)
        )
        return self._all(query, _assessment_from_row)


def _assessment_from_row(row: RowMapping) -> ScarAssessmentRecord:
    return ScarAssessmentRecord(
        id=row["id"],
        clinic_id=row["clinic_id"],
        patient_id=row["patient_id"],
        assessed_on=row["assessed_on"],
        assessed_by=row["assessed_by"],
        zones=tuple(row["zones"]),
        grading=row["grading"],
        created_at=row["created_at"],
    )
