"""Proposing a series: one free slot per session still to book, the interval kept.

Each later session is looked for on the day the agreed interval gives, then on the days nearest
to it inside the allowed range, at the local time of the session before when that is free (a
daylight-saving change does not move it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from uuid import UUID

from needlepoint.domain.scheduling.slots import ClinicCalendar, NoSlotError, Slot, free_slots


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

    ``previous_wall`` is the local wall time the last booked session was booked at: the later
    sessions keep it where the clinic is open and free then (issue 14: a series resumed after
    a 14:00 first session was proposed at 08:00). ``blocked_on`` are local days no session may
    take: too close to another of the patient's sessions on a shared zone
    (``domain.intervals.blocked_days``).
    """

    first_number: int = 1
    previous_on: date | None = None
    practitioner_id: UUID | None = None
    blocked_on: frozenset[date] = frozenset()
    previous_wall: time | None = None


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
    previous_on, wall = progress.previous_on, progress.previous_wall
    practitioner_id = progress.practitioner_id
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
