"""The iCalendar feed round-trips: parsed and expanded over two years, it is the app's list.

Scenario TZ-3 (ecosystem.md): export ICS and expand it with recurring-ical-events over two
years; the appointments found are exactly the patient's appointments that are not cancelled,
at the same instants, and every TZID used has its VTIMEZONE. Appointments are drawn in three
zones with daylight saving (two northern, one southern), many of them within hours of a clock
change, including the wall times that happen twice when the clocks go back.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar, Event

from needlepoint.adapters.ics import CATEGORY, PRODID, render_calendar
from needlepoint.domain.calendar import (
    CalendarInputs,
    EventKind,
    SeriesMilestones,
    patient_calendar,
)
from needlepoint.domain.scheduling import Appointment, AppointmentStatus

ZONES = ("Europe/London", "America/New_York", "Australia/Sydney")
WINDOW_START = datetime(2026, 1, 1, tzinfo=UTC)
WINDOW_END = WINDOW_START + timedelta(days=2 * 365)
EDGE = timedelta(days=2)
"""Appointments keep this far inside the window (so none straddles its ends)."""
STAMPED_AT = datetime(2025, 12, 20, 8, 0, tzinfo=UTC)
CLINIC, PATIENT, STAFF, ROOM = (UUID(int=n) for n in (1, 2, 3, 4))
SERIES_IDS = (UUID(int=101), UUID(int=102))
MAX_LINE_OCTETS = 75


@cache
def clock_changes(zone_name: str) -> tuple[datetime, ...]:
    """Every instant in the window at which the zone's UTC offset changes (to the minute)."""
    zone = ZoneInfo(zone_name)
    changes = []
    hour = WINDOW_START
    while hour < WINDOW_END:
        nxt = hour + timedelta(hours=1)
        if hour.astimezone(zone).utcoffset() != nxt.astimezone(zone).utcoffset():
            changes.append(_first_minute_with_new_offset(hour, nxt, zone))
        hour = nxt
    return tuple(changes)


def _first_minute_with_new_offset(before: datetime, after: datetime, zone: ZoneInfo) -> datetime:
    offset = after.astimezone(zone).utcoffset()
    moment = before
    while moment.astimezone(zone).utcoffset() != offset:
        moment += timedelta(minutes=1)
    return moment


def anywhere() -> st.SearchStrategy[datetime]:
    span_minutes = int((WINDOW_END - WINDOW_START - 2 * EDGE).total_seconds() // 60)
    return st.integers(0, span_minutes // 5).map(
        lambda n: WINDOW_START + EDGE + timedelta(minutes=5 * n)
    )


def near_a_clock_change(zone_name: str) -> st.SearchStrategy[datetime]:
    return st.tuples(st.sampled_from(clock_changes(zone_name)), st.integers(-48, 48)).map(
        lambda pair: pair[0] + timedelta(minutes=5 * pair[1])
    )


@st.composite
def appointments(draw: st.DrawFn, zone_name: str) -> Appointment:
    starts_at = draw(st.one_of(anywhere(), near_a_clock_change(zone_name)))
    length = timedelta(minutes=5 * draw(st.integers(1, 60)))
    in_series = draw(st.booleans())
    return Appointment(
        id=draw(st.uuids()),
        clinic_id=CLINIC,
        patient_id=PATIENT,
        series_id=draw(st.sampled_from(SERIES_IDS)) if in_series else None,
        session_number=draw(st.integers(1, 4)) if in_series else None,
        practitioner_id=STAFF,
        room_id=ROOM,
        starts_at=starts_at,
        ends_at=starts_at + length,
        status=draw(st.sampled_from(AppointmentStatus)),
        created_at=STAMPED_AT,
        created_by=STAFF,
        version=draw(st.integers(1, 9)),
    )


def timed(moment: date) -> datetime:
    """An event's start or end, which the feed always writes as a date-time (never all-day)."""
    assert isinstance(moment, datetime), moment
    return moment


@st.composite
def feeds(draw: st.DrawFn) -> tuple[str, list[Appointment], CalendarInputs]:
    zone_name = draw(st.sampled_from(ZONES))
    visits = draw(st.lists(appointments(zone_name), max_size=12, unique_by=lambda a: a.id))
    series = {
        series_id: SeriesMilestones(
            series_id,
            planned_sessions=draw(st.integers(1, 4)),
            pre_care_offset_hours=draw(st.one_of(st.none(), st.integers(-672, -1))),
        )
        for series_id in SERIES_IDS
    }
    inputs = CalendarInputs("Harbour Skin Clinic", zone_name, ZoneInfo(zone_name), series, (3, 6))
    return zone_name, visits, inputs


def rendered(visits: list[Appointment], inputs: CalendarInputs) -> bytes:
    return render_calendar(patient_calendar(visits, inputs), stamped_at=STAMPED_AT)


def appointment_events(parsed: Calendar) -> list[Event]:
    expanded = recurring_ical_events.of(parsed).between(WINDOW_START, WINDOW_END)
    label = CATEGORY[EventKind.APPOINTMENT]
    return [e for e in expanded if label in _categories(e)]


def _categories(event: Event) -> list[str]:
    return [str(c) for c in event.categories]


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(feed=feeds())
def test_tz3_the_feed_expands_to_exactly_the_patients_appointments_not_cancelled(
    feed: tuple[str, list[Appointment], CalendarInputs],
) -> None:
    _, visits, inputs = feed

    parsed = Calendar.from_ical(rendered(visits, inputs))

    found = sorted(
        (str(e["UID"]), timed(e.start).astimezone(UTC), timed(e.end).astimezone(UTC))
        for e in appointment_events(parsed)
    )
    expected = sorted((f"{a.id}@needlepoint", a.starts_at, a.ends_at) for a in visits if a.occupies)
    assert found == expected


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(feed=feeds())
def test_tz3_the_feeds_own_vtimezone_places_every_local_time_as_the_zone_database_does(
    feed: tuple[str, list[Appointment], CalendarInputs],
) -> None:
    zone_name, visits, inputs = feed

    parsed = Calendar.from_ical(rendered(visits, inputs))

    assert [tz.tz_name for tz in parsed.timezones] == [zone_name]
    assert parsed.get_missing_tzids() == set()
    own_zone = parsed.timezones[0].to_tz(lookup_tzid=False)
    for event in parsed.events:
        for name in ("DTSTART", "DTEND"):
            moment = event.decoded(name)
            if not isinstance(moment, datetime) or "TZID" not in event[name].params:
                continue
            assert event[name].params["TZID"] == zone_name
            wall = moment.replace(tzinfo=None)
            assert wall.replace(tzinfo=own_zone).astimezone(UTC) == moment.astimezone(UTC)


@settings(max_examples=40, deadline=None)
@given(feed=feeds())
def test_the_feed_is_complete_crlf_terminated_and_folded_at_75_octets(
    feed: tuple[str, list[Appointment], CalendarInputs],
) -> None:
    _, visits, inputs = feed

    body = rendered(visits, inputs)

    assert body.endswith(b"\r\n")
    assert body.count(b"\n") == body.count(b"\r\n")
    assert all(len(line) <= MAX_LINE_OCTETS for line in body.split(b"\r\n"))
    assert body.startswith(b"BEGIN:VCALENDAR\r\n")
    assert body.endswith(b"END:VCALENDAR\r\n")
    parsed = Calendar.from_ical(body)
    parsed.validate()
    assert str(parsed["VERSION"]) == "2.0"
    assert str(parsed["PRODID"]) == PRODID
    for event in parsed.events:
        assert {"UID", "DTSTAMP", "DTSTART", "DTEND"} <= set(event)


def test_a_wall_time_that_happens_twice_is_given_in_utc_for_its_second_occurrence() -> None:
    # Sunday 25 October 2026, London: 01:30 BST (00:30 UTC), then 01:30 GMT (01:30 UTC).
    zone = ZoneInfo("Europe/London")
    first = _visit(datetime(2026, 10, 25, 0, 30, tzinfo=UTC), UUID(int=11))
    second = _visit(datetime(2026, 10, 25, 1, 30, tzinfo=UTC), UUID(int=12))
    inputs = CalendarInputs("Clinic", "Europe/London", zone, {}, ())

    parsed = Calendar.from_ical(rendered([first, second], inputs))

    by_uid = {str(e["UID"]): e for e in parsed.events}
    early, late = by_uid[f"{first.id}@needlepoint"], by_uid[f"{second.id}@needlepoint"]
    assert early["DTSTART"].params["TZID"] == "Europe/London"
    assert timed(early.start).astimezone(UTC) == first.starts_at  # (PEP 495: compare in UTC)
    assert timed(late.start).utcoffset() == timedelta(0)
    assert timed(late.start).astimezone(UTC) == second.starts_at
    assert b"DTSTART:20261025T013000Z" in rendered([second], inputs)


def test_the_feed_has_the_clinic_name_its_zone_and_confirmed_appointments() -> None:
    zone = ZoneInfo("America/New_York")
    visit = _visit(datetime(2026, 11, 2, 15, 0, tzinfo=UTC), UUID(int=21))
    inputs = CalendarInputs("Harbour Skin Clinic", "America/New_York", zone, {}, ())

    parsed = Calendar.from_ical(rendered([visit], inputs))

    (event,) = parsed.events
    assert str(parsed["X-WR-CALNAME"]) == "Harbour Skin Clinic"
    assert "X-WR-TIMEZONE" not in parsed
    assert str(event["SUMMARY"]) == "Clinic appointment — Harbour Skin Clinic"
    assert str(event["LOCATION"]) == "Harbour Skin Clinic"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.sequence == visit.version
    assert event.decoded("DTSTAMP") == STAMPED_AT
    assert timed(event.start).hour == 10


def test_an_empty_feed_still_carries_the_clinic_zone() -> None:
    inputs = CalendarInputs("Clinic", "Australia/Sydney", ZoneInfo("Australia/Sydney"), {}, ())

    parsed = Calendar.from_ical(rendered([], inputs))

    assert parsed.events == []
    assert [tz.tz_name for tz in parsed.timezones] == ["Australia/Sydney"]


def test_all_day_milestones_are_dates_and_do_not_take_up_time() -> None:
    zone = ZoneInfo("Europe/London")
    visit = _visit(datetime(2026, 5, 5, 9, 0, tzinfo=UTC), UUID(int=31), number=1)
    series = {SERIES_IDS[0]: SeriesMilestones(SERIES_IDS[0], 1, -120)}
    inputs = CalendarInputs("Clinic", "Europe/London", zone, series, (3,))

    parsed = Calendar.from_ical(rendered([visit], inputs))

    milestones = [e for e in parsed.events if CATEGORY[EventKind.APPOINTMENT] not in _categories(e)]
    assert sorted(_categories(e)[0] for e in milestones) == ["Care step", "Follow-up"]
    for event in milestones:
        assert type(event.start) is date
        assert str(event["TRANSP"]) == "TRANSPARENT"
        assert "LOCATION" not in event


def _visit(starts_at: datetime, visit_id: UUID, number: int | None = None) -> Appointment:
    return Appointment(
        id=visit_id,
        clinic_id=CLINIC,
        patient_id=PATIENT,
        series_id=SERIES_IDS[0] if number else None,
        session_number=number,
        practitioner_id=STAFF,
        room_id=ROOM,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=90),
        status=AppointmentStatus.BOOKED,
        created_at=STAMPED_AT,
        created_by=STAFF,
        version=2,
    )
