"""The rules a week of opening hours and a slot chosen by hand must keep, as typed problems."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.scheduling import (
    Appointment,
    AppointmentStatus,
    ClinicCalendar,
    OpeningHours,
    SlotProblemKind,
    SlotRequest,
    SlotTakenError,
    check_slot,
    free_slots,
    session_number_problems,
    slot_problem,
    slot_refusal,
    week_problems,
)

LONDON = ZoneInfo("Europe/London")
CLINIC = uuid4()
ALICE, BOB = UUID(int=1), UUID(int=2)
ROOM_1, ROOM_2 = UUID(int=11), UUID(int=12)
LENGTH = timedelta(minutes=90)
NOW = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
DAY = date(2026, 3, 29)  # the clocks go forward in London


def week(opens: time = time(9), closes: time = time(17)) -> tuple[OpeningHours, ...]:
    return tuple(OpeningHours(CLINIC, day, opens, closes) for day in range(7))


def booked(starts_at: datetime, practitioner: UUID, room: UUID) -> Appointment:
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


quarter_hours = st.integers(min_value=0, max_value=4 * 24 - 1).map(
    lambda n: (
        datetime.combine(DAY, time(), tzinfo=LONDON).astimezone(UTC) + timedelta(minutes=15 * n)
    )
)
people = st.sampled_from((ALICE, BOB))
rooms = st.sampled_from((ROOM_1, ROOM_2))
bookings = st.lists(st.builds(booked, quarter_hours, people, rooms), max_size=6)


def calendar(taken: list[Appointment]) -> ClinicCalendar:
    return ClinicCalendar(LONDON, week(), (ALICE, BOB), (ROOM_1, ROOM_2), tuple(taken))


@given(taken=bookings, person=st.sampled_from((ALICE, BOB, None)))
def test_every_free_slot_has_no_problem(taken: list[Appointment], person: UUID | None) -> None:
    clinic = calendar(taken)
    for slot in free_slots(clinic, DAY, LENGTH, not_before=NOW, practitioner_id=person):
        request = SlotRequest(slot.starts_at, LENGTH, slot.practitioner_id, slot.room_id)
        assert slot_problem(clinic, request) is None


@given(taken=bookings, starts_at=quarter_hours, person=people, room=rooms)
def test_a_slot_without_a_problem_clashes_with_nothing_and_lies_in_opening_hours(
    taken: list[Appointment], starts_at: datetime, person: UUID, room: UUID
) -> None:
    clinic = calendar(taken)
    request = SlotRequest(starts_at, LENGTH, person, room)
    kind = slot_problem(clinic, request)
    clashes = [a for a in taken if a.overlaps(starts_at, request.ends_at)]
    same_person = any(a.practitioner_id == person for a in clashes)
    same_room = any(a.room_id == room for a in clashes)
    local_date = starts_at.astimezone(LONDON).date()
    opens = datetime.combine(local_date, time(9), tzinfo=LONDON)
    closes = datetime.combine(local_date, time(17), tzinfo=LONDON)
    inside = opens <= starts_at and request.ends_at <= closes
    if kind is None:
        assert inside
        assert not same_person
        assert not same_room
    elif kind is SlotProblemKind.OUTSIDE_OPENING_HOURS:
        assert not inside
    elif kind is SlotProblemKind.PRACTITIONER_TAKEN:
        assert same_person
    else:
        assert kind is SlotProblemKind.ROOM_TAKEN
        assert same_room


@given(starts_at=quarter_hours)
def test_an_unknown_practitioner_or_room_is_the_gravest_problem(starts_at: datetime) -> None:
    clinic = calendar([])
    stranger = SlotRequest(starts_at, LENGTH, uuid4(), uuid4())
    elsewhere = SlotRequest(starts_at, LENGTH, ALICE, uuid4())
    assert slot_problem(clinic, stranger) is SlotProblemKind.NOT_A_PRACTITIONER
    assert slot_problem(clinic, elsewhere) is SlotProblemKind.NOT_A_ROOM


@pytest.mark.parametrize(
    ("kind", "error", "field"),
    [
        (SlotProblemKind.NOT_A_PRACTITIONER, InvalidInputError, "sessions[2].practitioner_id"),
        (SlotProblemKind.NOT_A_ROOM, InvalidInputError, "sessions[2].room_id"),
        (SlotProblemKind.OUTSIDE_OPENING_HOURS, InvalidInputError, "sessions[2].starts_at"),
        (SlotProblemKind.PRACTITIONER_TAKEN, SlotTakenError, None),
        (SlotProblemKind.ROOM_TAKEN, SlotTakenError, None),
    ],
)
def test_each_problem_is_refused_with_its_error(
    kind: SlotProblemKind, error: type[Exception], field: str | None
) -> None:
    request = SlotRequest(datetime(2026, 3, 30, 9, tzinfo=UTC), LENGTH, ALICE, ROOM_1)
    refusal = slot_refusal(kind, request, "sessions[2]")
    assert isinstance(refusal, error)
    if isinstance(refusal, InvalidInputError):
        assert [p.field for p in refusal.problems] == [field]
    if isinstance(refusal, SlotTakenError):
        assert refusal.what == kind.value.removesuffix("-taken")


def test_check_slot_raises_the_refusal_of_the_gravest_problem() -> None:
    starts_at = datetime(2026, 3, 30, 9, tzinfo=UTC)
    clinic = calendar([booked(starts_at, ALICE, ROOM_2)])
    with pytest.raises(SlotTakenError) as taken:
        check_slot(clinic, SlotRequest(starts_at, LENGTH, ALICE, ROOM_1), "sessions[1]")
    assert taken.value.what == "practitioner"
    check_slot(clinic, SlotRequest(starts_at, LENGTH, BOB, ROOM_1), "sessions[1]")


@given(
    sessions=st.integers(min_value=1, max_value=10),
    taken=st.frozensets(st.integers(min_value=1, max_value=10)),
    chosen=st.lists(st.integers(min_value=-2, max_value=12), max_size=8),
)
def test_a_session_number_is_refused_when_outside_the_series_or_already_taken(
    sessions: int, taken: frozenset[int], chosen: list[int]
) -> None:
    problems = session_number_problems(sessions, taken, chosen)
    refused = [n for n in chosen if not 1 <= n <= sessions or n in taken]
    assert [p.field for p in problems] == [f"sessions[{n}]" for n in refused]


periods = st.tuples(
    st.integers(min_value=0, max_value=6),
    st.integers(min_value=0, max_value=23),
    st.integers(min_value=1, max_value=24),
)


@given(st.lists(periods, max_size=8))
def test_a_week_has_a_problem_exactly_when_a_period_is_impossible_or_overlaps(
    raw: list[tuple[int, int, int]],
) -> None:
    week_ = tuple(
        OpeningHours(CLINIC, d, time(o), time(min(c, 23), 59 if c >= 24 else 0))
        for d, o, c in sorted(raw)
    )
    problems = week_problems(week_)
    overlapping = any(
        b.weekday == a.weekday and b.opens < a.closes for a, b in itertools.pairwise(week_)
    )
    empty = any(p.opens >= p.closes for p in week_)
    assert bool(problems) == (overlapping or empty)


def test_a_weekday_past_sunday_is_refused() -> None:
    problems = week_problems((OpeningHours(CLINIC, 7, time(9), time(17)),))
    assert [p.problem for p in problems] == ["weekday must be 0 (Monday) to 6."]
