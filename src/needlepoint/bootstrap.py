"""The composition root: settings → adapters → the areas. The one place things are wired.

Each area's facade (``services/<area>/facade.py``) holds its use cases; this module only
builds them with their adapters and hands the areas to the entrypoints. ``docs/architecture.md``
draws the areas and says where each piece lives.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from needlepoint.adapters import secret_file
from needlepoint.adapters.clock import SystemClock
from needlepoint.adapters.database import Database
from needlepoint.adapters.passwords import Argon2PasswordHasher
from needlepoint.config import Settings, SettingsError
from needlepoint.domain.messages import Channel
from needlepoint.domain.programme import ClinicalKnowledge
from needlepoint.domain.reminders import ReminderPolicy
from needlepoint.knowledge import catalogue
from needlepoint.knowledge import checkins as checkin_tables
from needlepoint.knowledge import reminders as reminder_tables
from needlepoint.services.accounts.facade import Accounts
from needlepoint.services.consultation.facade import Consultation, Engine
from needlepoint.services.messaging.facade import MessageChannel, Messaging
from needlepoint.services.portal.facade import Portal
from needlepoint.services.ports import Clock, PasswordHasher
from needlepoint.services.records.facade import Records
from needlepoint.services.scheduling.facade import Scheduling
from needlepoint.services.treatment.facade import Treatment

__all__ = ["Database", "Services", "bootstrap"]


@dataclass(frozen=True, slots=True)
class Services:
    """The areas, wired to real adapters. Entrypoints call these and nothing deeper."""

    settings: Settings
    clock: Clock
    knowledge: ClinicalKnowledge
    database: Database
    web_secret: Callable[[], bytes]
    accounts: Accounts
    consultation: Consultation
    records: Records
    treatment: Treatment
    scheduling: Scheduling
    messaging: Messaging
    portal: Portal


def bootstrap(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    hasher: PasswordHasher | None = None,
    database: Database | None = None,
) -> Services:
    """Build the areas from settings (read from the environment when not given).

    ``clock``, ``hasher`` and ``database`` replace the real adapters (tests pass their own).
    """
    settings = settings or Settings.from_env()
    clock = clock or SystemClock()
    knowledge = catalogue.load_knowledge()
    database = database or Database(settings.effective_database_url)
    engine = Engine(
        knowledge=knowledge,
        citations={s.id: s.citation for s in catalogue.sources().sources},
        default_session_time=settings.default_session_time,
    )
    messaging = _messaging(settings, database, clock, knowledge)
    return Services(
        settings=settings,
        clock=clock,
        knowledge=knowledge,
        database=database,
        web_secret=functools.partial(_web_secret, settings),
        accounts=Accounts(
            unit_of_work=database.unit_of_work,
            accounts_unit_of_work=database.accounts_unit_of_work,
            clock=clock,
            hasher=hasher or Argon2PasswordHasher(),
        ),
        consultation=Consultation(database.unit_of_work, clock, engine),
        records=Records(database.unit_of_work, clock, engine),
        treatment=Treatment(database.unit_of_work, clock, engine),
        scheduling=Scheduling(
            unit_of_work=database.unit_of_work,
            clock=clock,
            knowledge=knowledge,
            on_appointment_change=messaging.follow_appointment_change,
            calendar_renderer=_render_calendar,
        ),
        messaging=messaging,
        portal=_portal(settings, database, clock, knowledge),
    )


def _messaging(
    settings: Settings, database: Database, clock: Clock, knowledge: ClinicalKnowledge
) -> Messaging:
    policy = ReminderPolicy(
        schedule=reminder_tables.load_reminder_schedule(),
        portal_url=settings.portal_url,
        sms_enabled=settings.sms is not None,
        care_templates=knowledge.care.templates,
    )
    return Messaging(
        unit_of_work=database.unit_of_work,
        handover_unit_of_work=database.handover_unit_of_work,
        clock=clock,
        policy=policy,
        channels=functools.partial(_message_channels, settings),
    )


def _portal(
    settings: Settings, database: Database, clock: Clock, knowledge: ClinicalKnowledge
) -> Portal:
    from needlepoint.adapters.photos import JpegReencoder  # noqa: PLC0415 - Pillow on use

    return Portal(
        unit_of_work=database.unit_of_work,
        clock=clock,
        knowledge=knowledge,
        triage_rules=checkin_tables.load_triage_rules(),
        photos=JpegReencoder(),
        link_lifetime=timedelta(minutes=settings.portal_link_minutes),
        portal_url=settings.portal_url,
    )


def _web_secret(settings: Settings) -> bytes:
    """The secret the web app derives CSRF tokens from: the setting, else the data-dir file."""
    if settings.web_secret:
        return settings.web_secret.get_secret_value().encode("utf-8")
    return secret_file.load_or_create(settings.web_secret_file)


def _render_calendar(calendar: Any, *, stamped_at: Any) -> bytes:
    from needlepoint.adapters import ics  # noqa: PLC0415 - icalendar loads on first use

    return ics.render_calendar(calendar, stamped_at=stamped_at)


def _message_channels(settings: Settings) -> Mapping[Channel, MessageChannel]:
    """Email over SMTP (required) and SMS (a gateway, or a channel that fails saying why).

    Raises ``SettingsError`` naming the setting when email is not set up or not secure.
    """
    from needlepoint.adapters import email, sms  # noqa: PLC0415 - the worker's only

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
