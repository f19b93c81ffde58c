"""The appointment's state machine: every step takes ``now``; final states stay final.

Booked → cancelled (any time), attended or no-show (from the start on), or attended and linked
by a session of its series starting on its local day; moves only to a start from now on.
What each end withdraws from the outbox is ``withdrawn_kinds``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from needlepoint.domain.errors import InvalidInputError, InvalidTransitionError
from needlepoint.domain.messages import MessageKind
from needlepoint.domain.reminders import withdrawn_kinds
from needlepoint.domain.scheduling import (
    LONGEST_APPOINTMENT,
    Appointment,
    AppointmentNotStartedError,
    AppointmentStatus,
    StartInPastError,
    past_start,
)

LONDON = ZoneInfo("Europe/London")
STARTS_AT = datetime(2026, 12, 14, 10, 0, tzinfo=UTC)
PERSON, ROOM = UUID(int=1), UUID(int=11)
FINAL = [AppointmentStatus.CANCELLED, AppointmentStatus.ATTENDED, AppointmentStatus.NO_SHOW]
minutes = st.integers(min_value=-60 * 24 * 30, max_value=60 * 24 * 30)


def appointment(number: int | None = 2, starts_at: datetime = STARTS_AT) -> Appointment:
    return Appointment(
        id=uuid4(),
        clinic_id=uuid4(),
        patient_id=uuid4(),
        series_id=uuid4(),
        session_number=number,
        practitioner_id=PERSON,
        room_id=ROOM,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=90),
        status=AppointmentStatus.BOOKED,
        created_at=starts_at - timedelta(days=30),
        created_by=PERSON,
    )


def move(booked: Appointment, starts_at: datetime, now: datetime) -> Appointment:
    return booked.moved(
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=90),
        practitioner_id=PERSON,
        room_id=ROOM,
        now=now,
    )


@given(now_offset=minutes, target_offset=minutes)
def test_a_move_lands_only_from_now_on(now_offset: int, target_offset: int) -> None:
    now = STARTS_AT + timedelta(minutes=now_offset)
    target = now + timedelta(minutes=target_offset)

    if target < now:
        with pytest.raises(StartInPastError) as refused:
            move(appointment(), target, now)
        assert [p.field for p in refused.value.problems] == ["starts_at"]
    else:
        moved = move(appointment(), target, now)
        assert (moved.starts_at, moved.version) == (target, 2)


def test_a_booking_start_in_the_past_names_its_session_field() -> None:
    problem = past_start(
        STARTS_AT, now=STARTS_AT + timedelta(seconds=1), field="sessions[3].starts_at"
    )

    assert problem is not None and problem.field == "sessions[3].starts_at"
    assert past_start(STARTS_AT, now=STARTS_AT, field="sessions[3].starts_at") is None


@pytest.mark.parametrize("status", [AppointmentStatus.ATTENDED, AppointmentStatus.NO_SHOW])
@given(offset=minutes)
def test_attendance_and_no_show_only_from_the_start_on(
    status: AppointmentStatus, offset: int
) -> None:
    now = STARTS_AT + timedelta(minutes=offset)

    if now < STARTS_AT:
        with pytest.raises(AppointmentNotStartedError) as refused:
            appointment().with_status(status, None, now=now)
        assert refused.value.problems[0].field == "status"
        assert refused.value.code == "appointment-not-started"
    else:
        assert appointment().with_status(status, None, now=now).status is status


def test_a_cancellation_may_come_at_any_time() -> None:
    early = STARTS_AT - timedelta(days=10)

    cancelled = appointment().with_status(AppointmentStatus.CANCELLED, "unwell", now=early)

    assert (cancelled.status, cancelled.status_reason) == (AppointmentStatus.CANCELLED, "unwell")


def test_booked_is_not_a_change() -> None:
    with pytest.raises(InvalidInputError, match="already booked"):
        appointment().with_status(AppointmentStatus.BOOKED, None, now=STARTS_AT)


@pytest.mark.parametrize("final", FINAL)
@pytest.mark.parametrize("then", FINAL)
def test_cancelled_attended_and_no_show_are_final(
    final: AppointmentStatus, then: AppointmentStatus
) -> None:
    later = STARTS_AT + timedelta(hours=2)
    ended = appointment().with_status(final, "reason", now=later)

    with pytest.raises(InvalidTransitionError):
        ended.with_status(then, "reason", now=later)
    with pytest.raises(InvalidTransitionError):
        move(ended, later + timedelta(days=1), later)


def test_a_session_on_the_day_attends_and_links_even_before_the_booked_time() -> None:
    booked = appointment(number=2)
    session_id = uuid4()
    early = STARTS_AT - timedelta(minutes=50)  # 09:10 for 10:00

    held = booked.held_as(session_id, 2, now=early, zone=LONDON)

    assert (held.status, held.session_id, held.session_number) == (
        AppointmentStatus.ATTENDED,
        session_id,
        2,
    )
    assert held.status_reason is None and held.version == booked.version + 1
    assert not held.is_visit  # the session stands for it now


def test_a_session_takes_an_appointment_booked_under_another_number_and_says_so() -> None:
    booked = appointment(number=3)

    held = booked.held_as(uuid4(), 2, now=STARTS_AT, zone=LONDON)

    assert held.session_number == 2
    assert held.status_reason == "booked as session 3, held as session 2"


def test_a_session_links_an_appointment_the_desk_marked_attended_but_only_once() -> None:
    marked = appointment().with_status(AppointmentStatus.ATTENDED, None, now=STARTS_AT)

    linked = marked.held_as(uuid4(), 2, now=STARTS_AT + timedelta(minutes=5), zone=LONDON)

    assert marked.is_visit and linked.session_id is not None
    with pytest.raises(InvalidTransitionError, match="linked to a session"):
        linked.held_as(uuid4(), 2, now=STARTS_AT, zone=LONDON)


@pytest.mark.parametrize("days", [-1, 1])
def test_a_session_on_another_day_does_not_take_the_appointment(days: int) -> None:
    with pytest.raises(InvalidTransitionError, match="not on the session's day"):
        appointment().held_as(uuid4(), 2, now=STARTS_AT + timedelta(days=days), zone=LONDON)


@pytest.mark.parametrize("ended", [AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW])
def test_a_cancelled_or_missed_appointment_is_not_attended_by_a_session(
    ended: AppointmentStatus,
) -> None:
    gone = appointment().with_status(ended, "reason", now=STARTS_AT)

    with pytest.raises(InvalidTransitionError):
        gone.held_as(uuid4(), 2, now=STARTS_AT, zone=LONDON)


def test_a_booking_whose_session_was_held_on_another_day_is_cancelled_saying_when() -> None:
    held_on = (STARTS_AT - timedelta(days=3)).date()

    superseded = appointment(number=2).superseded(held_on, now=STARTS_AT - timedelta(days=3))

    assert superseded.status is AppointmentStatus.CANCELLED
    assert superseded.status_reason == f"session 2 was held on {held_on} without this appointment"
    with pytest.raises(InvalidTransitionError):
        superseded.superseded(held_on, now=STARTS_AT)


def test_what_each_end_withdraws() -> None:
    pre_visit = {MessageKind.PRE_CARE, MessageKind.APPOINTMENT_REMINDER}
    follow_ups = {
        MessageKind.AFTERCARE,
        MessageKind.NEXT_SESSION_RECALL,
        MessageKind.SERIES_END,
        MessageKind.OUTCOME_REVIEW,
    }

    assert withdrawn_kinds(AppointmentStatus.BOOKED) == set()
    assert withdrawn_kinds(AppointmentStatus.ATTENDED) == pre_visit
    assert withdrawn_kinds(AppointmentStatus.CANCELLED) == pre_visit | follow_ups
    assert withdrawn_kinds(AppointmentStatus.NO_SHOW) == pre_visit | follow_ups
    for status in AppointmentStatus:
        assert MessageKind.PORTAL_SIGN_IN not in withdrawn_kinds(status)
        assert MessageKind.CLINIC_ALERT not in withdrawn_kinds(status)


@given(st.integers(min_value=1, max_value=60 * 24 * 60))
def test_no_appointment_lasts_longer_than_the_longest_one(length_minutes: int) -> None:
    """The day query reads from the day start less ``LONGEST_APPOINTMENT``: longer is refused."""
    booked = appointment()
    length = timedelta(minutes=length_minutes)
    if length <= LONGEST_APPOINTMENT:
        assert replace(booked, ends_at=booked.starts_at + length).ends_at - STARTS_AT == length
    else:
        with pytest.raises(InvalidInputError) as refused:
            replace(booked, ends_at=booked.starts_at + length)
        assert refused.value.problems[0].field == "ends_at"
