"""SMS through a real HTTP gateway on the loopback (stdlib ``http.server``), via the worker."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import Engine

from needlepoint.adapters.clock import SystemClock
from needlepoint.adapters.db.unit_of_work import SqlAlchemyUnitOfWork
from needlepoint.adapters.email import InsecureTransportError
from needlepoint.adapters.sms import (
    NOT_CONFIGURED,
    SmsGatewayChannel,
    SmsGatewayConfig,
    UnconfiguredSmsChannel,
)
from needlepoint.domain.messages import Channel, MessageStatus
from needlepoint.services.messaging import delivery
from needlepoint.services.messaging.delivery import WorkerLoop, WorkerSettings
from needlepoint.services.messaging.ports import MessageChannel
from outbox_support import make_message, queue, seed_clinic, stored

PHONE = "+447700900123"


@dataclass
class Gateway:
    """Records every POST; ``statuses`` scripts the next answers (200 when empty)."""

    posts: list[tuple[dict[str, str], dict[str, Any]]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)


@contextmanager
def gateway() -> Iterator[tuple[Gateway, str]]:
    recorded = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            recorded.posts.append((dict(self.headers), json.loads(self.rfile.read(length))))
            status = recorded.statuses.pop(0) if recorded.statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield recorded, f"http://127.0.0.1:{server.server_address[1]}/send"
    finally:
        server.shutdown()
        server.server_close()


def one_sms(engine: Engine, recipient: str = PHONE) -> Any:
    due = datetime.now(UTC) - timedelta(minutes=1)
    message = make_message(
        seed_clinic(engine), 1, due_at=due, channel=Channel.SMS, recipient=recipient
    )
    queue(engine, [message])
    return message


def run_once(engine: Engine, channel: MessageChannel) -> delivery.DeliveryReport:
    return delivery.run_worker(
        units=lambda: SqlAlchemyUnitOfWork(engine),
        channels={Channel.SMS: channel},
        settings=WorkerSettings(worker_id="sms-worker"),
        clock=SystemClock(),
        loop=WorkerLoop(once=True),
    )


def test_an_sms_is_posted_once_with_its_reference_and_token(fresh_engine: Engine) -> None:
    message = one_sms(fresh_engine)

    with gateway() as (recorded, url):
        channel = SmsGatewayChannel(SmsGatewayConfig(url=url, token="t0ken", sender="Clinic"))
        report = run_once(fresh_engine, channel)

    ((headers, payload),) = recorded.posts
    assert report.sent == 1
    assert payload == {
        "to": PHONE,
        "text": message.body,
        "reference": str(message.id),
        "from": "Clinic",
    }
    assert headers["Idempotency-Key"] == str(message.id)
    assert headers["Authorization"] == "Bearer t0ken"
    assert stored(fresh_engine, message.id).status is MessageStatus.SENT


@pytest.mark.parametrize(
    ("status", "expected"),
    [(503, MessageStatus.PENDING), (429, MessageStatus.PENDING), (400, MessageStatus.FAILED)],
)
def test_a_gateway_refusal_is_retried_or_failed(
    fresh_engine: Engine, status: int, expected: MessageStatus
) -> None:
    message = one_sms(fresh_engine)

    with gateway() as (recorded, url):
        recorded.statuses.append(status)
        run_once(fresh_engine, SmsGatewayChannel(SmsGatewayConfig(url=url)))

    after = stored(fresh_engine, message.id)
    assert (after.status, after.last_error) == (expected, f"sms gateway http {status}")


def test_a_number_not_in_international_form_fails_before_any_request(fresh_engine: Engine) -> None:
    message = one_sms(fresh_engine, recipient="07700 900123")

    with gateway() as (recorded, url):
        run_once(fresh_engine, SmsGatewayChannel(SmsGatewayConfig(url=url)))

    assert recorded.posts == []
    assert stored(fresh_engine, message.id).status is MessageStatus.FAILED


def test_without_a_gateway_an_sms_fails_with_the_reason(fresh_engine: Engine) -> None:
    message = one_sms(fresh_engine)

    report = run_once(fresh_engine, UnconfiguredSmsChannel())

    failed = stored(fresh_engine, message.id)
    assert report.failed == 1
    assert (failed.status, failed.last_error) == (MessageStatus.FAILED, NOT_CONFIGURED)


def test_plain_http_to_a_gateway_off_this_machine_is_refused_unless_allowed() -> None:
    remote = SmsGatewayConfig(url="http://sms.example.test/send")

    with pytest.raises(InsecureTransportError):
        SmsGatewayChannel(remote)
    with pytest.raises(ValueError, match="not an http"):
        SmsGatewayChannel(SmsGatewayConfig(url="ftp://sms.example.test"))
    SmsGatewayChannel(SmsGatewayConfig(url=remote.url, allow_plaintext=True))
    SmsGatewayChannel(SmsGatewayConfig(url="https://sms.example.test/send"))
