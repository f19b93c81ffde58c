"""The worker against a real SMTP server (aiosmtpd) and a real database (SQLite and PostgreSQL).

Due messages go once each with a Message-ID from their outbox id; refusals are retried or
failed; a connection dropped mid-DATA delivers nothing (what the exactly-once design rests on);
STARTTLS is required unless plain text is explicitly allowed (ecosystem.md TR-2).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import subprocess
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy import Engine, select

from needlepoint.adapters.clock import SystemClock
from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.unit_of_work import SqlAlchemyUnitOfWork
from needlepoint.adapters.email import (
    InsecureTransportError,
    SmtpChannel,
    SmtpConfig,
    SmtpSecurity,
    dot_stuffed,
    render,
)
from needlepoint.bootstrap import bootstrap
from needlepoint.config import Settings, SettingsError, SmtpSettings
from needlepoint.domain.messages import Channel, MessageStatus, OutboxMessage
from needlepoint.services.messaging import delivery
from needlepoint.services.messaging.delivery import WorkerLoop, WorkerSettings
from outbox_support import (
    SENDER,
    make_message,
    queue,
    seed_due,
    smtp_server,
    status_counts,
    stored,
)

SETTINGS = WorkerSettings(worker_id="test-worker", lease=timedelta(seconds=30))


def plain(port: int) -> SmtpChannel:
    return SmtpChannel(
        SmtpConfig("127.0.0.1", port, SENDER, security=SmtpSecurity.NONE, allow_plaintext=True)
    )


def run_once(engine: Engine, channel: SmtpChannel, **changes: object) -> delivery.DeliveryReport:
    return delivery.run_worker(
        units=lambda: SqlAlchemyUnitOfWork(engine),
        channels={Channel.EMAIL: channel},
        settings=replace(SETTINGS, **changes),  # type: ignore[arg-type]
        clock=SystemClock(),
        loop=WorkerLoop(once=True),
    )


def test_due_messages_go_once_each_with_their_message_id(fresh_engine: Engine) -> None:
    due = seed_due(fresh_engine, 3)
    future = make_message(due[0].clinic_id, 99, due_at=datetime.now(UTC) + timedelta(hours=1))
    queue(fresh_engine, [future])

    with smtp_server() as (server, port):
        report = run_once(fresh_engine, plain(port))
        again = run_once(fresh_engine, plain(port))

    assert (report.claimed, report.sent, again.claimed) == (3, 3, 0)
    assert sorted(server.per_message_id().items()) == sorted(
        (f"<{m.id}@clinic.test>", 1) for m in due
    )
    by_id = {r.message_id: r for r in server.received}
    first = by_id[f"<{due[0].id}@clinic.test>"]
    assert (first.mail_from, first.rcpt_tos) == (SENDER, ("patient-0@example.test",))
    assert "\n.a line starting with a dot 0" in first.body.replace("\r\n", "\n")
    assert status_counts(fresh_engine) == {"sent": 3, "pending": 1}
    with fresh_engine.connect() as connection:
        events = connection.execute(
            select(t.audit_event.c.action, t.audit_event.c.outcome, t.audit_event.c.resource_id)
        ).all()
    assert sorted(events) == sorted(("message.deliver", "sent", str(m.id)) for m in due)


def test_a_temporary_refusal_is_retried_and_then_sent_once(fresh_engine: Engine) -> None:
    (message,) = seed_due(fresh_engine, 1)

    with smtp_server() as (server, port):
        server.replies.append("451 Try again later")
        first = run_once(fresh_engine, plain(port), retry_after=timedelta(milliseconds=300))
        refused = stored(fresh_engine, message.id)
        waiting = run_once(fresh_engine, plain(port))
        time.sleep(0.35)
        second = run_once(fresh_engine, plain(port))

    assert (first.retried, waiting.claimed, second.sent) == (1, 0, 1)
    assert (refused.status, refused.attempts) == (MessageStatus.PENDING, 1)
    assert refused.last_error == "smtp 451 at end of DATA"
    assert server.per_message_id() == {f"<{message.id}@clinic.test>": 1}
    sent = stored(fresh_engine, message.id)
    assert (sent.status, sent.attempts, sent.last_error) == (MessageStatus.SENT, 2, None)


def test_a_permanent_refusal_fails_without_the_servers_words(fresh_engine: Engine) -> None:
    (message,) = seed_due(fresh_engine, 1)

    with smtp_server() as (server, port):
        server.replies.append("550 No such user patient-0@example.test")
        report = run_once(fresh_engine, plain(port))

    failed = stored(fresh_engine, message.id)
    assert report.failed == 1
    assert (failed.status, failed.last_error) == (MessageStatus.FAILED, "smtp 550 at end of DATA")
    assert server.count() == 0


def test_an_unreachable_server_leaves_the_message_for_a_retry(fresh_engine: Engine) -> None:
    (message,) = seed_due(fresh_engine, 1)
    with smtp_server() as (_server, port):
        pass  # the port is free again: nothing listens there now

    report = run_once(fresh_engine, plain(port))

    retried = stored(fresh_engine, message.id)
    assert report.retried == 1
    assert retried.status is MessageStatus.PENDING
    assert retried.last_error == "smtp connection failed (ConnectionRefusedError)"


def test_a_connection_dropped_before_the_final_dot_delivers_nothing(fresh_engine: Engine) -> None:
    (message,) = seed_due(fresh_engine, 1)

    with smtp_server() as (server, port):
        handover = plain(port).prepare(message)
        handover.abort()
        raw = smtplib.SMTP("127.0.0.1", port, timeout=5)  # same, with the socket cut at once
        raw.mail(SENDER)
        raw.rcpt("someone@example.test")
        raw.docmd("DATA")
        raw.send(dot_stuffed(render(message, SENDER)))
        raw.sock.close()  # type: ignore[union-attr]
        completed = plain(port).prepare(message)
        completed.complete()

    assert server.per_message_id() == {f"<{message.id}@clinic.test>": 1}


# --- transport security (TR-2) ----------------------------------------------------------------


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def _authority(folder: Path, name: str) -> tuple[Path, Path]:
    """A test CA (certificate, key) made with the openssl command line."""
    cert, key = folder / f"{name}-ca.pem", folder / f"{name}-ca.key"
    _openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        "-keyout", str(key), "-out", str(cert), "-subj", f"/CN={name} test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    )  # fmt: skip
    return cert, key


def _server_certificate(folder: Path, ca: tuple[Path, Path]) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost signed by ``ca``."""
    cert, key, request = folder / "server.pem", folder / "server.key", folder / "server.csr"
    extensions = folder / "server.ext"
    extensions.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    _openssl(
        "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
        "-out", str(request), "-subj", "/CN=127.0.0.1",
    )  # fmt: skip
    _openssl(
        "x509", "-req", "-in", str(request), "-CA", str(ca[0]), "-CAkey", str(ca[1]),
        "-CAcreateserial", "-days", "1", "-out", str(cert), "-extfile", str(extensions),
    )  # fmt: skip
    return cert, key


@dataclass(frozen=True)
class Certificates:
    ca: Path
    """The CA the sender is told to trust."""
    other_ca: Path
    """A CA that did not sign the server's certificate."""
    server: ssl.SSLContext


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    folder = tmp_path_factory.mktemp("tls")
    ca = _authority(folder, "clinic")
    other = _authority(folder, "other")
    cert, key = _server_certificate(folder, ca)
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    return Certificates(ca=ca[0], other_ca=other[0], server=server)


def _due_again(engine: Engine, message: OutboxMessage, tag: str) -> OutboxMessage:
    """A copy of ``message`` due at once (the refused one waits for its retry)."""
    copy = replace(message, id=uuid4(), idempotency_key=f"{message.idempotency_key}:{tag}")
    with SqlAlchemyUnitOfWork(engine) as uow:
        uow.outbox.add(copy)
        uow.commit()
    return copy


def test_tr2_smtp_without_starttls_gets_no_mail_unless_plaintext_is_allowed(
    fresh_engine: Engine, certificates: Certificates
) -> None:
    """TR-2: a server without STARTTLS gets nothing; STARTTLS is used, verified against the CA."""
    (message,) = seed_due(fresh_engine, 1)
    secure = SmtpConfig("127.0.0.1", 0, SENDER, ca_file=certificates.ca)

    with smtp_server() as (plain_server, port):
        refused = run_once(fresh_engine, SmtpChannel(replace(secure, port=port)))
    not_sent = stored(fresh_engine, message.id)
    wrong_ca = _due_again(fresh_engine, message, "wrong-ca")
    with smtp_server(certificates.server, require_starttls=True) as (unverified, port):
        untrusted = SmtpChannel(replace(secure, port=port, ca_file=certificates.other_ca))
        unverified_report = run_once(fresh_engine, untrusted)
    not_verified = stored(fresh_engine, wrong_ca.id)
    _due_again(fresh_engine, message, "tls")
    with smtp_server(certificates.server, require_starttls=True) as (tls_server, port):
        sent = run_once(fresh_engine, SmtpChannel(replace(secure, port=port)))
    with smtp_server() as (allowed_server, port):
        _due_again(fresh_engine, message, "plain")
        allowed = replace(secure, port=port, security=SmtpSecurity.NONE, allow_plaintext=True)
        plain_sent = run_once(fresh_engine, SmtpChannel(allowed))

    assert (refused.retried, refused.sent, plain_server.count()) == (1, 0, 0)
    assert not_sent.status is not MessageStatus.SENT
    assert not_sent.last_error is not None and "does not offer STARTTLS" in not_sent.last_error
    assert (unverified_report.sent, unverified.count()) == (0, 0)
    assert not_verified.status is not MessageStatus.SENT and not_verified.last_error
    assert (sent.sent, tls_server.count()) == (1, 1)
    assert (plain_sent.sent, allowed_server.count()) == (1, 1)


def test_tr2_plain_text_smtp_is_refused_unless_explicitly_allowed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Plain text needs the flag even to the loopback; with it, a warning names no patient."""
    remote = SmtpConfig("192.0.2.10", 25, SENDER, security=SmtpSecurity.NONE)

    for host in ("192.0.2.10", "127.0.0.1", "localhost", "::1"):
        with pytest.raises(InsecureTransportError, match="NEEDLEPOINT_SMTP_ALLOW_PLAINTEXT"):
            SmtpChannel(replace(remote, host=host))
    with caplog.at_level(logging.WARNING, logger="needlepoint.adapters.email"):
        SmtpChannel(replace(remote, allow_plaintext=True))
    (warning,) = caplog.records
    assert "plain text" in warning.getMessage() and "192.0.2.10:25" in warning.getMessage()


def test_the_worker_will_not_start_without_secure_email_settings(tmp_path: Path) -> None:
    remote = SmtpSettings(host="mail.example.test", port=25, sender=SENDER, security="none")

    with pytest.raises(SettingsError, match="NEEDLEPOINT_SMTP_HOST"):
        bootstrap(Settings(data_dir=tmp_path)).messaging.channels()
    with pytest.raises(SettingsError, match="plain text"):
        bootstrap(Settings(data_dir=tmp_path, smtp=remote)).messaging.channels()


def test_settings_read_smtp_and_sms_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "NEEDLEPOINT_SMTP_HOST": "mail.example.test",
            "NEEDLEPOINT_SMTP_FROM": SENDER,
            "NEEDLEPOINT_SMTP_SECURITY": "tls",
            "NEEDLEPOINT_SMS_GATEWAY_URL": "https://sms.example.test/send",
            "NEEDLEPOINT_PORTAL_URL": "https://clinic.example.test/portal/",
        }
    )

    assert settings.smtp is not None and settings.sms is not None
    assert (settings.smtp.port, settings.smtp.security) == (465, "tls")
    assert settings.portal_url == "https://clinic.example.test/portal"
    with pytest.raises(SettingsError, match="NEEDLEPOINT_SMTP_FROM"):
        Settings.from_env({"NEEDLEPOINT_SMTP_HOST": "mail.example.test"})
    with pytest.raises(SettingsError, match="NEEDLEPOINT_SMTP_SECURITY"):
        Settings.from_env(
            {
                "NEEDLEPOINT_SMTP_HOST": "m",
                "NEEDLEPOINT_SMTP_FROM": SENDER,
                "NEEDLEPOINT_SMTP_SECURITY": "ssl",
            }
        )
