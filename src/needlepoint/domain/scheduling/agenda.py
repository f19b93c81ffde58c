"""The front desk's calendar: a day or a week, a lane per practitioner or per room.

Each lane shows, for each local day, the clinic's opening periods, the appointments that hold
that practitioner or room (cancelled ones are not shown: they hold nothing), and the gaps: the
open time no appointment holds. Days are the clinic's local days (``domain.clinic_time``): a
day the clocks change lasts 23 or 25 hours, and an opening period whose opening or closing
time the clocks skip that day is left out, as slot search leaves it out
(``slots.opening_periods``). A gap is ``fits`` when a whole booked session fits in it.

``free_spans`` is the rule for gaps: the opening periods with every busy span taken out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum
from uuid import UUID

from needlepoint.domain.clinic_time import day_bounds
from needlepoint.domain.scheduling.appointments import Appointment, OpeningHours
from needlepoint.domain.scheduling.slots import ClinicCalendar, opening_periods

WEEK_DAYS = 7
"""Days a week view shows (the longest span the calendar reads at once)."""


class LaneKind(StrEnum):
    """What a lane of the calendar follows."""

    PRACTITIONER = "practitioner"
    ROOM = "room"


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A stretch of time ``[starts_at, ends_at)`` (aware instants)."""

    starts_at: datetime
    ends_at: datetime

    @property
    def length(self) -> timedelta:
        """How long it lasts."""
        return self.ends_at - self.starts_at


@dataclass(frozen=True, slots=True)
class Booking:
    """An appointment as the calendar shows it: who it is for and with, and where."""

    appointment: Appointment
    patient_name: str
    practitioner: str
    room: str

    @property
    def span(self) -> Span:
        """The time it holds."""
        return Span(self.appointment.starts_at, self.appointment.ends_at)

    def lane_of(self, kind: LaneKind) -> UUID:
        """The practitioner or the room it holds."""
        if kind is LaneKind.ROOM:
            return self.appointment.room_id
        return self.appointment.practitioner_id

    def lane_name(self, kind: LaneKind) -> str:
        """The practitioner's or the room's name."""
        return self.room if kind is LaneKind.ROOM else self.practitioner


@dataclass(frozen=True, slots=True)
class Gap:
    """Open time no appointment of the lane holds; ``fits`` when a whole session fits in it."""

    span: Span
    fits: bool


@dataclass(frozen=True, slots=True)
class LaneDay:
    """One lane on one local day."""

    day: date
    opening: tuple[Span, ...]
    bookings: tuple[Booking, ...]
    gaps: tuple[Gap, ...]


@dataclass(frozen=True, slots=True)
class Lane:
    """A practitioner or a room, and its days."""

    id: UUID
    name: str
    days: tuple[LaneDay, ...]


@dataclass(frozen=True, slots=True)
class Agenda:
    """The calendar of consecutive local days, a lane per practitioner or room."""

    days: tuple[date, ...]
    by: LaneKind
    lanes: tuple[Lane, ...]
    session_length: timedelta


@dataclass(frozen=True, slots=True)
class Week:
    """What the calendar is drawn from: the clinic's zone, opening hours and session length."""

    zone: tzinfo
    hours: tuple[OpeningHours, ...]
    session_length: timedelta


def free_spans(opening: Iterable[Span], busy: Iterable[Span]) -> tuple[Span, ...]:
    """The parts of ``opening`` that no ``busy`` span covers, in time order.

    Opening spans may touch or overlap (they are merged first); a busy span may reach outside
    the opening. The result never overlaps a busy span and lies within the opening.
    """
    taken = sorted(s for s in busy if s.starts_at < s.ends_at)
    free: list[Span] = []
    for period in _merged(opening):
        cursor = period.starts_at
        for span in taken:
            if span.ends_at <= cursor or span.starts_at >= period.ends_at:
                continue
            if span.starts_at > cursor:
                free.append(Span(cursor, span.starts_at))
            cursor = max(cursor, span.ends_at)
        if cursor < period.ends_at:
            free.append(Span(cursor, period.ends_at))
    return tuple(free)


def agenda_of(
    days: Sequence[date],
    by: LaneKind,
    lanes: Sequence[tuple[UUID, str]],
    bookings: Sequence[Booking],
    week: Week,
) -> Agenda:
    """The calendar of ``days``: a lane for each of ``lanes``, then any other a booking holds.

    ``lanes`` keep their order; a practitioner or room not among them (one deactivated since,
    say) gets a lane after them, named as the booking names it.
    """
    named = dict(lanes)
    for booking in bookings:
        named.setdefault(booking.lane_of(by), booking.lane_name(by))
    calendar = ClinicCalendar(week.zone, week.hours, (), (), ())
    opening = {day: tuple(Span(*p) for p in opening_periods(calendar, day)) for day in days}
    built = tuple(
        Lane(lane_id, name, _lane_days(days, opening, _held(bookings, by, lane_id), week))
        for lane_id, name in named.items()
    )
    return Agenda(tuple(days), by, built, week.session_length)


def _held(bookings: Sequence[Booking], by: LaneKind, lane_id: UUID) -> tuple[Booking, ...]:
    held = (b for b in bookings if b.appointment.occupies and b.lane_of(by) == lane_id)
    return tuple(sorted(held, key=lambda b: (b.appointment.starts_at, b.appointment.id)))


def _lane_days(
    days: Sequence[date],
    opening: dict[date, tuple[Span, ...]],
    held: tuple[Booking, ...],
    week: Week,
) -> tuple[LaneDay, ...]:
    found = []
    for day in days:
        starts, ends = day_bounds(day, week.zone)
        that_day = tuple(b for b in held if b.appointment.overlaps(starts, ends))
        gaps = free_spans(opening[day], (b.span for b in that_day))
        shown = tuple(Gap(gap, gap.length >= week.session_length) for gap in gaps)
        found.append(LaneDay(day, opening[day], that_day, shown))
    return tuple(found)


def _merged(spans: Iterable[Span]) -> list[Span]:
    merged: list[Span] = []
    for span in sorted(s for s in spans if s.starts_at < s.ends_at):
        if merged and span.starts_at <= merged[-1].ends_at:
            last = merged[-1]
            merged[-1] = Span(last.starts_at, max(last.ends_at, span.ends_at))
        else:
            merged.append(span)
    return merged
