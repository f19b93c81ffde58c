"""The messaging area's ports: the outbox.

Every repository method is scoped by clinic: a record of another clinic is indistinguishable
from one that does not exist.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

from needlepoint.domain.messages import (
    DeliveryOutcome,
    MessageKind,
    MessageStatus,
    OutboxLease,
    OutboxMessage,
)
from needlepoint.services.ports import (
    HasAppointments,
    HasAudit,
    HasClinics,
    HasConsultations,
    HasOutbox,
    HasPatients,
    HasSeries,
    Transaction,
)


class OutboxRepository(Protocol):
    """Messages waiting to be delivered, written in the caller's transaction."""

    def add(self, message: OutboxMessage) -> bool:
        """Queue a message; False (and nothing written) when its idempotency key is queued."""
        ...

    def cancel_pending(
        self,
        clinic_id: UUID,
        appointment_id: UUID,
        kinds: Collection[MessageKind] | None = None,
    ) -> int:
        """Cancel an appointment's messages not yet handed over (claimed ones too); how many.

        ``kinds`` limits it to messages of those kinds (None: every kind).
        """
        ...

    def for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[OutboxMessage]:
        """A patient's messages, soonest due first."""
        ...

    def cancel_pending_of_kind(self, clinic_id: UUID, patient_id: UUID, kind: MessageKind) -> int:
        """Cancel a patient's messages of one kind not yet handed over (e.g. recalls)."""
        ...

    def in_status(self, clinic_id: UUID, status: MessageStatus) -> Sequence[OutboxMessage]:
        """A clinic's messages in one status, soonest due first."""
        ...

    def resolve_uncertain(
        self, clinic_id: UUID, message_id: UUID, outcome: DeliveryOutcome
    ) -> OutboxMessage | None:
        """Settle an ``uncertain`` message (sent, or pending again); None if it is not one."""
        ...

    # --- Delivery (the worker), each call in its own short transaction (ADR 0016) ---

    def claim_due(self, lease: OutboxLease, *, limit: int) -> Sequence[OutboxMessage]:
        """Claim up to ``limit`` due messages for ``lease.worker_id``, counting an attempt.

        Due: ``pending`` with ``due_at`` reached, or ``sending`` whose lease has lapsed (a
        worker died before handing it over). Two workers never claim the same message.
        """
        ...

    def expire_handovers(self, now: datetime) -> Sequence[OutboxMessage]:
        """Mark ``uncertain`` every ``handing_over`` message whose lease lapsed; return them."""
        ...

    def start_handover(self, message_id: UUID, lease: OutboxLease) -> bool:
        """``sending`` → ``handing_over`` if this worker still holds a live lease on it.

        The lease is extended to ``lease.until``. False when the lease was lost or lapsed.
        """
        ...

    def settle(self, message_id: UUID, worker_id: str, outcome: DeliveryOutcome) -> bool:
        """Record how a claimed message's delivery ended, if this worker still holds it."""
        ...

    def release(self, worker_id: str, message_ids: Sequence[UUID]) -> int:
        """Give back claimed messages not yet handed over (``sending`` → ``pending``)."""
        ...


class MessagingUnitOfWork(
    Transaction,
    HasAudit,
    HasClinics,
    HasPatients,
    HasConsultations,
    HasSeries,
    HasAppointments,
    HasOutbox,
    Protocol,
):
    """One transaction over the outbox, with what a reminder is made from."""


class OutboxTransaction(Transaction, HasAudit, HasOutbox, Protocol):
    """One audited transaction over the outbox: a step of the worker, or a person's review."""


class ReminderReads(
    HasClinics, HasPatients, HasConsultations, HasSeries, HasAppointments, Protocol
):
    """Read what an appointment's reminders are made from (clinic, patient, series, bookings)."""


class ReminderPlanning(ReminderReads, HasOutbox, Protocol):
    """Plan an appointment's reminders from what it reads, into the outbox."""


class DeliveryError(Exception):
    """A channel did not deliver the message; nothing reached the recipient.

    ``reason`` names the stage and a code (``smtp 451 at RCPT``), never patient data, because
    it is stored in ``last_error`` and shown to staff. ``permanent`` errors are not retried.
    """

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class UncertainDeliveryError(DeliveryError):
    """The final step was sent but no answer came back: the message may have been delivered."""


class Handover(Protocol):
    """A message given to a channel up to its final step."""

    def complete(self) -> None:
        """Send the final step and read the answer.

        Raises:
            DeliveryError: The server refused the message (it was not delivered).
            UncertainDeliveryError: The answer never came; it may have been delivered.
        """
        ...

    def abort(self) -> None:
        """Drop the exchange without the final step (nothing is delivered)."""
        ...


class MessageChannel(Protocol):
    """A way to send messages (email over SMTP, SMS through a gateway)."""

    def prepare(self, message: OutboxMessage) -> Handover:
        """Do everything but the final step of sending ``message``.

        Raises:
            DeliveryError: The channel could not get that far (nothing was delivered).
        """
        ...
