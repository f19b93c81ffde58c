"""Queueing an appointment's reminders in the caller's unit of work (fakes)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from fakes import FakeUnitOfWork
from needlepoint.domain.messages import MessageKind, MessageStatus
from needlepoint.domain.reminders import CareTimeline, Contact, ReminderPolicy, ReminderRequest
from needlepoint.domain.scheduling import Appointment, AppointmentStatus
from needlepoint.knowledge.reminders import load_reminder_schedule
from needlepoint.services.messaging import reminders

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
POLICY = ReminderPolicy(schedule=load_reminder_schedule(), portal_url="https://portal.test")
CLINIC, PATIENT = UUID(int=1), UUID(int=2)


def _appointment(starts_at: datetime) -> Appointment:
    return Appointment(
        id=uuid4(),
        clinic_id=CLINIC,
        patient_id=PATIENT,
        series_id=uuid4(),
        session_number=1,
        practitioner_id=uuid4(),
        room_id=uuid4(),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        status=AppointmentStatus.BOOKED,
        created_at=NOW,
        created_by=uuid4(),
    )


def _request(appointment: Appointment, *, next_booked: bool = True) -> ReminderRequest:
    return ReminderRequest(
        appointment=appointment,
        clinic_tz=LONDON,
        contact=Contact(email="pat@example.test"),
        care=CareTimeline((timedelta(hours=-120),)),
        next_session_booked=next_booked,
        interval_days=28,
    )


def _statuses(uow: FakeUnitOfWork) -> dict[MessageStatus, int]:
    counts: dict[MessageStatus, int] = {}
    for message in uow.outbox.for_patient(CLINIC, PATIENT):
        counts[message.status] = counts.get(message.status, 0) + 1
    return counts


def test_booking_queues_the_plan_once_however_often_it_is_asked() -> None:
    uow = FakeUnitOfWork()
    request = _request(_appointment(datetime(2026, 12, 8, 10, 0, tzinfo=LONDON)))

    with uow:
        first = reminders.queue_for_appointment(uow=uow, request=request, policy=POLICY, now=NOW)
        again = reminders.queue_for_appointment(uow=uow, request=request, policy=POLICY, now=NOW)
        uow.commit()

    assert [m.kind for m in first] == [
        MessageKind.PRE_CARE,
        MessageKind.APPOINTMENT_REMINDER,
        *[MessageKind.AFTERCARE] * 4,
    ]
    assert again == ()
    assert _statuses(uow) == {MessageStatus.PENDING: 6}


def test_a_reschedule_cancels_what_was_pending_and_queues_from_the_new_start() -> None:
    uow = FakeUnitOfWork()
    booked = _appointment(datetime(2026, 12, 8, 10, 0, tzinfo=LONDON))
    moved = booked.moved(
        starts_at=booked.starts_at + timedelta(days=2),
        ends_at=booked.ends_at + timedelta(days=2),
        practitioner_id=booked.practitioner_id,
        room_id=booked.room_id,
        now=NOW,
    )

    with uow:
        reminders.queue_for_appointment(uow=uow, request=_request(booked), policy=POLICY, now=NOW)
        fresh = reminders.requeue_for_appointment(
            uow=uow, request=_request(moved), policy=POLICY, now=NOW
        )
        uow.commit()

    assert len(fresh) == 6
    assert _statuses(uow) == {MessageStatus.CANCELLED: 6, MessageStatus.PENDING: 6}
    reminder = next(m for m in fresh if m.kind is MessageKind.APPOINTMENT_REMINDER)
    assert reminder.due_at == moved.starts_at - timedelta(hours=24)


def test_moving_back_to_the_first_time_brings_the_first_reminders_back() -> None:
    uow = FakeUnitOfWork()
    booked = _appointment(datetime(2026, 12, 8, 10, 0, tzinfo=LONDON))
    elsewhere = booked.moved(
        starts_at=booked.starts_at + timedelta(days=2),
        ends_at=booked.ends_at + timedelta(days=2),
        practitioner_id=booked.practitioner_id,
        room_id=booked.room_id,
        now=NOW,
    )
    back = elsewhere.moved(
        starts_at=booked.starts_at,
        ends_at=booked.ends_at,
        practitioner_id=booked.practitioner_id,
        room_id=booked.room_id,
        now=NOW,
    )

    with uow:
        for step, appointment in enumerate((booked, elsewhere, back)):
            follow = (
                reminders.queue_for_appointment if step == 0 else reminders.requeue_for_appointment
            )
            follow(uow=uow, request=_request(appointment), policy=POLICY, now=NOW)
        uow.commit()

    pending = [
        m for m in uow.outbox.for_patient(CLINIC, PATIENT) if m.status is MessageStatus.PENDING
    ]
    assert len(pending) == 6
    assert {m.due_at for m in pending if m.kind is MessageKind.APPOINTMENT_REMINDER} == {
        booked.starts_at - timedelta(hours=24)
    }


def test_a_cancellation_cancels_the_pending_messages_only() -> None:
    uow = FakeUnitOfWork()
    appointment = _appointment(datetime(2026, 12, 8, 10, 0, tzinfo=LONDON))
    with uow:
        reminders.queue_for_appointment(
            uow=uow, request=_request(appointment), policy=POLICY, now=NOW
        )
        uow.commit()
    claimed = uow.outbox.for_patient(CLINIC, PATIENT)[0]
    uow.outbox._set(uow.outbox.rows[claimed.id], status=MessageStatus.SENDING)

    with uow:
        cancelled = reminders.cancel_for_appointment(uow=uow, appointment=appointment)
        uow.commit()

    assert cancelled == 5
    assert _statuses(uow) == {MessageStatus.CANCELLED: 5, MessageStatus.SENDING: 1}


def test_booking_the_next_session_cancels_the_pending_recall() -> None:
    uow = FakeUnitOfWork()
    first = _appointment(datetime(2026, 12, 8, 10, 0, tzinfo=LONDON))
    second = _appointment(datetime(2027, 1, 5, 10, 0, tzinfo=LONDON))

    with uow:
        reminders.queue_for_appointment(
            uow=uow, request=_request(first, next_booked=False), policy=POLICY, now=NOW
        )
        recall = [
            m
            for m in uow.outbox.for_patient(CLINIC, PATIENT)
            if m.kind is MessageKind.NEXT_SESSION_RECALL
        ]
        reminders.queue_for_appointment(uow=uow, request=_request(second), policy=POLICY, now=NOW)
        uow.commit()

    assert len(recall) == 1
    assert uow.outbox.rows[recall[0].id].message.status is MessageStatus.CANCELLED


def test_nothing_lands_without_the_callers_commit() -> None:
    uow = FakeUnitOfWork()
    request = _request(_appointment(datetime(2026, 12, 8, 10, 0, tzinfo=LONDON)))

    with uow:
        reminders.queue_for_appointment(uow=uow, request=request, policy=POLICY, now=NOW)

    assert uow.outbox.for_patient(CLINIC, PATIENT) == []
    assert uow.audit.events == []
