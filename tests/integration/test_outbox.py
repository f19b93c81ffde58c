"""The outbox's worker operations on a real database (SQLite, and PostgreSQL when reachable).

Each test has a database of its own: claims are not scoped by clinic.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import UUID

from sqlalchemy import Engine

from fakes import AUDIT_KEY, FIELD_KEYS
from needlepoint.adapters.db.engine import make_engine
from needlepoint.adapters.db.unit_of_work import SqlAlchemyUnitOfWork
from needlepoint.domain.messages import DeliveryOutcome, MessageKind, MessageStatus, OutboxLease
from outbox_support import make_message, queue, seed_clinic, status_counts, stored

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)


def lease(worker: str, at: datetime = NOW) -> OutboxLease:
    return OutboxLease(worker, at, at + LEASE)


def claim(engine: Engine, worker: str, *, at: datetime = NOW, limit: int = 10) -> list[UUID]:
    with SqlAlchemyUnitOfWork(engine) as uow:
        claimed = [m.id for m in uow.outbox.claim_due(lease(worker, at), limit=limit)]
        uow.commit()
    return claimed


def test_only_due_messages_are_claimed_soonest_first_with_an_attempt_counted(
    fresh_engine: Engine,
) -> None:
    clinic = seed_clinic(fresh_engine)
    later = make_message(clinic, 1, due_at=NOW + timedelta(seconds=1))
    second = make_message(clinic, 2, due_at=NOW - timedelta(minutes=1))
    first = make_message(clinic, 3, due_at=NOW - timedelta(minutes=2))
    cancelled = make_message(clinic, 4, due_at=NOW - timedelta(minutes=3))
    queue(fresh_engine, [later, second, first, cancelled])
    with SqlAlchemyUnitOfWork(fresh_engine) as uow:
        uow.outbox.cancel_pending_of_kind(
            clinic, cancelled.patient_id or clinic, MessageKind.APPOINTMENT_REMINDER
        )
        uow.commit()

    claimed = claim(fresh_engine, "w1")
    nothing_more = claim(fresh_engine, "w2")

    assert claimed == [first.id, second.id]
    assert nothing_more == []
    assert stored(fresh_engine, first.id).attempts == 1
    assert stored(fresh_engine, first.id).status is MessageStatus.SENDING
    assert status_counts(fresh_engine) == {"sending": 2, "pending": 1, "cancelled": 1}


def test_a_lapsed_claim_is_taken_over_but_only_by_the_holder_can_it_be_handed_over(
    fresh_engine: Engine,
) -> None:
    message = make_message(seed_clinic(fresh_engine), 1, due_at=NOW)
    queue(fresh_engine, [message])
    claim(fresh_engine, "dead")

    early = claim(fresh_engine, "rescuer", at=NOW + LEASE - timedelta(seconds=1))
    late = claim(fresh_engine, "rescuer", at=NOW + LEASE + timedelta(seconds=1))
    with SqlAlchemyUnitOfWork(fresh_engine) as uow:
        dead_hands_over = uow.outbox.start_handover(message.id, lease("dead", NOW))
        rescuer_hands_over = uow.outbox.start_handover(message.id, lease("rescuer", NOW + LEASE))
        dead_settles = uow.outbox.settle(
            message.id, "dead", DeliveryOutcome(MessageStatus.SENT, at=NOW)
        )
        rescuer_settles = uow.outbox.settle(
            message.id, "rescuer", DeliveryOutcome(MessageStatus.SENT, at=NOW + LEASE)
        )
        uow.commit()

    assert (early, late) == ([], [message.id])
    assert (dead_hands_over, rescuer_hands_over) == (False, True)
    assert (dead_settles, rescuer_settles) == (False, True)
    sent = stored(fresh_engine, message.id)
    assert (sent.status, sent.attempts, sent.sent_at) == (MessageStatus.SENT, 2, NOW + LEASE)


def test_a_lapsed_hand_over_becomes_uncertain_once_and_is_never_claimed_again(
    fresh_engine: Engine,
) -> None:
    message = make_message(seed_clinic(fresh_engine), 1, due_at=NOW)
    queue(fresh_engine, [message])
    claim(fresh_engine, "dead")
    with SqlAlchemyUnitOfWork(fresh_engine) as uow:
        assert uow.outbox.start_handover(message.id, lease("dead"))
        not_yet = uow.outbox.expire_handovers(NOW + LEASE - timedelta(seconds=1))
        expired = uow.outbox.expire_handovers(NOW + LEASE + timedelta(seconds=1))
        again = uow.outbox.expire_handovers(NOW + LEASE + timedelta(seconds=2))
        uncertain = uow.outbox.in_status(message.clinic_id, MessageStatus.UNCERTAIN)
        uow.commit()

    assert (not_yet, [m.id for m in expired], again) == ([], [message.id], [])
    assert [m.id for m in uncertain] == [message.id]
    assert claim(fresh_engine, "later", at=NOW + timedelta(days=1)) == []


def test_a_retry_waits_until_its_time_and_a_release_gives_back_the_attempt(
    fresh_engine: Engine,
) -> None:
    clinic = seed_clinic(fresh_engine)
    retried, released = (make_message(clinic, n, due_at=NOW) for n in (1, 2))
    queue(fresh_engine, [retried, released])
    claim(fresh_engine, "w")
    retry_at = NOW + timedelta(minutes=1)
    with SqlAlchemyUnitOfWork(fresh_engine) as uow:
        outcome = DeliveryOutcome(
            MessageStatus.PENDING, at=NOW, retry_at=retry_at, error="smtp 451 at RCPT"
        )
        uow.outbox.settle(retried.id, "w", outcome)
        given_back = uow.outbox.release("w", [released.id, retried.id])
        uow.commit()

    assert given_back == 1
    assert stored(fresh_engine, released.id).attempts == 0
    assert stored(fresh_engine, retried.id).last_error == "smtp 451 at RCPT"
    assert claim(fresh_engine, "w", at=retry_at - timedelta(seconds=1)) == [released.id]
    assert claim(fresh_engine, "w", at=retry_at) == [retried.id]


def test_a_cancelled_message_is_queued_again_under_its_key_and_a_live_one_is_not(
    fresh_engine: Engine,
) -> None:
    clinic = seed_clinic(fresh_engine)
    message = make_message(clinic, 1, due_at=NOW)
    queue(fresh_engine, [message])
    with SqlAlchemyUnitOfWork(fresh_engine) as uow:
        twice = uow.outbox.add(replace(message, body="changed"))
        uow.outbox.cancel_pending_of_kind(
            clinic, message.patient_id or clinic, MessageKind.APPOINTMENT_REMINDER
        )
        revived = uow.outbox.add(replace(message, body="moved back", due_at=NOW + LEASE))
        uow.commit()

    again = stored(fresh_engine, message.id)
    assert (twice, revived) == (False, True)
    assert (again.status, again.body, again.due_at) == (
        MessageStatus.PENDING,
        "moved back",
        NOW + LEASE,
    )


def test_workers_claiming_at_the_same_time_never_share_a_message(fresh_engine: Engine) -> None:
    clinic = seed_clinic(fresh_engine)
    messages = [make_message(clinic, n, due_at=NOW) for n in range(120)]
    queue(fresh_engine, messages)
    engines = [
        make_engine(
            fresh_engine.url.render_as_string(hide_password=False),
            audit_key=AUDIT_KEY,
            field_keys=FIELD_KEYS,
        )
        for _ in "ab"
    ]
    claims: dict[str, list[UUID]] = {"a": [], "b": [], "c": [], "d": []}
    start = threading.Barrier(len(claims))

    def work(worker: str, engine: Engine) -> None:
        start.wait()
        while batch := claim(engine, worker, limit=7):
            claims[worker].extend(batch)

    threads = [
        threading.Thread(target=work, args=(w, engines[i % 2])) for i, w in enumerate(claims)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for engine in engines:
        engine.dispose()

    everything = [i for batch in claims.values() for i in batch]
    assert sorted(everything) == sorted(m.id for m in messages)
    assert len(set(everything)) == len(everything)


def test_cancelling_reaches_a_claimed_message_but_not_one_being_handed_over(
    fresh_engine: Engine,
) -> None:
    clinic = seed_clinic(fresh_engine)
    claimed, handing = (make_message(clinic, n, due_at=NOW) for n in (1, 2))
    queue(fresh_engine, [claimed, handing])
    claim(fresh_engine, "w1")
    with SqlAlchemyUnitOfWork(fresh_engine) as uow:
        assert uow.outbox.start_handover(handing.id, lease("w1"))
        cancelled = sum(
            uow.outbox.cancel_pending_of_kind(clinic, m.patient_id or clinic, m.kind)
            for m in (claimed, handing)
        )
        uow.commit()
    with SqlAlchemyUnitOfWork(fresh_engine) as uow:
        hands_over = uow.outbox.start_handover(claimed.id, lease("w1"))
        settles = uow.outbox.settle(claimed.id, "w1", DeliveryOutcome(MessageStatus.SENT, at=NOW))
        uow.commit()

    assert cancelled == 1
    assert (hands_over, settles) == (False, False)  # the worker drops it before the message ends
    assert stored(fresh_engine, claimed.id).status is MessageStatus.CANCELLED
    assert stored(fresh_engine, handing.id).status is MessageStatus.HANDING_OVER
