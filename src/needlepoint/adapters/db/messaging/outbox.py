"""The outbox: messages queued in the caller's transaction, one per idempotency key.

The worker's operations (ADR 0016) are here too, each run by the worker in its own short
transaction: ``claim_due`` takes due rows under a lease (on PostgreSQL ``FOR UPDATE SKIP
LOCKED``; on SQLite the transaction already holds the write lock from ``BEGIN IMMEDIATE``, so
the ``UPDATE … RETURNING`` is serialised), and every later step is a conditional update that
succeeds only for the worker still holding the message in the expected status.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, Final
from uuid import UUID

from sqlalchemy import ColumnElement, RowMapping, and_, or_, select, update

from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.repository import SqlRepository, of_patient, upsert
from needlepoint.domain.messages import (
    Channel,
    DeliveryOutcome,
    MessageKind,
    MessageStatus,
    OutboxLease,
    OutboxMessage,
)

_CANCELLABLE: Final = (MessageStatus.PENDING.value, MessageStatus.SENDING.value)
"""Statuses a cancellation reaches: queued, or claimed by a worker but not yet handed over."""

_CANCELLED: Final = {
    "status": MessageStatus.CANCELLED.value,
    "lease_owner": None,
    "lease_until": None,
}


class SqlOutboxRepository(SqlRepository):
    """Queued messages."""

    def add(self, message: OutboxMessage) -> bool:
        """Queue a message; False when one with the same idempotency key is already queued.

        A cancelled message with the key is queued again with the new content (an appointment
        moved away and back gets its reminders back).
        """
        connection = self._connection()
        statement = (
            upsert(connection, t.outbox_message)
            .values(message_values(message))
            .on_conflict_do_nothing(index_elements=["idempotency_key"])
            .returning(t.outbox_message.c.id)
        )
        if connection.execute(statement).first() is not None:
            return True
        return self._revive(message)

    def _revive(self, message: OutboxMessage) -> bool:
        columns = t.outbox_message.c
        values = message_values(message)
        del values["id"]
        statement = (
            update(t.outbox_message)
            .where(
                columns.idempotency_key == message.idempotency_key,
                columns.status == MessageStatus.CANCELLED.value,
            )
            .values(**values, lease_owner=None, lease_until=None)
        )
        return bool(self._connection().execute(statement).rowcount)

    def cancel_pending(
        self,
        clinic_id: UUID,
        appointment_id: UUID,
        kinds: Collection[MessageKind] | None = None,
    ) -> int:
        """Cancel an appointment's messages not yet handed over, claimed ones included.

        ``kinds`` limits it to messages of those kinds (None: every kind). A worker holding a
        claimed one finds it gone at its hand-over and drops the connection before the
        message's end, so the server discards it.
        """
        columns = t.outbox_message.c
        which = [columns.clinic_id == clinic_id, columns.appointment_id == appointment_id]
        if kinds is not None:
            which.append(columns.kind.in_(sorted(k.value for k in kinds)))
        return self._cancel(*which)

    def for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[OutboxMessage]:
        """A patient's messages, soonest due first."""
        columns = t.outbox_message.c
        query = of_patient(t.outbox_message, clinic_id, patient_id).order_by(
            columns.due_at, columns.id
        )
        return self._all(query, message_from_row)

    def cancel_pending_of_kind(self, clinic_id: UUID, patient_id: UUID, kind: MessageKind) -> int:
        """Cancel a patient's messages of one kind not yet handed over (e.g. recalls)."""
        columns = t.outbox_message.c
        return self._cancel(
            columns.clinic_id == clinic_id,
            columns.patient_id == patient_id,
            columns.kind == kind.value,
        )

    def _cancel(self, *which: ColumnElement[bool]) -> int:
        columns = t.outbox_message.c
        statement = (
            update(t.outbox_message)
            .where(*which, columns.status.in_(_CANCELLABLE))
            .values(_CANCELLED)
        )
        return int(self._connection().execute(statement).rowcount)

    def in_status(self, clinic_id: UUID, status: MessageStatus) -> Sequence[OutboxMessage]:
        """A clinic's messages in one status, soonest due first."""
        columns = t.outbox_message.c
        query = (
            select(t.outbox_message)
            .where(columns.clinic_id == clinic_id, columns.status == status.value)
            .order_by(columns.due_at, columns.id)
        )
        return self._all(query, message_from_row)

    def resolve_uncertain(
        self, clinic_id: UUID, message_id: UUID, outcome: DeliveryOutcome
    ) -> OutboxMessage | None:
        """Settle an ``uncertain`` message as a person found it: sent, or to send again."""
        columns = t.outbox_message.c
        statement = (
            update(t.outbox_message)
            .where(
                columns.id == message_id,
                columns.clinic_id == clinic_id,
                columns.status == MessageStatus.UNCERTAIN.value,
            )
            .values(_outcome_values(outcome))
            .returning(*t.outbox_message.c)
        )
        return self._one(statement, message_from_row)

    # --- Delivery -------------------------------------------------------------------------

    def claim_due(self, lease: OutboxLease, *, limit: int) -> Sequence[OutboxMessage]:
        """Claim up to ``limit`` due messages for ``lease.worker_id``, counting an attempt."""
        columns = t.outbox_message.c
        chosen = (
            select(columns.id)
            .where(_is_due(lease.now))
            .order_by(columns.due_at, columns.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        statement = (
            update(t.outbox_message)
            .where(columns.id.in_(chosen.scalar_subquery()), _is_due(lease.now))
            .values(
                status=MessageStatus.SENDING.value,
                lease_owner=lease.worker_id,
                lease_until=lease.until,
                attempts=columns.attempts + 1,
            )
            .returning(*t.outbox_message.c)
        )
        rows = self._connection().execute(statement).mappings().all()
        return sorted((message_from_row(r) for r in rows), key=lambda m: (m.due_at, str(m.id)))

    def expire_handovers(self, now: datetime) -> Sequence[OutboxMessage]:
        """Mark ``uncertain`` every ``handing_over`` message whose lease lapsed; return them."""
        columns = t.outbox_message.c
        statement = (
            update(t.outbox_message)
            .where(
                columns.status == MessageStatus.HANDING_OVER.value,
                columns.lease_until < now,
            )
            .values(
                status=MessageStatus.UNCERTAIN.value,
                lease_owner=None,
                lease_until=None,
                last_error="the worker stopped while handing the message over",
            )
            .returning(*t.outbox_message.c)
        )
        return self._all(statement, message_from_row)

    def start_handover(self, message_id: UUID, lease: OutboxLease) -> bool:
        """``sending`` → ``handing_over`` if this worker still holds a live lease on it."""
        columns = t.outbox_message.c
        statement = (
            update(t.outbox_message)
            .where(
                columns.id == message_id,
                columns.status == MessageStatus.SENDING.value,
                columns.lease_owner == lease.worker_id,
                columns.lease_until >= lease.now,
            )
            .values(status=MessageStatus.HANDING_OVER.value, lease_until=lease.until)
        )
        return bool(self._connection().execute(statement).rowcount)

    def settle(self, message_id: UUID, worker_id: str, outcome: DeliveryOutcome) -> bool:
        """Record how a claimed message's delivery ended, if this worker still holds it."""
        columns = t.outbox_message.c
        statement = (
            update(t.outbox_message)
            .where(
                columns.id == message_id,
                columns.lease_owner == worker_id,
                columns.status.in_(_HELD),
            )
            .values({**_outcome_values(outcome), "lease_owner": None, "lease_until": None})
        )
        return bool(self._connection().execute(statement).rowcount)

    def release(self, worker_id: str, message_ids: Sequence[UUID]) -> int:
        """Give back claimed messages not yet handed over (``sending`` → ``pending``)."""
        if not message_ids:
            return 0
        columns = t.outbox_message.c
        statement = (
            update(t.outbox_message)
            .where(
                columns.id.in_(list(message_ids)),
                columns.lease_owner == worker_id,
                columns.status == MessageStatus.SENDING.value,
            )
            .values(
                status=MessageStatus.PENDING.value,
                lease_owner=None,
                lease_until=None,
                attempts=columns.attempts - 1,
            )
        )
        return int(self._connection().execute(statement).rowcount)


_HELD = (MessageStatus.SENDING.value, MessageStatus.HANDING_OVER.value)


def _is_due(now: datetime) -> ColumnElement[bool]:
    """Pending and due, or claimed by a worker whose lease has lapsed before the handover."""
    columns = t.outbox_message.c
    return or_(
        and_(columns.status == MessageStatus.PENDING.value, columns.due_at <= now),
        and_(columns.status == MessageStatus.SENDING.value, columns.lease_until < now),
    )


def _outcome_values(outcome: DeliveryOutcome) -> dict[str, Any]:
    """The columns a delivery's outcome sets: its status and error, when sent, when to retry."""
    values: dict[str, Any] = {"status": outcome.status.value, "last_error": outcome.error}
    if outcome.status is MessageStatus.SENT:
        values["sent_at"] = outcome.at
    if outcome.retry_at is not None:
        values["due_at"] = outcome.retry_at
    return values


def message_values(message: OutboxMessage) -> dict[str, Any]:
    """The row of a message."""
    return {
        "id": message.id,
        "clinic_id": message.clinic_id,
        "patient_id": message.patient_id,
        "appointment_id": message.appointment_id,
        "kind": message.kind.value,
        "channel": message.channel.value,
        "recipient": message.recipient,
        "subject": message.subject,
        "body": message.body,
        "due_at": message.due_at,
        "idempotency_key": message.idempotency_key,
        "status": message.status.value,
        "attempts": message.attempts,
        "sent_at": message.sent_at,
        "last_error": message.last_error,
        "created_at": message.created_at,
    }


def message_from_row(row: RowMapping) -> OutboxMessage:
    """A message from its row."""
    return OutboxMessage(
        id=row["id"],
        clinic_id=row["clinic_id"],
        patient_id=row["patient_id"],
        appointment_id=row["appointment_id"],
        kind=MessageKind(row["kind"]),
        channel=Channel(row["channel"]),
        recipient=row["recipient"],
        subject=row["subject"],
        body=row["body"],
        due_at=row["due_at"],
        idempotency_key=row["idempotency_key"],
        created_at=row["created_at"],
        status=MessageStatus(row["status"]),
        attempts=row["attempts"],
        sent_at=row["sent_at"],
        last_error=row["last_error"],
    )
