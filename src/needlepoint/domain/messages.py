"""Outbound messages: what the clinic sends a patient (or itself), when, and on which channel.

A message is written to the outbox in the same transaction as the change that caused it (a
booking, a reschedule, a check-in) and delivered later by ``needlepoint worker``. Bodies carry
the minimum: a reminder says that something is due and links to the portal, where the
clinical detail sits behind the patient's sign-in (issue 5, ecosystem.md TR-3).

``idempotency_key`` names what the message is *about* (for example one appointment's T−24 h
reminder at one start time, on one channel); the outbox never holds two messages with the
same key, so planning the same reminders twice queues them once.

A message that carries a secret link (a portal sign-in, a staff invite, a password reset)
never stores it (ADR 0037): its body holds ``LINK_PLACEHOLDER`` and its key ends with the
link's id (``<purpose>:<id>``); the worker asks the link's area for a fresh secret when it
sends, and only that secret's hash is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID


class Channel(StrEnum):
    """How a message travels."""

    EMAIL = "email"
    SMS = "sms"


class MessageKind(StrEnum):
    """Why a message is sent."""

    PRE_CARE = "pre_care"
    APPOINTMENT_REMINDER = "appointment_reminder"
    AFTERCARE = "aftercare"
    NEXT_SESSION_RECALL = "next_session_recall"
    SERIES_END = "series_end"
    OUTCOME_REVIEW = "outcome_review"
    PORTAL_SIGN_IN = "portal_sign_in"
    CLINIC_ALERT = "clinic_alert"
    STAFF_INVITE = "staff_invite"
    PASSWORD_RESET = "password_reset"


LINK_PLACEHOLDER = "{secret-link}"
"""Stands in a stored body for a link whose secret is made only when the message is sent."""

LINKED_KINDS = frozenset(
    {MessageKind.PORTAL_SIGN_IN, MessageKind.STAFF_INVITE, MessageKind.PASSWORD_RESET}
)
"""The kinds of message whose body carries a secret link, made at send time."""


def link_reference(idempotency_key: str) -> str:
    """The id of the link a linked message is about: its key's last ``:`` part."""
    return idempotency_key.rpartition(":")[2]


def with_link(body: str, url: str) -> str:
    """A linked message's body with its link put in (done only when it is sent)."""
    return body.replace(LINK_PLACEHOLDER, url)


class MessageStatus(StrEnum):
    """Where a message is in its delivery.

    ``pending`` → ``sending`` (claimed by a worker under a lease) → ``handing_over`` (the
    message text has been given to the server; only the final "end of data" remains) →
    ``sent``. A worker that dies while ``sending`` leaves a message that is safe to send again
    once the lease lapses; one that dies while ``handing_over`` leaves a message that may have
    been delivered, which is never sent again blindly: it becomes ``uncertain`` for a person to
    check (at most once per key).
    """

    PENDING = "pending"
    SENDING = "sending"
    HANDING_OVER = "handing_over"
    SENT = "sent"
    CANCELLED = "cancelled"
    FAILED = "failed"
    UNCERTAIN = "uncertain"


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """One message to deliver at or after ``due_at`` (an aware instant)."""

    id: UUID
    clinic_id: UUID
    patient_id: UUID | None
    appointment_id: UUID | None
    kind: MessageKind
    channel: Channel
    recipient: str
    subject: str
    body: str
    due_at: datetime
    idempotency_key: str
    created_at: datetime
    status: MessageStatus = MessageStatus.PENDING
    attempts: int = 0
    sent_at: datetime | None = None
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class OutboxLease:
    """A worker's claim on messages: who holds them, at which instant, and until when."""

    worker_id: str
    now: datetime
    until: datetime


@dataclass(frozen=True, slots=True)
class DeliveryOutcome:
    """How one delivery attempt ended.

    ``sent`` (with ``at``), ``pending`` again (a retry at ``retry_at``), ``failed`` or
    ``uncertain``. ``error`` says why without patient data (a stage and a code, never a
    server's reply text, which may quote the address).
    """

    status: MessageStatus
    at: datetime
    retry_at: datetime | None = None
    error: str | None = None
