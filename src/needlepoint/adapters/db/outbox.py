"""The outbox: messages queued in the caller's transaction, one per idempotency key.

Delivery (claiming due rows under a lease, handing them to a channel, marking them sent) is
the worker's business and lives beside this in the worker's adapter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, RowMapping, insert, select, update
from sqlalchemy.exc import IntegrityError

from needlepoint.adapters.db import tables as t
from needlepoint.domain.messages import Channel, MessageKind, MessageStatus, OutboxMessage

ConnectionSource = Callable[[], Connection]


class SqlOutboxRepository:
    """Queued messages."""

    def __init__(self, connection: ConnectionSource) -> None:
        self._connection = connection

    def add(self, message: OutboxMessage) -> bool:
        """Queue a message; False when one with the same idempotency key is already queued."""
        connection = self._connection()
        key = t.outbox_message.c.idempotency_key
        if connection.execute(select(key).where(key == message.idempotency_key)).first():
            return False
        try:
            with connection.begin_nested():
                connection.execute(insert(t.outbox_message).values(message_values(message)))
        except IntegrityError:
            if connection.execute(select(key).where(key == message.idempotency_key)).first():
                return False
            raise
        return True

    def cancel_pending(self, clinic_id: UUID, appointment_id: UUID) -> int:
        """Cancel an appointment's messages that no worker has claimed."""
        columns = t.outbox_message.c
        statement = (
            update(t.outbox_message)
            .where(
                columns.clinic_id == clinic_id,
                columns.appointment_id == appointment_id,
                columns.status == MessageStatus.PENDING.value,
            )
            .values(status=MessageStatus.CANCELLED.value)
        )
        return int(self._connection().execute(statement).rowcount)

    def for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[OutboxMessage]:
        """A patient's messages, soonest due first."""
        columns = t.outbox_message.c
        query = (
            select(t.outbox_message)
            .where(columns.clinic_id == clinic_id, columns.patient_id == patient_id)
            .order_by(columns.due_at, columns.id)
        )
        return [message_from_row(row) for row in self._connection().execute(query).mappings()]


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
