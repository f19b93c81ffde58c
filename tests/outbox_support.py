"""Helpers for the outbox and worker tests: a real SMTP server that records, and seeded rows.

``SmtpRecorder`` runs aiosmtpd's ``Controller`` on 127.0.0.1 at a free port, with a handler
that keeps every accepted message's envelope and Message-ID. Replies can be scripted (for
example ``451`` to the next two messages) to exercise retries.
"""

from __future__ import annotations

import email
import socket
import ssl
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from aiosmtpd.controller import Controller
from sqlalchemy import Engine, func, select

from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.unit_of_work import SqlAlchemyUnitOfWork
from needlepoint.domain.messages import Channel, MessageKind, MessageStatus, OutboxMessage
from needlepoint.domain.records import Clinic

SENDER = "reminders@clinic.test"


@dataclass(frozen=True)
class Received:
    """One message the server accepted."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    message_id: str
    subject: str
    body: str


@dataclass
class RecordingHandler:
    """aiosmtpd handler: records accepted messages; ``replies`` scripts the next DATA answers."""

    received: list[Received] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: ARG002
        with self.lock:
            if self.replies:
                return self.replies.pop(0)
            parsed = email.message_from_bytes(envelope.content)
            payload = parsed.get_payload(decode=True)
            self.received.append(
                Received(
                    mail_from=envelope.mail_from,
                    rcpt_tos=tuple(envelope.rcpt_tos),
                    message_id=str(parsed["Message-ID"]),
                    subject=str(parsed["Subject"]),
                    body=payload.decode("utf-8") if isinstance(payload, bytes) else "",
                )
            )
        return "250 Message accepted"

    def count(self) -> int:
        with self.lock:
            return len(self.received)

    def per_message_id(self) -> Counter[str]:
        with self.lock:
            return Counter(r.message_id for r in self.received)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server(
    tls_context: ssl.SSLContext | None = None, *, require_starttls: bool = False
) -> Iterator[tuple[RecordingHandler, int]]:
    """A recording SMTP server on 127.0.0.1 (STARTTLS offered when a TLS context is given)."""
    handler = RecordingHandler()
    port = free_port()
    kwargs: dict[str, Any] = {}
    if tls_context is not None:
        kwargs.update(tls_context=tls_context, require_starttls=require_starttls)
    controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def seed_clinic(engine: Engine) -> UUID:
    clinic = Clinic(id=uuid4(), name="Harbour Clinic", time_zone="Europe/London")
    with SqlAlchemyUnitOfWork(engine) as uow:
        uow.clinics.add(clinic)
        uow.commit()
    return clinic.id


def make_message(
    clinic_id: UUID,
    number: int,
    *,
    due_at: datetime,
    channel: Channel = Channel.EMAIL,
    recipient: str | None = None,
) -> OutboxMessage:
    return OutboxMessage(
        id=uuid4(),
        clinic_id=clinic_id,
        patient_id=uuid4(),
        appointment_id=None,
        kind=MessageKind.APPOINTMENT_REMINDER,
        channel=channel,
        recipient=recipient or f"patient-{number}@example.test",
        subject="Appointment reminder",
        body=f"This is a reminder of your appointment.\n.a line starting with a dot {number}\n",
        due_at=due_at,
        idempotency_key=f"test:{clinic_id}:{number}:{channel.value}",
        created_at=due_at - timedelta(days=1),
    )


def queue(engine: Engine, messages: list[OutboxMessage]) -> None:
    with SqlAlchemyUnitOfWork(engine) as uow:
        for message in messages:
            assert uow.outbox.add(message)
        uow.commit()


def seed_due(engine: Engine, count: int, *, now: datetime | None = None) -> list[OutboxMessage]:
    """``count`` email reminders of a new clinic, all due a minute ago."""
    due_at = (now or datetime.now(UTC)) - timedelta(minutes=1)
    clinic_id = seed_clinic(engine)
    messages = [make_message(clinic_id, n, due_at=due_at) for n in range(count)]
    queue(engine, messages)
    return messages


def status_counts(engine: Engine) -> dict[str, int]:
    query = select(t.outbox_message.c.status, func.count()).group_by(t.outbox_message.c.status)
    with engine.connect() as connection:
        return {status: int(n) for status, n in connection.execute(query)}


def stored(engine: Engine, message_id: UUID) -> OutboxMessage:
    from needlepoint.adapters.db.messaging.outbox import message_from_row  # noqa: PLC0415

    query = select(t.outbox_message).where(t.outbox_message.c.id == message_id)
    with engine.connect() as connection:
        return message_from_row(connection.execute(query).mappings().one())


UNSETTLED = (MessageStatus.PENDING, MessageStatus.SENDING, MessageStatus.HANDING_OVER)
