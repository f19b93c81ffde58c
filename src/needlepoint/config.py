"""Settings, read from the environment by the composition root only.

Every setting is a ``NEEDLEPOINT_*`` environment variable; ``docs/settings.md`` lists them
with their types, defaults and meanings. That page is generated from the models below
(``make docs``), so the ``Field`` descriptions here are the one place a setting is described.

``Settings(...)`` takes keyword arguments only and reads nothing from the environment (tests
build it that way); ``Settings.from_env()`` reads the environment through pydantic-settings.
Secrets are ``SecretStr``: ``.get_secret_value()`` at the one place that needs the value, and
``**********`` in every ``repr``. A value that cannot be used raises ``SettingsError`` naming
the variable and the fix.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import os
from collections.abc import Iterable, Mapping
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from pydantic_settings import SettingsError as SourceError
from pydantic_settings.sources.utils import parse_env_vars

from needlepoint.engine_settings import DEFAULT_SESSION_TIME
from needlepoint.engine_settings import SettingsError as SettingsError  # noqa: PLC0414 - re-export
from needlepoint.engine_settings import session_time_value as _session_time

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
ENV_PREFIX = "NEEDLEPOINT_"


DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"
PORTAL_PATH = "/portal"
SMTP_SECURITY = ("starttls", "tls", "none")
SmtpSecurity = Literal["starttls", "tls", "none"]
_SMTP_PORTS = {"starttls": 587, "tls": 465, "none": 25}
MIN_WEB_SECRET_LENGTH = 32
MIN_AUDIT_KEY_LENGTH = 32
AEAD_KEY_BYTES = 32
MAX_LINK_MINUTES = 24 * 60
MAX_BREAK_GLASS_MINUTES = 60
"""domain.break_glass.MAX_TTL_MINUTES: the hard limit of emergency access (ADR 0038)."""
MAX_REAUTH_MINUTES = 60
MAX_API_TOKEN_DAYS = 365
"""The longest an API token may work (``services.accounts.api_tokens.MAX_LIFETIME_DAYS``)."""
MAX_PORT = 65535
_TRUE_WORDS = frozenset({"1", "true", "yes"})


# --- how one raw value becomes a setting (each raises a message naming the variable) ---------


def _flag(raw: object) -> object:
    """``1``, ``true`` or ``yes`` (any case) is on; any other text is off."""
    return raw.lower() in _TRUE_WORDS if isinstance(raw, str) else raw


def _web_secret(raw: object) -> object:
    secret = raw.get_secret_value() if isinstance(raw, SecretStr) else raw
    if not secret:
        return None
    if isinstance(secret, str) and len(secret) < MIN_WEB_SECRET_LENGTH:
        raise ValueError(
            f"NEEDLEPOINT_WEB_SECRET is {len(secret)} characters long; set it to at least "
            f"{MIN_WEB_SECRET_LENGTH} random characters, or unset it to use <data dir>/web-secret."
        )
    return raw


def _audit_key(raw: object) -> object:
    key = raw.get_secret_value() if isinstance(raw, SecretStr) else raw
    if not key:
        return None
    if isinstance(key, str) and len(key) < MIN_AUDIT_KEY_LENGTH:
        raise ValueError(
            f"NEEDLEPOINT_AUDIT_KEY is {len(key)} characters long; set it to at least "
            f"{MIN_AUDIT_KEY_LENGTH} random characters (e.g. python -c 'import secrets; "
            "print(secrets.token_hex(32))'), or unset it to use <data dir>/audit-key."
        )
    return raw


def _key_bytes(text: str) -> bytes:
    """A key's bytes from base64, or from 64 hex digits (as the key files hold them)."""
    try:
        if len(text) == 2 * AEAD_KEY_BYTES:
            return bytes.fromhex(text)
    except ValueError:
        pass
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return b""


def _aead_key(name: str, *, several: bool = False) -> BeforeValidator:
    """A 32-byte key in base64 (``several``: comma-separated keys), checked, kept as text."""

    def check(raw: object) -> object:
        text = raw.get_secret_value() if isinstance(raw, SecretStr) else raw
        if not text:
            return None
        if not isinstance(text, str):
            return raw
        for entry in text.split(",") if several else [text]:
            if len(_key_bytes(entry.strip())) != AEAD_KEY_BYTES:
                raise ValueError(
                    f"{name} holds a value that is not {AEAD_KEY_BYTES} bytes in base64; set it "
                    "to 32 random bytes in base64 (python -c 'import base64, os; "
                    "print(base64.b64encode(os.urandom(32)).decode())')"
                    + (", several separated by commas" if several else "")
                    + ", or unset it (docs/keys.md)."
                )
        return raw

    return BeforeValidator(check)


def _trusted_proxies(raw: object) -> object:
    """A comma-separated string (spaces and empty entries ignored), or networks as they are."""
    entries = raw.split(",") if isinstance(raw, str) else raw
    if not isinstance(entries, Iterable):
        return raw
    return tuple(
        _network(entry) for entry in entries if not isinstance(entry, str) or entry.strip()
    )


def _network(entry: object) -> object:
    if not isinstance(entry, str):
        return entry
    try:
        return ipaddress.ip_network(entry.strip(), strict=False)
    except ValueError:
        raise ValueError(
            f"NEEDLEPOINT_TRUSTED_PROXIES has {entry.strip()!r}, which is not an address or "
            "network; list the proxies' addresses or networks separated by commas (e.g. "
            "127.0.0.1,10.0.0.0/8), or unset it."
        ) from None


def _web_address(name: str, fix: str) -> BeforeValidator:
    def check(raw: object) -> object:
        if isinstance(raw, str) and not raw.startswith(("https://", "http://")):
            raise ValueError(f"{name}={raw!r} is not a web address; set {fix}, or unset it.")
        return raw.rstrip("/") if isinstance(raw, str) else raw

    return BeforeValidator(check)


def _public_address(raw: object) -> object:
    """An http(s) address without a query or fragment, kept without its trailing slash."""
    if isinstance(raw, str) and (
        not raw.startswith(("https://", "http://")) or "?" in raw or "#" in raw
    ):
        raise ValueError(
            f"NEEDLEPOINT_PUBLIC_URL={raw!r} is not a site's address; set it to the address "
            "people reach needlepoint at, e.g. https://clinic.example (a path prefix is allowed; "
            "no ? or #), or unset it."
        )
    return raw.rstrip("/") if isinstance(raw, str) else raw


def _whole_number(name: str, maximum: int, fix: str) -> BeforeValidator:
    def check(raw: object) -> object:
        text = str(raw) if isinstance(raw, int) and not isinstance(raw, bool) else raw
        if not isinstance(text, str) or not text.isdigit() or not 0 < int(text) <= maximum:
            raise ValueError(f"{name}={raw!r} is not {fix}")
        return int(text)

    return BeforeValidator(check)


def _smtp_security(raw: object) -> object:
    if raw not in SMTP_SECURITY:
        raise ValueError(
            f"NEEDLEPOINT_SMTP_SECURITY={raw!r} is not known; set it to starttls, tls or none."
        )
    return raw


def _email_address(raw: object) -> object:
    if not isinstance(raw, str) or "@" not in raw:
        raise ValueError(
            "NEEDLEPOINT_SMTP_FROM is missing or not an address; set it to the address "
            "messages come from, e.g. reminders@clinic.example."
        )
    return raw


Flag = Annotated[bool, BeforeValidator(_flag)]


# --- the models ------------------------------------------------------------------------------


class SmtpSettings(BaseModel):
    """The SMTP server ``needlepoint worker`` sends email through (``NEEDLEPOINT_SMTP_*``)."""

    model_config = ConfigDict(frozen=True, validate_by_name=True, validate_by_alias=True)

    host: str = Field(
        description="The SMTP server email is sent through. Unset: the worker refuses to start; "
        "set, the other NEEDLEPOINT_SMTP_* settings apply."
    )
    port: Annotated[
        int,
        _whole_number(
            "NEEDLEPOINT_SMTP_PORT",
            MAX_PORT,
            f"a port; set a number from 1 to {MAX_PORT}, or unset it.",
        ),
    ] = Field(
        description="The SMTP server's port.",
        json_schema_extra={"shown_default": "587; 465 for tls; 25 for none"},
    )
    sender: Annotated[str, BeforeValidator(_email_address)] = Field(
        "",
        validation_alias="from",
        validate_default=True,
        description="The address messages come from, e.g. reminders@clinic.example "
        "(required with NEEDLEPOINT_SMTP_HOST).",
    )
    security: Annotated[SmtpSecurity, BeforeValidator(_smtp_security)] = Field(
        "starttls",
        description="starttls, tls (implicit TLS) or none.",
    )
    username: str | None = Field(None, description="The user name to sign in with, if any.")
    password: SecretStr | None = Field(None, description="The password to sign in with, if any.")
    allow_plaintext: Flag = Field(
        False,
        description="1 allows security none (plain text, the loopback included), and is "
        "required for it; test servers only, and logged as a warning. Unset: a server that "
        "does not offer STARTTLS gets no mail (ecosystem.md TR-2).",
    )
    ca_file: Path | None = Field(
        None, description="A CA bundle to trust instead of the system's, if any."
    )

    @model_validator(mode="before")
    @classmethod
    def _port_follows_security(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("port"):
            security = data.get("security") or "starttls"
            return {**data, "port": _SMTP_PORTS.get(security, _SMTP_PORTS["starttls"])}
        return data


class SmsSettings(BaseModel):
    """The HTTP gateway SMS are POSTed to as JSON (``NEEDLEPOINT_SMS_*``)."""

    model_config = ConfigDict(frozen=True, validate_by_name=True, validate_by_alias=True)

    gateway_url: Annotated[
        str, _web_address("NEEDLEPOINT_SMS_GATEWAY_URL", "the gateway's https:// address")
    ] = Field(
        description="The HTTP gateway SMS are POSTed to as JSON. Unset: SMS messages fail with "
        "that reason; set, the other NEEDLEPOINT_SMS_* settings apply."
    )
    token: SecretStr | None = Field(
        None, validation_alias="gateway_token", description="The gateway's bearer token, if any."
    )
    sender: str | None = Field(
        None, validation_alias="from", description="The sender name or number, if any."
    )
    allow_plaintext: Flag = Field(
        False, description="1 allows http:// to a host other than the loopback."
    )


class Settings(BaseSettings):
    """Deployment settings. No instance is created at import time."""

    model_config = SettingsConfigDict(
        frozen=True,
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="_",
        env_nested_max_split=1,
        env_ignore_empty=True,
    )

    default_session_time: Annotated[time, BeforeValidator(_session_time)] = Field(
        DEFAULT_SESSION_TIME, description="Local time of a provisional first session, HH:MM."
    )
    data_dir: Path = Field(Path("var"), description="Where the SQLite database and backups live.")
    database_url: SecretStr | None = Field(
        None,
        description="A SQLAlchemy URL; postgresql+psycopg://… selects PostgreSQL. Unset: the "
        "SQLite file <data dir>/needlepoint.sqlite3.",
    )
    development: Flag = Field(
        False,
        description="1 on a developer's machine only: session cookies lose their Secure flag so "
        "that plain http://localhost works.",
    )
    web_secret: Annotated[SecretStr | None, BeforeValidator(_web_secret)] = Field(
        None,
        description=f"The server secret the web app derives its CSRF tokens from, at least "
        f"{MIN_WEB_SECRET_LENGTH} characters; every server of one installation needs the same "
        "one. Unset: a random secret kept in <data dir>/web-secret, made on first use, and "
        "`needlepoint serve --workers` above 1 refuses to start (docs/deployment.md).",
    )
    audit_key: Annotated[SecretStr | None, BeforeValidator(_audit_key)] = Field(
        None,
        description=f"The key the audit trail's hash chains are signed with (HMAC-SHA256), at "
        f"least {MIN_AUDIT_KEY_LENGTH} characters, kept outside the database; every process of "
        "one installation needs the same one, and audit verify needs it too. Unset: a random "
        "key kept in <data dir>/audit-key, made on first use (one machine only). Losing it "
        "leaves the trail unverifiable.",
    )
    field_key: Annotated[SecretStr | None, _aead_key("NEEDLEPOINT_FIELD_KEY")] = Field(
        None,
        description="The key the most sensitive free text (check-in notes, review notes, "
        "session notes, adverse events) is encrypted with in the database (AES-256-GCM, ADR "
        "0039): 32 random bytes in base64. Every process of one installation needs the same "
        "one. Unset: a random key kept in <data dir>/field-key, made on first use (one machine "
        "only). Losing it loses those texts; rotation: docs/keys.md.",
    )
    field_keys_retired: Annotated[
        SecretStr | None, _aead_key("NEEDLEPOINT_FIELD_KEYS_RETIRED", several=True)
    ] = Field(
        None,
        description="Earlier field keys, comma-separated base64, still used to read text "
        "encrypted before a rotation until `needlepoint keys reencrypt-fields` has re-encrypted "
        "it (docs/keys.md). Unset: the keys listed in <data dir>/field-keys-retired, if "
        "any.",
    )
    backup_key: Annotated[SecretStr | None, _aead_key("NEEDLEPOINT_BACKUP_KEY")] = Field(
        None,
        description="The key `needlepoint backup` encrypts backups with and `needlepoint "
        "restore` decrypts them with (docs/formats.md): 32 random bytes in base64. Unset: a "
        "random key kept in <data dir>/backup-key, made on first use. Keep a copy apart from "
        "the backups: without it no backup can be restored.",
    )
    public_url: Annotated[str, BeforeValidator(_public_address)] = Field(
        DEFAULT_PUBLIC_URL,
        description="The address people reach needlepoint at (scheme, host, port, and a path "
        "prefix if a proxy adds one), e.g. https://clinic.example. Every link needlepoint sends "
        "or shows is built from it, never from a request's Host header: portal sign-in links "
        "(<public URL>/portal/sign-in/…), reminders, the clinicians' alert linking to a check-in, "
        "calendar links. The server and the worker need the same one; make run sets it from "
        "PORT.",
    )
    portal_url: Annotated[
        str | None,
        _web_address("NEEDLEPOINT_PORTAL_URL", "it to the portal's https:// address"),
    ] = Field(
        None,
        description="Deprecated: the portal's address, <public URL>/portal. Read only when "
        "NEEDLEPOINT_PUBLIC_URL is unset, which it then gives (its /portal ending removed); "
        "set NEEDLEPOINT_PUBLIC_URL instead.",
    )
    portal_link_minutes: Annotated[
        int,
        _whole_number(
            "NEEDLEPOINT_PORTAL_LINK_MINUTES",
            MAX_LINK_MINUTES,
            f"a number of minutes; set 1 to {MAX_LINK_MINUTES}, or unset it for 15.",
        ),
    ] = Field(
        15,
        description="How long a patient's one-time sign-in link works, in minutes (an inferred "
        "default; ADR 0017).",
    )
    break_glass_minutes: Annotated[
        int,
        _whole_number(
            "NEEDLEPOINT_BREAK_GLASS_MINUTES",
            MAX_BREAK_GLASS_MINUTES,
            f"a number of minutes; set 1 to {MAX_BREAK_GLASS_MINUTES}, or unset it for "
            f"{MAX_BREAK_GLASS_MINUTES}.",
        ),
    ] = Field(
        MAX_BREAK_GLASS_MINUTES,
        description="How long a member of staff's emergency (break-glass) access to one "
        "patient's clinical record lasts, in minutes; never more than 60, the hard limit "
        "(ADR 0038).",
    )
    analytics_few_patients: Annotated[
        int,
        _whole_number(
            "NEEDLEPOINT_ANALYTICS_FEW_PATIENTS",
            100_000,
            "a number of patients; set a whole number from 1, or unset it for 20.",
        ),
    ] = Field(
        20,
        description="Cohort analytics flag an estimate from fewer patients than this as "
        '"few patients" (an inferred convention [INF]; ADR 0045). Cells under 5 patients are '
        "always suppressed, whatever this says.",
    )
    reauth_minutes: Annotated[
        int,
        _whole_number(
            "NEEDLEPOINT_REAUTH_MINUTES",
            MAX_REAUTH_MINUTES,
            f"a number of minutes; set 1 to {MAX_REAUTH_MINUTES}, or unset it for 5.",
        ),
    ] = Field(
        5,
        description="How long after typing their password a member of staff may make a "
        "sensitive change to their own account (turn two-step sign-in on or off, new recovery "
        "codes) without typing it again, in minutes (SE-5, ADR 0036).",
    )
    admin_two_step: Flag = Field(
        True,
        description="Admins must sign in with an authenticator code (AU-5, ADR 0036). Set 0 "
        "only for development or tests; clinics can still require it of all their staff.",
    )
    api_token_days: Annotated[
        int,
        _whole_number(
            "NEEDLEPOINT_API_TOKEN_DAYS",
            MAX_API_TOKEN_DAYS,
            f"a number of days; set 1 to {MAX_API_TOKEN_DAYS}, or unset it for 90.",
        ),
    ] = Field(
        90,
        description="How long a new API token works when its issuer does not choose, in days "
        f"(1 to {MAX_API_TOKEN_DAYS}; ADR 0037).",
    )
    smtp: SmtpSettings | None = Field(None, description="Email over SMTP.")
    sms: SmsSettings | None = Field(None, description="SMS over an HTTP gateway.")
    trusted_proxies: Annotated[
        tuple[IpNetwork, ...], NoDecode, BeforeValidator(_trusted_proxies)
    ] = Field(
        (),
        description="The reverse proxies in front of needlepoint, comma-separated addresses or "
        "networks (127.0.0.1,10.0.0.0/8,::1). Only a request whose socket peer is one of them "
        "has its X-Forwarded-For and X-Forwarded-Proto believed; the proxy must pass the Host "
        "header through. Unset: none (ADR 0023).",
    )

    https_only: Flag = Field(
        False,
        description="1 behind an HTTPS proxy: a plain-HTTP request is redirected (308) to the "
        "same path under NEEDLEPOINT_PUBLIC_URL, which must then be https://, and every HTTPS "
        "answer carries Strict-Transport-Security: max-age=31536000; includeSubDomains. A "
        "request counts as HTTPS by its socket, or by X-Forwarded-Proto only from "
        "NEEDLEPOINT_TRUSTED_PROXIES (ADR 0040).",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],  # noqa: ARG003 - pydantic-settings' signature
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,  # noqa: ARG003
        dotenv_settings: PydanticBaseSettingsSource,  # noqa: ARG003
        file_secret_settings: PydanticBaseSettingsSource,  # noqa: ARG003
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Keyword arguments only: the environment is read by ``from_env`` alone."""
        return (init_settings,)

    @model_validator(mode="before")
    @classmethod
    def _unset_without_host(cls, data: Any) -> Any:
        """SMTP is off without ``NEEDLEPOINT_SMTP_HOST``, SMS without its gateway URL."""
        if not isinstance(data, dict):
            return data
        needs = {"smtp": "host", "sms": "gateway_url"}
        off = {name for name, key in needs.items() if _lacks(data.get(name), key)}
        return {**data, **dict.fromkeys(off)}

    @model_validator(mode="before")
    @classmethod
    def _public_url_from_portal_url(cls, data: Any) -> Any:
        """The deprecated NEEDLEPOINT_PORTAL_URL gives the public URL when that is unset."""
        if not isinstance(data, dict):
            return data
        portal, public = data.get("portal_url"), data.get("public_url")
        if not isinstance(portal, str) or not portal.startswith(("https://", "http://")):
            return data
        site = portal.rstrip("/").removesuffix(PORTAL_PATH)
        if site == portal.rstrip("/"):
            raise ValueError(
                f"NEEDLEPOINT_PORTAL_URL={portal!r} does not end in {PORTAL_PATH}; set "
                "NEEDLEPOINT_PUBLIC_URL to the site's address instead (NEEDLEPOINT_PORTAL_URL "
                "is deprecated), or unset it."
            )
        if isinstance(public, str) and public.rstrip("/") != site:
            raise ValueError(
                f"NEEDLEPOINT_PORTAL_URL={portal!r} and NEEDLEPOINT_PUBLIC_URL={public!r} "
                "disagree; unset NEEDLEPOINT_PORTAL_URL (deprecated): the portal is always "
                f"<public URL>{PORTAL_PATH}."
            )
        return {**data, "public_url": site}

    @model_validator(mode="after")
    def _https_only_needs_an_https_address(self) -> Settings:
        if self.https_only and not self.public_url.startswith("https://"):
            raise ValueError(
                f"NEEDLEPOINT_HTTPS_ONLY is on but NEEDLEPOINT_PUBLIC_URL={self.public_url!r} is "
                "not https://; set NEEDLEPOINT_PUBLIC_URL to the https:// address the proxy "
                "serves (plain HTTP is redirected there), or unset NEEDLEPOINT_HTTPS_ONLY."
            )
        return self

    @property
    def portal_address(self) -> str:
        """The patient portal's address: the public URL with ``/portal``."""
        return f"{self.public_url}{PORTAL_PATH}"

    def unshared_secrets(self) -> tuple[str, ...]:
        """The secret settings left unset, so that each data directory would make its own.

        Several server processes (``serve --workers``, or several machines) need none of them:
        every process must derive and check the same tokens.
        """
        unset = {
            "WEB_SECRET": self.web_secret,
            "AUDIT_KEY": self.audit_key,
            "FIELD_KEY": self.field_key,
        }
        return tuple(f"{ENV_PREFIX}{name}" for name, value in unset.items() if not value)

    @property
    def web_secret_file(self) -> Path:
        """Where the web app's server secret is kept when none is set in the environment."""
        return self.data_dir / "web-secret"

    @property
    def audit_key_file(self) -> Path:
        """Where the audit trail's key is kept when none is set in the environment."""
        return self.data_dir / "audit-key"

    @property
    def field_key_file(self) -> Path:
        """Where the field encryption key is kept when none is set in the environment."""
        return self.data_dir / "field-key"

    @property
    def field_keys_retired_file(self) -> Path:
        """Where retired field keys are listed when none are set in the environment."""
        return self.data_dir / "field-keys-retired"

    @property
    def backup_key_file(self) -> Path:
        """Where the backup key is kept when none is set in the environment."""
        return self.data_dir / "backup-key"

    @property
    def effective_database_url(self) -> str:
        """The configured database, or the SQLite file in the data directory."""
        if self.database_url:
            return self.database_url.get_secret_value()
        return f"sqlite:///{(self.data_dir / 'needlepoint.sqlite3').resolve()}"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from environment variables (``NEEDLEPOINT_*``), ``os.environ`` by default."""
        try:
            return cls(**_EnvironSource(cls, os.environ if environ is None else environ)())
        except ValidationError as error:
            raise SettingsError(_explain(error)) from None
        except SourceError as error:
            raise SettingsError(f"{error}; see docs/settings.md, or unset it.") from None


def _lacks(section: object, key: str) -> bool:
    return isinstance(section, dict) and not section.get(key)


class _EnvironSource(EnvSettingsSource):
    """pydantic-settings' environment source, reading a given mapping instead of os.environ."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self._environ = {k: v for k, v in environ.items() if k.startswith(ENV_PREFIX)}
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return parse_env_vars(
            self._environ, self.case_sensitive, self.env_ignore_empty, self.env_parse_none_str
        )


def _explain(error: ValidationError) -> str:
    """Our own messages where a validator wrote one; else the variable, the problem, the fix."""
    return "\n".join(dict.fromkeys(_explain_one(detail) for detail in error.errors()))


def _explain_one(detail: Any) -> str:
    cause = detail.get("ctx", {}).get("error")
    if detail["type"] == "value_error" and isinstance(cause, ValueError):
        return str(cause)
    name = ENV_PREFIX + "_".join(
        str(part).upper() for part in detail["loc"] if isinstance(part, str)
    )
    return f"{name} is not usable ({detail['msg']}); see docs/settings.md, or unset it."


# --- docs/settings.md, generated from the models (``make docs``) ---------------------------
