"""Free slots: where and when a treatment fits in the clinic's week.

A slot is a start on a local day, in steps from each opening period, at which a practitioner
and a room are both free for the whole appointment. Opening hours are wall-clock times in the
clinic's zone (``domain.clinic_time``): a period whose opening or closing time the clocks skip
that day offers no slot.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, tzinfo
from uuid import UUID

from needlepoint.domain.clinic_time import SkippedWallTimeError, local_day, wall_time_to_instant
from needlepoint.domain.errors import ConflictError, InputCode, InvalidInputError
from needlepoint.domain.scheduling.appointments import (
    LONGEST_APPOINTMENT,
    Appointment,
    AppointmentStatus,
    OpeningHours,
)


class NoSlotError(ConflictError):
    """No practitioner and room are free together inside the allowed window."""

    code = "no-free-slot"

    def __init__(self, number: int, first: date, last: date) -> None:
        super().__init__(
            f"no free slot for session {number} between {first.isoformat()} and "
            f"{last.isoformat()}; open more hours, add a room, or book it by hand"
        )
        self.number = number


@dataclass(frozen=True, slots=True)
class Slot:
    """A free ``[starts_at, ends_at)`` with the practitioner and room that would take it."""

    starts_at: datetime
    ends_at: datetime
    practitioner_id: UUID
    room_id: UUID


@dataclass(frozen=True, slots=True)
class ClinicCalendar:
    """What slot search needs: the zone, the week, who and where, and what is taken."""

    time_zone: tzinfo
    opening_hours: tuple[OpeningHours, ...]
    practitioner_ids: tuple[UUID, ...]
    room_ids: tuple[UUID, ...]
    taken: tuple[Appointment, ...]
    step_minutes: int = 15
    _starts: tuple[datetime, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Keep what is taken in start order, so one day's bookings are found by bisection."""
        ordered = tuple(sorted((a for a in self.taken if a.occupies), key=_start))
        object.__setattr__(self, "taken", ordered)
        object.__setattr__(self, "_starts", tuple(a.starts_at for a in ordered))

    def taken_between(self, starts_at: datetime, ends_at: datetime) -> list[Appointment]:
        """What is taken overlapping ``[starts_at, ends_at)`` (no booking lasts a day)."""
        low = bisect.bisect_left(self._starts, starts_at - LONGEST_APPOINTMENT)
        high = bisect.bisect_left(self._starts, ends_at)
        return [a for a in self.taken[low:high] if a.overlaps(starts_at, ends_at)]

    def with_taken(self, slot: Slot) -> ClinicCalendar:
        """The calendar once ``slot`` is held (for planning the next session of a series)."""
        held = Appointment(
            id=slot.practitioner_id,
            clinic_id=slot.practitioner_id,
            patient_id=slot.practitioner_id,
            series_id=None,
            session_number=None,
            practitioner_id=slot.practitioner_id,
            room_id=slot.room_id,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            status=AppointmentStatus.BOOKED,
            created_at=slot.starts_at,
            created_by=slot.practitioner_id,
        )
        return replace(self, taken=(*self.taken, held))


def _start(appointment: Appointment) -> datetime:
    return appointment.starts_at


def local_instant(day: date, wall: time, zone: tzinfo) -> datetime | None:
    """``day`` at ``wall`` in ``zone`` as a UTC instant; None when that wall time never happens."""
    try:
        return wall_time_to_instant(day, wall, zone)
    except SkippedWallTimeError:
        return None


def opening_periods(calendar: ClinicCalendar, day: date) -> Iterator[tuple[datetime, datetime]]:
    """Each opening period of ``day`` as ``[opens, closes)`` instants.

    A period whose opening or closing time the clocks skip that day is left out.
    """
    for period in calendar.opening_hours:
        if period.weekday != day.weekday():
            continue
        opens = local_instant(day, period.opens, calendar.time_zone)
        closes = local_instant(day, period.closes, calendar.time_zone)
        if opens is not None and closes is not None:
            yield opens, closes


def check_practitioner(calendar: ClinicCalendar, practitioner_id: UUID | None) -> None:
    """Refuse a practitioner who is not one of the calendar's clinic (none means any).

    Someone unknown and someone of another clinic get the same answer, so an id says nothing
    about other clinics.

    Raises:
        InvalidInputError: Field ``practitioner_id``: not a practitioner here (``not-a-choice``).
    """
    if practitioner_id is None or practitioner_id in calendar.practitioner_ids:
        return
    raise InvalidInputError.single(
        "practitioner_id",
        "is not a practitioner of this clinic.",
        "choose one of the practitioners the clinic's set-up lists, or leave it out.",
        InputCode.NOT_A_CHOICE,
    )


def free_slots(
    calendar: ClinicCalendar,
    day: date,
    length: timedelta,
    *,
    not_before: datetime,
    practitioner_id: UUID | None = None,
) -> Iterator[Slot]:
    """Every start on ``day`` (in steps) at which a practitioner and a room are both free."""
    starts = list(_starts(calendar, day, length))
    if not starts:
        return
    day_taken = calendar.taken_between(starts[0], starts[-1] + length)
    practitioners = (practitioner_id,) if practitioner_id else calendar.practitioner_ids
    for starts_at in starts:
        if starts_at < not_before:
            continue
        ends_at = starts_at + length
        busy = [a for a in day_taken if a.overlaps(starts_at, ends_at)]
        slot = _pair(practitioners, calendar.room_ids, busy, starts_at, ends_at)
        if slot is not None:
            yield slot


def _starts(calendar: ClinicCalendar, day: date, length: timedelta) -> Iterator[datetime]:
    step = timedelta(minutes=calendar.step_minutes)
    for opens, closes in opening_periods(calendar, day):
        moment = opens
        while moment + length <= closes:
            yield moment
            moment += step


def _pair(
    practitioners: tuple[UUID, ...],
    rooms: tuple[UUID, ...],
    busy: list[Appointment],
    starts_at: datetime,
    ends_at: datetime,
) -> Slot | None:
    busy_people = {a.practitioner_id for a in busy}
    busy_rooms = {a.room_id for a in busy}
    person = next((p for p in practitioners if p not in busy_people), None)
    room = next((r for r in rooms if r not in busy_rooms), None)
    if person is None or room is None:
        return None
    return Slot(starts_at, ends_at, person, room)


def within_opening_hours(calendar: ClinicCalendar, starts_at: datetime, ends_at: datetime) -> bool:
    """Whether ``[starts_at, ends_at)`` lies inside one opening period of its local day."""
    day = local_day(starts_at, calendar.time_zone)
    periods = opening_periods(calendar, day)
    return any(opens <= starts_at and ends_at <= closes for opens, closes in periods)
