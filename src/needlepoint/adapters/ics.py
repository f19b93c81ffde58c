"""A patient's calendar as an iCalendar (RFC 5545) feed, written with ``icalendar``.

Timed events are given as local times with ``TZID`` set to the clinic's IANA zone, and the
feed carries that zone's ``VTIMEZONE`` (built from the zone database, covering every event
with a year to spare each side), so a client that does not know the zone name still places
every event right. One case cannot be written that way: a local time that happens twice when
the clocks go back. RFC 5545 §3.3.5 reads such a time as its *first* occurrence, so an event
starting or ending in the second one is given in UTC instead (both its bounds), which keeps
the instants right.

The feed has no ``X-WR-TIMEZONE``: every timed event names its zone already, and readers
that honour that header (``x-wr-timezone``, used by ``recurring-ical-events``) rewrite UTC
times as wall times in it, which loses the second of two repeated wall times again.

All-day events use ``VALUE=DATE`` with an exclusive end. Lines are folded at 75 octets and
end in CRLF (``icalendar`` does both).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from icalendar import STATUS, TRANSP, Calendar, Event, Timezone

from needlepoint.domain.calendar import CalendarEvent, EventKind, PatientCalendar

PRODID: Final = "-//needlepoint//patient calendar feed//EN"
REFRESH_INTERVAL: Final = timedelta(hours=1)
"""How often a subscribed client is asked to fetch the feed again (RFC 7986 REFRESH-INTERVAL)."""

CATEGORY: Final = {
    EventKind.APPOINTMENT: "Appointment",
    EventKind.CARE_STEP: "Care step",
    EventKind.FOLLOW_UP: "Follow-up",
}
"""The CATEGORIES value of each kind of event: a client can tell appointments apart by it."""

TRANSPARENCY: Final = {
    EventKind.APPOINTMENT: TRANSP.OPAQUE,
    EventKind.CARE_STEP: TRANSP.TRANSPARENT,
    EventKind.FOLLOW_UP: TRANSP.TRANSPARENT,
}
"""Only appointments take up the patient's time (free/busy)."""

ZONE_MARGIN: Final = timedelta(days=366)


def render_calendar(calendar: PatientCalendar, *, stamped_at: datetime) -> bytes:
    """The feed as iCalendar bytes (UTF-8, CRLF line ends), stamped with ``stamped_at``."""
    zone = ZoneInfo(calendar.time_zone)
    feed = Calendar()
    feed.add("prodid", PRODID)
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("method", "PUBLISH")
    feed.calendar_name = calendar.clinic_name
    feed.refresh_interval = REFRESH_INTERVAL
    first, last = _span(calendar, stamped_at.astimezone(zone).date())
    feed.add_component(Timezone.from_tzid(calendar.time_zone, first_date=first, last_date=last))
    stamp = stamped_at.astimezone(UTC)
    for event in calendar.events:
        feed.add_component(_event(event, calendar, zone, stamp))
    ical: bytes = feed.to_ical()
    return ical


def _event(
    event: CalendarEvent, calendar: PatientCalendar, zone: ZoneInfo, stamp: datetime
) -> Event:
    starts, ends = event.starts, event.ends
    if isinstance(starts, datetime) and isinstance(ends, datetime):
        starts, ends = _written_bounds(starts, ends, zone)
    return Event.new(
        uid=event.uid,
        stamp=stamp,
        start=starts,
        end=ends,
        summary=event.summary,
        description=event.description,
        location=calendar.clinic_name if event.kind is EventKind.APPOINTMENT else None,
        sequence=event.sequence,
        categories=[CATEGORY[event.kind]],
        status=STATUS.CONFIRMED,
        transparency=TRANSPARENCY[event.kind],
    )


def _written_bounds(starts: datetime, ends: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Both bounds in the clinic's zone, or both in UTC when either wall time happens twice.

    Both, not one: readers work out the end as the start plus the length, in the start's
    zone; with a local start and a UTC end, that sum goes wrong across a clock change.
    """
    local_start, local_end = starts.astimezone(zone), ends.astimezone(zone)
    if is_repeated_wall_time(local_start) or is_repeated_wall_time(local_end):
        return starts.astimezone(UTC), ends.astimezone(UTC)
    return local_start, local_end


def is_repeated_wall_time(local: datetime) -> bool:
    """Whether a local time is the *second* of two instants with the same wall time."""
    return local.fold == 1 and local.replace(fold=0).utcoffset() != local.utcoffset()


def _span(calendar: PatientCalendar, today: date) -> tuple[date, date]:
    """Dates before and after every event (and today), with a year's margin each side."""
    days = [today]
    for event in calendar.events:
        days.extend((_day(event.starts), _day(event.ends)))
    return min(days) - ZONE_MARGIN, max(days) + ZONE_MARGIN


def _day(moment: datetime | date) -> date:
    return moment.date() if isinstance(moment, datetime) else moment
