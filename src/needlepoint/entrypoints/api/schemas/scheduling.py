"""Scheduling: the clinic's calendar set-up, free slots, bookings and appointments.

Times go in and out as ISO 8601 instants with an offset; the clinic's zone is in the set-up.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field, StringConstraints

from needlepoint.domain.records import StaffMember
from needlepoint.domain.scheduling import Appointment, AppointmentPart, OpeningHours, Room, Slot
from needlepoint.entrypoints.api.schemas.common import (
    NOT_BLANK,
    PRINTABLE,
    FromRecord,
    RequestModel,
)
from needlepoint.services.scheduling.proposals import SeriesBooking
from needlepoint.services.scheduling.setup import ClinicSetup

ChangeReason = Annotated[str, StringConstraints(max_length=500, pattern=PRINTABLE)]
"""Why a booking or a change passes a soft limit, or why an appointment is cancelled."""
HHMM = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["09:00"])]


class RoomOut(FromRecord[Room]):
    """A treatment room."""

    id: UUID
    name: str
    active: bool


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


class PractitionerOut(FromRecord[StaffMember]):
    """A clinician appointments can be booked with."""

    id: UUID
    display_name: str


class AppointmentPartOut(FromRecord[AppointmentPart]):
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

    @classmethod
    def from_domain(cls, setup: ClinicSetup) -> SetupOut:
        """From the service's set-up."""
        return cls(
            time_zone=setup.time_zone,
            rooms=[RoomOut.from_domain(r) for r in setup.rooms],
            opening_hours=[PeriodBody.from_domain(h) for h in setup.opening_hours],
            practitioners=[PractitionerOut.from_domain(p) for p in setup.practitioners],
            appointment_minutes=_minutes(setup.length),
            appointment_parts=[AppointmentPartOut.from_domain(p) for p in setup.parts],
        )


class RoomIn(RequestModel):
    """A new room."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=NOT_BLANK)]


class WeekIn(RequestModel):
    """The clinic's whole week of opening periods (it replaces the stored one)."""

    periods: Annotated[list[PeriodBody], Field(max_length=50)]
    closed_all_week: bool = False
    """Confirms that no periods means closed every day (refused without it)."""


class SlotOut(FromRecord[Slot]):
    """A free slot and who and where would take it."""

    starts_at: datetime
    ends_at: datetime
    practitioner_id: UUID
    room_id: UUID


class AppointmentOut(FromRecord[Appointment]):
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

    @classmethod
    def from_domain(cls, series_booking: SeriesBooking) -> BookingOut:
        """From the service's proposal."""
        rules = series_booking.rules
        return cls(
            series_id=series_booking.series.id,
            sessions=rules.sessions,
            interval_days=rules.interval_days,
            min_interval_days=rules.min_interval_days,
            max_interval_days=rules.max_interval_days,
            max_interval_with_reason_days=(
                rules.max_interval_days + series_booking.extra_interval_days
            ),
            earliest_on=rules.earliest_on,
            appointment_minutes=_minutes(series_booking.length),
            booked=[AppointmentOut.from_domain(a) for a in series_booking.booked],
            proposed=[
                ProposedSession(number=n, slot=SlotOut.from_domain(s))
                for n, s in zip(series_booking.to_book, series_booking.proposed, strict=True)
                if s is not None
            ],
            problem=series_booking.problem,
        )


class SessionChoiceIn(RequestModel):
    """One session to book: which, when (with offset), with whom and where."""

    number: Annotated[int, Field(ge=1, le=50)]
    starts_at: AwareDatetime
    practitioner_id: UUID
    room_id: UUID
    reason: ChangeReason = ""


class BookIn(RequestModel):
    """Sessions of a series to book at once (all or nothing)."""

    sessions: Annotated[list[SessionChoiceIn], Field(min_length=1, max_length=50)]


class AppointmentList(BaseModel):
    """Appointments, earliest first."""

    items: list[AppointmentOut]

    @classmethod
    def from_domain(cls, appointments: Iterable[Appointment]) -> AppointmentList:
        """From the domain records, in their order."""
        return cls(items=[AppointmentOut.from_domain(a) for a in appointments])


class RescheduleIn(RequestModel):
    """A new time (and perhaps practitioner and room) for a booked appointment."""

    expected_version: Annotated[int, Field(ge=1)]
    starts_at: AwareDatetime
    practitioner_id: UUID
    room_id: UUID
    reason: ChangeReason = ""


class StatusIn(RequestModel):
    """A cancellation (with its reason), an attendance or a no-show."""

    expected_version: Annotated[int, Field(ge=1)]
    status: Literal["cancelled", "attended", "no_show"]
    reason: ChangeReason = ""


def _minutes(length: timedelta) -> int:
    return int(length / timedelta(minutes=1))
