"""The stored "next session due" rule (``domain.series_due``): when a series is to book, the
day its next session falls due, and the booking that puts off the call."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from needlepoint.domain.scheduling import AppointmentStatus
from needlepoint.domain.series_due import NOTHING_DUE, SeriesProgress, next_due, utc_day
from needlepoint.domain.treatment import SeriesStatus

ZONES = st.sampled_from([UTC, ZoneInfo("Europe/London"), ZoneInfo("Pacific/Auckland")])
INSTANTS = st.builds(
    lambda naive, zone: naive.replace(tzinfo=zone),
    st.datetimes(datetime(2020, 1, 1), datetime(2030, 1, 1)),
    ZONES,
)
BOOKINGS = st.lists(st.tuples(st.sampled_from(AppointmentStatus), INSTANTS), max_size=4)


@st.composite
def progresses(draw: st.DrawFn) -> SeriesProgress:
    planned = draw(st.integers(1, 6))
    held = draw(st.integers(0, planned + 1))
    return SeriesProgress(
        status=draw(st.sampled_from(SeriesStatus)),
        sessions_planned=planned,
        interval_days=draw(st.integers(14, 90)),
        first_proposed_on=draw(st.none() | st.dates(date(2020, 1, 1), date(2030, 1, 1))),
        created_at=draw(INSTANTS),
        sessions_held=held,
        last_started_at=None if held == 0 else draw(INSTANTS),
        next_session=tuple(draw(BOOKINGS)),
    )


@given(progresses())
def test_a_series_is_to_book_only_when_active_with_a_session_left_and_not_attended(
    progress: SeriesProgress,
) -> None:
    active = progress.status in {SeriesStatus.PLANNED, SeriesStatus.IN_PROGRESS}
    left = progress.sessions_held < progress.sessions_planned
    attended = any(s is AppointmentStatus.ATTENDED for s, _ in progress.next_session)

    due = next_due(progress)

    assert (due.due_on is not None) == (active and left and not attended)
    if due.due_on is None:
        assert due == NOTHING_DUE


@given(progresses())
def test_the_due_day_is_the_last_start_plus_the_interval_else_the_proposal_else_creation(
    progress: SeriesProgress,
) -> None:
    due = next_due(progress)

    if due.due_on is None:
        return
    if progress.last_started_at is not None:
        last_day = progress.last_started_at.astimezone(UTC).date()
        assert due.due_on == last_day + timedelta(days=progress.interval_days)
    elif progress.first_proposed_on is not None:
        assert due.due_on == progress.first_proposed_on
    else:
        assert due.due_on == progress.created_at.astimezone(UTC).date()


@given(progresses(), INSTANTS)
def test_a_series_due_is_listed_unless_its_next_session_is_booked_from_then_on(
    progress: SeriesProgress, booked_from: datetime
) -> None:
    """The old worklist's rule: left out when an appointment for the next session is booked
    at or after ``booked_from``, or attended at any time."""
    booked_later = any(
        status is AppointmentStatus.BOOKED and at >= booked_from
        for status, at in progress.next_session
    )

    due = next_due(progress)

    if due.due_on is not None:
        assert due.to_book(booked_from) == (not booked_later)
    else:
        assert not due.to_book(booked_from)


@given(INSTANTS)
def test_a_utc_day_is_the_day_in_utc_whatever_the_zone_given(instant: datetime) -> None:
    assert utc_day(instant) == utc_day(instant.astimezone(ZoneInfo("Asia/Tokyo")))
