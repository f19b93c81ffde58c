"""Settings, read from the environment by the composition root only.

* ``NEEDLEPOINT_DATA_DIR``: where the SQLite database and backups live (default ``./var``).
* ``NEEDLEPOINT_DATABASE_URL``: a SQLAlchemy URL; ``postgresql+psycopg://…`` selects
  PostgreSQL (default: the SQLite file ``<data dir>/needlepoint.sqlite3``).
* ``NEEDLEPOINT_DEFAULT_SESSION_TIME``: local time of a provisional first session, HH:MM
  (default 09:00).
* ``NEEDLEPOINT_DEVELOPMENT``: ``1`` on a developer's machine only; session cookies then lose
  their ``Secure`` flag so that plain ``http://localhost`` works (default: off).
* ``NEEDLEPOINT_WEB_SECRET``: the server secret the web app derives its CSRF tokens from, at
  least 32 characters (default: a random secret kept in ``<data dir>/web-secret``, made on
  first use). Every server of one installation needs the same secret.
* ``NEEDLEPOINT_TRUSTED_PROXIES``: the reverse proxies in front of needlepoint, as a
  comma-separated list of addresses or networks (``127.0.0.1``, ``10.0.0.0/8``, ``::1``).
  Only a request whose socket peer is one of them has its ``X-Forwarded-For`` (the client's
  address, for sign-in throttling) and ``X-Forwarded-Proto`` (for the same-origin check)
  believed; the proxy must pass the ``Host`` header through. Default: none, so the client's
  address is the socket peer's and forwarded headers are ignored (ADR 0023).
* ``NEEDLEPOINT_PORTAL_URL``: the patient portal's address, linked from every message
  (default ``http://127.0.0.1:8000/portal``).
* ``NEEDLEPOINT_PORTAL_LINK_MINUTES``: how long a patient's one-time sign-in link works, in
  minutes (default 15, an inferred default; ADR 0017).
* ``NEEDLEPOINT_SMTP_HOST``: the SMTP server ``needlepoint worker`` sends email through (unset:
  the worker refuses to start). With it: ``NEEDLEPOINT_SMTP_FROM`` (the sender address,
  required), ``NEEDLEPOINT_SMTP_SECURITY`` (``starttls`` by default, ``tls`` for implicit TLS,
  or ``none``), ``NEEDLEPOINT_SMTP_PORT`` (default 587, 465 for ``tls``, 25 for ``none``),
  ``NEEDLEPOINT_SMTP_USERNAME`` and ``NEEDLEPOINT_SMTP_PASSWORD`` (sign-in, optional),
  ``NEEDLEPOINT_SMTP_CA_FILE`` (a CA bundle to trust instead of the system's, optional) and
  ``NEEDLEPOINT_SMTP_ALLOW_PLAINTEXT`` (``1`` lets ``none`` reach a host other than the
  loopback; test servers only).
* ``NEEDLEPOINT_SMS_GATEWAY_URL``: an HTTP gateway that SMS are POSTed to as JSON (unset: SMS
  messages fail with that reason). With it: ``NEEDLEPOINT_SMS_GATEWAY_TOKEN`` (bearer token),
  ``NEEDLEPOINT_SMS_FROM`` (sender name or number) and ``NEEDLEPOINT_SMS_ALLOW_PLAINTEXT``
  (``1`` allows ``http://`` to a host other than the loopback).
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class SettingsError(ValueError):
    """A setting in the environment cannot be used; the message names it and the fix."""


DEFAULT_PORTAL_URL = "http://127.0.0.1:8000/portal"
SMTP_SECURITY = ("starttls", "tls", "none")
_SMTP_PORTS = {"starttls": 587, "tls": 465, "none": 25}


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """The SMTP server email goes through."""

    host: str
    port: int
    sender: str
    security: str = "starttls"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    allow_plaintext: bool = False
    ca_file: Path | None = None


@dataclass(frozen=True, slots=True)
class SmsSettings:
    """The HTTP gateway SMS go through."""

    gateway_url: str
    token: str | None = field(default=None, repr=False)
    sender: str | None = None
    allow_plaintext: bool = False


@dataclass(frozen=True, slots=True)
class Settings:
    """Deployment settings. No instance is created at import time."""

    default_session_time: time = time(9, 0)
    data_dir: Path = field(default_factory=lambda: Path("var"))
    database_url: str | None = None
    development: bool = False
    web_secret: str | None = None
    portal_url: str = DEFAULT_PORTAL_URL
    portal_link_minutes: int = 15
    smtp: SmtpSettings | None = None
    sms: SmsSettings | None = None
    trusted_proxies: tuple[IpNetwork, ...] = ()

    @property
    def web_secret_file(self) -> Path:
        """Where the web app's server secret is kept when none is set in the environment."""
        return self.data_dir / "web-secret"

    @property
    def effective_database_url(self) -> str:
        """The configured database, or the SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'needlepoint.sqlite3').resolve()}"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Settings from environment variables (``NEEDLEPOINT_*``)."""
        env = dict(os.environ if environ is None else environ)
        return cls(
            default_session_time=_session_time(env.get("NEEDLEPOINT_DEFAULT_SESSION_TIME")),
            data_dir=Path(env.get("NEEDLEPOINT_DATA_DIR") or "var"),
            database_url=env.get("NEEDLEPOINT_DATABASE_URL") or None,
            development=env.get("NEEDLEPOINT_DEVELOPMENT", "").lower() in {"1", "true", "yes"},
            web_secret=_web_secret(env.get("NEEDLEPOINT_WEB_SECRET")),
            portal_url=_portal_url(env.get("NEEDLEPOINT_PORTAL_URL")),
            portal_link_minutes=_link_minutes(env.get("NEEDLEPOINT_PORTAL_LINK_MINUTES")),
            smtp=_smtp(env),
            sms=_sms(env),
            trusted_proxies=_trusted_proxies(env.get("NEEDLEPOINT_TRUSTED_PROXIES")),
        )


def _session_time(raw: str | None) -> time:
    if raw is None:
        return time(9, 0)
    try:
        return time.fromisoformat(raw)
    except ValueError:
        raise SettingsError(
            f"NEEDLEPOINT_DEFAULT_SESSION_TIME={raw!r} is not a time; set it as HH:MM, "
            "e.g. 09:00, or unset it."
        ) from None


MIN_WEB_SECRET_LENGTH = 32


def _web_secret(raw: str | None) -> str | None:
    if not raw:
        return None
    if len(raw) < MIN_WEB_SECRET_LENGTH:
        raise SettingsError(
            f"NEEDLEPOINT_WEB_SECRET is {len(raw)} characters long; set it to at least "
            f"{MIN_WEB_SECRET_LENGTH} random characters, or unset it to use <data dir>/web-secret."
        )
    return raw


def _trusted_proxies(raw: str | None) -> tuple[IpNetwork, ...]:
    return tuple(_network(entry.strip()) for entry in (raw or "").split(",") if entry.strip())


def _network(entry: str) -> IpNetwork:
    try:
        return ipaddress.ip_network(entry, strict=False)
    except ValueError:
        raise SettingsError(
            f"NEEDLEPOINT_TRUSTED_PROXIES has {entry!r}, which is not an address or network; "
            "list the proxies' addresses or networks separated by commas (e.g. "
            "127.0.0.1,10.0.0.0/8), or unset it."
        ) from None


def _flag(env: dict[str, str], name: str) -> bool:
    return env.get(name, "").lower() in {"1", "true", "yes"}


def _portal_url(raw: str | None) -> str:
    if not raw:
        return DEFAULT_PORTAL_URL
    if not raw.startswith(("https://", "http://")):
        raise SettingsError(
            f"NEEDLEPOINT_PORTAL_URL={raw!r} is not a web address; set it to the portal's "
            "https:// address, or unset it."
        )
    return raw.rstrip("/")


MAX_LINK_MINUTES = 24 * 60


def _link_minutes(raw: str | None) -> int:
    if not raw:
        return 15
    if not raw.isdigit() or not 0 < int(raw) <= MAX_LINK_MINUTES:
        raise SettingsError(
            f"NEEDLEPOINT_PORTAL_LINK_MINUTES={raw!r} is not a number of minutes; set 1 to "
            f"{MAX_LINK_MINUTES}, or unset it for 15."
        )
    return int(raw)


def _smtp(env: dict[str, str]) -> SmtpSettings | None:
    host = env.get("NEEDLEPOINT_SMTP_HOST")
    if not host:
        return None
    security = env.get("NEEDLEPOINT_SMTP_SECURITY") or "starttls"
    if security not in SMTP_SECURITY:
        raise SettingsError(
            f"NEEDLEPOINT_SMTP_SECURITY={security!r} is not known; set it to starttls, tls or none."
        )
    sender = env.get("NEEDLEPOINT_SMTP_FROM")
    if not sender or "@" not in sender:
        raise SettingsError(
            "NEEDLEPOINT_SMTP_FROM is missing or not an address; set it to the address "
            "messages come from, e.g. reminders@clinic.example."
        )
    ca_file = env.get("NEEDLEPOINT_SMTP_CA_FILE")
    return SmtpSettings(
        host=host,
        port=_port(env.get("NEEDLEPOINT_SMTP_PORT"), _SMTP_PORTS[security]),
        sender=sender,
        security=security,
        username=env.get("NEEDLEPOINT_SMTP_USERNAME") or None,
        password=env.get("NEEDLEPOINT_SMTP_PASSWORD") or None,
        allow_plaintext=_flag(env, "NEEDLEPOINT_SMTP_ALLOW_PLAINTEXT"),
        ca_file=Path(ca_file) if ca_file else None,
    )


MAX_PORT = 65535


def _port(raw: str | None, default: int) -> int:
    if not raw:
        return default
    if not raw.isdigit() or not 0 < int(raw) <= MAX_PORT:
        raise SettingsError(
            f"NEEDLEPOINT_SMTP_PORT={raw!r} is not a port; set a number from 1 to {MAX_PORT}, "
            "or unset it."
        )
    return int(raw)


def _sms(env: dict[str, str]) -> SmsSettings | None:
    url = env.get("NEEDLEPOINT_SMS_GATEWAY_URL")
    if not url:
        return None
    if not url.startswith(("https://", "http://")):
        raise SettingsError(
            f"NEEDLEPOINT_SMS_GATEWAY_URL={url!r} is not a web address; set the gateway's "
            "https:// address, or unset it."
        )
    return SmsSettings(
        gateway_url=url,
        token=env.get("NEEDLEPOINT_SMS_GATEWAY_TOKEN") or None,
        sender=env.get("NEEDLEPOINT_SMS_FROM") or None,
        allow_plaintext=_flag(env, "NEEDLEPOINT_SMS_ALLOW_PLAINTEXT"),
    )
