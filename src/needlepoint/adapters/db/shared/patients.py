"""Patients of one clinic."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, RowMapping, func, insert, or_, select

from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.repository import SqlRepository
from needlepoint.domain.records import PatientRecord
from needlepoint.domain.vocabulary import Sex


class SqlPatientRepository(SqlRepository):
    """Patients of one clinic."""

    def add(self, patient: PatientRecord) -> None:
        """Store a new patient."""
        self._connection().execute(insert(t.patient).values(_patient_values(patient)))

    def get(self, clinic_id: UUID, patient_id: UUID) -> PatientRecord | None:
        """A patient of this clinic, or None (also for another clinic's patient)."""
        query = select(t.patient).where(
            t.patient.c.clinic_id == clinic_id, t.patient.c.id == patient_id
        )
        return self._one(query, patient_from_row)

    def list(
        self, clinic_id: UUID, *, search: str | None, offset: int, limit: int
    ) -> Sequence[PatientRecord]:
        """Patients of this clinic by family name, given name and id.

        ``search`` matches part of the given or family name, ignoring case and surrounding
        blanks; ``%`` and ``_`` in it are literal characters. A blank search matches everyone.
        """
        columns = t.patient.c
        query = select(t.patient).where(columns.clinic_id == clinic_id)
        if search and search.strip():
            query = query.where(_name_contains(search.strip()))
        query = query.order_by(columns.family_name, columns.given_name, columns.id)
        return self._all(query.offset(offset).limit(limit), patient_from_row)


def _name_contains(search: str) -> ColumnElement[bool]:
    needle = search.lower()
    return or_(
        func.lower(t.patient.c.given_name).contains(needle, autoescape=True),
        func.lower(t.patient.c.family_name).contains(needle, autoescape=True),
    )


def _patient_values(patient: PatientRecord) -> dict[str, Any]:
    return {
        "id": patient.id,
        "clinic_id": patient.clinic_id,
        "given_name": patient.given_name,
        "family_name": patient.family_name,
        "born_on": patient.born_on,
        "sex": patient.sex.value,
        "email": patient.email,
        "phone": patient.phone,
        "created_at": patient.created_at,
    }


def patient_from_row(row: RowMapping) -> PatientRecord:
    """A patient from their row."""
    return PatientRecord(
        id=row["id"],
        clinic_id=row["clinic_id"],
        given_name=row["given_name"],
        family_name=row["family_name"],
        born_on=row["born_on"],
        sex=Sex(row["sex"]),
        email=row["email"],
        phone=row["phone"],
        created_at=row["created_at"],
    )
