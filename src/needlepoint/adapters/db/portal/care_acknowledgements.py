"""Care instructions a patient marked as read."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.repository import SqlRepository
from needlepoint.domain.portal import CareAcknowledgement


class SqlCareAcknowledgementRepository(SqlRepository):
    """Care instructions marked as read."""

    def add(self, acknowledgement: CareAcknowledgement) -> bool:
        """Store it; False when that item was read that day already."""
        values = {
            "clinic_id": acknowledgement.clinic_id,
            "patient_id": acknowledgement.patient_id,
            "item_id": acknowledgement.item_id,
            "care_on": acknowledgement.care_on,
            "acknowledged_at": acknowledgement.acknowledged_at,
        }
        connection = self._connection()
        known = self.for_day(
            acknowledgement.clinic_id, acknowledgement.patient_id, acknowledgement.care_on
        )
        if acknowledgement.item_id in known:
            return False
        try:
            with connection.begin_nested():
                connection.execute(insert(t.care_acknowledgement).values(values))
        except IntegrityError:
            return False  # the same tap, twice at once: the first one counts
        return True

    def for_day(self, clinic_id: UUID, patient_id: UUID, care_on: date) -> frozenset[str]:
        """The ids of the items a patient marked as read for one day."""
        columns = t.care_acknowledgement.c
        query = select(columns.item_id).where(
            columns.clinic_id == clinic_id,
            columns.patient_id == patient_id,
            columns.care_on == care_on,
        )
        return frozenset(self._connection().execute(query).scalars())
