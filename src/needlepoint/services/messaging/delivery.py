"""Use case: deliver due outbox messages, each exactly once (``needlepoint worker``, ADR 0016).

A worker claims due messages under a lease, then hands each to its channel in two steps so
that the database always knows how far a send got:

1. ``sending`` (claimed, committed) → the channel's ``prepare`` does everything but the final
   step (SMTP: connect, MAIL, RCPT, DATA and the text, without the terminating ``.``). A worker
   that dies here leaves nothing delivered: a server discards a message whose DATA never ended.
   Once the lease lapses another worker claims the message again.
2. ``handing_over`` committed (the lease is renewed) → ``complete`` sends the final step and
   reads the answer → ``sent`` committed. A worker that dies between the two commits may or
   may not have delivered the message; it is never sent again blindly but marked
   ``uncertain`` once its lease lapses, for a person to check (``list_uncertain_messages``).

Every step after the claim is conditional on this worker still holding the message, so a slow
worker whose lease lapsed cannot finish what another worker has taken over.

A message carrying a secret link (``domain.messages.LINKED_KINDS``) is stored without it: as
it is prepared (``with_secret_links``) the worker asks the link's area for a fresh secret
(``SecretLinks``), which stores only its hash, and puts the link in the body it hands over;
the outbox row never holds it (ADR 0037). A link that can no longer be used (expired, used,
withdrawn) fails the message for good. Each attempt makes a new secret, so only the last one
sent works.

Failures before the hand-over are retried with doubling delays, up to ``max_attempts``; a
permanent refusal (an SMTP 5xx) fails at once. Logs carry ids and counts, never an address or
a body.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from uuid import UUID

from needlepoint.domain.errors import NotFoundError
from needlepoint.domain.messages import (
    LINKED_KINDS,
    Channel,
    DeliveryOutcome,
    MessageKind,
    MessageStatus,
    OutboxLease,
    OutboxMessage,
    link_reference,
    with_link,
)
from needlepoint.domain.records import AuditEvent
from needlepoint.services import audit, permissions
from needlepoint.services.messaging.ports import (
    DeliveryError,
    Handover,
    MessageChannel,
    OutboxTransaction,
    UncertainDeliveryError,
)
from needlepoint.services.permissions import Action
from needlepoint.services.ports import Clock

logger = logging.getLogger("needlepoint.worker")

SYSTEM_ROLE = "system"
"""The actor role of audit events written by the worker (no member of staff acts)."""


@dataclass(frozen=True, slots=True)
class WorkerSettings:
    """How one worker claims and retries. ``retry_after`` doubles with each failed attempt."""

    worker_id: str
    batch_size: int = 20
    lease: timedelta = timedelta(seconds=120)
    max_attempts: int = 5
    retry_after: timedelta = timedelta(minutes=1)
    max_retry_after: timedelta = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """What a worker did: counts only (they go to the log)."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    uncertain: int = 0
    lost: int = 0
    """Messages another worker took over after this worker's lease lapsed."""
    released: int = 0
    """Claimed messages given back unsent (the worker was stopping or its lease ran short)."""

    def __add__(self, other: DeliveryReport) -> DeliveryReport:
        return DeliveryReport(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )

    def __str__(self) -> str:
        return " ".join(f"{f.name}={getattr(self, f.name)}" for f in fields(self))


@dataclass(frozen=True, slots=True)
class WorkerLoop:
    """How ``run_worker`` repeats: once until nothing is due, or until asked to stop."""

    once: bool = False
    poll_seconds: float = 5.0
    should_stop: Callable[[], bool] = field(default=lambda: False)
    sleep: Callable[[float], None] = time.sleep


UnitsOfWork = Callable[[], OutboxTransaction]
"""Makes a new unit of work: every step of the worker is its own short transaction."""

SecretLink = Callable[[str], str | None]
"""Makes a fresh secret for the link with this id (storing its hash) and returns its URL;
None when the link can no longer be used."""

SecretLinks = Mapping[MessageKind, SecretLink]
"""For each kind of linked message, the area that makes its links (wired in bootstrap)."""

LINK_UNUSABLE = "the link expired or was used before it could be sent; ask for a new one"


def run_worker(
    *,
    units: UnitsOfWork,
    channels: Mapping[Channel, MessageChannel],
    settings: WorkerSettings,
    clock: Clock,
    loop: WorkerLoop,
    handover_units: UnitsOfWork | None = None,
) -> DeliveryReport:
    """Deliver due messages pass after pass, until stopped (or, with ``once``, until idle).

    ``handover_units`` make the units of work that record a hand-over: their commit need only
    survive the worker being killed, not the machine losing power (ADR 0016), which keeps the
    moment between that record and the last byte of the message as short as it can be.
    """
    total = DeliveryReport()
    while not loop.should_stop():
        done = deliver_due(
            units=units,
            handover_units=handover_units,
            channels=channels,
            settings=settings,
            clock=clock,
            should_stop=loop.should_stop,
        )
        total += done
        if done.claimed or done.uncertain:
            logger.info("outbox pass: %s", done)
        if done.claimed:
            continue
        if loop.once:
            break
        _pause(loop)
    return total


def deliver_due(
    *,
    units: UnitsOfWork,
    channels: Mapping[Channel, MessageChannel],
    settings: WorkerSettings,
    clock: Clock,
    should_stop: Callable[[], bool] = lambda: False,
    handover_units: UnitsOfWork | None = None,
) -> DeliveryReport:
    """One pass: mark lapsed hand-overs uncertain, claim a batch, deliver it message by message."""
    uncertain = _expire_handovers(units, settings.worker_id, clock)
    lease = _lease(settings, clock)
    with units() as uow:
        claimed = list(uow.outbox.claim_due(lease, limit=settings.batch_size))
        uow.commit()
    outcomes: Counter[str] = Counter()
    for index, message in enumerate(claimed):
        if should_stop() or _lease_running_out(lease, settings, clock):
            outcomes["released"] += _release(units, settings.worker_id, claimed[index:])
            break
        via = _Via(units, handover_units or units, channels.get(message.channel))
        outcomes[_deliver(via, message, settings, clock)] += 1
    return DeliveryReport(
        claimed=len(claimed),
        sent=outcomes["sent"],
        retried=outcomes["pending"],
        failed=outcomes["failed"],
        uncertain=outcomes["uncertain"] + uncertain,
        lost=outcomes["lost"],
        released=outcomes["released"],
    )


def list_uncertain_messages(
    *, context: audit.RequestContext, uow: OutboxTransaction, clock: Clock
) -> Sequence[OutboxMessage]:
    """The actor's clinic's messages that may or may not have been delivered, to check by hand."""
    permissions.require(context, Action.MESSAGES_REVIEW)
    with uow:
        found = uow.outbox.in_status(context.actor.clinic_id, MessageStatus.UNCERTAIN)
        access = audit.Access("message.list_uncertain", "outbox_message", "*", None)
        audit.record(uow, context, access, at=clock.now())
        uow.commit()
    return found


class MessageNotUncertainError(NotFoundError):
    """No message of this clinic is waiting for a person to say whether it arrived."""

    code = "message-not-uncertain"


def resolve_uncertain_message(
    *,
    message_id: UUID,
    arrived: bool,
    context: audit.RequestContext,
    uow: OutboxTransaction,
    clock: Clock,
) -> OutboxMessage:
    """Record what a person found: the message arrived (sent), or it did not (send it again).

    Sending again is the person's decision, made after checking the recipient's mailbox or
    the mail server's log by the message's Message-ID (ADR 0016); it is audited.
    """
    permissions.require(context, Action.MESSAGES_REVIEW)
    now = clock.now()
    outcome = (
        DeliveryOutcome(MessageStatus.SENT, at=now, error=None)
        if arrived
        else DeliveryOutcome(MessageStatus.PENDING, at=now, retry_at=now, error=None)
    )
    with uow:
        resolved = uow.outbox.resolve_uncertain(context.actor.clinic_id, message_id, outcome)
        if resolved is None:
            raise MessageNotUncertainError(f"no uncertain message {message_id}")
        action = "message.confirm_sent" if arrived else "message.send_again"
        access = audit.Access(action, "outbox_message", str(message_id), resolved.patient_id)
        audit.record(uow, context, access, at=now)
        uow.commit()
    return resolved


@dataclass(frozen=True, slots=True)
class _Via:
    """How one message travels: the units of work, those of the hand-over, and the channel."""

    units: UnitsOfWork
    handover_units: UnitsOfWork
    channel: MessageChannel | None


def _deliver(via: _Via, message: OutboxMessage, settings: WorkerSettings, clock: Clock) -> str:
    """Deliver one claimed message; the name of how it ended (a status, or ``lost``)."""
    units, channel = via.units, via.channel
    if channel is None:
        error = DeliveryError(f"no {message.channel.value} channel is configured", permanent=True)
        return _settle(
            units, message, settings.worker_id, _after_failure(message, error, settings, clock)
        )
    try:
        handover = channel.prepare(message)
    except DeliveryError as error:
        return _settle(
            units, message, settings.worker_id, _after_failure(message, error, settings, clock)
        )
    if not _start_handover(via.handover_units, message.id, _lease(settings, clock)):
        handover.abort()
        return "lost"
    return _settle(
        units, message, settings.worker_id, _complete(handover, message, settings, clock)
    )


def with_secret_links(
    channels: Mapping[Channel, MessageChannel], links: SecretLinks
) -> Mapping[Channel, MessageChannel]:
    """The channels, each putting a fresh secret link in a linked message as it prepares it."""
    return {channel: _LinkingChannel(through, links) for channel, through in channels.items()}


@dataclass(frozen=True, slots=True)
class _LinkingChannel:
    """A channel that makes a linked message's link just before handing the message over."""

    channel: MessageChannel
    links: SecretLinks

    def prepare(self, message: OutboxMessage) -> Handover:
        """Put the message's link in (a linked kind only), then prepare it on the channel."""
        return self.channel.prepare(_with_its_link(message, self.links))


def _with_its_link(message: OutboxMessage, links: SecretLinks) -> OutboxMessage:
    """The message as it is sent: a linked one with a fresh link put in its body.

    Raises:
        DeliveryError: The link can no longer be used, or nothing makes links of this kind
            (permanent: sending it later would not help).
    """
    if message.kind not in LINKED_KINDS:
        return message
    make = links.get(message.kind)
    url = None if make is None else make(link_reference(message.idempotency_key))
    if url is None:
        raise DeliveryError(LINK_UNUSABLE, permanent=True)
    return replace(message, body=with_link(message.body, url))


def _complete(
    handover: Handover, message: OutboxMessage, settings: WorkerSettings, clock: Clock
) -> DeliveryOutcome:
    try:
        handover.complete()
    except UncertainDeliveryError as error:
        return DeliveryOutcome(MessageStatus.UNCERTAIN, at=clock.now(), error=error.reason)
    except DeliveryError as error:
        return _after_failure(message, error, settings, clock)
    return DeliveryOutcome(MessageStatus.SENT, at=clock.now())


def _after_failure(
    message: OutboxMessage, error: DeliveryError, settings: WorkerSettings, clock: Clock
) -> DeliveryOutcome:
    """Retry later with a doubling delay, or fail for good."""
    now = clock.now()
    if error.permanent or message.attempts >= settings.max_attempts:
        return DeliveryOutcome(MessageStatus.FAILED, at=now, error=error.reason)
    delay = min(settings.retry_after * 2 ** max(message.attempts - 1, 0), settings.max_retry_after)
    return DeliveryOutcome(MessageStatus.PENDING, at=now, retry_at=now + delay, error=error.reason)


def _start_handover(units: UnitsOfWork, message_id: UUID, lease: OutboxLease) -> bool:
    with units() as uow:
        started = uow.outbox.start_handover(message_id, lease)
        uow.commit()
    return started


def _settle(
    units: UnitsOfWork, message: OutboxMessage, worker_id: str, outcome: DeliveryOutcome
) -> str:
    """Record the outcome (with its audit event when final); ``lost`` if no longer ours."""
    with units() as uow:
        if not uow.outbox.settle(message.id, worker_id, outcome):
            return "lost"
        if outcome.status is not MessageStatus.PENDING:
            uow.audit.append(_delivery_event(message, outcome.status, worker_id, outcome.at))
        uow.commit()
    return outcome.status.value


def _expire_handovers(units: UnitsOfWork, worker_id: str, clock: Clock) -> int:
    now = clock.now()
    with units() as uow:
        expired = uow.outbox.expire_handovers(now)
        for message in expired:
            uow.audit.append(_delivery_event(message, MessageStatus.UNCERTAIN, worker_id, now))
        uow.commit()
    if expired:
        ids = ", ".join(str(m.id) for m in expired)
        logger.warning(
            "outbox: %d message(s) uncertain after a worker stopped: %s", len(expired), ids
        )
    return len(expired)


def _release(units: UnitsOfWork, worker_id: str, messages: Sequence[OutboxMessage]) -> int:
    with units() as uow:
        released = uow.outbox.release(worker_id, [m.id for m in messages])
        uow.commit()
    return released


def _delivery_event(
    message: OutboxMessage, status: MessageStatus, worker_id: str, at: datetime
) -> AuditEvent:
    return AuditEvent(
        at=at,
        actor_id=None,
        actor_role=SYSTEM_ROLE,
        action="message.deliver",
        resource_type="outbox_message",
        resource_id=str(message.id),
        patient_id=message.patient_id,
        outcome=status.value,
        request_id=worker_id,
    )


def _lease(settings: WorkerSettings, clock: Clock) -> OutboxLease:
    now = clock.now()
    return OutboxLease(worker_id=settings.worker_id, now=now, until=now + settings.lease)


def _lease_running_out(lease: OutboxLease, settings: WorkerSettings, clock: Clock) -> bool:
    """Whether less than a quarter of the lease is left: the rest goes back to the queue."""
    return clock.now() >= lease.until - settings.lease / 4


def _pause(loop: WorkerLoop) -> None:
    """Sleep ``poll_seconds`` in short steps, waking early when asked to stop."""
    deadline = time.monotonic() + loop.poll_seconds
    while not loop.should_stop():
        left = deadline - time.monotonic()
        if left <= 0:
            return
        loop.sleep(min(left, 0.2))
