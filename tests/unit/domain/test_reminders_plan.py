"""Reminder planning: what one appointment sends, when, and by which channel."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builders import make_care_context
from needlepoint.domain.care import CarePhase, build_timeline
from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.messages import Channel, MessageKind, OutboxMessage
from needlepoint.domain.reminders import (
    REMINDER_LEAD,
    CareTimeline,
    Contact,
    ReminderPolicy,
    ReminderRequest,
    channels_for,
    plan_reminders,
)
from needlepoint.domain.scheduling import Appointment, AppointmentStatus
from needlepoint.knowledge import care as care_tables
from needlepoint.knowledge.reminders import load_reminder_schedule

LONDON = ZoneInfo("Europe/London")
DST_ZONES = [ZoneInfo(z) for z in ("Europe/London", "America/New_York", "Australia/Sydney")]
SCHEDULE = load_reminder_schedule()
POLICY = ReminderPolicy(schedule=SCHEDULE, portal_url="https://portal.clinic.test")
EMAIL_ONLY = Contact(email="pat@example.test")
CLINIC, PATIENT = UUID(int=1), UUID(int=2)
# Pre-care items starting 5 days, 2 days, 24 h and 3 h before: the last two are announced by
# the T−24 h reminder instead of a countdown message of their own.
CARE = CareTimeline(tuple(timedelta(hours=-h) for h in (120, 120, 48, 24, 3)))
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


def make_appointment(starts_at: datetime, *, minutes: int = 60, **overrides: object) -> Appointment:
    values: dict[str, object] = {
        "id": uuid4(),
        "clinic_id": CLINIC,
        "patient_id": PATIENT,
        "series_id": uuid4(),
        "session_number": 1,
        "practitioner_id": uuid4(),
        "room_id": uuid4(),
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(minutes=minutes),
        "status": AppointmentStatus.BOOKED,
        "created_at": LONG_AGO,
        "created_by": uuid4(),
    }
    values.update(overrides)
    return Appointment(**values)  # type: ignore[arg-type]


def make_request(
    starts_at: datetime, zone: ZoneInfo = LONDON, **overrides: object
) -> ReminderRequest:
    values: dict[str, object] = {
        "appointment": make_appointment(starts_at),
        "clinic_tz": zone,
        "contact": EMAIL_ONLY,
        "care": CARE,
    }
    values.update(overrides)
    return ReminderRequest(**values)  # type: ignore[arg-type]


def of_kind(plan: tuple[OutboxMessage, ...], kind: MessageKind) -> list[OutboxMessage]:
    return [m for m in plan if m.kind is kind]


def local(message: OutboxMessage, zone: ZoneInfo = LONDON) -> datetime:
    return message.due_at.astimezone(zone)


# --- strategies -------------------------------------------------------------------------------

zones = st.sampled_from(DST_ZONES)
instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2029, 12, 31), timezones=st.just(UTC)
)


@st.composite
def local_starts(draw: st.DrawFn) -> tuple[ZoneInfo, datetime]:
    """A zone and an appointment start at a clinic hour (07:00–20:45 local), any day."""
    zone = draw(zones)
    day = draw(st.dates(min_value=date(2025, 1, 1), max_value=date(2029, 12, 31)))
    at = time(draw(st.integers(7, 20)), draw(st.sampled_from([0, 15, 30, 45])))
    return zone, datetime.combine(day, at, tzinfo=zone)


# --- properties -------------------------------------------------------------------------------


@given(start=instants, zone=zones)
def test_the_appointment_reminder_is_exactly_24_hours_before_the_start(
    start: datetime, zone: ZoneInfo
) -> None:
    plan = plan_reminders(make_request(start, zone), POLICY, now=LONG_AGO)

    (reminder,) = of_kind(plan, MessageKind.APPOINTMENT_REMINDER)
    assert start - reminder.due_at == REMINDER_LEAD
    assert (start.timestamp() - reminder.due_at.timestamp()) == 24 * 3600


@given(zone_and_start=local_starts())
def test_pre_care_keeps_the_appointments_local_time_across_daylight_saving(
    zone_and_start: tuple[ZoneInfo, datetime],
) -> None:
    zone, start = zone_and_start

    plan = plan_reminders(make_request(start, zone), POLICY, now=LONG_AGO)

    pre = of_kind(plan, MessageKind.PRE_CARE)
    assert sorted(local(m, zone).date() for m in pre) == [
        start.date() - timedelta(days=5),
        start.date() - timedelta(days=2),
    ]
    assert {local(m, zone).time() for m in pre} == {start.time()}


@given(zone_and_start=local_starts())
def test_aftercare_goes_at_its_local_hour_on_days_0_1_3_and_7(
    zone_and_start: tuple[ZoneInfo, datetime],
) -> None:
    zone, start = zone_and_start
    request = make_request(start, zone)

    plan = plan_reminders(request, POLICY, now=LONG_AGO)

    after = [local(m, zone) for m in of_kind(plan, MessageKind.AFTERCARE)]
    assert [(d.date() - start.date()).days for d in after] == [0, 1, 3, 7]
    assert [d.time() for d in after[1:]] == [time(9, 0)] * 3
    day_0 = max(
        datetime.combine(start.date(), time(18, 0), tzinfo=zone), request.appointment.ends_at
    )
    assert after[0] == day_0


@settings(max_examples=200)
@given(start=instants, zone=zones, now=instants, last=st.booleans(), booked=st.booleans())
def test_nothing_is_planned_before_now(
    start: datetime, zone: ZoneInfo, now: datetime, last: bool, booked: bool
) -> None:
    request = make_request(
        start, zone, is_last_session=last, next_session_booked=booked, interval_days=28
    )

    plan = plan_reminders(request, POLICY, now=now)

    assert all(m.due_at >= now for m in plan)


@given(start=instants, zone=zones, last=st.booleans(), sms=st.booleans())
def test_keys_and_ids_are_unique_within_a_plan(
    start: datetime, zone: ZoneInfo, last: bool, sms: bool
) -> None:
    contact = Contact(email="pat@example.test", phone="+447700900123")
    request = make_request(
        start,
        zone,
        contact=contact,
        is_last_session=last,
        next_session_booked=False,
        interval_days=28,
    )

    plan = plan_reminders(request, replace(POLICY, sms_enabled=sms), now=LONG_AGO)

    assert len({m.idempotency_key for m in plan}) == len(plan)
    assert len({m.id for m in plan}) == len(plan)


@given(start=instants, moved_by_hours=st.integers(1, 24 * 60))
def test_planning_again_is_idempotent_and_a_moved_appointment_gets_fresh_keys(
    start: datetime, moved_by_hours: int
) -> None:
    request = make_request(start)
    moved = replace(
        request,
        appointment=request.appointment.moved(
            starts_at=start + timedelta(hours=moved_by_hours),
            ends_at=start + timedelta(hours=moved_by_hours, minutes=60),
            practitioner_id=request.appointment.practitioner_id,
            room_id=request.appointment.room_id,
            now=LONG_AGO,
        ),
    )

    first = plan_reminders(request, POLICY, now=LONG_AGO)
    again = plan_reminders(request, POLICY, now=LONG_AGO)
    after_move = plan_reminders(moved, POLICY, now=LONG_AGO)

    assert [(m.id, m.idempotency_key, m.due_at) for m in again] == [
        (m.id, m.idempotency_key, m.due_at) for m in first
    ]
    assert not {m.idempotency_key for m in first} & {m.idempotency_key for m in after_move}


# --- examples ---------------------------------------------------------------------------------


def test_over_the_autumn_change_the_reminder_is_25_wall_clock_hours_ahead() -> None:
    # Sunday 25 October 2026, 02:00 BST: the UK goes back to 01:00 GMT.
    start = datetime(2026, 10, 25, 10, 0, tzinfo=LONDON)

    plan = plan_reminders(make_request(start), POLICY, now=LONG_AGO)

    (reminder,) = of_kind(plan, MessageKind.APPOINTMENT_REMINDER)
    assert start - reminder.due_at == timedelta(hours=24)
    assert local(reminder).replace(tzinfo=None) == datetime(2026, 10, 24, 11, 0)
    five_days = of_kind(plan, MessageKind.PRE_CARE)[0]
    assert local(five_days).replace(tzinfo=None) == datetime(2026, 10, 20, 10, 0)


def test_over_the_spring_change_the_reminder_is_23_wall_clock_hours_ahead() -> None:
    # Sunday 29 March 2026, 01:00 GMT: the UK goes forward to 02:00 BST.
    start = datetime(2026, 3, 29, 10, 0, tzinfo=LONDON)

    plan = plan_reminders(make_request(start), POLICY, now=LONG_AGO)

    (reminder,) = of_kind(plan, MessageKind.APPOINTMENT_REMINDER)
    assert start - reminder.due_at == timedelta(hours=24)
    assert local(reminder).replace(tzinfo=None) == datetime(2026, 3, 28, 9, 0)
    two_days = of_kind(plan, MessageKind.PRE_CARE)[1]
    assert local(two_days).replace(tzinfo=None) == datetime(2026, 3, 27, 10, 0)


def test_day_0_aftercare_waits_for_an_evening_appointment_to_end() -> None:
    start = datetime(2026, 12, 8, 18, 30, tzinfo=LONDON)

    plan = plan_reminders(make_request(start), POLICY, now=LONG_AGO)

    day_0 = of_kind(plan, MessageKind.AFTERCARE)[0]
    assert day_0.due_at == start + timedelta(minutes=60)


def test_the_last_session_closes_the_series_and_invites_reviews_at_3_and_6_months() -> None:
    start = datetime(2026, 8, 31, 10, 0, tzinfo=LONDON)

    plan = plan_reminders(make_request(start, is_last_session=True), POLICY, now=LONG_AGO)

    (end,) = of_kind(plan, MessageKind.SERIES_END)
    assert local(end).replace(tzinfo=None) == datetime(2026, 9, 14, 9, 0)
    reviews = [local(m).replace(tzinfo=None) for m in of_kind(plan, MessageKind.OUTCOME_REVIEW)]
    assert reviews == [datetime(2026, 11, 30, 9, 0), datetime(2027, 2, 28, 9, 0)]
    assert not of_kind(plan, MessageKind.NEXT_SESSION_RECALL)


def test_a_session_without_its_next_booking_recalls_the_patient_a_week_before_it_is_due() -> None:
    start = datetime(2026, 12, 8, 10, 0, tzinfo=LONDON)
    request = make_request(start, next_session_booked=False, interval_days=28)

    plan = plan_reminders(request, POLICY, now=LONG_AGO)

    (recall,) = of_kind(plan, MessageKind.NEXT_SESSION_RECALL)
    assert local(recall).replace(tzinfo=None) == datetime(2026, 12, 29, 9, 0)
    assert "Tue 5 Jan 2027" in recall.body


def test_no_recall_when_the_next_session_is_booked_and_no_reviews_before_the_last() -> None:
    request = make_request(datetime(2026, 12, 8, 10, 0, tzinfo=LONDON), interval_days=28)

    kinds = {m.kind for m in plan_reminders(request, POLICY, now=LONG_AGO)}

    assert kinds == {MessageKind.PRE_CARE, MessageKind.APPOINTMENT_REMINDER, MessageKind.AFTERCARE}


def test_pre_care_starting_in_the_last_24_hours_is_announced_by_the_reminder() -> None:
    start = datetime(2026, 12, 8, 10, 0, tzinfo=LONDON)

    with_late_steps = plan_reminders(make_request(start), POLICY, now=LONG_AGO)
    early_only = plan_reminders(
        make_request(start, care=CareTimeline((timedelta(hours=-120),))), POLICY, now=LONG_AGO
    )

    assert [
        m.idempotency_key.split(":")[3] for m in of_kind(with_late_steps, MessageKind.PRE_CARE)
    ] == [
        "pre-120h",
        "pre-48h",
    ]
    assert "2 steps" in of_kind(with_late_steps, MessageKind.PRE_CARE)[0].body
    assert (
        "steps to take before it"
        in of_kind(with_late_steps, MessageKind.APPOINTMENT_REMINDER)[0].body
    )
    assert "steps" not in of_kind(early_only, MessageKind.APPOINTMENT_REMINDER)[0].body


def test_a_booking_made_less_than_a_day_ahead_gets_no_reminder_but_its_aftercare() -> None:
    start = datetime(2026, 12, 8, 10, 0, tzinfo=LONDON)

    plan = plan_reminders(make_request(start), POLICY, now=start - timedelta(hours=3))

    assert {m.kind for m in plan} == {MessageKind.AFTERCARE}


def test_the_timeline_from_anchored_items_matches_the_one_from_templates() -> None:
    templates = care_tables.load_care_templates()
    context = make_care_context()
    anchored_at = datetime(2026, 3, 30, 10, 0, tzinfo=LONDON)  # the day after the spring change
    chosen = [t for t in templates if t.condition(context)]

    from_items = CareTimeline.from_items(
        build_timeline(templates, context, appointment_at=anchored_at), anchored_at=anchored_at
    )
    from_templates = CareTimeline.from_templates(chosen)

    assert sorted(from_items.pre_care_offsets) == sorted(from_templates.pre_care_offsets)
    assert len(from_templates.pre_care_offsets) == sum(
        1 for t in chosen if t.phase is CarePhase.PRE
    )


def test_anchored_items_need_an_aware_anchor() -> None:
    with pytest.raises(InvalidInputError) as raised:
        CareTimeline.from_items((), anchored_at=datetime(2026, 12, 8, 10, 0))

    assert raised.value.problems[0].field == "anchored_at"


def test_planning_needs_an_aware_now() -> None:
    with pytest.raises(InvalidInputError):
        plan_reminders(
            make_request(datetime(2026, 12, 8, 10, 0, tzinfo=LONDON)),
            POLICY,
            now=datetime(2026, 1, 1),
        )


def test_messages_name_the_patient_the_appointment_and_the_start_in_their_key() -> None:
    request = make_request(datetime(2026, 12, 8, 10, 0, tzinfo=LONDON))

    reminder = of_kind(
        plan_reminders(request, POLICY, now=LONG_AGO), MessageKind.APPOINTMENT_REMINDER
    )[0]

    assert reminder.idempotency_key == (
        f"appointment:{request.appointment.id}:appointment_reminder:t-24h:20261208T100000Z:email"
    )
    assert (reminder.clinic_id, reminder.patient_id, reminder.appointment_id) == (
        CLINIC,
        PATIENT,
        request.appointment.id,
    )
    assert reminder.recipient == "pat@example.test"
    assert reminder.due_at.tzinfo is UTC


# --- channels ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("contact", "sms_enabled", "kind", "expected"),
    [
        (
            Contact("a@x.test", "+447700900123"),
            False,
            MessageKind.APPOINTMENT_REMINDER,
            (Channel.EMAIL,),
        ),
        (
            Contact("a@x.test", "+447700900123"),
            True,
            MessageKind.APPOINTMENT_REMINDER,
            (Channel.EMAIL, Channel.SMS),
        ),
        (
            Contact("a@x.test", "+447700900123"),
            True,
            MessageKind.PRE_CARE,
            (Channel.EMAIL, Channel.SMS),
        ),
        (Contact("a@x.test", "+447700900123"), True, MessageKind.AFTERCARE, (Channel.EMAIL,)),
        (Contact(None, "+447700900123"), True, MessageKind.AFTERCARE, (Channel.SMS,)),
        (Contact(None, "+447700900123"), False, MessageKind.AFTERCARE, ()),
        (Contact("a@x.test", None), True, MessageKind.APPOINTMENT_REMINDER, (Channel.EMAIL,)),
        (Contact(None, None), True, MessageKind.APPOINTMENT_REMINDER, ()),
    ],
)
def test_channel_selection(
    contact: Contact, sms_enabled: bool, kind: MessageKind, expected: tuple[Channel, ...]
) -> None:
    assert channels_for(contact, kind, sms_enabled=sms_enabled) == expected


def test_an_sms_goes_to_the_phone_number_with_its_own_key() -> None:
    contact = Contact("pat@example.test", "+447700900123")
    request = make_request(datetime(2026, 12, 8, 10, 0, tzinfo=LONDON), contact=contact)

    plan = plan_reminders(request, replace(POLICY, sms_enabled=True), now=LONG_AGO)

    reminders = of_kind(plan, MessageKind.APPOINTMENT_REMINDER)
    assert [(m.channel, m.recipient) for m in reminders] == [
        (Channel.EMAIL, "pat@example.test"),
        (Channel.SMS, "+447700900123"),
    ]
    assert reminders[0].idempotency_key.endswith(":email")
    assert reminders[1].idempotency_key.endswith(":sms")
