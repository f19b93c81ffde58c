"""The stored "next session due" of a series, recomputed by every write that moves it.

``refresh_next_due`` reads what ``domain.series_due.next_due`` needs (the series' status, plan
and proposal; its sessions held and last start; the appointments for its next session) and
stores the answer in ``treatment_series.next_due_on`` and ``next_booked_at``, on the writer's
connection, so it lands in the same transaction as the write (the series, session and
appointment repositories call it after each insert or update). The dashboard's series to book
read those columns by a partial index instead of computing every active series (ADR 0034).
"""

from __future__ import annotations

from datetime import date
from typing import Final
from uuid import UUID

from sqlalchemy import Connection, bindparam, func, select, update

from needlepoint.adapters.db import tables as t
from needlepoint.domain.scheduling import AppointmentStatus
from needlepoint.domain.series_due import NextDue, SeriesProgress, next_due
from needlepoint.domain.treatment import SeriesStatus

_series = t.treatment_series.c
_held = t.treatment_session.c
_booking = t.appointment.c

_LOCK: Final = (
    select(_series.id).where(_series.id == bindparam("series_id")).with_for_update(key_share=True)
)
"""``FOR NO KEY UPDATE`` of the series row (PostgreSQL; SQLite's writer holds the database)."""

_PROGRESS: Final = select(
    _series.status,
    _series.created_at,
    _series.plan["sessions"].as_integer().label("sessions_planned"),
    _series.plan["interval_days"].as_integer().label("interval_days"),
    _series.proposal[("series", "dated", 0, "on")].as_string().label("first_proposed_on"),
    select(func.count())
    .where(_held.series_id == _series.id)
    .scalar_subquery()
    .label("sessions_held"),
    select(func.max(_held.started_at))
    .where(_held.series_id == _series.id)
    .scalar_subquery()
    .label("last_started_at"),
).where(_series.id == bindparam("series_id"))
"""The series' plan and sessions (the same JSON paths the worklist statements read)."""

_NEXT_SESSION: Final = select(_booking.status, _booking.starts_at).where(
    _booking.series_id == bindparam("series_id"),
    _booking.session_number == bindparam("number"),
    _booking.status.in_([AppointmentStatus.BOOKED.value, AppointmentStatus.ATTENDED.value]),
)
"""The booked or attended appointments for one session of the series."""

_STORE: Final = (
    update(t.treatment_series)
    .where(_series.id == bindparam("series_id"))
    .values(next_due_on=bindparam("due_on"), next_booked_at=bindparam("booked_at"))
)


def refresh_next_due(connection: Connection, series_id: UUID | None) -> None:
    """Recompute and store the series' next session due; nothing for no series."""
    if series_id is None:
        return
    # Lock the series first, then read: two transactions writing one series store in turn,
    # the second reading (a new snapshot under READ COMMITTED) what the first committed.
    connection.execute(_LOCK, {"series_id": series_id})
    row = connection.execute(_PROGRESS, {"series_id": series_id}).mappings().one_or_none()
    if row is None:
        return
    first_on = row["first_proposed_on"]
    number = row["sessions_held"] + 1
    found = connection.execute(_NEXT_SESSION, {"series_id": series_id, "number": number})
    progress = SeriesProgress(
        status=SeriesStatus(row["status"]),
        sessions_planned=row["sessions_planned"],
        interval_days=row["interval_days"],
        first_proposed_on=None if first_on is None else _date(first_on),
        created_at=row["created_at"],
        sessions_held=row["sessions_held"],
        last_started_at=row["last_started_at"],
        next_session=tuple((AppointmentStatus(status), at) for status, at in found),
    )
    _store(connection, series_id, next_due(progress))


def _store(connection: Connection, series_id: UUID, due: NextDue) -> None:
    values = {"series_id": series_id, "due_on": due.due_on, "booked_at": due.booked_at}
    connection.execute(_STORE, values)


def _date(text: object) -> date:
    return date.fromisoformat(str(text))
