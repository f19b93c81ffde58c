"""Appointments, rooms and opening hours: the clinic's calendar.

Every instant here is aware. Appointments are stored as UTC instants but are *made* in the
clinic's IANA zone: a series booked at 10:00 stays at 10:00 local across a daylight-saving
change (ADR 0009, ADR 0015). An appointment occupies ``[starts_at, ends_at)``: one that ends at
10:30 and one that starts at 10:30 do not overlap.

A practitioner or a room is never booked twice for overlapping times. The service checks it
for a clear message; the database enforces it whatever the code does (ADR 0015).

An appointment's states form one machine (ADR 0015, amended 2026-12); every step takes ``now``::

    booked ──cancel (any time, with a reason)──────────────▶ cancelled
      │  ──its session is held on another day──────────────▶ cancelled (superseded)
      │  ──no-show (at or after the start)─────────────────▶ no_show
      │  ──attended (at or after the start)────────────────▶ attended
      │  ──a session of its series starts on its local day─▶ attended, linked to the session
      └─ move (to a start not before now) ─▶ booked

Nothing is booked or moved to a start before ``now``. Cancelled, attended and no-show are
final, except that an appointment marked attended by the desk is linked to the session that
starts for it later that day. Which messages each final state withdraws is
``domain.reminders.withdrawn_kinds``.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Final
from uuid import UUID

from needlepoint.domain.errors import (
    ConflictError,
    FieldProblem,
    InvalidInputError,
    InvalidTransitionError,
)

LONGEST_APPOINTMENT = timedelta(days=1)
"""No appointment lasts longer than a day: bounds the search for what overlaps a time."""


class AppointmentStatus(StrEnum):
    """Where an appointment stands. Only a cancelled one frees its time."""

    BOOKED = "booked"
    ATTENDED = "attended"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


VISIT_STATUSES: Final = frozenset({AppointmentStatus.ATTENDED, AppointmentStatus.NO_SHOW})
"""What can be recorded only once the appointment has started."""


class StartInPastError(InvalidInputError):
    """An appointment would be booked or moved to a start that has already passed."""

    code = "start-in-past"


class AppointmentNotStartedError(InvalidInputError):
    """Attendance or a no-show is recorded before the appointment has started."""

    code = "appointment-not-started"

    def __init__(self, starts_at: datetime) -> None:
        super().__init__(
            [
                FieldProblem(
                    "status",
                    f"the appointment has not started yet (it starts at {starts_at.isoformat()}).",
                    "record attendance or a no-show from its start on; cancel it if it will "
                    "not happen.",
                )
            ]
        )
        self.starts_at = starts_at


def past_start(starts_at: datetime, *, now: datetime, field: str) -> FieldProblem | None:
    """The problem with booking or moving an appointment to ``starts_at``, if it has passed."""
    if starts_at >= now:
        return None
    return FieldProblem(
        field,
        "is in the past: an appointment is never booked or moved to a time that has passed.",
        "choose a time from now on.",
    )


class SlotTakenError(ConflictError):
    """The practitioner or the room is already booked for part of the requested time."""

    code = "slot-taken"

    def __init__(self, what: str, starts_at: datetime) -> None:
        super().__init__(
            f"the {what} is already booked at {starts_at.isoformat()}; choose another slot"
        )
        self.what = what
        self.starts_at = starts_at


@dataclass(frozen=True, slots=True)
class Room:
    """A treatment room of a clinic."""

    id: UUID
    clinic_id: UUID
    name: str
    active: bool = True


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """One opening period on one weekday (0 = Monday), in the clinic's local time."""

    clinic_id: UUID
    weekday: int
    opens: time
    closes: time


@dataclass(frozen=True, slots=True)
class Appointment:
    """One booked visit: a patient, a practitioner and a room for ``[starts_at, ends_at)``.

    ``series_id`` and ``session_number`` say which session of which series it is for.
    """

    id: UUID
    clinic_id: UUID
    patient_id: UUID
    series_id: UUID | None
    session_number: int | None
    practitioner_id: UUID
    room_id: UUID
    starts_at: datetime
    ends_at: datetime
    status: AppointmentStatus
    created_at: datetime
    created_by: UUID
    version: int = 1
    status_reason: str | None = None
    session_id: UUID | None = None

    @property
    def occupies(self) -> bool:
        """Whether it holds its practitioner and room (everything but a cancellation)."""
        return self.status is not AppointmentStatus.CANCELLED

    @property
    def is_visit(self) -> bool:
        """Whether it stands for a session held or to be held: booked, or attended unlinked.

        An attended appointment linked to its session is that session, not a visit of its own.
        """
        if self.status is AppointmentStatus.ATTENDED:
            return self.session_id is None
        return self.status is AppointmentStatus.BOOKED

    def overlaps(self, starts_at: datetime, ends_at: datetime) -> bool:
        """Whether ``[starts_at, ends_at)`` shares any instant with this appointment."""
        return self.starts_at < ends_at and starts_at < self.ends_at

    def moved(
        self,
        *,
        starts_at: datetime,
        ends_at: datetime,
        practitioner_id: UUID,
        room_id: UUID,
        now: datetime,
    ) -> Appointment:
        """The booked appointment at another time from now on (perhaps with others, elsewhere).

        Raises:
            InvalidTransitionError: It is cancelled, attended or a no-show.
            StartInPastError: ``starts_at`` is before ``now`` (field ``starts_at``).
        """
        self._require_booked("reschedule")
        problem = past_start(starts_at, now=now, field="starts_at")
        if problem is not None:
            raise StartInPastError([problem])
        return replace(
            self,
            starts_at=starts_at,
            ends_at=ends_at,
            practitioner_id=practitioner_id,
            room_id=room_id,
            version=self.version + 1,
        )

    def with_status(
        self, status: AppointmentStatus, reason: str | None, *, now: datetime
    ) -> Appointment:
        """The booked appointment cancelled, or marked attended or a no-show once started.

        Raises:
            InvalidTransitionError: It is already cancelled, attended or a no-show.
            InvalidInputError: ``status`` is ``booked`` (field ``status``).
            AppointmentNotStartedError: Attendance or a no-show before the start.
        """
        self._require_booked(f"mark {status.value.replace('_', ' ')}")
        if status is AppointmentStatus.BOOKED:
            raise InvalidInputError.single("status", "is already booked.", "cancel or record it.")
        if status in VISIT_STATUSES and now < self.starts_at:
            raise AppointmentNotStartedError(self.starts_at)
        return replace(self, status=status, status_reason=reason, version=self.version + 1)

    def is_on(self, day: date, zone: tzinfo) -> bool:
        """Whether it starts on ``day`` in ``zone`` (the clinic's local day)."""
        return self.starts_at.astimezone(zone).date() == day

    def held_as(
        self, session_id: UUID, session_number: int, *, now: datetime, zone: tzinfo
    ) -> Appointment:
        """The appointment attended, linked to the session of its series that starts ``now``.

        A session attaches the appointment of its own local day, booked, or already marked
        attended by the desk. A patient may arrive early: the session may start before the
        appointment's booked time, as long as it is the same local day. The appointment takes
        the session's number (sessions are numbered in the order they are held); a different
        booked number is kept in the status reason.

        Raises:
            InvalidTransitionError: It is cancelled, a no-show, already linked to a session,
                or not on the session's local day.
        """
        if not self.is_visit:
            raise InvalidTransitionError(
                f"cannot attach a session to appointment {self.id}: it is "
                f"{self.status.value.replace('_', ' ')}"
                + (" and linked to a session" if self.session_id else "")
            )
        if not self.is_on(now.astimezone(zone).date(), zone):
            raise InvalidTransitionError(
                f"cannot attach a session to appointment {self.id}: it is not on the session's day"
            )
        return replace(
            self,
            status=AppointmentStatus.ATTENDED,
            session_id=session_id,
            session_number=session_number,
            status_reason=self._renumbered(session_number),
            version=self.version + 1,
        )

    def superseded(self, held_on: date, *, now: datetime) -> Appointment:
        """The booked appointment cancelled because its session was held on another day.

        Raises:
            InvalidTransitionError: It is not booked.
        """
        reason = f"session {self.session_number} was held on {held_on} without this appointment"
        return self.with_status(AppointmentStatus.CANCELLED, reason, now=now)

    def _renumbered(self, session_number: int) -> str | None:
        if self.session_number in (None, session_number):
            return self.status_reason
        note = f"booked as session {self.session_number}, held as session {session_number}"
        return f"{self.status_reason}; {note}" if self.status_reason else note

    def _require_booked(self, action: str) -> None:
        if self.status is not AppointmentStatus.BOOKED:
            raise InvalidTransitionError(
                f"cannot {action} appointment {self.id}: it is "
                f"{self.status.value.replace('_', ' ')}"
            )


# ------------------------------------------------------------------ appointment length


@dataclass(frozen=True, slots=True)
class AppointmentPart:
    """One part of a treatment appointment and how long the protocol gives it."""

    part: str
    minutes: int
    sources: tuple[str, ...]
    evidence: str


def appointment_length(parts: tuple[AppointmentPart, ...]) -> timedelta:
    """How long a treatment appointment lasts: numbing, needling and the aftercare briefing."""
    return timedelta(minutes=sum(part.minutes for part in parts))


# ------------------------------------------------------------------ free slots


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
    local = datetime.combine(day, wall, tzinfo=zone)
    utc = local.astimezone(UTC)
    if utc.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None  # the spring-forward gap
    return utc


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
    for period in calendar.opening_hours:
        if period.weekday != day.weekday():
            continue
        opens = local_instant(day, period.opens, calendar.time_zone)
        closes = local_instant(day, period.closes, calendar.time_zone)
        if opens is None or closes is None:
            continue
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
    local_start = starts_at.astimezone(calendar.time_zone)
    day = local_start.date()
    for period in calendar.opening_hours:
        if period.weekday != day.weekday():
            continue
        opens = local_instant(day, period.opens, calendar.time_zone)
        closes = local_instant(day, period.closes, calendar.time_zone)
        if opens is not None and closes is not None and opens <= starts_at and ends_at <= closes:
            return True
    return False


# ------------------------------------------------------------------ series


@dataclass(frozen=True, slots=True)
class SeriesRules:
    """How a series may be spread: sessions, the agreed interval and its allowed range.

    ``earliest_on`` is the patient's earliest eligible date for the first session (a
    consultation may push it out, e.g. after isotretinoin).
    """

    sessions: int
    interval_days: int
    min_interval_days: int
    max_interval_days: int
    earliest_on: date
    first_session_search_days: int = 42


@dataclass(frozen=True, slots=True)
class SeriesProgress:
    """Where booking resumes: the first session to book, and the last one booked before it.

    ``blocked_on`` are local days no session may take: too close to another of the patient's
    sessions on a shared zone (``domain.intervals.blocked_days``).
    """

    first_number: int = 1
    previous_on: date | None = None
    practitioner_id: UUID | None = None
    blocked_on: frozenset[date] = frozenset()


CalendarSource = Callable[[date, date], ClinicCalendar]
"""The clinic's calendar from one local day to another (inclusive), as the caller reads it."""


def propose_series(
    rules: SeriesRules,
    calendar_for: CalendarSource,
    length: timedelta,
    *,
    now: datetime,
    zone: tzinfo,
    progress: SeriesProgress | None = None,
) -> tuple[Slot, ...]:
    """Free slots for the sessions still to book (``progress``), one per session.

    Each later session is looked for on the day the agreed interval gives, then on the days
    nearest to it inside ``[min, max]`` interval days; at the local time of the session before
    when that is free (a daylight-saving change does not move it), else the earliest free time
    of that day. The calendar is asked for the best day first and for the whole window only
    when that day is full, so a busy clinic's year is never read whole. Raises ``NoSlotError``
    naming the first session that finds no slot.
    """
    slots: list[Slot] = []
    progress = progress or SeriesProgress()
    previous_on, wall, practitioner_id = progress.previous_on, None, progress.practitioner_id
    for number in range(progress.first_number, rules.sessions + 1):
        window = _candidate_days(rules, number, previous_on, now.astimezone(zone))
        days = [day for day in window if day not in progress.blocked_on]
        wanted = _Wanted(length, now, wall, practitioner_id)
        slot = _first_slot_of(calendar_for, days, wanted, slots) if days else None
        if slot is None:
            raise NoSlotError(number, min(window), max(window))
        slots.append(slot)
        local = slot.starts_at.astimezone(zone)
        previous_on, wall, practitioner_id = local.date(), local.time(), slot.practitioner_id
    return tuple(slots)


@dataclass(frozen=True, slots=True)
class _Wanted:
    length: timedelta
    now: datetime
    wall: time | None
    practitioner_id: UUID | None


def _first_slot_of(
    calendar_for: CalendarSource, days: list[date], wanted: _Wanted, held: list[Slot]
) -> Slot | None:
    for tried in (days[:1], days):
        calendar = calendar_for(min(tried), max(tried))
        for slot in held:
            calendar = calendar.with_taken(slot)
        found = _first_slot(calendar, tried, wanted)
        if found is not None:
            return found
    return None


def _candidate_days(
    rules: SeriesRules, number: int, previous_on: date | None, local_now: datetime
) -> list[date]:
    today = local_now.date()
    if previous_on is None or number == 1:
        first = max(rules.earliest_on, today)
        return [first + timedelta(days=n) for n in range(rules.first_session_search_days + 1)]
    target = previous_on + timedelta(days=rules.interval_days)
    low = max(previous_on + timedelta(days=rules.min_interval_days), today)
    high = previous_on + timedelta(days=rules.max_interval_days)
    spread = range((high - low).days + 1)
    days = sorted((low + timedelta(days=n) for n in spread), key=lambda d: abs((d - target).days))
    return days or [low]


def _first_slot(calendar: ClinicCalendar, days: list[date], wanted: _Wanted) -> Slot | None:
    for day in days:
        free = list(free_slots(calendar, day, wanted.length, not_before=wanted.now))
        if free:
            return _preferred(free, calendar.time_zone, wanted.wall, wanted.practitioner_id)
    return None


def _preferred(
    free: list[Slot], zone: tzinfo, wall: time | None, practitioner_id: UUID | None
) -> Slot:
    def rank(slot: Slot) -> tuple[int, int]:
        local = slot.starts_at.astimezone(zone).time()
        same_time = 0 if wall is None or local == wall else 1
        same_person = 0 if practitioner_id in (None, slot.practitioner_id) else 1
        return (same_time, same_person)

    return min(free, key=rank)
