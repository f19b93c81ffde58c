"""Email over SMTP (stdlib ``smtplib``), sent in two steps so the worker can record the hand-over.

``prepare`` connects, secures the connection (STARTTLS or implicit TLS, TLS 1.2 or later),
signs in if configured, and sends MAIL, RCPT, DATA and the message text, but not the final
``<CRLF>.<CRLF>``. Until that terminator arrives the server has accepted nothing: a connection
that drops mid-DATA is discarded (RFC 5321 §4.1.1.4). ``complete`` sends the terminator and
reads the reply. The worker commits ``handing_over`` in between (ADR 0016).

Every message carries a Message-ID derived from its outbox id, so a copy could always be
recognised. Plain-text SMTP is refused unless explicitly allowed, the loopback included
(ecosystem.md TR-2): with STARTTLS (the default) a server that does not offer it gets nothing,
and the message stays in the outbox with that reason; certificates are verified against the
system's CAs or ``ca_file``. Error reasons name the stage and the reply code only: a server's
reply text may quote the recipient's address.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate
from enum import StrEnum
from pathlib import Path
from typing import Final
from uuid import UUID

from needlepoint.domain.messages import OutboxMessage
from needlepoint.services.messaging.ports import DeliveryError, UncertainDeliveryError

_OK: Final = 250
_FORWARDED: Final = 251
_START_INPUT: Final = 354
_PERMANENT: Final = 500
_TERMINATOR: Final = b".\r\n"
NO_STARTTLS: Final = (
    "the SMTP server does not offer STARTTLS; nothing was sent in plain text "
    "(fix the server, or set NEEDLEPOINT_SMTP_SECURITY)"
)

log = logging.getLogger(__name__)


class SmtpSecurity(StrEnum):
    """How the connection to the SMTP server is protected."""

    STARTTLS = "starttls"
    TLS = "tls"
    NONE = "none"


class InsecureTransportError(ValueError):
    """The SMTP settings would send mail in plain text over the network."""


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    """Where and how to send email."""

    host: str
    port: int
    sender: str
    security: SmtpSecurity = SmtpSecurity.STARTTLS
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    allow_plaintext: bool = False
    ca_file: Path | None = None
    timeout_seconds: float = 30.0


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine (``localhost`` or a loopback address)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def message_id_header(message_id: UUID, sender: str) -> str:
    """The Message-ID of an outbox message: its id at the sender's domain."""
    domain = sender.rpartition("@")[2] or "needlepoint.invalid"
    return f"<{message_id}@{domain}>"


def render(message: OutboxMessage, sender: str) -> bytes:
    """The message as RFC 5322 bytes with CRLF line ends."""
    email = EmailMessage(policy=SMTP)
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = formatdate(usegmt=True)
    email["Message-ID"] = message_id_header(message.id, sender)
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body)
    return email.as_bytes()


def dot_stuffed(data: bytes) -> bytes:
    """The DATA section for ``data``: leading dots doubled, ending in CRLF (no terminator)."""
    stuffed = re.sub(rb"(?m)^\.", b"..", data)
    return stuffed if stuffed.endswith(b"\r\n") else stuffed + b"\r\n"


class SmtpChannel:
    """Sends outbox messages by email."""

    def __init__(self, config: SmtpConfig) -> None:
        """Check the settings: plain text only when explicitly allowed, even to the loopback.

        Raises:
            InsecureTransportError: Plain-text SMTP was not allowed.
        """
        if config.security is SmtpSecurity.NONE:
            if not config.allow_plaintext:
                raise InsecureTransportError(
                    f"SMTP to {config.host} would be plain text; use STARTTLS or TLS, or allow "
                    "plain text explicitly with NEEDLEPOINT_SMTP_ALLOW_PLAINTEXT=1 (test servers "
                    "only)"
                )
            log.warning(
                "email is sent to %s:%d in plain text (NEEDLEPOINT_SMTP_ALLOW_PLAINTEXT): "
                "for test servers only",
                config.host,
                config.port,
            )
        self._config = config

    def prepare(self, message: OutboxMessage) -> SmtpHandover:
        """Connect and send everything but the terminating ``.``.

        Raises:
            DeliveryError: The connection, TLS, sign-in, MAIL, RCPT or DATA failed.
        """
        client = self._connect()
        try:
            _expect(client.mail(self._config.sender), "MAIL", {_OK})
            _expect(client.rcpt(message.recipient), "RCPT", {_OK, _FORWARDED})
            _expect(client.docmd("DATA"), "DATA", {_START_INPUT})
            client.send(dot_stuffed(render(message, self._config.sender)))
        except DeliveryError:
            client.close()
            raise
        except UnicodeEncodeError:
            client.close()
            raise DeliveryError("the address is not ASCII", permanent=True) from None
        except (smtplib.SMTPException, OSError) as error:
            client.close()
            raise DeliveryError(f"smtp {type(error).__name__} before the hand-over") from None
        return SmtpHandover(client)

    def _connect(self) -> smtplib.SMTP:
        config = self._config
        try:
            client = self._open()
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryError(f"smtp connection failed ({type(error).__name__})") from None
        try:
            client.ehlo()
            if config.security is SmtpSecurity.STARTTLS:
                client.starttls(context=self._tls())
                client.ehlo()
            if config.username:
                client.login(config.username, config.password or "")
        except smtplib.SMTPNotSupportedError:
            client.close()
            raise DeliveryError(NO_STARTTLS) from None
        except smtplib.SMTPResponseException as error:
            client.close()
            raise _refused(error.smtp_code, "EHLO/STARTTLS/AUTH") from None
        except (smtplib.SMTPException, OSError) as error:
            client.close()
            raise DeliveryError(f"smtp {type(error).__name__} while connecting") from None
        return client

    def _open(self) -> smtplib.SMTP:
        config = self._config
        if config.security is SmtpSecurity.TLS:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                config.host, config.port, timeout=config.timeout_seconds, context=self._tls()
            )
        else:
            client = smtplib.SMTP(config.host, config.port, timeout=config.timeout_seconds)
        # The final "." is a small write after a large one: without this, Nagle's algorithm
        # holds it until the server's delayed ACK (about 40 ms on Linux) for every message.
        if client.sock is not None:
            client.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return client

    def _tls(self) -> ssl.SSLContext:
        ca_file = self._config.ca_file
        context = ssl.create_default_context(cafile=None if ca_file is None else str(ca_file))
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        return context


class SmtpHandover:
    """An SMTP exchange waiting for its terminating ``.``."""

    def __init__(self, client: smtplib.SMTP) -> None:
        self._client = client

    def complete(self) -> None:
        """Send the terminator and read the reply.

        Raises:
            DeliveryError: The server refused the message (4xx: retry; 5xx: permanent).
            UncertainDeliveryError: The reply never came.
        """
        client = self._client
        try:
            client.send(_TERMINATOR)
            code, _reply = client.getreply()
        except (smtplib.SMTPException, OSError) as error:
            client.close()
            raise UncertainDeliveryError(
                f"no reply to the end of DATA ({type(error).__name__})"
            ) from None
        if code != _OK:
            client.close()
            raise _refused(code, "end of DATA")
        _quit(client)

    def abort(self) -> None:
        """Close the connection mid-DATA: the server discards the message."""
        self._client.close()


def _expect(reply: tuple[int, bytes], stage: str, accepted: set[int]) -> None:
    code = reply[0]
    if code not in accepted:
        raise _refused(code, stage)


def _refused(code: int, stage: str) -> DeliveryError:
    return DeliveryError(f"smtp {code} at {stage}", permanent=code >= _PERMANENT)


def _quit(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()
