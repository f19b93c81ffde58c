"""Checks that the stored "next session due" of every series is what a fresh computation says.

``mismatches`` compares, for one clinic, three things that must agree:

* the dashboard's series to book read from the stored columns
  (``SqlWorklistQueries.series_to_book``, ADR 0034), and the statement the dashboard ran before
  they existed, which computed every active series' next due day from its sessions and
  appointments (kept here verbatim as the oracle), at several "booked from" instants;
* the stored ``next_due_on``/``next_booked_at``, and the migration's backfill SQL
  (2026-12-10_series_next_due) run over the same rows in a transaction rolled back after.

The integration tests and the scheduling state machine call it after their writes.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final
from uuid import UUID

from sqlalchemy import (
    Connection,
    Engine,
    and_,
    bindparam,
    exists,
    func,
    or_,
    select,
    text,
)

import needlepoint.adapters.db as db_package
from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.scheduling.worklists import SqlWorklistQueries
from needlepoint.adapters.db.sql_dates import day_of_text, utc_day_plus
from needlepoint.adapters.db.unit_of_work import SqlAlchemyUnitOfWork
from needlepoint.domain.scheduling import AppointmentStatus
from needlepoint.domain.treatment import SeriesStatus

_series = t.treatment_series.c
_held = t.treatment_session.alias("held")
_booked = t.appointment.c

_SESSIONS_HELD = select(func.count()).where(_held.c.series_id == _series.id).scalar_subquery()
_LAST_STARTED_AT = (
    select(func.max(_held.c.started_at)).where(_held.c.series_id == _series.id).scalar_subquery()
)
_ACTIVE_SERIES = (
    select(
        _series.id.label("series_id"),
        _series.created_at.label("created_at"),
        _series.plan["sessions"].as_integer().label("sessions_planned"),
        _series.plan["interval_days"].as_integer().label("interval_days"),
        _series.proposal[("series", "dated", 0, "on")].as_string().label("first_proposed_on"),
        _SESSIONS_HELD.label("sessions_held"),
        _LAST_STARTED_AT.label("last_started_at"),
    )
    .where(
        _series.clinic_id == bindparam("clinic_id"),
        _series.status.in_([SeriesStatus.PLANNED.value, SeriesStatus.IN_PROGRESS.value]),
    )
    .subquery("active_series")
)
_active = _ACTIVE_SERIES.c
_NEXT_SESSION_BOOKED = exists().where(
    _booked.clinic_id == bindparam("clinic_id"),
    _booked.series_id == _active.series_id,
    _booked.session_number == _active.sessions_held + 1,
    or_(
        _booked.status == AppointmentStatus.ATTENDED.value,
        and_(
            _booked.status == AppointmentStatus.BOOKED.value,
            _booked.starts_at >= bindparam("booked_from"),
        ),
    ),
)
_UTC_DUE_ON = func.coalesce(
    utc_day_plus(_active.last_started_at, _active.interval_days),
    day_of_text(_active.first_proposed_on),
    utc_day_plus(_active.created_at, 0),
)
ORACLE: Final = select(_active.series_id, _UTC_DUE_ON.label("utc_due_on")).where(
    _active.sessions_held < _active.sessions_planned, ~_NEXT_SESSION_BOOKED
)
"""The series to book as the dashboard computed them before the stored columns (unordered)."""

_MIGRATION: Final = "2026-12-10_series_next_due.py"

_STORED = select(_series.id, _series.next_due_on, _series.next_booked_at).where(
    _series.clinic_id == bindparam("clinic_id")
)


def oracle(
    connection: Connection, clinic_id: UUID, booked_from: datetime
) -> set[tuple[UUID, date]]:
    """The series to book and their UTC due day, computed afresh from sessions and bookings."""
    found = connection.execute(ORACLE, {"clinic_id": clinic_id, "booked_from": booked_from})
    return {(row.series_id, row.utc_due_on) for row in found}


def listed(engine: Engine, clinic_id: UUID, booked_from: datetime) -> list[tuple[UUID, date]]:
    """The series to book as the dashboard reads them now, every page of 3 in turn."""
    pages: list[tuple[UUID, date]] = []
    after = None
    with SqlAlchemyUnitOfWork(engine) as uow:
        queries: SqlWorklistQueries = uow.worklists
        while page := queries.series_to_book(
            clinic_id, booked_from=booked_from, limit=3, after=after
        ):
            pages.extend((row.series_id, row.utc_due_on) for row in page)
            after = page[-1].key
    return pages


def stored(connection: Connection, clinic_id: UUID) -> dict[UUID, tuple[Any, Any]]:
    """Each series' stored next due day and booked start."""
    found = connection.execute(_STORED, {"clinic_id": clinic_id})
    return {row.id: (row.next_due_on, row.next_booked_at) for row in found}


def backfilled(engine: Engine, clinic_id: UUID) -> dict[UUID, tuple[Any, Any]]:
    """What the migration's backfill would store, run in a transaction rolled back after."""
    module = _migration()
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            parts = module._DIALECT[connection.dialect.name]
            connection.execute(
                text("UPDATE treatment_series SET next_due_on = NULL, next_booked_at = NULL")
            )
            connection.execute(text(module._FILL_DUE.format(held=module._HELD, **parts)))
            connection.execute(text(module._FILL_BOOKED.format(held=module._HELD)))
            return stored(connection, clinic_id)
        finally:
            transaction.rollback()


def mismatches(engine: Engine, clinic_id: UUID, instants: Iterable[datetime]) -> list[str]:
    """Every disagreement between the stored values, the old computation and the backfill."""
    problems: list[str] = []
    with engine.connect() as connection:
        now_stored = stored(connection, clinic_id)
        expected = {at: oracle(connection, clinic_id, at) for at in instants}
    for at, wanted in expected.items():
        pages = listed(engine, clinic_id, at)
        if sorted(pages, key=_by_day) != pages or len(set(pages)) != len(pages):
            problems.append(f"booked from {at}: pages out of order or repeated: {pages}")
        if set(pages) != wanted:
            problems.append(
                f"booked from {at}: listed {sorted(pages)} but computed {sorted(wanted)}"
            )
    refill = backfilled(engine, clinic_id)
    if refill != now_stored:
        problems.append(f"stored {now_stored} but the backfill gives {refill}")
    return problems


def _by_day(item: tuple[UUID, date]) -> tuple[date, UUID]:
    return item[1], item[0]


def _migration() -> Any:
    path = Path(db_package.__file__).parent / "migrations" / "versions" / _MIGRATION
    spec = importlib.util.spec_from_file_location("series_next_due_migration", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
