"""Opening hours per weekday, stored as local "HH:MM"."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time
from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping, delete, insert, select

from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.repository import SqlRepository
from needlepoint.domain.scheduling import OpeningHours


class SqlOpeningHoursRepository(SqlRepository):
    """Opening hours per weekday, stored as local "HH:MM"."""

    def for_clinic(self, clinic_id: UUID) -> Sequence[OpeningHours]:
        """Every opening period of the clinic, by weekday then opening time."""
        columns = t.opening_hours.c
        query = (
            select(t.opening_hours)
            .where(columns.clinic_id == clinic_id)
            .order_by(columns.weekday, columns.opens)
        )
        return self._all(query, _hours)

    def replace(self, clinic_id: UUID, hours: Sequence[OpeningHours]) -> None:
        """Replace the clinic's week."""
        connection = self._connection()
        connection.execute(delete(t.opening_hours).where(t.opening_hours.c.clinic_id == clinic_id))
        if hours:
            connection.execute(insert(t.opening_hours), [_hours_values(h) for h in hours])


def _hours_values(hours: OpeningHours) -> dict[str, Any]:
    return {
        "clinic_id": hours.clinic_id,
        "weekday": hours.weekday,
        "opens": hours.opens.strftime("%H:%M"),
        "closes": hours.closes.strftime("%H:%M"),
    }


def _hours(row: RowMapping) -> OpeningHours:
    return OpeningHours(
        clinic_id=row["clinic_id"],
        weekday=row["weekday"],
        opens=time.fromisoformat(row["opens"]),
        closes=time.fromisoformat(row["closes"]),
    )
