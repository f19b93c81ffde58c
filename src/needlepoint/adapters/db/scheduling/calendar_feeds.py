"""Calendar feed links: one row per issued link, holding the SHA-256 of its secret token.

A link is found by the hash of the token presented (a unique index), so the token itself is
never compared, stored or logged; a revoked link is never found.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, RowMapping, insert, select, update

from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.repository import SqlRepository
from needlepoint.domain.calendar import CalendarFeed


class SqlCalendarFeedRepository(SqlRepository):
    """Calendar feed links."""

    def add(self, feed: CalendarFeed) -> None:
        """Store a newly issued link."""
        self._connection().execute(insert(t.calendar_feed).values(_values(feed)))

    def live_by_hash(self, token_hash: str) -> CalendarFeed | None:
        """The live link whose token has this SHA-256, or None (also when revoked)."""
        columns = t.calendar_feed.c
        query = select(t.calendar_feed).where(
            columns.token_hash == token_hash, columns.revoked_at.is_(None)
        )
        return self._one(query, _feed)

    def live_for_patient(self, clinic_id: UUID, patient_id: UUID) -> CalendarFeed | None:
        """The patient's live link, or None."""
        columns = t.calendar_feed.c
        query = (
            select(t.calendar_feed)
            .where(*_live_links(clinic_id, patient_id))
            .order_by(columns.created_at.desc(), columns.id)
            .limit(1)
        )
        return self._one(query, _feed)

    def revoke_for_patient(self, clinic_id: UUID, patient_id: UUID, at: datetime) -> int:
        """Revoke every live link of the patient; how many there were."""
        live = _live_links(clinic_id, patient_id)
        statement = update(t.calendar_feed).where(*live).values(revoked_at=at)
        return int(self._connection().execute(statement).rowcount)


def _live_links(clinic_id: UUID, patient_id: UUID) -> tuple[ColumnElement[bool], ...]:
    """The conditions of a patient's links that are not revoked."""
    columns = t.calendar_feed.c
    return (
        columns.clinic_id == clinic_id,
        columns.patient_id == patient_id,
        columns.revoked_at.is_(None),
    )


def _values(feed: CalendarFeed) -> dict[str, Any]:
    return {
        "id": feed.id,
        "clinic_id": feed.clinic_id,
        "patient_id": feed.patient_id,
        "token_hash": feed.token_hash,
        "created_at": feed.created_at,
        "revoked_at": feed.revoked_at,
    }


def _feed(row: RowMapping) -> CalendarFeed:
    return CalendarFeed(
        id=row["id"],
        clinic_id=row["clinic_id"],
        patient_id=row["patient_id"],
        token_hash=row["token_hash"].strip(),
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
    )
