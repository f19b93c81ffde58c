"""Patients of one clinic."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    RowMapping,
    func,
    insert,
    literal,
    or_,
    select,
    tuple_,
    update,
)

from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.repository import SqlRepository, version_conflict
from needlepoint.domain import patient_changes
from needlepoint.domain.patient_search import PatientSearch
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

    def save(self, patient: PatientRecord) -> None:
        """Store edited details whose ``version`` is one past the stored one.

        Raises ``VersionConflictError`` if the stored patient is not at ``version - 1``.
        """
        columns = t.patient.c
        statement = (
            update(t.patient)
            .where(
                columns.id == patient.id,
                columns.clinic_id == patient.clinic_id,
                columns.version == patient.version - 1,
            )
            .values({k: v for k, v in _patient_values(patient).items() if k in _EDITABLE})
        )
        connection = self._connection()
        if connection.execute(statement).rowcount == 0:
            based_on = patient.version - 1
            raise version_conflict(connection, t.patient, "patient", patient.id, based_on)

    def list(
        self,
        clinic_id: UUID,
        *,
        search: PatientSearch | None,
        offset: int,
        limit: int,
        after: UUID | None = None,
    ) -> Sequence[PatientRecord]:
        """Patients of this clinic found by ``search``, by family name, given name and id.

        Each rule of ``domain.patient_search.matches`` is one condition: every name word in
        the given or the family name (``%`` and ``_`` are literal characters), the email, or
        the birth date (both indexed per clinic). ``after`` starts the page after that patient
        (keyset paging); a patient not of this clinic starts nothing.
        """
        columns = t.patient.c
        query = select(t.patient).where(columns.clinic_id == clinic_id)
        if search is not None:
            query = query.where(*_conditions(search))
        if after is not None:
            last = self.get(clinic_id, after)
            if last is None:
                return []
            order = tuple_(columns.family_name, columns.given_name, columns.id)
            query = query.where(order > tuple_(*_order_values(last)))
        query = query.order_by(columns.family_name, columns.given_name, columns.id)
        return self._all(query.offset(offset).limit(limit), patient_from_row)


def _conditions(search: PatientSearch) -> list[ColumnElement[bool]]:
    columns = t.patient.c
    if search.email is not None:
        return [columns.email == search.email]  # kept in lower case (records.patients)
    if search.born_on is not None:
        return [columns.born_on == search.born_on]
    return [_name_contains(word) for word in search.words]


def _order_values(patient: PatientRecord) -> tuple[ColumnElement[Any], ...]:
    columns = t.patient.c
    return (
        literal(patient.family_name, columns.family_name.type),
        literal(patient.given_name, columns.given_name.type),
        literal(patient.id, columns.id.type),
    )


def _name_contains(word: str) -> ColumnElement[bool]:
    return or_(
        func.lower(t.patient.c.given_name).contains(word, autoescape=True),
        func.lower(t.patient.c.family_name).contains(word, autoescape=True),
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
        "version": patient.version,
    }


_EDITABLE: Final = frozenset({*patient_changes.EDITABLE, "version"})


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
        version=row["version"],
    )
