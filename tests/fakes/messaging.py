"""Fakes of the messaging area's repositories (``services/messaging/ports.py``): the outbox."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TypedDict, Unpack
from uuid import UUID

from fakes.database import FakeDatabase, OutboxRow
from needlepoint.domain.messages import (
    DeliveryOutcome,
    MessageKind,
    MessageStatus,
    OutboxLease,
    OutboxMessage,
)

Lease = tuple[str | None, datetime | None]
"""A message's lease: the worker holding it and until when."""

RELEASED: Lease = (None, None)


class MessageChanges(TypedDict, total=False):
    """The fields of a stored message the outbox changes."""

    status: MessageStatus
    attempts: int
    due_at: datetime
    sent_at: datetime | None
    last_error: str | None


def _settled(outcome: DeliveryOutcome) -> MessageChanges:
    """What a delivery's outcome changes, as the adapter's UPDATE does."""
    changes: MessageChanges = {"status": outcome.status, "last_error": outcome.error}
    if outcome.status is MessageStatus.SENT:
        changes["sent_at"] = outcome.at
    if outcome.retry_at is not None:
        changes["due_at"] = outcome.retry_at
    return changes


class FakeOutbox:
    """The outbox in memory, with the worker's claim, hand-over and settle rules."""

    def __init__(self, database: FakeDatabase) -> None:
        self.rows = database.outbox

    def add(self, message: OutboxMessage) -> bool:
        same = [
            r for r in self.rows.values() if r.message.idempotency_key == message.idempotency_key
        ]
        if same and same[0].message.status is not MessageStatus.CANCELLED:
            return False
        kept_id = same[0].message.id if same else message.id
        self.rows[kept_id] = OutboxRow(replace(message, id=kept_id))
        return True

    def _set(
        self, row: OutboxRow, lease: Lease | None = None, **changes: Unpack[MessageChanges]
    ) -> None:
        """Change a stored message, and its lease (``lease``: owner and until; None keeps it)."""
        owner, until = (row.lease_owner, row.lease_until) if lease is None else lease
        self.rows[row.message.id] = OutboxRow(replace(row.message, **changes), owner, until)

    def _cancel(self, keep: Callable[[OutboxRow], bool]) -> int:
        chosen = [
            r for r in self.rows.values() if r.message.status is MessageStatus.PENDING and keep(r)
        ]
        for row in chosen:
            self._set(row, status=MessageStatus.CANCELLED)
        return len(chosen)

    def cancel_pending(
        self, clinic_id: UUID, appointment_id: UUID, kinds: Collection[MessageKind] | None = None
    ) -> int:
        return self._cancel(
            lambda r: (
                (r.message.clinic_id, r.message.appointment_id) == (clinic_id, appointment_id)
                and (kinds is None or r.message.kind in kinds)
            )
        )

    def cancel_pending_of_kind(self, clinic_id: UUID, patient_id: UUID, kind: MessageKind) -> int:
        return self._cancel(
            lambda r: (
                (r.message.clinic_id, r.message.patient_id, r.message.kind)
                == (clinic_id, patient_id, kind)
            )
        )

    def _sorted(self, keep: Callable[[OutboxRow], bool]) -> list[OutboxMessage]:
        found = [r.message for r in self.rows.values() if keep(r)]
        return sorted(found, key=lambda m: (m.due_at, str(m.id)))

    def for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[OutboxMessage]:
        return self._sorted(
            lambda r: (r.message.clinic_id, r.message.patient_id) == (clinic_id, patient_id)
        )

    def in_status(self, clinic_id: UUID, status: MessageStatus) -> Sequence[OutboxMessage]:
        return self._sorted(
            lambda r: r.message.clinic_id == clinic_id and r.message.status is status
        )

    def claim_due(self, lease: OutboxLease, *, limit: int) -> Sequence[OutboxMessage]:
        def due(row: OutboxRow) -> bool:
            m = row.message
            if m.status is MessageStatus.PENDING:
                return m.due_at <= lease.now
            lapsed = row.lease_until is not None and row.lease_until < lease.now
            return m.status is MessageStatus.SENDING and lapsed

        for message in self._sorted(due)[:limit]:
            self._set(
                self.rows[message.id],
                status=MessageStatus.SENDING,
                attempts=message.attempts + 1,
                lease=(lease.worker_id, lease.until),
            )
        return self._sorted(
            lambda r: r.lease_owner == lease.worker_id and r.message.status is MessageStatus.SENDING
        )[:limit]

    def expire_handovers(self, now: datetime) -> Sequence[OutboxMessage]:
        lapsed = self._sorted(
            lambda r: (
                r.message.status is MessageStatus.HANDING_OVER
                and r.lease_until is not None
                and r.lease_until < now
            )
        )
        for message in lapsed:
            self._set(
                self.rows[message.id],
                status=MessageStatus.UNCERTAIN,
                lease=RELEASED,
            )
        return [self.rows[m.id].message for m in lapsed]

    def start_handover(self, message_id: UUID, lease: OutboxLease) -> bool:
        row = self.rows.get(message_id)
        if (
            row is None
            or row.message.status is not MessageStatus.SENDING
            or row.lease_owner != lease.worker_id
            or row.lease_until is None
            or row.lease_until < lease.now
        ):
            return False
        self._set(row, (row.lease_owner, lease.until), status=MessageStatus.HANDING_OVER)
        return True

    def settle(self, message_id: UUID, worker_id: str, outcome: DeliveryOutcome) -> bool:
        row = self.rows.get(message_id)
        held = {MessageStatus.SENDING, MessageStatus.HANDING_OVER}
        if row is None or row.lease_owner != worker_id or row.message.status not in held:
            return False
        self._set(row, RELEASED, **_settled(outcome))
        return True

    def resolve_uncertain(
        self, clinic_id: UUID, message_id: UUID, outcome: DeliveryOutcome
    ) -> OutboxMessage | None:
        row = self.rows.get(message_id)
        if (
            row is None
            or row.message.clinic_id != clinic_id
            or row.message.status is not MessageStatus.UNCERTAIN
        ):
            return None
        self._set(row, **_settled(outcome))
        return self.rows[message_id].message

    def release(self, worker_id: str, message_ids: Sequence[UUID]) -> int:
        chosen = [
            self.rows[i]
            for i in message_ids
            if i in self.rows
            and self.rows[i].lease_owner == worker_id
            and self.rows[i].message.status is MessageStatus.SENDING
        ]
        for row in chosen:
            self._set(
                row,
                status=MessageStatus.PENDING,
                attempts=row.message.attempts - 1,
                lease=RELEASED,
            )
        return len(chosen)
