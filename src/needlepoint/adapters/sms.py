"""SMS through an HTTP gateway (stdlib ``urllib``), or a channel that says SMS is not set up.

The gateway receives one ``POST`` of JSON per message::

    {"to": "+447700900123", "text": "...", "reference": "<outbox message id>", "from": "..."}

with ``Authorization: Bearer <token>`` when a token is set and ``Idempotency-Key: <outbox
message id>`` (a gateway that honours it drops a repeat). A 2xx answer means accepted. An
error answer means not accepted: 4xx is permanent, except 408 and 429 which are retried like
5xx. A request that got no answer may have been accepted, and is reported as uncertain.

An SMS is one request, so its hand-over is the request itself: ``prepare`` only checks the
number, and ``complete`` sends. Plain ``http://`` goes only to the loopback unless allowed.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urlsplit

from needlepoint.adapters.email import InsecureTransportError, is_loopback
from needlepoint.domain.messages import OutboxMessage
from needlepoint.services.messaging.ports import DeliveryError, UncertainDeliveryError

E164: Final = re.compile(r"\+[1-9][0-9]{6,14}")
_RETRIED: Final = frozenset({408, 429})
_SERVER_ERROR: Final = 500
NOT_CONFIGURED: Final = "no SMS gateway is configured (NEEDLEPOINT_SMS_GATEWAY_URL)"


@dataclass(frozen=True, slots=True)
class SmsGatewayConfig:
    """The gateway's address and credentials."""

    url: str
    token: str | None = field(default=None, repr=False)
    sender: str | None = None
    allow_plaintext: bool = False
    timeout_seconds: float = 10.0


class SmsGatewayChannel:
    """Sends outbox messages as SMS through an HTTP gateway."""

    def __init__(self, config: SmsGatewayConfig) -> None:
        """Check the gateway's address.

        Raises:
            InsecureTransportError: An ``http://`` gateway off this machine, not allowed.
            ValueError: The address is not an http(s) URL.
        """
        parts = urlsplit(config.url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError(f"the SMS gateway address {config.url!r} is not an http(s) URL")
        if (
            parts.scheme == "http"
            and not config.allow_plaintext
            and not is_loopback(parts.hostname)
        ):
            raise InsecureTransportError(
                "the SMS gateway would be reached over plain http; use https, or allow plain "
                "text explicitly (test gateways only)"
            )
        self._config = config

    def prepare(self, message: OutboxMessage) -> SmsHandover:
        """Check the number; the request itself is the hand-over.

        Raises:
            DeliveryError: The number is not in international (E.164) form.
        """
        if not E164.fullmatch(message.recipient):
            raise DeliveryError(
                "the phone number is not in +<country><number> form", permanent=True
            )
        return SmsHandover(self._config, message)


class SmsHandover:
    """One SMS waiting to be posted to the gateway."""

    def __init__(self, config: SmsGatewayConfig, message: OutboxMessage) -> None:
        self._config = config
        self._message = message

    def complete(self) -> None:
        """Post the message.

        Raises:
            DeliveryError: The gateway refused it, or could not be reached at all.
            UncertainDeliveryError: The request went out but no answer came back.
        """
        try:
            with urllib.request.urlopen(self._request(), timeout=self._config.timeout_seconds):
                return
        except urllib.error.HTTPError as error:
            raise DeliveryError(
                f"sms gateway http {error.code}",
                permanent=error.code < _SERVER_ERROR and error.code not in _RETRIED,
            ) from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, ConnectionRefusedError):
                raise DeliveryError("sms gateway refused the connection") from None
            raise UncertainDeliveryError(
                f"sms gateway: no answer ({type(error.reason).__name__})"
            ) from None
        except OSError as error:
            raise UncertainDeliveryError(
                f"sms gateway: no answer ({type(error).__name__})"
            ) from None

    def abort(self) -> None:
        """Nothing was sent yet; nothing to undo."""

    def _request(self) -> urllib.request.Request:
        message, config = self._message, self._config
        payload = {"to": message.recipient, "text": message.body, "reference": str(message.id)}
        if config.sender:
            payload["from"] = config.sender
        headers = {"Content-Type": "application/json", "Idempotency-Key": str(message.id)}
        if config.token:
            headers["Authorization"] = f"Bearer {config.token}"
        body = json.dumps(payload).encode("utf-8")
        return urllib.request.Request(config.url, data=body, headers=headers, method="POST")


class UnconfiguredSmsChannel:
    """The SMS channel of a deployment without a gateway: every SMS fails with the reason."""

    def prepare(self, message: OutboxMessage) -> SmsHandover:  # noqa: ARG002 - the protocol's
        """Refuse: there is no gateway.

        Raises:
            DeliveryError: Always (permanent).
        """
        raise DeliveryError(NOT_CONFIGURED, permanent=True)
