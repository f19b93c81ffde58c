"""Patients' recorded changes: one row per detail an edit changed, only ever added."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby
from uuid import UUID

from sqlalchemy import RowMapping, insert, select

from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.repository import SqlRepository
from needlepoint.domain.patient_changes import FieldChange, PatientChange


class SqlPatientChangeRepository(SqlRepository):
    """Patients' recorded changes."""

    def add(self, change: PatientChange) -> None:
        """Store one edit's changes, a row per field."""
        rows = [
            {
                "clinic_id": change.clinic_id,
                "patient_id": change.patient_id,
                "version": change.version,
                "field": field.field,
                "old_value": field.old,
                "new_value": field.new,
                "changed_at": change.changed_at,
                "changed_by": change.changed_by,
            }
            for field in change.changes
        ]
        self._connection().execute(insert(t.patient_change), rows)

    def for_patient(
        self, clinic_id: UUID, patient_id: UUID, *, limit: int
    ) -> Sequence[PatientChange]:
        """A patient's last ``limit`` edits, newest first, each with its fields in order."""
        columns = t.patient_change.c
        versions = (
            select(columns.version)
            .where(columns.clinic_id == clinic_id, columns.patient_id == patient_id)
            .group_by(columns.version)
            .order_by(columns.version.desc())
            .limit(limit)
        )
        query = (
            select(t.patient_change, t.staff_member.c.display_name)
            .join(t.staff_member, t.staff_member.c.id == columns.changed_by)
            .where(
                columns.clinic_id == clinic_id,
                columns.patient_id == patient_id,
                columns.version.in_(versions.scalar_subquery()),
            )
            .order_by(columns.version.desc(), columns.id)
        )
        found = self._connection().execute(query).mappings().all()
        return [_change_of(list(rows)) for _, rows in groupby(found, key=lambda r: r["version"])]


def _change_of(rows: list[RowMapping]) -> PatientChange:
    first = rows[0]
    return PatientChange(
        patient_id=first["patient_id"],
        clinic_id=first["clinic_id"],
        version=first["version"],
        changed_at=first["changed_at"],
        changed_by=first["changed_by"],
        changes=tuple(FieldChange(r["field"], r["old_value"], r["new_value"]) for r in rows),
        changed_by_name=first["display_name"],
    )
