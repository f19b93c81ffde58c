"""The messaging area's facade: the outbox, reminders and the delivery worker.

Entrypoints call the use cases here. Other areas import only this module and the area's
``ports`` (the import contract "Areas meet only at their facades" checks it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from uuid import UUID

from needlepoint.domain.messages import Channel, OutboxMessage
from needlepoint.domain.reminders import ReminderPolicy
from needlepoint.domain.scheduling import Appointment
from needlepoint.services import audit as audit_service
from needlepoint.services.messaging import delivery
from needlepoint.services.messaging import reminders as reminder_service
from needlepoint.services.messaging.delivery import SecretLinks
from needlepoint.services.messaging.ports import (
    MessageChannel,
    MessagingUnitOfWork,
    ReminderPlanning,
)
from needlepoint.services.messaging.reminders import withdraw_for_appointment
from needlepoint.services.ports import Clock

__all__ = ["MessageChannel", "Messaging", "SecretLinks", "withdraw_for_appointment"]


@dataclass(frozen=True, slots=True)
class Messaging:
    """The outbox, reminders and the delivery worker."""

    unit_of_work: Callable[[], MessagingUnitOfWork]
    handover_unit_of_work: Callable[[], MessagingUnitOfWork]
    clock: Clock
    policy: ReminderPolicy
    channels: Callable[[], Mapping[Channel, MessageChannel]]
    secret_links: Callable[[], SecretLinks] = dict
    """Who makes the secret links of linked messages at send time (ADR 0037)."""

    def follow_appointment_change(
        self, uow: ReminderPlanning, appointment: Appointment, change: str
    ) -> None:
        """Keep the outbox in step with an appointment, in the caller's unit of work."""
        reminder_service.follow_appointment_change(
            uow=uow,
            appointment=appointment,
            change=change,
            policy=self.policy,
            now=self.clock.now(),
        )

    def run_worker(
        self,
        settings: delivery.WorkerSettings,
        loop: delivery.WorkerLoop,
        channels: Mapping[Channel, MessageChannel] | None = None,
    ) -> delivery.DeliveryReport:
        """Deliver due outbox messages, each exactly once, until stopped (or idle, once).

        ``channels``: the configured ones unless given.
        """
        return delivery.run_worker(
            units=self.unit_of_work,
            handover_units=self.handover_unit_of_work,
            channels=delivery.with_secret_links(
                self.channels() if channels is None else channels, self.secret_links()
            ),
            settings=settings,
            clock=self.clock,
            loop=loop,
        )

    def resolve_uncertain_message(
        self, message_id: UUID, *, arrived: bool, context: audit_service.RequestContext
    ) -> OutboxMessage:
        """Record whether an uncertain message arrived; if not, it is queued to send again."""
        return delivery.resolve_uncertain_message(
            message_id=message_id,
            arrived=arrived,
            context=context,
            uow=self.unit_of_work(),
            clock=self.clock,
        )

    def uncertain_messages(
        self, *, context: audit_service.RequestContext
    ) -> Sequence[OutboxMessage]:
        """Messages that may or may not have been delivered (a worker stopped mid-hand-over)."""
        uow = self.unit_of_work()
        return delivery.list_uncertain_messages(context=context, uow=uow, clock=self.clock)
