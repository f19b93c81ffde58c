"""Clinics, with how their patients reach them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping, insert, select, update

from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.repository import SqlRepository
from needlepoint.domain.contact import ClinicContact
from needlepoint.domain.records import Clinic


class SqlClinicRepository(SqlRepository):
    """Clinics."""

    def add(self, clinic: Clinic) -> None:
        """Store a new clinic."""
        values = {"id": clinic.id, "name": clinic.name, "time_zone": clinic.time_zone}
        values |= _contact_values(clinic.contact)
        self._connection().execute(insert(t.clinic).values(values))

    def get(self, clinic_id: UUID) -> Clinic | None:
        """A clinic by id."""
        query = select(t.clinic).where(t.clinic.c.id == clinic_id)
        row = self._connection().execute(query).mappings().one_or_none()
        return None if row is None else _clinic_from_row(row)

    def save_contact(self, clinic_id: UUID, contact: ClinicContact) -> None:
        """Replace how patients reach a clinic."""
        statement = (
            update(t.clinic).where(t.clinic.c.id == clinic_id).values(_contact_values(contact))
        )
        self._connection().execute(statement)


def _contact_values(contact: ClinicContact | None) -> dict[str, Any]:
    if contact is None:
        return {"phone": None, "address": None, "phone_hours": None}
    return {
        "phone": contact.phone,
        "address": contact.address or None,
        "phone_hours": contact.phone_hours or None,
    }


def _clinic_from_row(row: RowMapping) -> Clinic:
    contact = None
    if row["phone"] is not None:
        contact = ClinicContact(row["phone"], row["address"] or "", row["phone_hours"] or "")
    return Clinic(id=row["id"], name=row["name"], time_zone=row["time_zone"], contact=contact)
