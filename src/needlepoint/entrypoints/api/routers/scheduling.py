"""Scheduling: the clinic's set-up, free slots, booking a series, and changes to appointments.

Front desk books, moves and cancels; the set-up (rooms, opening hours) is an admin's. Times go
in and out as ISO 8601 instants with an offset; the clinic's zone is in the set-up. Changes
name the version they were based on; a stale one is 409 ``version-conflict``.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel, Field

from needlepoint.domain.records import StaffMember
from needlepoint.domain.scheduling import (
    Appointment,
    AppointmentStatus,
    OpeningHours,
    Room,
    Slot,
)
from needlepoint.entrypoints.api.permissions import API, Context
from needlepoint.entrypoints.api.schemas import RequestModel
from needlepoint.entrypoints.api.security import ServicesDep
from needlepoint.services.scheduling import booking as scheduling

router = APIRouter(tags=["scheduling"])

Reason = Annotated[str, Field(max_length=500)]
HHMM = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["09:00"])]


class RoomOut(BaseModel):
    """A treatment room."""

    id: UUID
    name: str
    active: bool

    @classmethod
    def from_domain(cls, room: Room) -> RoomOut:
        """From the domain record."""
        return cls(id=room.id, name=room.name, active=room.active)


class PeriodBody(RequestModel):
    """One opening period: a weekday (0 = Monday) and local opening and closing times."""

    weekday: Annotated[int, Field(ge=0, le=6)]
    opens: HHMM
    closes: HHMM

    @classmethod
    def from_domain(cls, hours: OpeningHours) -> PeriodBody:
        """From the domain record."""
        return cls(
            weekday=hours.weekday,
            opens=hours.opens.strftime("%H:%M"),
            closes=hours.closes.strftime("%H:%M"),
        )


class PractitionerOut(BaseModel):
    """A clinician appointments can be booked with."""

    id: UUID
    display_name: str

    @classmethod
    def from_domain(cls, member: StaffMember) -> PractitionerOut:
        """From the domain record."""
        return cls(id=member.id, display_name=member.display_name)


class AppointmentPartOut(BaseModel):
    """One part of a treatment appointment, its minutes and where the figure comes from."""

    part: str
    minutes: int
    sources: list[str]
    evidence: str


class SetupOut(BaseModel):
    """The clinic's calendar set-up and the booked length of a treatment appointment."""

    time_zone: str
    rooms: list[RoomOut]
    opening_hours: list[PeriodBody]
    practitioners: list[PractitionerOut]
    appointment_minutes: int
    appointment_parts: list[AppointmentPartOut]


class RoomIn(RequestModel):
    """A new room."""

    name: Annotated[str, Field(min_length=1, max_length=100)]


class WeekIn(RequestModel):
    """The clinic's whole week of opening periods (it replaces the stored one)."""

    periods: Annotated[list[PeriodBody], Field(max_length=50)]


class SlotOut(BaseModel):
    """A free slot and who and where would take it."""

    starts_at: datetime
    ends_at: datetime
    practitioner_id: UUID
    room_id: UUID

    @classmethod
    def from_domain(cls, slot: Slot) -> SlotOut:
        """From the domain value."""
        return cls(
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            practitioner_id=slot.practitioner_id,
            room_id=slot.room_id,
        )


class AppointmentOut(BaseModel):
    """A booked visit; ``session_id`` is the session held at it, once one starts."""

    id: UUID
    patient_id: UUID
    series_id: UUID | None
    session_number: int | None
    session_id: UUID | None = None
    practitioner_id: UUID
    room_id: UUID
    starts_at: datetime
    ends_at: datetime
    status: str
    status_reason: str | None
    version: int

    @classmethod
    def from_domain(cls, appointment: Appointment) -> AppointmentOut:
        """From the domain record."""
        return cls(
            id=appointment.id,
            patient_id=appointment.patient_id,
            series_id=appointment.series_id,
            session_number=appointment.session_number,
            session_id=appointment.session_id,
            practitioner_id=appointment.practitioner_id,
            room_id=appointment.room_id,
            starts_at=appointment.starts_at,
            ends_at=appointment.ends_at,
            status=appointment.status.value,
            status_reason=appointment.status_reason,
            version=appointment.version,
        )


class ProposedSession(BaseModel):
    """A session still to book and the free slot proposed for it."""

    number: int
    slot: SlotOut


class BookingOut(BaseModel):
    """How a series' booking stands, and free slots for every session still to book."""

    series_id: UUID
    sessions: int
    interval_days: int
    min_interval_days: int
    max_interval_days: int
    max_interval_with_reason_days: int
    earliest_on: date
    appointment_minutes: int
    booked: list[AppointmentOut]
    proposed: list[ProposedSession]
    problem: str | None


class SessionChoiceIn(RequestModel):
    """One session to book: which, when (with offset), with whom and where."""

    number: Annotated[int, Field(ge=1, le=50)]
    starts_at: AwareDatetime
    practitioner_id: UUID
    room_id: UUID
    reason: Reason = ""


class BookIn(RequestModel):
    """Sessions of a series to book at once (all or nothing)."""

    sessions: Annotated[list[SessionChoiceIn], Field(min_length=1, max_length=50)]


class AppointmentList(BaseModel):
    """Appointments, earliest first."""

    items: list[AppointmentOut]


class RescheduleIn(RequestModel):
    """A new time (and perhaps practitioner and room) for a booked appointment."""

    expected_version: Annotated[int, Field(ge=1)]
    starts_at: AwareDatetime
    practitioner_id: UUID
    room_id: UUID
    reason: Reason = ""


class StatusIn(RequestModel):
    """A cancellation (with its reason), an attendance or a no-show."""

    expected_version: Annotated[int, Field(ge=1)]
    status: Literal["cancelled", "attended", "no_show"]
    reason: Reason = ""


@router.get(f"{API}/schedule/setup")
def read_setup(context: Context, services: ServicesDep) -> SetupOut:
    """Rooms, opening hours, practitioners and the booked length of a treatment appointment."""
    setup = services.scheduling.clinic_setup(context=context)
    return SetupOut(
        time_zone=setup.time_zone,
        rooms=[RoomOut.from_domain(r) for r in setup.rooms],
        opening_hours=[PeriodBody.from_domain(h) for h in setup.opening_hours],
        practitioners=[PractitionerOut.from_domain(p) for p in setup.practitioners],
        appointment_minutes=int(setup.length / timedelta(minutes=1)),
        appointment_parts=[
            AppointmentPartOut(
                part=p.part, minutes=p.minutes, sources=list(p.sources), evidence=p.evidence
            )
            for p in setup.parts
        ],
    )


@router.post(f"{API}/schedule/rooms", status_code=201)
def add_room(body: RoomIn, context: Context, services: ServicesDep) -> RoomOut:
    """Add a treatment room (admin)."""
    return RoomOut.from_domain(services.scheduling.add_room(body.name, context=context))


@router.put(f"{API}/schedule/opening-hours")
def set_opening_hours(body: WeekIn, context: Context, services: ServicesDep) -> list[PeriodBody]:
    """Replace the clinic's week of opening hours, in its local time (admin)."""
    week = [
        (p.weekday, time.fromisoformat(p.opens), time.fromisoformat(p.closes)) for p in body.periods
    ]
    return [
        PeriodBody.from_domain(h)
        for h in services.scheduling.set_opening_hours(week, context=context)
    ]


@router.get(f"{API}/schedule/slots")
def list_slots(
    on: Annotated[date, Query(description="the local day")],
    context: Context,
    services: ServicesDep,
    practitioner_id: Annotated[UUID | None, Query()] = None,
) -> list[SlotOut]:
    """Every free treatment slot on one local day."""
    slots = services.scheduling.free_slots(on, context=context, practitioner_id=practitioner_id)
    return [SlotOut.from_domain(s) for s in slots]


@router.get(f"{API}/schedule/appointments")
def day_list(
    on: Annotated[date, Query(description="the local day")],
    context: Context,
    services: ServicesDep,
) -> AppointmentList:
    """The clinic's appointments on one local day, earliest first."""
    listed = services.scheduling.day_list(on, context=context)
    return AppointmentList(items=[AppointmentOut.from_domain(d.appointment) for d in listed])


@router.get(f"{API}/series/{{series_id}}/booking")
def read_booking(series_id: UUID, context: Context, services: ServicesDep) -> BookingOut:
    """What is booked of a series, and a free slot proposed for every session still to book."""
    booking = services.scheduling.propose_series_booking(series_id, context=context)
    rules = booking.rules
    return BookingOut(
        series_id=booking.series.id,
        sessions=rules.sessions,
        interval_days=rules.interval_days,
        min_interval_days=rules.min_interval_days,
        max_interval_days=rules.max_interval_days,
        max_interval_with_reason_days=rules.max_interval_days + booking.extra_interval_days,
        earliest_on=rules.earliest_on,
        appointment_minutes=int(booking.length / timedelta(minutes=1)),
        booked=[AppointmentOut.from_domain(a) for a in booking.booked],
        proposed=[
            ProposedSession(number=n, slot=SlotOut.from_domain(s))
            for n, s in zip(booking.to_book, booking.proposed, strict=True)
            if s is not None
        ],
        problem=booking.problem,
    )


@router.post(f"{API}/series/{{series_id}}/appointments", status_code=201)
def book_series(
    series_id: UUID, body: BookIn, context: Context, services: ServicesDep
) -> AppointmentList:
    """Book sessions of a series, all or nothing; a clash is 409 ``slot-taken``.

    A start in the past is 422 ``start-in-past``; an interval limit is 422 with the limit's id
    as its code (``minimum-interval``, across all the patient's series on a shared zone;
    ``interval-beyond-maximum``; ``deferral-date``), each field problem naming it too.
    """
    choices = [
        scheduling.SlotChoice(c.number, c.starts_at, c.practitioner_id, c.room_id, c.reason)
        for c in body.sessions
    ]
    made = services.scheduling.book_series(series_id, choices, context=context)
    return AppointmentList(items=[AppointmentOut.from_domain(a) for a in made])


@router.get(f"{API}/patients/{{patient_id}}/appointments")
def patient_appointments(
    patient_id: UUID, context: Context, services: ServicesDep
) -> AppointmentList:
    """A patient's appointments, earliest first, cancelled ones included."""
    found = services.scheduling.patient_appointments(patient_id, context=context)
    return AppointmentList(items=[AppointmentOut.from_domain(a) for a in found])


@router.post(f"{API}/appointments/{{appointment_id}}/reschedule")
def reschedule(
    appointment_id: UUID, body: RescheduleIn, context: Context, services: ServicesDep
) -> AppointmentOut:
    """Move a booked appointment from now on; the interval limits are checked again.

    Refusals as for booking, on the field ``starts_at``; a cancelled, attended or missed
    appointment is 409 ``invalid-transition``.
    """
    move = scheduling.Move(
        appointment_id,
        body.expected_version,
        body.starts_at,
        body.practitioner_id,
        body.room_id,
        body.reason,
    )
    return AppointmentOut.from_domain(
        services.scheduling.reschedule_appointment(move, context=context)
    )


@router.post(f"{API}/appointments/{{appointment_id}}/status")
def change_status(
    appointment_id: UUID, body: StatusIn, context: Context, services: ServicesDep
) -> AppointmentOut:
    """Cancel (with a reason), or record that the patient attended or did not come.

    Attendance or a no-show before the start is 422 ``appointment-not-started``; an
    appointment already cancelled, attended or missed is 409 ``invalid-transition``. What the
    appointment no longer sends is withdrawn (aftercare for an attended visit still goes).
    """
    change = scheduling.StatusChange(
        appointment_id, body.expected_version, AppointmentStatus(body.status), body.reason
    )
    return AppointmentOut.from_domain(
        services.scheduling.change_appointment_status(change, context=context)
    )
