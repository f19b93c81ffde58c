"""The dashboard's worklists as single statements (``services.ports.WorklistQueries``).

Each list is one query (the series to book two, merged), built once with bound parameters
(building a statement costs more than running it), joining the patient and whatever else the
list shows, so that a dashboard costs the same handful of round trips whatever the size of the
clinic. Each reads at most a ``limit`` of rows (ADR 0034); the series to book page by keyset,
reading the next session due that the writes store (``domain.series_due``). Every statement is
scoped by clinic: another clinic's rows are never read.

Columns of joined tables are labelled ``<prefix><column>``; ``unprefixed`` hands each table's
columns to the same row converters the repositories use. Series to book read only the few values
of the plan and proposal documents they need, by portable JSON path in SQL, so a long list
parses no document per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Final
from uuid import UUID

from sqlalchemy import (
    Date,
    RowMapping,
    Select,
    Subquery,
    Uuid,
    and_,
    bindparam,
    exists,
    func,
    select,
    tuple_,
)

from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.labelled import keys, labelled, unprefixed
from needlepoint.adapters.db.repository import SqlRepository
from needlepoint.adapters.db.scheduling.appointments import appointment_from_row
from needlepoint.adapters.db.shared.patients import patient_from_row
from needlepoint.adapters.db.treatment import rows
from needlepoint.domain.records import PatientRecord
from needlepoint.domain.scheduling import LONGEST_APPOINTMENT, Appointment, AppointmentStatus
from needlepoint.domain.treatment import (
    ChartVersion,
    SeriesStatus,
    SessionStatus,
    TreatmentSession,
)
from needlepoint.services.scheduling.ports import DueListKey, SeriesToBook

ACTIVE_SERIES: Final = (SeriesStatus.PLANNED.value, SeriesStatus.IN_PROGRESS.value)


class SqlWorklistQueries(SqlRepository):
    """The dashboard's lists, one statement each."""

    def charts_awaiting_signoff(
        self, clinic_id: UUID, *, limit: int
    ) -> Sequence[tuple[PatientRecord, TreatmentSession, ChartVersion]]:
        """Started sessions whose newest chart version is unsigned, oldest chart first."""
        values = {"clinic_id": clinic_id, "limit": limit}
        connection = self._connection()
        found = connection.execute(_CHARTS_AWAITING_SIGNOFF, values)
        return [
            (
                patient_from_row(unprefixed(row, _PATIENT)),
                rows.session_from_row(unprefixed(row, _SESSION)),
                rows.chart_version_from_row(connection, unprefixed(row, _CHART)),
            )
            for row in found.mappings()
        ]

    def series_to_book(
        self,
        clinic_id: UUID,
        *,
        booked_from: datetime,
        limit: int,
        after: DueListKey | None = None,
    ) -> Sequence[SeriesToBook]:
        """Active series with sessions still to hold whose next session is not booked.

        By the UTC day the next session falls due, then series (``DueListKey``), at most
        ``limit`` of them after ``after``. Read from the stored next session due
        (``domain.series_due``): the series with nothing booked, and those booked before
        ``booked_from`` (missed), one bounded statement each, merged here.
        """
        values: dict[str, object] = {
            "clinic_id": clinic_id,
            "booked_from": booked_from,
            "limit": limit,
        }
        statements = _SERIES_TO_BOOK
        if after is not None:
            values |= {"after_due_on": after.utc_due_on, "after_series_id": after.series_id}
            statements = _SERIES_TO_BOOK_AFTER
        found = [
            row for statement in statements for row in self._all(statement, _series_to_book, values)
        ]
        return sorted(found, key=lambda row: (row.utc_due_on, row.series_id))[:limit]

    def appointments_between(
        self, clinic_id: UUID, starts_at: datetime, ends_at: datetime
    ) -> Sequence[tuple[Appointment, PatientRecord, str, str]]:
        """Appointments not cancelled overlapping the span, with patient, practitioner, room.

        No appointment lasts longer than ``LONGEST_APPOINTMENT``, so one overlapping the span
        starts after ``starts_at`` less that: the index on (clinic, start) bounds both ends.
        """
        values = {
            "clinic_id": clinic_id,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "earliest": starts_at - LONGEST_APPOINTMENT,
        }
        found = self._connection().execute(_APPOINTMENTS_BETWEEN, values)
        return [
            (
                appointment_from_row(unprefixed(row, _APPOINTMENT)),
                patient_from_row(unprefixed(row, _PATIENT)),
                row["practitioner_name"],
                row["room_name"],
            )
            for row in found.mappings()
        ]


def _series_to_book(row: RowMapping) -> SeriesToBook:
    first_on = row["first_proposed_on"]
    return SeriesToBook(
        patient=patient_from_row(unprefixed(row, _PATIENT)),
        series_id=row["series_id"],
        sessions_planned=row["sessions_planned"],
        interval_days=row["interval_days"],
        sessions_held=row["sessions_held"],
        last_started_at=row["last_started_at"],
        first_proposed_on=None if first_on is None else date.fromisoformat(str(first_on)),
        created_at=row["created_at"],
        utc_due_on=row["utc_due_on"],
    )


# --- labelled columns (labelled.py) ---------------------------------------------------------

_PATIENT: Final = keys(t.patient, "pt_")
_SESSION: Final = keys(t.treatment_session, "ss_")
_CHART: Final = keys(t.chart_version, "cv_")
_APPOINTMENT: Final = keys(t.appointment, "ap_")

# --- charts awaiting sign-off ---------------------------------------------------------------

_session = t.treatment_session.c
_chart = t.chart_version.c
_patient = t.patient.c
_newer = t.chart_version.alias("newer_version")

_CHARTS_AWAITING_SIGNOFF: Final = (
    select(
        *labelled(t.patient, _PATIENT),
        *labelled(t.treatment_session, _SESSION),
        *labelled(t.chart_version, _CHART),
    )
    .select_from(
        t.treatment_session.join(
            t.chart_version,
            and_(_chart.session_id == _session.id, _chart.clinic_id == _session.clinic_id),
        ).join(
            t.patient,
            and_(_patient.id == _session.patient_id, _patient.clinic_id == _session.clinic_id),
        )
    )
    .where(
        _session.clinic_id == bindparam("clinic_id"),
        _session.status == SessionStatus.STARTED.value,
        _chart.signed_at.is_(None),
        ~exists().where(
            _newer.c.session_id == _chart.session_id, _newer.c.version > _chart.version
        ),
    )
    .order_by(_chart.created_at, _chart.id)
    .limit(bindparam("limit"))
)
"""Each started session's newest chart version, when nobody has signed it."""

# --- series to book -------------------------------------------------------------------------

_series = t.treatment_series.c
_held = t.treatment_session.alias("held")
_booked = t.appointment.c

_SESSIONS_HELD = select(func.count()).where(_held.c.series_id == _series.id).scalar_subquery()
_LAST_STARTED_AT = (
    select(func.max(_held.c.started_at)).where(_held.c.series_id == _series.id).scalar_subquery()
)


def _page_of_series(*, booked: bool, after: bool) -> Subquery:
    """A page of series to book, by (due day, series), from the stored next session due.

    ``booked=False``: nothing is booked for the next session, a range of the partial index
    ``ix_treatment_series_to_book`` read in order up to the limit. ``booked=True``: the next
    session was booked before ``booked_from`` (the patient missed it), a range of
    ``ix_treatment_series_next_booked``: as many as were missed and not marked. Sessions held
    and the last start are read for the page's rows only; the patients are joined to the page.
    """
    if booked:
        # ix_treatment_series_next_booked: next_booked_at IS NOT NULL (implied by the bound)
        which = and_(
            _series.next_booked_at.is_not(None), _series.next_booked_at < bindparam("booked_from")
        )
    else:
        # ix_treatment_series_to_book: next_due_on IS NOT NULL AND next_booked_at IS NULL
        which = and_(_series.next_due_on.is_not(None), _series.next_booked_at.is_(None))
    page = (
        select(
            _series.id.label("series_id"),
            _series.patient_id.label("patient_id"),
            _series.created_at.label("created_at"),
            # Read out of the JSON documents in SQL (portable paths): nothing to parse per row.
            _series.plan["sessions"].as_integer().label("sessions_planned"),
            _series.plan["interval_days"].as_integer().label("interval_days"),
            _series.proposal[("series", "dated", 0, "on")].as_string().label("first_proposed_on"),
            _SESSIONS_HELD.label("sessions_held"),
            _LAST_STARTED_AT.label("last_started_at"),
            _series.next_due_on.label("utc_due_on"),
        )
        .where(_series.clinic_id == bindparam("clinic_id"), which)
        .order_by(_series.next_due_on, _series.id)
        .limit(bindparam("limit"))
    )
    if after:
        start = (
            bindparam("after_due_on", type_=Date()),
            bindparam("after_series_id", type_=Uuid()),
        )
        page = page.where(tuple_(_series.next_due_on, _series.id) > tuple_(*start))
    return page.subquery("page")


def _series_to_book_statement(*, booked: bool, after: bool) -> Select[Any]:
    page = _page_of_series(booked=booked, after=after)
    return (
        select(*labelled(t.patient, _PATIENT), page)
        .select_from(
            page.join(
                t.patient,
                and_(
                    _patient.id == page.c.patient_id, _patient.clinic_id == bindparam("clinic_id")
                ),
            )
        )
        .order_by(page.c.utc_due_on, page.c.series_id)
    )


_SERIES_TO_BOOK: Final = (
    _series_to_book_statement(booked=False, after=False),
    _series_to_book_statement(booked=True, after=False),
)
"""Series to book with nothing booked, and those whose booking was missed (merged in Python)."""
_SERIES_TO_BOOK_AFTER: Final = (
    _series_to_book_statement(booked=False, after=True),
    _series_to_book_statement(booked=True, after=True),
)
"""The same, after one ``DueListKey`` (keyset paging)."""

# --- appointments of a day ------------------------------------------------------------------

_room = t.room.c
_staff = t.staff_member.c

_APPOINTMENTS_BETWEEN: Final = (
    select(
        *labelled(t.appointment, _APPOINTMENT),
        *labelled(t.patient, _PATIENT),
        _staff.display_name.label("practitioner_name"),
        _room.name.label("room_name"),
    )
    .select_from(
        t.appointment.join(
            t.patient,
            and_(_patient.id == _booked.patient_id, _patient.clinic_id == _booked.clinic_id),
        )
        .join(t.staff_member, _staff.id == _booked.practitioner_id)
        .join(t.room, _room.id == _booked.room_id)
    )
    .where(
        _booked.clinic_id == bindparam("clinic_id"),
        _booked.status != AppointmentStatus.CANCELLED.value,
        _booked.starts_at > bindparam("earliest"),
        _booked.starts_at < bindparam("ends_at"),
        _booked.ends_at > bindparam("starts_at"),
    )
    .order_by(_booked.starts_at, _booked.id)
)
"""A span's appointments (cancelled ones left out), with who they are for and with."""
