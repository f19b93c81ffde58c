"""Slot search and series proposals: never a clash, intervals kept, local hour kept over DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from needlepoint.domain.intervals import interval_problems
from needlepoint.domain.scheduling import (
    Appointment,
    AppointmentStatus,
    CalendarSource,
    ClinicCalendar,
    NoSlotError,
    OpeningHours,
    SeriesProgress,
    SeriesRules,
    free_slots,
    local_instant,
    propose_series,
    within_opening_hours,
)

LONDON = ZoneInfo("Europe/London")
CLINIC = uuid4()
ALICE, BOB = UUID(int=1), UUID(int=2)
ROOM_1, ROOM_2 = UUID(int=11), UUID(int=12)
LENGTH = timedelta(minutes=90)
NOW = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def week(opens: time = time(9), closes: time = time(17)) -> tuple[OpeningHours, ...]:
    return tuple(OpeningHours(CLINIC, day, opens, closes) for day in range(7))


def calendar(
    taken: tuple[Appointment, ...] = (),
    practitioners: tuple[UUID, ...] = (ALICE,),
    rooms: tuple[UUID, ...] = (ROOM_1,),
) -> ClinicCalendar:
    return ClinicCalendar(LONDON, week(), practitioners, rooms, taken)


def booked(starts_at: datetime, practitioner: UUID = ALICE, room: UUID = ROOM_1) -> Appointment:
    return Appointment(
        id=uuid4(),
        clinic_id=CLINIC,
        patient_id=uuid4(),
        series_id=None,
        session_number=None,
        practitioner_id=practitioner,
        room_id=room,
        starts_at=starts_at,
        ends_at=starts_at + LENGTH,
        status=AppointmentStatus.BOOKED,
        created_at=NOW,
        created_by=ALICE,
    )


def fixed(clinic: ClinicCalendar) -> CalendarSource:
    """The same calendar whatever days are asked for."""
    return lambda _first, _last: clinic


def rules(**overrides: object) -> SeriesRules:
    values: dict[str, object] = {
        "sessions": 6,
        "interval_days": 28,
        "min_interval_days": 14,
        "max_interval_days": 42,
        "earliest_on": date(2026, 1, 12),
    }
    values.update(overrides)
    return SeriesRules(**values)  # type: ignore[arg-type]


def test_the_first_slot_of_an_empty_day_is_opening_time_local() -> None:
    first = next(free_slots(calendar(), date(2026, 7, 1), LENGTH, not_before=NOW))

    assert first.starts_at.astimezone(LONDON).time() == time(9)
    assert first.starts_at.utcoffset() == timedelta(0)
    assert first.starts_at == datetime(2026, 7, 1, 8, 0, tzinfo=UTC)  # BST is UTC+1


def test_an_appointment_ending_when_another_starts_is_allowed() -> None:
    nine = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)  # GMT: 09:00 local
    slots = list(free_slots(calendar((booked(nine),)), date(2026, 2, 2), LENGTH, not_before=NOW))

    starts = [s.starts_at for s in slots]
    assert nine + LENGTH in starts  # adjacent: [09:00, 10:30) then 10:30
    assert all(not (nine - LENGTH < s < nine + LENGTH) for s in starts)


def test_a_second_practitioner_and_room_take_the_overlapping_time() -> None:
    nine = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
    both = calendar((booked(nine),), practitioners=(ALICE, BOB), rooms=(ROOM_1, ROOM_2))

    first = next(free_slots(both, date(2026, 2, 2), LENGTH, not_before=NOW))

    assert (first.starts_at, first.practitioner_id, first.room_id) == (nine, BOB, ROOM_2)


def test_the_spring_forward_gap_is_never_offered() -> None:
    assert local_instant(date(2026, 3, 29), time(1, 30), LONDON) is None
    night = ClinicCalendar(LONDON, week(time(0, 30), time(3)), (ALICE,), (ROOM_1,), ())
    starts = [
        s.starts_at.astimezone(LONDON)
        for s in free_slots(night, date(2026, 3, 29), timedelta(minutes=15), not_before=NOW)
    ]
    assert all(not (time(1) <= s.time() < time(2)) for s in starts)


taken_starts = st.lists(
    st.integers(min_value=0, max_value=8 * 4).map(
        lambda quarter: datetime(2026, 2, 2, 9, 0, tzinfo=UTC) + timedelta(minutes=15 * quarter)
    ),
    max_size=6,
)


@given(taken_starts, st.sampled_from([ALICE, BOB]), st.sampled_from([ROOM_1, ROOM_2]))
def test_no_free_slot_overlaps_a_booking_of_its_practitioner_or_room(
    starts: list[datetime], practitioner: UUID, room: UUID
) -> None:
    taken = tuple(booked(s, practitioner, room) for s in starts)
    clinic = calendar(taken, practitioners=(ALICE, BOB), rooms=(ROOM_1, ROOM_2))

    for slot in free_slots(clinic, date(2026, 2, 2), LENGTH, not_before=NOW):
        for other in taken:
            if other.overlaps(slot.starts_at, slot.ends_at):
                assert other.practitioner_id != slot.practitioner_id
                assert other.room_id != slot.room_id
        assert within_opening_hours(clinic, slot.starts_at, slot.ends_at)


def test_a_six_session_series_over_both_dst_changes_keeps_its_local_hour() -> None:
    autumn = rules(interval_days=42, earliest_on=date(2026, 10, 12))
    proposal = propose_series(
        autumn, fixed(calendar()), LENGTH, zone=LONDON, now=datetime(2026, 10, 1, tzinfo=UTC)
    )

    local = [slot.starts_at.astimezone(LONDON) for slot in proposal]
    assert len(proposal) == 6
    assert {moment.time() for moment in local} == {time(9)}
    assert [moment.date() for moment in local] == [
        date(2026, 10, 12) + timedelta(days=42 * n) for n in range(6)
    ]
    # BST, then GMT after 25 Oct 2026, then BST again after 28 Mar 2027
    summer, winter = timedelta(hours=1), timedelta(0)
    offsets = [moment.utcoffset() for moment in local]
    assert offsets == [summer, winter, winter, winter, summer, summer]


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=1, max_value=6),
    st.integers(min_value=0, max_value=20),
    st.integers(min_value=7, max_value=35),
    st.lists(st.integers(min_value=0, max_value=120), max_size=12),
)
def test_proposals_keep_every_interval_inside_its_range(
    sessions: int, min_days: int, extra_days: int, busy_days: list[int]
) -> None:
    series = rules(
        sessions=sessions,
        min_interval_days=min_days,
        interval_days=min_days + extra_days // 2,
        max_interval_days=min_days + extra_days,
    )
    first_day = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)
    taken = tuple(booked(first_day + timedelta(days=d)) for d in busy_days)
    try:
        proposal = propose_series(series, fixed(calendar(taken)), LENGTH, zone=LONDON, now=NOW)
    except NoSlotError:
        return
    days = {n + 1: s.starts_at.astimezone(LONDON).date() for n, s in enumerate(proposal)}
    assert interval_problems(series, days, extra_days=0) == ()
    for slot in proposal:
        assert not any(a.overlaps(slot.starts_at, slot.ends_at) for a in taken)


def test_booking_resumes_after_the_sessions_already_held() -> None:
    progress = SeriesProgress(first_number=3, previous_on=date(2026, 3, 2))

    proposal = propose_series(
        rules(sessions=4), fixed(calendar()), LENGTH, zone=LONDON, now=NOW, progress=progress
    )

    assert [s.starts_at.astimezone(LONDON).date() for s in proposal] == [
        date(2026, 3, 30),
        date(2026, 4, 27),
    ]


def test_no_slot_names_the_session_and_window() -> None:
    closed = ClinicCalendar(LONDON, (), (ALICE,), (ROOM_1,), ())

    with pytest.raises(NoSlotError, match="session 1 between 2026-01-12"):
        propose_series(rules(), fixed(closed), LENGTH, zone=LONDON, now=NOW)


def test_interval_problems_name_too_close_too_far_and_too_early() -> None:
    days = {1: date(2026, 1, 10), 2: date(2026, 1, 20), 3: date(2026, 3, 20)}

    problems = {p.session_number: str(p) for p in interval_problems(rules(), days, extra_days=42)}

    assert "earliest eligible date 2026-01-12" in problems[1]
    assert "10 days after session 1; the minimum is 14" in problems[2]
    assert "59 days after session 2; the maximum is 42" in problems[3]


ZONES = [
    "America/New_York",
    "Europe/London",
    "Australia/Sydney",
    "Asia/Kolkata",
    "America/Santiago",
]


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(ZONES),
    st.dates(min_value=date(2026, 1, 12), max_value=date(2027, 12, 31)),
    st.integers(min_value=0, max_value=(17 * 60 - 90 - 9 * 60) // 15),
)
def test_proposals_keep_the_booked_sessions_wall_time_across_zones_and_dst(
    zone_name: str, previous_on: date, quarter: int
) -> None:
    """Issue 14: session 1 booked at 14:00 in New York gave sessions 2-4 at 08:00."""
    zone = ZoneInfo(zone_name)
    wall = time(9 + quarter // 4, 15 * (quarter % 4))
    clinic = ClinicCalendar(zone, week(), (ALICE,), (ROOM_1,), ())
    progress = SeriesProgress(first_number=2, previous_on=previous_on, previous_wall=wall)

    proposal = propose_series(
        rules(sessions=4), fixed(clinic), LENGTH, zone=zone, now=NOW, progress=progress
    )

    assert [s.starts_at.astimezone(zone).time() for s in proposal] == [wall] * 3


def test_a_booked_wall_time_the_clinic_is_closed_at_gives_the_days_earliest() -> None:
    progress = SeriesProgress(first_number=2, previous_on=date(2026, 3, 2), previous_wall=time(7))

    proposal = propose_series(
        rules(sessions=3), fixed(calendar()), LENGTH, zone=LONDON, now=NOW, progress=progress
    )

    assert [s.starts_at.astimezone(LONDON).time() for s in proposal] == [time(9), time(9)]
