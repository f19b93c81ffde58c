"""Steps the scheduling use cases share, run in the caller's unit of work.

They neither commit nor audit: what booking needs beyond the request (``Booking``), the
clinic's practitioners, the series being booked, its sessions held or booked, and the clinic's
calendar between two instants or over local days (``domain.clinic_time.days_bounds``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Final
from uuid import UUID

from needlepoint.domain.clinic_time import days_bounds, local_day
from needlepoint.domain.errors import NotFoundError
from needlepoint.domain.limits import LimitTable
from needlepoint.domain.planning import PlanningTables
from needlepoint.domain.records import PatientRecord, Role, StaffMember
from needlepoint.domain.scheduling import (
    Appointment,
    AppointmentStatus,
    CalendarSource,
    ClinicCalendar,
    appointment_length,
)
from needlepoint.domain.treatment import InvalidTransitionError, SeriesStatus, TreatmentSeries
from needlepoint.services import audit
from needlepoint.services.access import SeriesNotFoundError
from needlepoint.services.messaging.ports import ReminderPlanning
from needlepoint.services.ports import HasStaff
from needlepoint.services.scheduling.ports import (
    BookableReads,
    CalendarReads,
    HeldAndBookedReads,
)

INTERVAL_OVERRIDE: Final = "longer interval (interval-beyond-maximum)"
"""How a recorded reason for a gap past the maximum begins: it names the limit it passes."""
BOOKABLE_SERIES = frozenset({SeriesStatus.PLANNED, SeriesStatus.IN_PROGRESS})
ACTIVE = frozenset({AppointmentStatus.BOOKED, AppointmentStatus.ATTENDED})
OnChange = Callable[[ReminderPlanning, Appointment, str], None]
"""Called in the booking's unit of work after each appointment is written: the appointment and
what happened to it (``booked``, ``rescheduled``, ``cancelled``, ``no_show``, ``attended``).
What an ended appointment no longer sends is withdrawn before the hook is called."""


class AppointmentNotFoundError(NotFoundError):
    """No such appointment in this clinic."""

    code = "appointment-not-found"


def _no_reminders(uow: object, appointment: Appointment, change: str) -> None:
    """The default ``on_change``: nothing beyond the appointment itself."""


@dataclass(frozen=True, slots=True)
class Booking:
    """What booking needs beyond the request: protocol tables, limits and the reminder hook."""

    tables: PlanningTables
    limits: LimitTable
    on_change: OnChange = _no_reminders

    @property
    def extra_interval_days(self) -> int:
        """How far past the maximum interval a recorded reason may go."""
        return self.limits.extra_interval_days

    @property
    def length(self) -> timedelta:
        """The booked length of a treatment appointment."""
        return appointment_length(self.tables.appointment_parts)


def override_note(reason: str) -> str:
    """The recorded reason for a gap past the maximum, naming the limit it passes."""
    return f"{INTERVAL_OVERRIDE}: {reason.strip()}"


def appointment_access(action: str, appointment: Appointment) -> audit.Access:
    """The audit record of an action on one appointment."""
    return audit.Access(action, "appointment", str(appointment.id), appointment.patient_id)


def practitioners(uow: HasStaff, clinic_id: UUID) -> tuple[StaffMember, ...]:
    """The clinic's active clinicians: the people appointments are booked with."""
    return tuple(
        member
        for member in uow.staff.for_clinic(clinic_id)
        if member.active and member.role is Role.CLINICIAN
    )


def bookable(
    uow: BookableReads, clinic_id: UUID, series_id: UUID
) -> tuple[TreatmentSeries, PatientRecord]:
    """The clinic's series and its patient, if the series can still be booked."""
    series = uow.series.get(clinic_id, series_id)
    patient = uow.patients.get(clinic_id, series.patient_id) if series else None
    if series is None or patient is None:
        raise SeriesNotFoundError(f"no series {series_id}")
    if series.status not in BOOKABLE_SERIES:
        raise InvalidTransitionError(
            f"cannot book series {series.id}: it is {series.status.value.replace('_', ' ')}"
        )
    return series, patient


def held_and_booked(
    uow: HeldAndBookedReads, series: TreatmentSeries, zone: tzinfo
) -> tuple[dict[int, date], tuple[Appointment, ...]]:
    """Session number → local day, for sessions held or booked; and the active appointments."""
    days: dict[int, date] = {}
    for session in uow.sessions.for_series(series.clinic_id, series.id):
        if session.started_at is not None:
            days[session.number] = local_day(session.started_at, zone)
    booked = tuple(
        a
        for a in uow.appointments.for_patient(series.clinic_id, series.patient_id)
        if a.series_id == series.id and a.status in ACTIVE and a.session_number is not None
    )
    for appointment in booked:
        number = appointment.session_number or 0
        days.setdefault(number, local_day(appointment.starts_at, zone))
    return days, booked


def calendar_between(
    uow: CalendarReads,
    clinic_id: UUID,
    zone: tzinfo,
    starts_at: datetime,
    ends_at: datetime,
) -> ClinicCalendar:
    """The clinic's week, people, rooms and bookings between two instants."""
    return ClinicCalendar(
        time_zone=zone,
        opening_hours=tuple(uow.opening_hours.for_clinic(clinic_id)),
        practitioner_ids=tuple(p.id for p in practitioners(uow, clinic_id)),
        room_ids=tuple(r.id for r in uow.rooms.for_clinic(clinic_id) if r.active),
        taken=tuple(uow.appointments.between(clinic_id, starts_at, ends_at)),
    )


def calendar_on_days(
    uow: CalendarReads, clinic_id: UUID, zone: tzinfo, first: date, last: date
) -> ClinicCalendar:
    """The clinic's calendar over the local days ``first`` to ``last`` (inclusive)."""
    return calendar_between(uow, clinic_id, zone, *days_bounds(first, last, zone))


def calendar_source(uow: CalendarReads, clinic_id: UUID, zone: tzinfo) -> CalendarSource:
    """The clinic's calendar for any span of local days, read when the proposal asks."""

    def between(first: date, last: date) -> ClinicCalendar:
        return calendar_on_days(uow, clinic_id, zone, first, last)

    return between
