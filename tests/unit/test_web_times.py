"""The web app's one way of writing a time: in the clinic's zone, to the minute, zone named."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from needlepoint.entrypoints.web.templates import day, moment

SYDNEY = ZoneInfo("Australia/Sydney")
NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("instant", "zone", "shown"),
    [
        (datetime(2026, 11, 23, 3, 5, tzinfo=UTC), SYDNEY, "23 Nov 2026, 14:05 AEDT"),
        (datetime(2026, 7, 23, 3, 5, tzinfo=UTC), SYDNEY, "23 Jul 2026, 13:05 AEST"),
        (datetime(2026, 11, 23, 3, 5, tzinfo=UTC), LONDON, "23 Nov 2026, 03:05 GMT"),
        (datetime(2026, 7, 23, 3, 5, tzinfo=UTC), LONDON, "23 Jul 2026, 04:05 BST"),
        (datetime(2026, 11, 23, 3, 5, tzinfo=UTC), NEW_YORK, "22 Nov 2026, 22:05 EST"),
        (datetime(2026, 11, 23, 3, 5, tzinfo=UTC), UTC, "23 Nov 2026, 03:05 UTC"),
    ],
)
def test_an_instant_is_shown_in_the_clinic_zone_with_its_abbreviation(
    instant: datetime, zone: ZoneInfo, shown: str
) -> None:
    assert moment(instant, zone) == shown


def test_the_hour_repeated_when_the_clocks_go_back_is_told_apart_by_its_zone() -> None:
    first = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    second = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)

    assert moment(first, NEW_YORK) == "1 Nov 2026, 01:30 EDT"
    assert moment(second, NEW_YORK) == "1 Nov 2026, 01:30 EST"


def test_the_clocks_going_forward_skip_an_hour_on_the_page_too() -> None:
    before = datetime(2027, 3, 14, 6, 59, tzinfo=UTC)
    after = datetime(2027, 3, 14, 7, 0, tzinfo=UTC)

    assert moment(before, NEW_YORK) == "14 Mar 2027, 01:59 EST"
    assert moment(after, NEW_YORK) == "14 Mar 2027, 03:00 EDT"


def test_the_day_of_an_instant_is_its_day_in_the_clinic() -> None:
    late_evening_utc = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)

    assert day(late_evening_utc, SYDNEY) == "24 Nov 2026"
    assert day(late_evening_utc, NEW_YORK) == "23 Nov 2026"


def test_dates_and_wall_times_are_not_moved() -> None:
    assert day(date(2026, 11, 23), SYDNEY) == "23 Nov 2026"
    assert day("2026-11-23", SYDNEY) == "23 Nov 2026"
    assert day(datetime(2026, 11, 23, 23, 30), SYDNEY) == "23 Nov 2026"  # naive: a wall time
    assert moment(datetime(2026, 11, 23, 9, 0), SYDNEY) == "23 Nov 2026, 09:00"


def test_nothing_is_shown_as_a_dash() -> None:
    assert moment(None, SYDNEY) == "—"
    assert day(None, SYDNEY) == "—"
    assert day("", SYDNEY) == "—"
