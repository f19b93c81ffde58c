"""The front desk's calendar (domain.scheduling.agenda): gaps are the open time no appointment
holds, lanes per practitioner or room, days in the clinic's zone across clock changes."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from needlepoint.domain.scheduling import Appointment, AppointmentStatus, OpeningHours
from needlepoint.domain.scheduling.agenda import (
    Booking,
    LaneKind,
    Span,
    Week,
    agenda_of,
    free_spans,
)

LONDON = ZoneInfo("Europe/London")
T0 = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)
SESSION = timedelta(minutes=90)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def span(start: int, end: int) -> Span:
    return Span(at(start), at(end))


spans = st.builds(
    lambda a, b: span(min(a, b), max(a, b)),
    st.integers(0, 24 * 60),
    st.integers(0, 24 * 60),
)


def covered(found: tuple[Span, ...] | list[Span], minute: int) -> bool:
    return any(s.starts_at <= at(minute) < s.ends_at for s in found)


def test_gaps_are_the_opening_minus_the_appointments() -> None:
    opening = [span(9 * 60, 18 * 60)]
    busy = [span(10 * 60, 11 * 60 + 30), span(11 * 60 + 30, 12 * 60), span(17 * 60, 19 * 60)]

    assert free_spans(opening, busy) == (
        span(9 * 60, 10 * 60),
        span(12 * 60, 17 * 60),
    )


def test_an_empty_day_is_one_gap_per_opening_period_and_a_closed_day_has_none() -> None:
    assert free_spans([span(540, 720), span(780, 1020)], []) == (span(540, 720), span(780, 1020))
    assert free_spans([], [span(600, 700)]) == ()


@given(opening=st.lists(spans, max_size=4), busy=st.lists(spans, max_size=6))
def test_a_minute_is_free_exactly_when_it_is_open_and_no_appointment_holds_it(
    opening: list[Span], busy: list[Span]
) -> None:
    gaps = free_spans(opening, busy)

    for minute in range(0, 24 * 60, 7):
        expected = covered(opening, minute) and not covered(busy, minute)
        assert covered(gaps, minute) == expected, minute


@given(opening=st.lists(spans, max_size=4), busy=st.lists(spans, max_size=6))
def test_gaps_are_ordered_apart_and_never_empty(opening: list[Span], busy: list[Span]) -> None:
    gaps = free_spans(opening, busy)

    assert all(g.starts_at < g.ends_at for g in gaps)
    assert all(a.ends_at < b.starts_at for a, b in itertools.pairwise(gaps))


@given(opening=st.lists(spans, max_size=4), busy=st.lists(spans, max_size=6))
def test_the_order_appointments_are_given_in_does_not_matter(
    opening: list[Span], busy: list[Span]
) -> None:
    assert free_spans(opening, busy) == free_spans(reversed(opening), reversed(busy))


# --- lanes and days ------------------------------------------------------------------------


def booking(practitioner: UUID, room: UUID, starts_at: datetime, **changes: object) -> Booking:
    appointment = Appointment(
        id=uuid4(),
        clinic_id=uuid4(),
        patient_id=uuid4(),
        series_id=None,
        session_number=None,
        practitioner_id=practitioner,
        room_id=room,
        starts_at=starts_at,
        ends_at=starts_at + SESSION,
        status=AppointmentStatus(str(changes.get("status", "booked"))),
        created_at=T0,
        created_by=practitioner,
    )
    return Booking(appointment, "Okafor, Amira", "Dr Rowan Hale", "Room 1")


def week(*hours: OpeningHours) -> Week:
    return Week(LONDON, hours, SESSION)


def test_each_practitioner_has_a_lane_with_their_appointments_and_gaps() -> None:
    rowan, noor, room = uuid4(), uuid4(), uuid4()
    monday = date(2026, 12, 7)
    ten = datetime(2026, 12, 7, 10, tzinfo=UTC)
    hours = week(OpeningHours(uuid4(), 0, time(9), time(18)))

    calendar = agenda_of(
        [monday],
        LaneKind.PRACTITIONER,
        [(rowan, "Rowan"), (noor, "Noor")],
        [booking(rowan, room, ten)],
        hours,
    )

    rowan_day, noor_day = (lane.days[0] for lane in calendar.lanes)
    assert [lane.name for lane in calendar.lanes] == ["Rowan", "Noor"]
    assert len(rowan_day.bookings) == 1 and noor_day.bookings == ()
    assert [(g.span.starts_at.hour, g.span.ends_at.hour, g.fits) for g in rowan_day.gaps] == [
        (9, 10, False),
        (11, 18, True),
    ]
    assert [(g.span.starts_at.hour, g.span.ends_at.hour) for g in noor_day.gaps] == [(9, 18)]


def test_by_room_the_lanes_are_the_rooms_and_cancelled_appointments_hold_nothing() -> None:
    rowan, room_1, room_2 = uuid4(), uuid4(), uuid4()
    monday = date(2026, 12, 7)
    hours = week(OpeningHours(uuid4(), 0, time(9), time(18)))
    held = booking(rowan, room_2, datetime(2026, 12, 7, 10, tzinfo=UTC))
    cancelled = booking(rowan, room_1, datetime(2026, 12, 7, 10, tzinfo=UTC), status="cancelled")

    calendar = agenda_of(
        [monday], LaneKind.ROOM, [(room_1, "Room 1"), (room_2, "Room 2")], [held, cancelled], hours
    )

    assert [len(lane.days[0].bookings) for lane in calendar.lanes] == [0, 1]
    assert len(calendar.lanes[0].days[0].gaps) == 1


def test_a_practitioner_not_listed_but_booked_still_gets_a_lane() -> None:
    gone, room = uuid4(), uuid4()
    hours = week(OpeningHours(uuid4(), 0, time(9), time(18)))

    calendar = agenda_of(
        [date(2026, 12, 7)],
        LaneKind.PRACTITIONER,
        [],
        [booking(gone, room, datetime(2026, 12, 7, 10, tzinfo=UTC))],
        hours,
    )

    assert [(lane.id, lane.name) for lane in calendar.lanes] == [(gone, "Dr Rowan Hale")]


def test_a_week_across_the_clocks_going_back_keeps_local_opening_hours() -> None:
    # Europe/London: the clocks go back at 02:00 BST on Sunday 25 Oct 2026.
    days = [date(2026, 10, 19) + timedelta(days=n) for n in range(14)]
    hours = week(*(OpeningHours(uuid4(), d, time(9), time(17)) for d in range(7)))

    calendar = agenda_of(days, LaneKind.ROOM, [(uuid4(), "Room 1")], [], hours)

    for lane_day in calendar.lanes[0].days:
        (opening,) = lane_day.opening
        local = (opening.starts_at.astimezone(LONDON), opening.ends_at.astimezone(LONDON))
        assert (local[0].time(), local[1].time(), local[0].date()) == (
            time(9),
            time(17),
            lane_day.day,
        )
    before, after = calendar.lanes[0].days[0].opening[0], calendar.lanes[0].days[7].opening[0]
    assert (before.starts_at.hour, after.starts_at.hour) == (8, 9)  # UTC: BST, then GMT


def test_an_opening_time_the_clocks_skip_is_left_out_that_day() -> None:
    # Europe/London: 01:00–02:00 GMT does not exist on Sunday 29 March 2026.
    sunday = date(2026, 3, 29)
    hours = week(OpeningHours(uuid4(), 6, time(1, 30), time(5)))

    calendar = agenda_of([sunday], LaneKind.ROOM, [(uuid4(), "Room 1")], [], hours)

    assert calendar.lanes[0].days[0].opening == ()
    assert calendar.lanes[0].days[0].gaps == ()
