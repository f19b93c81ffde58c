"""Use case: book sessions of a series, all or nothing.

A series is booked whole or in part: sessions not yet held or booked get one appointment each.
What the clinician books is checked here: never before now, a session of the series not yet
held or booked, the interval limits across all the patient's series (``services.visits``:
never before the earliest eligible date nor closer than the minimum interval, hard stops; past
the maximum interval only with a recorded reason and within the bound of ``limits.yaml``), and
a slot with an active clinician, in a room in use, inside opening hours and over no other
booking of the practitioner or room (``domain.scheduling.rules``: checked here for a clear
message, enforced by the database). The booking is one unit of work and one audit event.

The area's other use cases live beside this one: set-up (``setup``), proposals
(``proposals``), moves and status changes (``changes``) and reads (``queries``), with the
steps they share in ``steps``; another area reaches them all through ``facade``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from needlepoint.domain.clinic_time import local_day
from needlepoint.domain.dates import calendar_problem
from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.scheduling import (
    Appointment,
    AppointmentStatus,
    SlotRequest,
    StartInPastError,
    check_slot,
    past_start,
    session_number_problems,
)
from needlepoint.domain.treatment import TreatmentSeries
from needlepoint.services import audit, permissions
from needlepoint.services.access import series_access
from needlepoint.services.clinics import clinic_zone
from needlepoint.services.permissions import Action
from needlepoint.services.ports import Clock
from needlepoint.services.scheduling.ports import BookingWrites, ChoiceChecks
from needlepoint.services.scheduling.steps import (
    Booking,
    bookable,
    calendar_between,
    held_and_booked,
    override_note,
)
from needlepoint.services.scheduling.visits import IntervalChange, check_intervals, series_rules

__all__ = ["SlotChoice", "book_series"]


@dataclass(frozen=True, slots=True)
class SlotChoice:
    """One session the clinician books: when, with whom, where; a reason past the max interval."""

    number: int
    starts_at: datetime
    practitioner_id: UUID
    room_id: UUID
    reason: str = ""


def book_series(
    *,
    series_id: UUID,
    choices: Sequence[SlotChoice],
    context: audit.RequestContext,
    uow: BookingWrites,
    clock: Clock,
    booking: Booking,
) -> tuple[Appointment, ...]:
    """Book sessions of a series, all or nothing."""
    permissions.require(context, Action.APPOINTMENT_BOOK)
    now = clock.now()
    if not choices:
        raise InvalidInputError.single("sessions", "no session was chosen.", "pick a slot.")
    _refuse_past_starts(choices, now)
    with uow:
        series, _ = bookable(uow, context.actor.clinic_id, series_id)
        people, rooms = [c.practitioner_id for c in choices], [c.room_id for c in choices]
        uow.appointments.hold(series.clinic_id, people, rooms)
        zone = clinic_zone(uow, series.clinic_id)
        length = booking.length
        _check_choices(uow, _Booked(series, zone, length, booking.extra_interval_days), choices)
        made = tuple(_appointment(series, c, length, context, now) for c in choices)
        for appointment in made:
            uow.appointments.add(appointment)
            booking.on_change(uow, appointment, "booked")
        audit.record(uow, context, series_access("appointment.book", series), at=now)
        uow.commit()
    return made


def _refuse_past_starts(choices: Sequence[SlotChoice], now: datetime) -> None:
    """Refuse every chosen start outside 1900 to 2200, then every start that has passed.

    Raises:
        InvalidInputError: A start outside those years (``out-of-range``).
        StartInPastError: A start that has already passed (``start-in-past``).
    """
    outside = [
        problem
        for c in choices
        if (problem := calendar_problem(f"sessions[{c.number}].starts_at", c.starts_at.date()))
    ]
    if outside:
        raise InvalidInputError(outside)
    problems = [
        problem
        for c in choices
        if (problem := past_start(c.starts_at, now=now, field=f"sessions[{c.number}].starts_at"))
    ]
    if problems:
        raise StartInPastError(problems)


@dataclass(frozen=True, slots=True)
class _Booked:
    """The series being booked, where, for how long, and how far a reason may stretch a gap."""

    series: TreatmentSeries
    zone: ZoneInfo
    length: timedelta
    extra_interval_days: int


def _check_choices(uow: ChoiceChecks, booked: _Booked, choices: Sequence[SlotChoice]) -> None:
    series, zone = booked.series, booked.zone
    days, _ = held_and_booked(uow, series, zone)
    sessions = series_rules(series).sessions
    problems = session_number_problems(sessions, days, [c.number for c in choices])
    if problems:
        raise InvalidInputError(problems)
    change = IntervalChange(
        series,
        planned={c.number: local_day(c.starts_at, zone) for c in choices},
        reasons={c.number: c.reason.strip() for c in choices},
    )
    check_intervals(uow, change, zone=zone, extra_days=booked.extra_interval_days)
    first = min(c.starts_at for c in choices)
    last_end = max(c.starts_at for c in choices) + booked.length
    calendar = calendar_between(uow, series.clinic_id, zone, first, last_end)
    for c in choices:
        request = SlotRequest(c.starts_at, booked.length, c.practitioner_id, c.room_id)
        check_slot(calendar, request, f"sessions[{c.number}]")


def _appointment(
    series: TreatmentSeries,
    choice: SlotChoice,
    length: timedelta,
    context: audit.RequestContext,
    now: datetime,
) -> Appointment:
    reason = choice.reason.strip()
    return Appointment(
        id=uuid4(),
        clinic_id=series.clinic_id,
        patient_id=series.patient_id,
        series_id=series.id,
        session_number=choice.number,
        practitioner_id=choice.practitioner_id,
        room_id=choice.room_id,
        starts_at=choice.starts_at,
        ends_at=choice.starts_at + length,
        status=AppointmentStatus.BOOKED,
        created_at=now,
        created_by=context.actor.id,
        status_reason=override_note(reason) if reason else None,
    )
