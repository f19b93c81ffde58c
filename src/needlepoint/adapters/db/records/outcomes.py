"""Outcome measurements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping, insert

from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.repository import SqlRepository, of_patient
from needlepoint.domain.outcomes import OutcomeMeasurement, OutcomeScale


class SqlOutcomeRepository(SqlRepository):
    """Outcome measurements."""

    def add(self, measurement: OutcomeMeasurement) -> None:
        """Store a new measurement."""
        values = outcome_values(measurement)
        self._connection().execute(insert(t.outcome_measurement).values(values))

    def for_patient(
        self, clinic_id: UUID, patient_id: UUID, *, offset: int, limit: int
    ) -> Sequence[OutcomeMeasurement]:
        """A patient's measurements, oldest first."""
        columns = t.outcome_measurement.c
        query = (
            of_patient(t.outcome_measurement, clinic_id, patient_id)
            .order_by(columns.measured_on, columns.recorded_at, columns.id)
            .offset(offset)
            .limit(limit)
        )
        return self._all(query, outcome_from_row)


def outcome_values(measurement: OutcomeMeasurement) -> dict[str, Any]:
    """The columns of an outcome measurement."""
    return {
        "id": measurement.id,
        "clinic_id": measurement.clinic_id,
        "patient_id": measurement.patient_id,
        "series_id": measurement.series_id,
        "measured_on": measurement.measured_on,
        "scale": measurement.scale.value,
        "value": measurement.value,
        "note": measurement.note,
        "recorded_at": measurement.recorded_at,
        "recorded_by": measurement.recorded_by,
    }


def outcome_from_row(row: RowMapping) -> OutcomeMeasurement:
    """An outcome measurement read back from its row."""
    return OutcomeMeasurement(
        id=row["id"],
        clinic_id=row["clinic_id"],
        patient_id=row["patient_id"],
        series_id=row["series_id"],
        measured_on=row["measured_on"],
        scale=OutcomeScale(row["scale"]),
        value=row["value"],
        note=row["note"],
        recorded_at=row["recorded_at"],
        recorded_by=row["recorded_by"],
    )
