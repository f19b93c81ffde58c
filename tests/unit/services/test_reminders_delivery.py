"""The worker's delivery rules over the in-memory outbox and scripted channels."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from fakes import FakeUnitOfWork
from needlepoint.domain.messages import (
    LINK_PLACEHOLDER,
    Channel,
    MessageKind,
    MessageStatus,
    OutboxLease,
    OutboxMessage,
)
from needlepoint.domain.records import Role, StaffMember
from needlepoint.services.audit import AuthMethod, RequestContext
from needlepoint.services.messaging import delivery
from needlepoint.services.messaging.delivery import WorkerLoop, WorkerSettings
from needlepoint.services.messaging.ports import DeliveryError, Handover, UncertainDeliveryError

T0 = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
CLINIC = UUID(int=1)
SETTINGS = WorkerSettings(worker_id="worker-a", batch_size=10, lease=timedelta(seconds=30))


class MovingClock:
    def __init__(self, at: datetime = T0) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def today(self):  # type: ignore[no-untyped-def]
        return self.at.date()


@dataclass
class ScriptedChannel:
    """Delivers, unless a step is scripted for the recipient: 'refuse-prepare', 'refuse-end',
    'reject-prepare' (5xx), 'no-reply', or a callable run during ``prepare``."""

    script: dict[str, str | Callable[[], None]] = field(default_factory=dict)
    delivered: list[UUID] = field(default_factory=list)
    aborted: list[UUID] = field(default_factory=list)
    prepared: list[OutboxMessage] = field(default_factory=list)

    def prepare(self, message: OutboxMessage) -> Handover:
        self.prepared.append(message)
        step = self.script.get(message.recipient)
        if callable(step):
            step()
        elif step == "refuse-prepare":
            raise DeliveryError("smtp 451 at RCPT")
        elif step == "reject-prepare":
            raise DeliveryError("smtp 550 at RCPT", permanent=True)
        return _Handover(self, message, step if isinstance(step, str) else None)


@dataclass
class _Handover:
    channel: ScriptedChannel
    message: OutboxMessage
    step: str | None

    def complete(self) -> None:
        if self.step == "refuse-end":
            raise DeliveryError("smtp 452 at end of DATA")
        if self.step == "no-reply":
            raise UncertainDeliveryError("no reply to the end of DATA (TimeoutError)")
        self.channel.delivered.append(self.message.id)

    def abort(self) -> None:
        self.channel.aborted.append(self.message.id)


def _message(
    recipient: str = "pat@example.test", *, due_in: timedelta = -timedelta(minutes=1)
) -> OutboxMessage:
    return OutboxMessage(
        id=uuid4(),
        clinic_id=CLINIC,
        patient_id=uuid4(),
        appointment_id=None,
        kind=MessageKind.APPOINTMENT_REMINDER,
        channel=Channel.EMAIL,
        recipient=recipient,
        subject="Appointment reminder",
        body="body",
        due_at=T0 + due_in,
        idempotency_key=str(uuid4()),
        created_at=T0 - timedelta(days=1),
    )


def _queued(*messages: OutboxMessage) -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    with uow:
        for message in messages:
            uow.outbox.add(message)
        uow.commit()
    return uow


def _pass(
    uow: FakeUnitOfWork,
    channel: ScriptedChannel,
    clock: MovingClock,
    settings: WorkerSettings = SETTINGS,
    should_stop: Callable[[], bool] = lambda: False,
) -> delivery.DeliveryReport:
    return delivery.deliver_due(
        units=lambda: uow,
        channels={Channel.EMAIL: channel},
        settings=settings,
        clock=clock,
        should_stop=should_stop,
    )


def _stored(uow: FakeUnitOfWork, message: OutboxMessage) -> OutboxMessage:
    return uow.outbox.rows[message.id].message


def test_a_due_message_is_sent_and_audited_and_a_future_one_waits() -> None:
    due, later = _message("a@example.test"), _message("b@example.test", due_in=timedelta(hours=1))
    uow, channel = _queued(due, later), ScriptedChannel()

    report = _pass(uow, channel, MovingClock())

    assert (report.claimed, report.sent) == (1, 1)
    assert channel.delivered == [due.id]
    assert _stored(uow, due).status is MessageStatus.SENT
    assert _stored(uow, due).sent_at == T0
    assert _stored(uow, later).status is MessageStatus.PENDING
    (event,) = uow.audit.events
    assert (event.actor_role, event.action, event.resource_id, event.outcome) == (
        "system",
        "message.deliver",
        str(due.id),
        "sent",
    )
    assert event.patient_id == due.patient_id
    assert "a@example.test" not in repr(event)


def test_a_refusal_before_the_hand_over_is_retried_later_with_doubling_delays() -> None:
    message = _message("busy@example.test")
    uow, clock = _queued(message), MovingClock()
    channel = ScriptedChannel({"busy@example.test": "refuse-prepare"})

    first = _pass(uow, channel, clock)
    after_one = _stored(uow, message)
    clock.at = after_one.due_at
    _pass(uow, channel, clock)
    after_two = _stored(uow, message)

    assert first.retried == 1
    assert (after_one.status, after_one.attempts, after_one.last_error) == (
        MessageStatus.PENDING,
        1,
        "smtp 451 at RCPT",
    )
    assert after_one.due_at == T0 + timedelta(minutes=1)
    assert after_two.due_at == after_one.due_at + timedelta(minutes=2)
    assert uow.audit.events == []


def test_after_the_last_attempt_the_message_fails_and_is_audited() -> None:
    message = _message("busy@example.test")
    uow, clock = _queued(message), MovingClock()
    channel = ScriptedChannel({"busy@example.test": "refuse-end"})
    settings = WorkerSettings(worker_id="w", max_attempts=3, retry_after=timedelta(seconds=1))

    for _ in range(3):
        _pass(uow, channel, clock, settings)
        clock.at = max(clock.at, _stored(uow, message).due_at)

    stored = _stored(uow, message)
    assert (stored.status, stored.attempts) == (MessageStatus.FAILED, 3)
    assert stored.last_error == "smtp 452 at end of DATA"
    assert [e.outcome for e in uow.audit.events] == ["failed"]


def test_a_permanent_refusal_fails_at_once() -> None:
    message = _message("nobody@example.test")
    uow = _queued(message)

    report = _pass(uow, ScriptedChannel({"nobody@example.test": "reject-prepare"}), MovingClock())

    assert report.failed == 1
    assert _stored(uow, message).status is MessageStatus.FAILED


def test_no_reply_after_the_hand_over_is_uncertain_and_never_sent_again() -> None:
    message = _message("silent@example.test")
    uow, clock = _queued(message), MovingClock()
    channel = ScriptedChannel({"silent@example.test": "no-reply"})

    first = _pass(uow, channel, clock)
    clock.at += timedelta(days=1)
    second = _pass(uow, channel, clock)

    assert first.uncertain == 1
    assert second.claimed == 0
    assert _stored(uow, message).status is MessageStatus.UNCERTAIN


def test_a_slow_worker_whose_lease_was_taken_over_drops_its_copy() -> None:
    message = _message("slow@example.test")
    uow, clock = _queued(message), MovingClock()
    rescued = ScriptedChannel()
    other = WorkerSettings(worker_id="worker-b", lease=timedelta(seconds=30))

    def stall_then_someone_else_sends() -> None:
        clock.at += timedelta(seconds=31)
        _pass(uow, rescued, clock, other)

    slow = ScriptedChannel({"slow@example.test": stall_then_someone_else_sends})
    report = _pass(uow, slow, clock)

    assert report.lost == 1
    assert slow.aborted == [message.id]
    assert slow.delivered == []
    assert rescued.delivered == [message.id]
    assert _stored(uow, message).status is MessageStatus.SENT


def test_a_hand_over_left_behind_by_a_dead_worker_becomes_uncertain_once() -> None:
    message = _message()
    uow, clock = _queued(message), MovingClock()
    with uow:
        lease = OutboxLease("dead-worker", T0, T0 + timedelta(seconds=30))
        uow.outbox.claim_due(lease, limit=1)
        uow.outbox.start_handover(message.id, lease)
        uow.commit()

    clock.at += timedelta(seconds=31)
    report = _pass(uow, ScriptedChannel(), clock)
    again = _pass(uow, ScriptedChannel(), clock)

    assert (report.uncertain, report.claimed, again.uncertain) == (1, 0, 0)
    assert _stored(uow, message).status is MessageStatus.UNCERTAIN
    assert [(e.outcome, e.request_id) for e in uow.audit.events] == [("uncertain", "worker-a")]


def test_a_claim_left_behind_before_the_hand_over_is_sent_once_the_lease_lapses() -> None:
    message = _message()
    uow, clock, channel = _queued(message), MovingClock(), ScriptedChannel()
    with uow:
        uow.outbox.claim_due(OutboxLease("dead-worker", T0, T0 + timedelta(seconds=30)), limit=1)
        uow.commit()

    early = _pass(uow, channel, clock)
    clock.at += timedelta(seconds=31)
    late = _pass(uow, channel, clock)

    assert (early.claimed, late.sent) == (0, 1)
    assert _stored(uow, message).attempts == 2


def test_a_stopping_worker_gives_back_what_it_has_not_started() -> None:
    messages = [_message(f"p{i}@example.test") for i in range(3)]
    uow, channel = _queued(*messages), ScriptedChannel()
    asked = iter([False, True, True])

    report = _pass(uow, channel, MovingClock(), should_stop=lambda: next(asked))

    assert (report.claimed, report.sent, report.released) == (3, 1, 2)
    assert sorted(m.attempts for m in uow.outbox.in_status(CLINIC, MessageStatus.PENDING)) == [0, 0]


def test_a_message_for_a_channel_without_an_adapter_fails_with_the_reason() -> None:
    sms = _message("+447700900123")
    uow = _queued(replace(sms, channel=Channel.SMS))

    report = _pass(uow, ScriptedChannel(), MovingClock())

    (stored,) = uow.outbox.in_status(CLINIC, MessageStatus.FAILED)
    assert report.failed == 1
    assert stored.last_error == "no sms channel is configured"


def test_run_once_delivers_batch_after_batch_until_nothing_is_due() -> None:
    messages = [_message(f"p{i}@example.test") for i in range(25)]
    uow, channel = _queued(*messages), ScriptedChannel()

    report = delivery.run_worker(
        units=lambda: uow,
        channels={Channel.EMAIL: channel},
        settings=SETTINGS,
        clock=MovingClock(),
        loop=WorkerLoop(once=True),
    )

    assert (report.claimed, report.sent) == (25, 25)
    assert sorted(channel.delivered) == sorted(m.id for m in messages)


def test_admins_see_their_clinics_uncertain_messages_and_the_read_is_audited() -> None:
    ours, theirs = _message("silent@example.test"), _message("silent@example.test")
    theirs = replace(theirs, clinic_id=UUID(int=2))
    uow, clock = _queued(ours, theirs), MovingClock()
    _pass(uow, ScriptedChannel({"silent@example.test": "no-reply"}), clock)
    admin = StaffMember(uuid4(), CLINIC, "admin@clinic.test", "Admin", Role.ADMIN, None)
    context = RequestContext(actor=admin, request_id="req-1", auth=AuthMethod.SESSION)

    found = delivery.list_uncertain_messages(context=context, uow=uow, clock=clock)

    assert [m.id for m in found] == [ours.id]
    last = uow.audit.events[-1]
    assert (last.action, last.actor_id, last.request_id) == (
        "message.list_uncertain",
        admin.id,
        "req-1",
    )


def test_a_linked_message_gets_its_link_at_send_time_and_an_unusable_one_fails() -> None:
    link_id, dead_id = uuid4(), uuid4()
    linked = replace(
        _message("a@example.test"),
        kind=MessageKind.PORTAL_SIGN_IN,
        body=f"Sign in:\n\n{LINK_PLACEHOLDER}\n",
        idempotency_key=f"portal-sign-in:{link_id}",
    )
    dead = replace(linked, id=uuid4(), idempotency_key=f"portal-sign-in:{dead_id}")
    uow, channel = _queued(linked, dead), ScriptedChannel()
    made: list[str] = []

    def make(reference: str) -> str | None:
        made.append(reference)
        return (
            f"https://clinic.example/portal/sign-in/secret-{reference}"
            if reference == str(link_id)
            else None
        )

    links = {MessageKind.PORTAL_SIGN_IN: make}
    report = delivery.deliver_due(
        units=lambda: uow,
        channels=delivery.with_secret_links({Channel.EMAIL: channel}, links),
        settings=SETTINGS,
        clock=MovingClock(),
    )

    assert (report.sent, report.failed) == (1, 1)
    assert sorted(made) == sorted([str(link_id), str(dead_id)])
    assert (
        channel.prepared[0].body
        == f"Sign in:\n\nhttps://clinic.example/portal/sign-in/secret-{link_id}\n"
    )
    assert _stored(uow, linked).body == linked.body  # the stored body never holds the link
    assert _stored(uow, dead).status is MessageStatus.FAILED
    assert _stored(uow, dead).last_error == delivery.LINK_UNUSABLE
