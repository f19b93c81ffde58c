"""The scheduling area's ports.

Rooms, opening hours, appointments, calendar feeds and the dashboard's queries.

Every repository method is scoped by clinic: a record of another clinic is indistinguishable
from one that does not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from needlepoint.domain.calendar import CalendarFeed, PatientCalendar
from needlepoint.domain.records import (
    PatientRecord,
)
from needlepoint.domain.scheduling import Appointment, OpeningHours, Room
from needlepoint.domain.treatment import ChartVersion, TreatmentSession
from needlepoint.services.messaging.ports import ReminderPlanning
from needlepoint.services.ports import (
    HasAppointments,
    HasAudit,
    HasCalendarFeeds,
    HasCheckIns,
    HasClearances,
    HasClinics,
    HasConsultations,
    HasOpeningHours,
    HasOutbox,
    HasPatients,
    HasRooms,
    HasSeries,
    HasSessions,
    HasStaff,
    HasWorklists,
    Transaction,
)


class RoomRepository(Protocol):
    """A clinic's treatment rooms."""

    def add(self, room: Room) -> None:
        """Store a new room (names are unique within a clinic)."""
        ...

    def get(self, clinic_id: UUID, room_id: UUID) -> Room | None:
        """A room by id."""
        ...

    def for_clinic(self, clinic_id: UUID) -> Sequence[Room]:
        """Every room of the clinic, by name."""
        ...

    def save(self, room: Room) -> None:
        """Store a changed room (its name or whether it is in use)."""
        ...


class OpeningHoursRepository(Protocol):
    """When a clinic is open, per weekday, in its local time."""

    def for_clinic(self, clinic_id: UUID) -> Sequence[OpeningHours]:
        """Every opening period of the clinic, by weekday then opening time."""
        ...

    def replace(self, clinic_id: UUID, hours: Sequence[OpeningHours]) -> None:
        """Replace the clinic's whole week of opening hours."""
        ...


class AppointmentRepository(Protocol):
    """Appointments; the database refuses overlapping ones (``SlotTakenError``)."""

    def add(self, appointment: Appointment) -> None:
        """Store a new appointment; raises ``SlotTakenError`` on a double booking."""
        ...

    def hold(
        self, clinic_id: UUID, practitioner_ids: Sequence[UUID], room_ids: Sequence[UUID]
    ) -> None:
        """Hold these practitioners' and rooms' calendars until the unit of work ends."""
        ...

    def get(self, clinic_id: UUID, appointment_id: UUID) -> Appointment | None:
        """An appointment by id."""
        ...

    def save(self, appointment: Appointment) -> None:
        """Store a changed appointment whose version is one past the stored one.

        Raises ``VersionConflictError`` when someone else changed it first, and
        ``SlotTakenError`` when the new time overlaps another booking.
        """
        ...

    def for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[Appointment]:
        """A patient's appointments, earliest first, cancelled ones included."""
        ...

    def between(
        self, clinic_id: UUID, starts_at: datetime, ends_at: datetime
    ) -> Sequence[Appointment]:
        """Every appointment of the clinic not cancelled that overlaps ``[starts_at, ends_at)``."""
        ...


class CalendarFeedRepository(Protocol):
    """Patients' secret calendar feed links, stored as the SHA-256 of their tokens."""

    def add(self, feed: CalendarFeed) -> None:
        """Store a newly issued link."""
        ...

    def live_by_hash(self, token_hash: str) -> CalendarFeed | None:
        """The live link whose token has this SHA-256, or None (also when revoked)."""
        ...

    def live_for_patient(self, clinic_id: UUID, patient_id: UUID) -> CalendarFeed | None:
        """The patient's live link, or None."""
        ...

    def revoke_for_patient(self, clinic_id: UUID, patient_id: UUID, at: datetime) -> int:
        """Revoke every live link of the patient; how many there were."""
        ...


class CalendarRenderer(Protocol):
    """Writes a patient's calendar in a calendar file format (iCalendar in production)."""

    def __call__(self, calendar: PatientCalendar, *, stamped_at: datetime) -> bytes:
        """The calendar as bytes, stamped with the instant it was made."""
        ...


@dataclass(frozen=True, slots=True)
class SeriesToBook:
    """An active series with sessions still to hold: what its next due day is worked out from.

    Only the fields the worklist needs are read (no proposal or plan documents to parse).
    """

    patient: PatientRecord
    series_id: UUID
    sessions_planned: int
    interval_days: int
    sessions_held: int
    last_started_at: datetime | None
    """When the latest session held began (None before the first)."""
    first_proposed_on: date | None
    """The day the proposal dated the first session (None if it dated none)."""
    created_at: datetime
    utc_due_on: date
    """The day the next session falls due counted in UTC days, which orders the list."""

    @property
    def key(self) -> DueListKey:
        """Where it stands in the list."""
        return DueListKey(self.utc_due_on, self.series_id)


@dataclass(frozen=True, slots=True, order=True)
class DueListKey:
    """Where a series stands in the list of series to book: due day (UTC), then series id."""

    utc_due_on: date
    series_id: UUID


class WorklistQueries(Protocol):
    """The dashboard's read-side queries: one statement each, scoped to one clinic."""

    def charts_awaiting_signoff(
        self, clinic_id: UUID, *, limit: int
    ) -> Sequence[tuple[PatientRecord, TreatmentSession, ChartVersion]]:
        """Started sessions whose newest chart version is unsigned, the ``limit`` oldest."""
        ...

    def series_to_book(
        self,
        clinic_id: UUID,
        *,
        booked_from: datetime,
        limit: int,
        after: DueListKey | None = None,
    ) -> Sequence[SeriesToBook]:
        """Planned or in-progress series with fewer sessions held than planned.

        A series is left out when its next session (number held + 1) has an appointment
        attended, or booked to start at or after ``booked_from``. Ordered by ``DueListKey``
        (due day in UTC, series id): at most ``limit``, after ``after``.
        """
        ...

    def appointments_between(
        self, clinic_id: UUID, starts_at: datetime, ends_at: datetime
    ) -> Sequence[tuple[Appointment, PatientRecord, str, str]]:
        """Appointments not cancelled overlapping ``[starts_at, ends_at)``, earliest first.

        Each with its patient, the practitioner's display name and the room's name.
        """
        ...


class SchedulingUnitOfWork(
    Transaction,
    HasAudit,
    HasClinics,
    HasStaff,
    HasPatients,
    HasConsultations,
    HasClearances,
    HasSeries,
    HasSessions,
    HasRooms,
    HasOpeningHours,
    HasAppointments,
    HasCalendarFeeds,
    HasWorklists,
    HasCheckIns,
    HasOutbox,
    Protocol,
):
    """One transaction over the calendar, bookings and feeds, with what their rules read."""


class VisitsUnitOfWork(
    Transaction,
    HasAudit,
    HasClinics,
    HasPatients,
    HasConsultations,
    HasClearances,
    HasSeries,
    HasSessions,
    HasAppointments,
    HasOutbox,
    Protocol,
):
    """What a patient's visits are checked against, in a booking's or a session's transaction.

    Their series, sessions, appointments and clearances, and the reminders they settle.
    """


# --- what each use case takes (ADR 0026): the repositories it uses, and no more -------------


class CalendarFeedAccess(Transaction, HasAudit, HasCalendarFeeds, HasPatients, Protocol):
    """Issue, revoke or look at a patient's calendar feed (audited)."""


class SeriesMilestoneReads(HasConsultations, HasSeries, Protocol):
    """A feed's series and the consultations they came from."""


class DayListReads(Transaction, HasAudit, HasClinics, HasWorklists, Protocol):
    """A clinic's day list (audited)."""


class AgendaReads(
    Transaction,
    HasAudit,
    HasClinics,
    HasOpeningHours,
    HasRooms,
    HasStaff,
    HasWorklists,
    Protocol,
):
    """A clinic's calendar: its appointments, opening hours, rooms and practitioners (audited)."""


class AppointmentReads(Transaction, HasAppointments, HasAudit, Protocol):
    """A patient's appointments (audited)."""


class AppointmentDetailReads(
    Transaction, HasAppointments, HasAudit, HasPatients, HasRooms, HasStaff, Protocol
):
    """One appointment with its patient, room and practitioner (audited)."""


class RoomSetup(Transaction, HasAudit, HasRooms, Protocol):
    """Add a treatment room (audited)."""


class OpeningHoursSetup(Transaction, HasAudit, HasOpeningHours, Protocol):
    """Set a clinic's opening hours (audited)."""


class BookableReads(HasPatients, HasSeries, Protocol):
    """The series a booking is for, and its patient."""


class HeldAndBookedReads(HasAppointments, HasSessions, Protocol):
    """A series' sessions and the appointments that hold them."""


class BookingRuleReads(HasClearances, HasConsultations, Protocol):
    """What decides a series' booking rules: its consultation and clearances."""


class EndedVisitWrites(HasAppointments, HasOutbox, Protocol):
    """Save an ended visit and withdraw what it no longer sends."""


class FeedRendering(
    Transaction,
    HasAppointments,
    HasAudit,
    HasCalendarFeeds,
    HasClinics,
    HasConsultations,
    HasSeries,
    Protocol,
):
    """Render a patient's calendar feed: their appointments and series milestones (audited)."""


class StatusChanges(Transaction, HasAudit, ReminderPlanning, Protocol):
    """Change an appointment's status and re-plan its messages (audited)."""


class DashboardReads(Transaction, HasAudit, HasCheckIns, HasClinics, HasWorklists, Protocol):
    """The clinic's dashboard: the day, the worklists and check-ins needing attention (audited)."""


class SetupReads(Transaction, HasClinics, HasOpeningHours, HasRooms, HasStaff, Protocol):
    """A clinic's set-up: its rooms, opening hours and practitioners."""


class CalendarReads(HasAppointments, HasOpeningHours, HasRooms, HasStaff, Protocol):
    """A clinic's calendar between two instants: rooms, hours, practitioners, appointments."""


class VisitReads(HasAppointments, HasSeries, HasSessions, Protocol):
    """A patient's series, sessions and the appointments holding them."""


class IntervalReads(
    HasAppointments, HasClearances, HasConsultations, HasSeries, HasSessions, Protocol
):
    """What the interval rules read: the patient's series, sessions, appointments and clearances."""


class Attendance(HasAppointments, HasClinics, HasOutbox, HasSeries, HasSessions, Protocol):
    """Mark a session's appointment attended and plan its aftercare."""


class BookingWrites(
    Transaction,
    HasAppointments,
    HasAudit,
    HasClearances,
    HasClinics,
    HasConsultations,
    HasOpeningHours,
    HasOutbox,
    HasPatients,
    HasRooms,
    HasSeries,
    HasSessions,
    HasStaff,
    Protocol,
):
    """Book a series or move an appointment: the calendar, the series' rules, its reminders."""


class ChoiceChecks(
    HasAppointments,
    HasClearances,
    HasConsultations,
    HasOpeningHours,
    HasRooms,
    HasSeries,
    HasSessions,
    HasStaff,
    Protocol,
):
    """Check chosen slots against the calendar and the series' interval rules."""


class MoveChecks(ChoiceChecks, HasClinics, Protocol):
    """Check a move against the calendar, the rules and the clinic's day."""


class SlotReads(
    Transaction, HasAppointments, HasClinics, HasOpeningHours, HasRooms, HasStaff, Protocol
):
    """The free slots of a clinic's day."""


class ProposalReads(
    HasAppointments, HasOpeningHours, HasRooms, HasSeries, HasSessions, HasStaff, Protocol
):
    """What proposing a series' dates reads: the calendar and the series' sessions."""


class ProposalWork(ChoiceChecks, Transaction, HasAudit, HasClinics, HasPatients, Protocol):
    """Propose a series' dates for a patient (audited)."""
