"""The composition root: settings → adapters → the areas. The one place things are wired.

Each area's facade (``services/<area>/facade.py``) holds its use cases; this module only
builds them with their adapters and hands the areas to the entrypoints. ``docs/architecture.md``
draws the areas and says where each piece lives.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from needlepoint import engine_settings
from needlepoint.adapters import secret_file
from needlepoint.adapters.clock import SystemClock
from needlepoint.domain.programme import ClinicalKnowledge
from needlepoint.engine_settings import SettingsError
from needlepoint.knowledge import compiled

if TYPE_CHECKING:
    # Imported where used: `needlepoint consult` starts without SQLAlchemy or pydantic-settings.
    from needlepoint.adapters.database import Database
    from needlepoint.adapters.field_crypto import FieldKeyring
    from needlepoint.config import Settings
    from needlepoint.domain.messages import Channel
    from needlepoint.services.accounts.facade import Accounts
    from needlepoint.services.analytics.facade import Analytics
    from needlepoint.services.consultation.consulting import Consulting
    from needlepoint.services.consultation.facade import Consultation, Engine
    from needlepoint.services.interop.bulk_facade import BulkExport
    from needlepoint.services.interop.bulk_reads import ClinicWalk
    from needlepoint.services.interop.facade import Interop
    from needlepoint.services.messaging.facade import MessageChannel, Messaging, SecretLinks
    from needlepoint.services.portal.facade import Portal
    from needlepoint.services.ports import Clock, PasswordHasher
    from needlepoint.services.records.facade import Records
    from needlepoint.services.scheduling.facade import Scheduling
    from needlepoint.services.treatment.facade import Treatment

__all__ = ["Database", "Services", "bootstrap", "consulting"]

A = TypeVar("A")


class _Area(Generic[A]):
    """An area built on first use, once per ``Services``: consulting imports no portal."""

    def __init__(self, build: Callable[[Services], A]) -> None:
        self._build = build
        self._name = build.__name__

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    def __get__(self, services: Services, owner: type | None = None) -> A:
        built: dict[str, Any] = services._built
        if self._name not in built:
            with services._lock:
                if self._name not in built:
                    built[self._name] = self._build(services)
        value: A = built[self._name]
        return value


def audit_key(settings: Settings) -> bytes:
    """The audit trail's HMAC key: the setting, else the data directory's key file (ADR 0032)."""
    if settings.audit_key:
        return settings.audit_key.get_secret_value().encode("utf-8")
    return secret_file.load_or_create(settings.audit_key_file)


def field_keyring(settings: Settings) -> FieldKeyring:
    """The field encryption keys: the setting, else the data directory's key file (ADR 0039).

    Retired keys (read only) come from NEEDLEPOINT_FIELD_KEYS_RETIRED, else from
    ``<data dir>/field-keys-retired`` (one key a line) if it exists.
    """
    from needlepoint.adapters import field_crypto  # noqa: PLC0415 - cryptography on use

    if settings.field_key:
        current = field_crypto.parse_key(
            settings.field_key.get_secret_value(), name="NEEDLEPOINT_FIELD_KEY"
        )
    else:
        current = field_crypto.parse_key(
            secret_file.load_or_create(settings.field_key_file).decode("ascii"),
            name=str(settings.field_key_file),
        )
    if settings.field_keys_retired:
        name, listed = "NEEDLEPOINT_FIELD_KEYS_RETIRED", settings.field_keys_retired
        entries = listed.get_secret_value().split(",")
    elif settings.field_keys_retired_file.exists():
        name = str(settings.field_keys_retired_file)
        entries = settings.field_keys_retired_file.read_text(encoding="ascii").splitlines()
    else:
        name, entries = "", []
    retired = tuple(field_crypto.parse_key(entry, name=name) for entry in entries if entry.strip())
    return field_crypto.FieldKeyring(current, retired)


def backup_key(settings: Settings) -> bytes:
    """The backups' key: the setting, else the data directory's key file (docs/formats.md)."""
    from needlepoint.adapters import field_crypto  # noqa: PLC0415 - cryptography on use

    if settings.backup_key:
        text, name = settings.backup_key.get_secret_value(), "NEEDLEPOINT_BACKUP_KEY"
    else:
        text = secret_file.load_or_create(settings.backup_key_file).decode("ascii")
        name = str(settings.backup_key_file)
    return field_crypto.parse_key(text, name=name)


@dataclass(frozen=True)
class Services:
    """The areas, wired to real adapters, each built on first use. Entrypoints call these.

    ``dataclasses.replace`` gives a copy whose areas are built afresh from what it replaced.
    """

    settings: Settings
    clock: Clock
    knowledge: ClinicalKnowledge
    database: Database
    hasher: PasswordHasher | None = None
    _built: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    _lock: threading.RLock = field(
        default_factory=threading.RLock, init=False, repr=False, compare=False
    )

    def web_secret(self) -> bytes:
        """The secret the web app derives CSRF tokens from: the setting, else the data-dir file."""
        if self.settings.web_secret:
            return self.settings.web_secret.get_secret_value().encode("utf-8")
        return secret_file.load_or_create(self.settings.web_secret_file)

    @_Area
    def engine(self) -> Engine:
        """The clinical engine the consultation, records and treatment areas share."""
        from needlepoint.services.consultation.facade import Engine  # noqa: PLC0415

        return Engine(
            knowledge=self.knowledge,
            citations=dict(compiled.load().citations),
            default_session_time=self.settings.default_session_time,
        )

    @_Area
    def accounts(self) -> Accounts:
        """Staff, sign-in sessions, API tokens and throttling."""
        from needlepoint.adapters.passwords import Argon2PasswordHasher  # noqa: PLC0415
        from needlepoint.services.accounts.facade import Accounts  # noqa: PLC0415
        from needlepoint.services.accounts.second_step import TwoStepPolicy  # noqa: PLC0415

        return Accounts(
            unit_of_work=self.database.unit_of_work,
            accounts_unit_of_work=self.database.accounts_unit_of_work,
            session_reader=self.database.session_reader,
            clock=self.clock,
            hasher=self.hasher or Argon2PasswordHasher(),
            policy=TwoStepPolicy(admins=self.settings.admin_two_step),
            reauth_max_age=timedelta(minutes=self.settings.reauth_minutes),
            api_token_days=self.settings.api_token_days,
            public_url=self.settings.public_url,
        )

    @_Area
    def consultation(self) -> Consultation:
        """Screening, grading and planning consultations; clearances; reports."""
        from needlepoint.services.consultation.facade import Consultation  # noqa: PLC0415

        return Consultation(self.database.unit_of_work, self.clock, self.engine)

    @_Area
    def records(self) -> Records:
        """Patients, assessments, outcomes and the programme view."""
        from needlepoint.services.records.facade import Records  # noqa: PLC0415

        return Records(
            self.database.unit_of_work,
            self.clock,
            self.engine,
            break_glass_minutes=self.settings.break_glass_minutes,
            reseal=self.database.reencrypt_fields,
        )

    @_Area
    def analytics(self) -> Analytics:
        """Cohort analytics (ADR 0045); the charts are drawn by matplotlib on first use."""
        from needlepoint.adapters.cohort_charts import MatplotlibCohortCharts  # noqa: PLC0415
        from needlepoint.services.analytics.facade import Analytics, Presentation  # noqa: PLC0415

        return Analytics(
            self.database.reading_unit_of_work,
            self.clock,
            Presentation(
                self.knowledge,
                MatplotlibCohortCharts(),
                few_patients=self.settings.analytics_few_patients,
            ),
        )

    @_Area
    def interop(self) -> Interop:
        """A patient's record as FHIR R4B (fhir.resources on use)."""
        from needlepoint.adapters.fhir import FhirR4BExporter  # noqa: PLC0415
        from needlepoint.services.interop.facade import Interop  # noqa: PLC0415

        return Interop(
            self.database.unit_of_work,
            self.clock,
            FhirR4BExporter(),
            knowledge_versions=dict(self.knowledge.versions),
        )

    @_Area
    def treatment(self) -> Treatment:
        """Series, sessions, charts, photos and consent (scikit-image, WeasyPrint on use)."""
        from needlepoint.adapters import imaging, pdf  # noqa: PLC0415
        from needlepoint.services.treatment.facade import Treatment  # noqa: PLC0415

        tools = imaging.SkimageImaging(), pdf.PdfRenderer()
        return Treatment(
            self.database.unit_of_work,
            self.clock,
            self.engine,
            *tools,
            read_unit_of_work=self.database.reading_unit_of_work,
        )

    @_Area
    def scheduling(self) -> Scheduling:
        """Clinic set-up, proposals, booking and changes (reminders follow changes)."""
        from needlepoint.services.scheduling.facade import Scheduling  # noqa: PLC0415

        return Scheduling(
            unit_of_work=self.database.unit_of_work,
            clock=self.clock,
            knowledge=self.knowledge,
            on_appointment_change=self.messaging.follow_appointment_change,
            calendar_renderer=_render_calendar,
        )

    @_Area
    def messaging(self) -> Messaging:
        """Reminders and their delivery."""
        from needlepoint.domain.reminders import ReminderPolicy  # noqa: PLC0415
        from needlepoint.knowledge import reminders  # noqa: PLC0415
        from needlepoint.services.messaging.facade import Messaging  # noqa: PLC0415

        settings = self.settings
        policy = ReminderPolicy(
            schedule=reminders.load_reminder_schedule(),
            portal_url=settings.portal_address,
            sms_enabled=settings.sms is not None,
            care_templates=self.knowledge.care.templates,
        )
        return Messaging(
            unit_of_work=self.database.unit_of_work,
            handover_unit_of_work=self.database.handover_unit_of_work,
            clock=self.clock,
            policy=policy,
            channels=lambda: _message_channels(settings),
            secret_links=self._secret_links,
        )

    @_Area
    def bulk_export(self) -> BulkExport:
        """FHIR Bulk Data ``$export`` jobs of a clinic (files under ``<data dir>/fhir-exports``)."""
        from needlepoint.adapters.bulk_files import NdjsonFiles, ThreadRunner  # noqa: PLC0415
        from needlepoint.services.interop.bulk_facade import BulkExport  # noqa: PLC0415

        return BulkExport(
            unit_of_work=self.database.unit_of_work,
            clock=self.clock,
            resources=self.clinic_walk(),
            files=NdjsonFiles(self.settings.data_dir / "fhir-exports"),
            runner=ThreadRunner(),
        )

    def clinic_walk(self) -> ClinicWalk:
        """A clinic's records mapped to FHIR R4B, for a bulk export (fhir.resources on use)."""
        from needlepoint.adapters.fhir.bulk import FhirR4BBulkMapper  # noqa: PLC0415
        from needlepoint.services.interop.bulk_reads import ClinicWalk  # noqa: PLC0415

        return ClinicWalk(
            reads=self.database.reading_unit_of_work,
            mapper=FhirR4BBulkMapper(),
            knowledge_versions=dict(self.knowledge.versions),
        )

    def _secret_links(self) -> SecretLinks:
        """Who makes each linked message's secret link when the worker sends it (ADR 0037)."""
        from needlepoint.domain.messages import MessageKind  # noqa: PLC0415

        return {
            MessageKind.PORTAL_SIGN_IN: self.portal.make_sign_in_link,
            MessageKind.PASSWORD_RESET: self.accounts.make_reset_link,
            MessageKind.STAFF_INVITE: self.accounts.make_invite_link,
        }

    @_Area
    def portal(self) -> Portal:
        """The patient portal: sign-in links, pages and check-ins."""
        from needlepoint.adapters import pdf, photos  # noqa: PLC0415 - Pillow, WeasyPrint on use
        from needlepoint.knowledge import checkins  # noqa: PLC0415
        from needlepoint.services.portal.facade import Portal  # noqa: PLC0415

        return Portal(
            unit_of_work=self.database.unit_of_work,
            clock=self.clock,
            knowledge=self.knowledge,
            triage_rules=checkins.load_triage_rules(),
            photos=photos.JpegReencoder(),
            link_lifetime=timedelta(minutes=self.settings.portal_link_minutes),
            public_url=self.settings.public_url,
            documents=pdf.PdfRenderer(),
        )


def bootstrap(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    hasher: PasswordHasher | None = None,
    database: Database | None = None,
) -> Services:
    """Build the areas from settings (else the environment's); tests pass their own adapters."""
    from needlepoint.adapters.database import Database  # noqa: PLC0415 - SQLAlchemy on use
    from needlepoint.config import Settings  # noqa: PLC0415 - pydantic-settings on use

    settings = settings or Settings.from_env()
    return Services(
        settings=settings,
        clock=clock or SystemClock(),
        knowledge=compiled.load().knowledge,
        database=database
        or Database(
            settings.effective_database_url,
            audit_key=lambda: audit_key(settings),
            field_keys=lambda: field_keyring(settings),
            backup_key=lambda: backup_key(settings),
        ),
        hasher=hasher,
    )


def consulting(
    environ: Mapping[str, str] | None = None, *, clock: Clock | None = None
) -> Consulting:
    """The clinical engine alone, for `needlepoint consult`: no database and no other area.

    It reads one setting, the default session time (``SettingsError`` if it is unusable),
    and the compiled knowledge snapshot; nothing else is imported or validated.
    """
    from needlepoint.services.consultation.consulting import Consulting  # noqa: PLC0415
    from needlepoint.services.consultation.engine import Engine  # noqa: PLC0415

    knowledge = compiled.load()
    engine = Engine(
        knowledge=knowledge.knowledge,
        citations=dict(knowledge.citations),
        default_session_time=engine_settings.default_session_time(environ),
    )
    return Consulting(engine=engine, clock=clock or SystemClock())


def __getattr__(name: str) -> Any:
    """``bootstrap.Database``, imported on first use (it brings SQLAlchemy)."""
    if name == "Database":
        from needlepoint.adapters.database import Database  # noqa: PLC0415

        return Database
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _render_calendar(calendar: Any, *, stamped_at: Any) -> bytes:
    from needlepoint.adapters import ics  # noqa: PLC0415 - icalendar loads on first use

    return ics.render_calendar(calendar, stamped_at=stamped_at)


def _message_channels(settings: Settings) -> Mapping[Channel, MessageChannel]:
    """Email over SMTP and SMS; ``SettingsError`` names the setting that is missing or unsafe."""
    from needlepoint.adapters import email, sms  # noqa: PLC0415 - the worker's only
    from needlepoint.domain.messages import Channel  # noqa: PLC0415

    smtp, gateway = settings.smtp, settings.sms
    if smtp is None:
        raise SettingsError(
            "NEEDLEPOINT_SMTP_HOST is not set; set it (and NEEDLEPOINT_SMTP_FROM) to the "
            "SMTP server reminders are sent through."
        )
    config = email.SmtpConfig(
        host=smtp.host,
        port=smtp.port,
        sender=smtp.sender,
        security=email.SmtpSecurity(smtp.security),
        username=smtp.username,
        password=smtp.password.get_secret_value() if smtp.password else None,
        allow_plaintext=smtp.allow_plaintext,
        ca_file=smtp.ca_file,
    )
    try:
        channels: dict[Channel, MessageChannel] = {
            Channel.EMAIL: email.SmtpChannel(config),
            Channel.SMS: sms.UnconfiguredSmsChannel(),
        }
        if gateway is not None:
            channels[Channel.SMS] = sms.SmsGatewayChannel(
                sms.SmsGatewayConfig(
                    url=gateway.gateway_url,
                    token=gateway.token.get_secret_value() if gateway.token else None,
                    sender=gateway.sender,
                    allow_plaintext=gateway.allow_plaintext,
                )
            )
    except ValueError as error:
        raise SettingsError(
            f"{error}. Fix: NEEDLEPOINT_SMTP_SECURITY, NEEDLEPOINT_SMS_GATEWAY_URL, or the "
            "matching *_ALLOW_PLAINTEXT setting."
        ) from None
    return channels
