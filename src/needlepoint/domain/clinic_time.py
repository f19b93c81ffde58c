"""The clinic's local time: its days as spans of instants, and wall-clock times as instants.

Every instant here is aware; the zone is passed in as a ``tzinfo`` (services turn the clinic's
IANA name into one: ``services.clinics.clinic_zone``). A local day is ``[start, end)``: the
first instant whose local date is that day, up to the first instant of the next day, so
consecutive days tile the time line with no gap and no overlap. A day on which the clocks
change lasts 23 or 25 hours (ADR 0009).

A wall-clock time the clocks skip (the spring-forward gap) never happens and is refused
(``SkippedWallTimeError``). A wall-clock time the clocks repeat (the fall-back hour) happens
twice; it is read as its **first** occurrence, the one before the clocks go back (``fold=0``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

from needlepoint.domain.errors import DomainError

ONE_SECOND = timedelta(seconds=1)
"""Zone transitions fall on whole seconds: the precision a skipped midnight is found to."""


class SkippedWallTimeError(DomainError):
    """A local date and wall-clock time the clocks skipped: it never happens in that zone."""

    code = "skipped-wall-time"

    def __init__(self, day: date, wall: time, zone: tzinfo) -> None:
        super().__init__(
            f"{day.isoformat()} {wall.isoformat(timespec='minutes')} does not exist in {zone} "
            "(the clocks go forward); choose a time outside the daylight-saving gap"
        )
        self.day = day
        self.wall = wall
        self.zone = zone


def local_day(instant: datetime, zone: tzinfo) -> date:
    """The date ``instant`` falls on in ``zone``.

    Raises:
        ValueError: ``instant`` is naive (it would be read in the server's own zone).
    """
    if instant.tzinfo is None:
        raise ValueError(f"{instant.isoformat()} has no time zone")
    return instant.astimezone(zone).date()


def wall_time_to_instant(day: date, wall: time, zone: tzinfo) -> datetime:
    """``day`` at ``wall`` in ``zone`` as a UTC instant; a repeated time is its first occurrence.

    Raises:
        SkippedWallTimeError: the clocks skip that time on that day.
    """
    local = datetime.combine(day, wall.replace(tzinfo=None, fold=0), tzinfo=zone)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise SkippedWallTimeError(day, wall, zone)
    return instant


def day_start(day: date, zone: tzinfo) -> datetime:
    """The first instant (UTC) whose local date in ``zone`` is ``day``.

    Local midnight, or, where the clocks skip midnight, the instant they jump past it.
    """
    try:
        return wall_time_to_instant(day, time.min, zone)
    except SkippedWallTimeError:
        return _first_instant_after_skipped_midnight(day, zone)


def day_bounds(day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """``day`` in ``zone`` as ``[start, end)`` in UTC: 24 hours, or 23 or 25 on a change day."""
    return day_start(day, zone), day_start(day + timedelta(days=1), zone)


def days_bounds(first: date, last: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """The local days ``first`` to ``last`` (inclusive) as one ``[start, end)`` in UTC."""
    return day_start(first, zone), day_start(last + timedelta(days=1), zone)


def _first_instant_after_skipped_midnight(day: date, zone: tzinfo) -> datetime:
    """Bisect the gap: before it the local date is the day before, after it it is ``day``."""
    midnight = datetime.combine(day, time.min)
    early = midnight.replace(tzinfo=zone, fold=1).astimezone(UTC)  # read with the later offset
    late = midnight.replace(tzinfo=zone, fold=0).astimezone(UTC)  # read with the earlier one
    low, high = min(early, late), max(early, late)
    while high - low > ONE_SECOND:
        middle = low + (high - low) / 2
        if local_day(middle, zone) < day:
            low = middle
        else:
            high = middle
    return low.replace(microsecond=0) + ONE_SECOND  # the one whole second in (low, high]
