"""The clinic's local time: days as spans of instants, wall-clock times as instants, across DST.

Three zones, three calendars of change: Europe/London and America/New_York change in the
northern spring and autumn on different Sundays; Australia/Sydney's summer time runs from
October to April (the southern summer).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from needlepoint.domain.clinic_time import (
    SkippedWallTimeError,
    day_bounds,
    day_start,
    days_bounds,
    local_day,
    wall_time_to_instant,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")
ZONES = (LONDON, NEW_YORK, SYDNEY)
HOUR = timedelta(hours=1)

# The change days of 2026: (zone, day, hours it lasts, a skipped or repeated wall time).
SPRING_FORWARD = (
    (LONDON, date(2026, 3, 29), time(1, 30)),
    (NEW_YORK, date(2026, 3, 8), time(2, 30)),
    (SYDNEY, date(2026, 10, 4), time(2, 30)),
)
FALL_BACK = (
    (LONDON, date(2026, 10, 25), time(1, 30)),
    (NEW_YORK, date(2026, 11, 1), time(1, 30)),
    (SYDNEY, date(2026, 4, 5), time(2, 30)),
)

zones = st.sampled_from(ZONES)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2037, 12, 31))
walls = st.times()
instants = st.datetimes(
    min_value=datetime(2000, 1, 2), max_value=datetime(2037, 12, 30), timezones=st.just(UTC)
)


def _hours(bounds: tuple[datetime, datetime]) -> timedelta:
    start, end = bounds
    return end - start


@pytest.mark.parametrize(("zone", "day", "_wall"), SPRING_FORWARD)
def test_a_spring_forward_day_lasts_23_hours(zone: ZoneInfo, day: date, _wall: time) -> None:
    assert _hours(day_bounds(day, zone)) == 23 * HOUR


@pytest.mark.parametrize(("zone", "day", "_wall"), FALL_BACK)
def test_a_fall_back_day_lasts_25_hours(zone: ZoneInfo, day: date, _wall: time) -> None:
    assert _hours(day_bounds(day, zone)) == 25 * HOUR


@pytest.mark.parametrize(("zone", "day", "wall"), SPRING_FORWARD)
def test_a_skipped_wall_time_is_refused(zone: ZoneInfo, day: date, wall: time) -> None:
    with pytest.raises(SkippedWallTimeError) as refused:
        wall_time_to_instant(day, wall, zone)
    assert refused.value.code == "skipped-wall-time"
    assert (refused.value.day, refused.value.wall) == (day, wall)


@pytest.mark.parametrize(("zone", "day", "wall"), FALL_BACK)
def test_a_repeated_wall_time_is_its_first_occurrence(
    zone: ZoneInfo, day: date, wall: time
) -> None:
    instant = wall_time_to_instant(day, wall, zone)
    assert instant.astimezone(zone).time() == wall
    assert (instant + HOUR).astimezone(zone).time() == wall  # the second one, an hour later
    assert (instant - HOUR).astimezone(zone).time() != wall


@given(zone=zones, day=days)
def test_a_day_lasts_23_24_or_25_hours_and_is_24_off_the_change_days(
    zone: ZoneInfo, day: date
) -> None:
    length = _hours(day_bounds(day, zone))  # these zones change in the small hours
    noon_before = datetime.combine(day - timedelta(days=1), time(12), tzinfo=zone).utcoffset()
    noon_after = datetime.combine(day, time(12), tzinfo=zone).utcoffset()
    assert noon_before is not None
    assert noon_after is not None
    assert length == 24 * HOUR - (noon_after - noon_before)
    assert length in {23 * HOUR, 24 * HOUR, 25 * HOUR}


@given(zone=zones, day=days)
def test_consecutive_days_tile_without_gap_or_overlap(zone: ZoneInfo, day: date) -> None:
    _, end = day_bounds(day, zone)
    next_start, _ = day_bounds(day + timedelta(days=1), zone)
    assert end == next_start


@given(zone=zones, day=days)
def test_the_bounds_are_the_first_instants_of_the_day_and_the_next(
    zone: ZoneInfo, day: date
) -> None:
    start, end = day_bounds(day, zone)
    assert start.tzinfo is UTC
    assert local_day(start, zone) == day
    assert local_day(start - timedelta(microseconds=1), zone) == day - timedelta(days=1)
    assert local_day(end - timedelta(microseconds=1), zone) == day
    assert local_day(end, zone) == day + timedelta(days=1)


@given(zone=zones, instant=instants)
def test_every_instant_lies_inside_the_bounds_of_its_local_day(
    zone: ZoneInfo, instant: datetime
) -> None:
    start, end = day_bounds(local_day(instant, zone), zone)
    assert start <= instant < end


@given(zone=zones, day=days, wall=walls)
def test_a_wall_time_round_trips_unless_the_clocks_skipped_it(
    zone: ZoneInfo, day: date, wall: time
) -> None:
    try:
        instant = wall_time_to_instant(day, wall, zone)
    except SkippedWallTimeError:
        naive = datetime.combine(day, wall)
        seen = naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)
        assert seen.replace(tzinfo=None) != naive  # truly never shown by the clocks
        return
    assert instant.tzinfo is UTC
    local = instant.astimezone(zone)
    assert (local.date(), local.time()) == (day, wall)
    assert local_day(instant, zone) == day


@given(zone=zones, instant=instants)
def test_an_instant_round_trips_through_its_wall_time_unless_it_is_the_second_of_a_repeat(
    zone: ZoneInfo, instant: datetime
) -> None:
    local = instant.astimezone(zone)
    back = wall_time_to_instant(local.date(), local.time(), zone)
    assert back == instant or back == instant - HOUR  # the first of a repeated hour


@given(zone=zones, first=days, span_days=st.integers(min_value=0, max_value=40))
def test_a_span_of_days_runs_from_the_first_day_to_the_end_of_the_last(
    zone: ZoneInfo, first: date, span_days: int
) -> None:
    last = first + timedelta(days=span_days)
    assert days_bounds(first, zone=zone, last=last) == (
        day_bounds(first, zone)[0],
        day_bounds(last, zone)[1],
    )


def test_a_skipped_midnight_starts_the_day_when_the_clocks_jump() -> None:
    santiago = ZoneInfo("America/Santiago")  # 2022-09-11: 00:00 became 01:00
    start = day_start(date(2022, 9, 11), santiago)
    assert start == datetime(2022, 9, 11, 4, tzinfo=UTC)
    assert start.astimezone(santiago).time() == time(1)
    assert _hours(day_bounds(date(2022, 9, 11), santiago)) == 23 * HOUR


def test_a_naive_instant_has_no_local_day() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        local_day(datetime(2026, 3, 29, 12), LONDON)
