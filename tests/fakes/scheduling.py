"""Fakes of the scheduling area's repositories (``services/scheduling/ports.py``): rooms,
opening hours, appointments, calendar feeds and the dashboard's queries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from fakes.common import FakePatients, FakeStaff
from fakes.database import FakeDatabase
from fakes.treatment import FakeCharts, FakeSeries, FakeSessions
from needlepoint.domain.calendar import CalendarFeed
from needlepoint.domain.records import PatientRecord
from needlepoint.domain.scheduling import Appointment, AppointmentStatus, OpeningHours, Room
from needlepoint.domain.treatment import (
    ChartVersion,
    SeriesStatus,
    SessionStatus,
    TreatmentSeries,
    TreatmentSession,
)
from needlepoint.services.scheduling.ports import DueListKey, SeriesToBook


class FakeRooms:
    """Rooms by id; a name taken twice in one clinic is refused, as the unique index does."""

    def __init__(self, database: FakeDatabase) -> None:
        self.rows = database.rooms

    def add(self, room: Room) -> None:
        taken = any(
            (r.clinic_id, r.name) == (room.clinic_id, room.name) for r in self.rows.values()
        )
        if taken:
            raise ValueError(f"room name {room.name!r} is taken in clinic {room.clinic_id}")
        self.rows[room.id] = room

    def get(self, clinic_id: UUID, room_id: UUID) -> Room | None:
        found = self.rows.get(room_id)
        return found if found and found.clinic_id == clinic_id else None

    def for_clinic(self, clinic_id: UUID) -> Sequence[Room]:
        return sorted((r for r in self.rows.values() if r.clinic_id == clinic_id), key=_by_name)

    def save(self, room: Room) -> None:
        if self.get(room.clinic_id, room.id) is not None:
            self.rows[room.id] = room


def _by_name(room: Room) -> str:
    return room.name


class FakeOpeningHours:
    """Each clinic's week, replaced whole."""

    def __init__(self, database: FakeDatabase) -> None:
        self.rows = database.opening_hours

    def for_clinic(self, clinic_id: UUID) -> Sequence[OpeningHours]:
        return sorted(self.rows.get(clinic_id, []), key=lambda h: (h.weekday, h.opens))

    def replace(self, clinic_id: UUID, hours: Sequence[OpeningHours]) -> None:
        self.rows[clinic_id] = list(hours)


class FakeAppointments:
    """Appointments kept in a dict; overlaps are not checked here (the databases do that)."""

    def __init__(self, database: FakeDatabase) -> None:
        self.rows = database.appointments

    def add(self, appointment: Appointment) -> None:
        self.rows[appointment.id] = appointment

    def get(self, clinic_id: UUID, appointment_id: UUID) -> Appointment | None:
        found = self.rows.get(appointment_id)
        return found if found and found.clinic_id == clinic_id else None

    def save(self, appointment: Appointment) -> None:
        self.rows[appointment.id] = appointment

    def hold(
        self, clinic_id: UUID, practitioner_ids: Sequence[UUID], room_ids: Sequence[UUID]
    ) -> None:
        """Nothing to lock in memory."""

    def for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[Appointment]:
        mine = [
            a for a in self.rows.values() if (a.clinic_id, a.patient_id) == (clinic_id, patient_id)
        ]
        return sorted(mine, key=lambda a: (a.starts_at, a.id))

    def between(
        self, clinic_id: UUID, starts_at: datetime, ends_at: datetime
    ) -> Sequence[Appointment]:
        found = [
            a
            for a in self.rows.values()
            if a.clinic_id == clinic_id and a.occupies and a.overlaps(starts_at, ends_at)
        ]
        return sorted(found, key=lambda a: (a.starts_at, a.id))


class FakeCalendarFeeds:
    def __init__(self, database: FakeDatabase) -> None:
        self.rows = database.calendar_feeds

    def add(self, feed: CalendarFeed) -> None:
        self.rows[feed.id] = feed

    def live_by_hash(self, token_hash: str) -> CalendarFeed | None:
        return next((f for f in self.rows.values() if f.token_hash == token_hash and f.live), None)

    def live_for_patient(self, clinic_id: UUID, patient_id: UUID) -> CalendarFeed | None:
        live = [
            f
            for f in self.rows.values()
            if (f.clinic_id, f.patient_id) == (clinic_id, patient_id) and f.live
        ]
        return max(live, key=lambda f: f.created_at, default=None)

    def revoke_for_patient(self, clinic_id: UUID, patient_id: UUID, at: datetime) -> int:
        live = [
            f
            for f in self.rows.values()
            if (f.clinic_id, f.patient_id) == (clinic_id, patient_id) and f.live
        ]
        for feed in live:
            self.rows[feed.id] = replace(feed, revoked_at=at)
        return len(live)


class FakeWorklists:
    """The dashboard's queries over the fake tables (the SQL is tested on both databases)."""

    def __init__(self, database: FakeDatabase) -> None:
        self._patients = FakePatients(database)
        self._staff = FakeStaff(database)
        self._series = FakeSeries(database)
        self._sessions = FakeSessions(database)
        self._charts = FakeCharts(database)
        self._rooms = FakeRooms(database)
        self._appointments = FakeAppointments(database)

    def charts_awaiting_signoff(
        self, clinic_id: UUID, *, limit: int
    ) -> Sequence[tuple[PatientRecord, TreatmentSession, ChartVersion]]:
        found = []
        for session in self._sessions.rows.values():
            chart = self._charts.latest(clinic_id, session.id)
            patient = self._patients.get(clinic_id, session.patient_id)
            started = session.status is SessionStatus.STARTED
            if started and chart is not None and not chart.is_signed and patient is not None:
                found.append((patient, session, chart))
        found.sort(key=lambda f: (f[2].created_at, str(f[2].id)))
        return found[:limit]

    def series_to_book(
        self,
        clinic_id: UUID,
        *,
        booked_from: datetime,
        limit: int,
        after: DueListKey | None = None,
    ) -> Sequence[SeriesToBook]:
        found: list[SeriesToBook] = []
        for patient in self._patients.list(clinic_id, search=None, offset=0, limit=10**6):
            for series in self._series.for_patient(clinic_id, patient.id, offset=0, limit=10**6):
                sessions = self._sessions.for_series(clinic_id, series.id)
                active = series.status in {SeriesStatus.PLANNED, SeriesStatus.IN_PROGRESS}
                if not active or len(sessions) >= series.plan.sessions:
                    continue
                if self._next_taken(series, len(sessions) + 1, booked_from):
                    continue
                found.append(self._to_book(patient, series, sessions))
        found.sort(key=lambda row: row.key)
        return [row for row in found if after is None or row.key > after][:limit]

    @staticmethod
    def _to_book(
        patient: PatientRecord, series: TreatmentSeries, sessions: Sequence[TreatmentSession]
    ) -> SeriesToBook:
        started = [s.started_at for s in sessions if s.started_at is not None]
        dated = series.proposal.get("series", {}).get("dated") or []
        last = max(started) if started else None
        first_on = date.fromisoformat(str(dated[0]["on"])) if dated else None
        interval = timedelta(days=series.plan.interval_days)
        return SeriesToBook(
            patient=patient,
            series_id=series.id,
            sessions_planned=series.plan.sessions,
            interval_days=series.plan.interval_days,
            sessions_held=len(sessions),
            last_started_at=last,
            first_proposed_on=first_on,
            created_at=series.created_at,
            utc_due_on=(
                _utc_day(last) + interval
                if last is not None
                else first_on or _utc_day(series.created_at)
            ),
        )

    def _next_taken(self, series: TreatmentSeries, number: int, booked_from: datetime) -> bool:
        return any(
            a.series_id == series.id
            and a.session_number == number
            and (
                a.status is AppointmentStatus.ATTENDED
                or (a.status is AppointmentStatus.BOOKED and a.starts_at >= booked_from)
            )
            for a in self._appointments.rows.values()
        )

    def appointments_between(
        self, clinic_id: UUID, starts_at: datetime, ends_at: datetime
    ) -> Sequence[tuple[Appointment, PatientRecord, str, str]]:
        found = []
        for appointment in self._appointments.between(clinic_id, starts_at, ends_at):
            patient = self._patients.get(clinic_id, appointment.patient_id)
            member = self._staff.get(clinic_id, appointment.practitioner_id)
            room = self._rooms.get(clinic_id, appointment.room_id)
            if patient is not None and member is not None and room is not None:
                found.append((appointment, patient, member.display_name, room.name))
        return found


def _utc_day(instant: datetime) -> date:
    return instant.astimezone(UTC).date()
