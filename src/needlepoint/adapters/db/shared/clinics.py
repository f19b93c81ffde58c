"""Clinics."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import insert, select

from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.repository import SqlRepository
from needlepoint.domain.records import Clinic


class SqlClinicRepository(SqlRepository):
    """Clinics."""

    def add(self, clinic: Clinic) -> None:
        """Store a new clinic."""
        values = {"id": clinic.id, "name": clinic.name, "time_zone": clinic.time_zone}
        self._connection().execute(insert(t.clinic).values(values))

    def get(self, clinic_id: UUID) -> Clinic | None:
        """A clinic by id."""
        query = select(t.clinic).where(t.clinic.c.id == clinic_id)
        row = self._connection().execute(query).mappings().one_or_none()
        if row is None:
            return None
        return Clinic(id=row["id"], name=row["name"], time_zone=row["time_zone"])
