"""Clearances of findings needing clearance: one row each, never changed (ADR 0021)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping, insert

from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.repository import SqlRepository, of_patient
from needlepoint.domain.clearances import Clearance
from needlepoint.domain.vocabulary import Zone


class SqlClearanceRepository(SqlRepository):
    """Clearances, read by patient."""

    def add(self, clearance: Clearance) -> None:
        """Store a new clearance."""
        self._connection().execute(insert(t.clearance).values(_values(clearance)))

    def for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[Clearance]:
        """Every clearance of a patient, newest first."""
        columns = t.clearance.c
        query = of_patient(t.clearance, clinic_id, patient_id).order_by(
            columns.cleared_at.desc(), columns.id
        )
        return self._all(query, _clearance)


def _values(clearance: Clearance) -> dict[str, Any]:
    return {
        "id": clearance.id,
        "clinic_id": clearance.clinic_id,
        "patient_id": clearance.patient_id,
        "consultation_id": clearance.consultation_id,
        "rule_id": clearance.rule_id,
        "zones": [z.value for z in clearance.zones],
        "reason": clearance.reason,
        "cleared_by": clearance.cleared_by,
        "cleared_at": clearance.cleared_at,
        "valid_until": clearance.valid_until,
    }


def _clearance(row: RowMapping) -> Clearance:
    return Clearance(
        id=row["id"],
        clinic_id=row["clinic_id"],
        patient_id=row["patient_id"],
        consultation_id=row["consultation_id"],
        rule_id=row["rule_id"],
        zones=tuple(Zone(z) for z in row["zones"]),
        reason=row["reason"],
        cleared_by=row["cleared_by"],
        cleared_at=row["cleared_at"],
        valid_until=row["valid_until"],
    )
