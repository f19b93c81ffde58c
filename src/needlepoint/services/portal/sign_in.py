"""Use cases: a patient signs in to the portal by a one-time link, and is signed in after.

* **Asking for a link.** Every patient record with the email given gets its own link (one
  per record when two clinics, or two records, share an address), queued as a
  ``PORTAL_SIGN_IN`` email in the outbox in the same transaction. The link's token is 256
  random bits; only its SHA-256 is stored, with an expiry (``link_lifetime``, 15 minutes by
  default) and ``used_at``. The token is made when the worker sends the email
  (``make_sign_in_link``), never before: the outbox row holds a placeholder and the link's id,
  so neither the database nor a backup holds a live link (ADR 0037). What the asker is told
  never depends on whether the email is known (ecosystem.md AU-4): an unknown email, a known
  one and an email asked for too often (``MAX_REQUESTS_PER_EMAIL`` in ``REQUEST_WINDOW``,
  silently not sent again) all read the same. Only an address asking too often
  (``MAX_REQUESTS_PER_IP``) is told to wait.
* **Following it.** Showing the link's page changes nothing (mail scanners open links);
  pressing its button consumes the token (``used_at`` is set by one UPDATE that only an
  unused link matches, so two presses cannot both win) and opens a patient session.
* **Being signed in.** A session is a random token in a cookie and its SHA-256 on the server,
  bound to one (clinic, patient) pair; it ends after ``IDLE_TIMEOUT`` unused,
  ``ABSOLUTE_TIMEOUT`` after sign-in, or at sign-out.

Each use case is one unit of work and appends one audit event; a patient acts as actor role
``patient`` (``actor_id`` = the patient's id), someone not signed in as ``anonymous``.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Final
from uuid import UUID, uuid4

from needlepoint.domain.contact import ClinicContact
from needlepoint.domain.errors import DomainError, NotFoundError
from needlepoint.domain.messages import LINK_PLACEHOLDER, Channel, MessageKind, OutboxMessage
from needlepoint.domain.portal import PatientSession, SignInLink
from needlepoint.domain.records import AuditEvent, PatientRecord
from needlepoint.services.audit import Audited
from needlepoint.services.portal.ports import (
    PatientSessionEnd,
    PatientSessionLookup,
    PatientSessionOpening,
    PortalPatientReads,
    SignInLinkMaking,
    SignInLinkQueue,
    SignInLinkRequest,
)
from needlepoint.services.ports import Clock, HasPortalAccess

LINK_LIFETIME: Final = timedelta(minutes=15)
"""How long a sign-in link works, unless configured otherwise [INF default]."""

IDLE_TIMEOUT: Final = timedelta(minutes=30)
"""A patient session ends after 30 minutes unused [INF default]."""

ABSOLUTE_TIMEOUT: Final = timedelta(hours=12)
"""A patient signs in again 12 hours after signing in, whatever the use [INF default]."""

TOUCH_EVERY: Final = timedelta(seconds=30)
"""``last_seen_at`` is rewritten at most this often."""

REQUEST_WINDOW: Final = timedelta(minutes=15)
MAX_REQUESTS_PER_EMAIL: Final = 3
"""Links sent for one email per window; more requests are recorded but send nothing."""

MAX_REQUESTS_PER_IP: Final = 20
"""Requests from one address per window before it is told to wait."""

TOKEN_BYTES: Final = 32
MAX_TOKEN_CHARS: Final = 100
MAX_EMAIL_CHARS: Final = 320

PATIENT_ROLE: Final = "patient"
ANONYMOUS_ROLE: Final = "anonymous"


class PortalRecordNotFoundError(NotFoundError):
    """No such record among the signed-in patient's own (another patient's reads the same)."""

    code = "portal-record-not-found"


class SignInLinkError(DomainError):
    """The sign-in link is unknown, expired or already used (never says which)."""

    code = "sign-in-link-invalid"

    def __init__(self) -> None:
        super().__init__(
            "this sign-in link has expired or has already been used; ask for a new one"
        )


class TooManyLinkRequestsError(DomainError):
    """Too many sign-in links were asked for from this address; try again later."""

    code = "too-many-link-requests"

    def __init__(self, retry_after: timedelta) -> None:
        super().__init__("too many sign-in links were asked for; wait before asking again")
        self.retry_after_seconds = int(retry_after.total_seconds())


@dataclass(frozen=True, slots=True)
class PatientContext:
    """Which patient is signed in (clinic and record) and the request, for scoping and audit."""

    clinic_id: UUID
    patient_id: UUID
    request_id: str


@dataclass(frozen=True, slots=True)
class PortalPatient:
    """The signed-in patient, as every portal page needs them."""

    clinic_id: UUID
    patient_id: UUID
    given_name: str
    family_name: str
    clinic_name: str
    time_zone: str
    clinic_contact: ClinicContact | None = None
    """How the patient reaches their clinic (its phone number and hours), once it is set."""

    def context(self, request_id: str) -> PatientContext:
        """The context of one request by this patient."""
        return PatientContext(self.clinic_id, self.patient_id, request_id)


@dataclass(frozen=True, slots=True)
class LinkRequest:
    """Someone asks for sign-in links for an email, from an address."""

    email: str
    ip: str
    request_id: str


@dataclass(frozen=True, slots=True)
class IssuedPatientSession:
    """A new patient session: the token goes to the browser once and is never stored."""

    token: str
    patient: PortalPatient
    expires_at: datetime


def digest(secret: str) -> str:
    """The SHA-256 (hex) under which a token or an email is stored."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def sign_in_url(portal_url: str, token: str) -> str:
    """The link a patient follows: ``<portal URL>/sign-in/<token>`` (``…/portal/sign-in/…``)."""
    return f"{portal_url.rstrip('/')}/sign-in/{token}"


def request_sign_in_links(
    *,
    request: LinkRequest,
    lifetime: timedelta,
    uow: SignInLinkRequest,
    clock: Clock,
) -> int:
    """Queue one sign-in link per patient record with this email; how many were queued.

    The number is for tests and logs only: a page must answer the same whatever it is.

    Raises:
        TooManyLinkRequestsError: This address asked too often (whatever the email).
    """
    now = clock.now()
    email = request.email.strip().lower()[:MAX_EMAIL_CHARS]
    email_hash = digest(email)
    with uow:
        portal = uow.portal_access
        if portal.requests_from_ip(request.ip, since=now - REQUEST_WINDOW) >= MAX_REQUESTS_PER_IP:
            _append(uow, _anonymous("portal.sign_in.request", "-", "throttled", request, now))
            uow.commit()
            raise TooManyLinkRequestsError(REQUEST_WINDOW)
        recent = portal.requests_for_email(email_hash, since=now - REQUEST_WINDOW)
        portal.add_request(email_hash, request.ip, now)
        patients = () if recent >= MAX_REQUESTS_PER_EMAIL or not email else _owners(uow, email)
        links = [_queue_link(uow, patient, now + lifetime, now) for patient in patients]
        outcome = "success" if links else "no_link_sent"
        resource = ",".join(str(link.id) for link in links) or "-"
        event = _anonymous("portal.sign_in.request", resource, outcome, request, now)
        only = patients[0].id if len(patients) == 1 else None
        _append(uow, replace(event, patient_id=only))
        uow.commit()
    return len(links)


def _owners(uow: HasPortalAccess, email: str) -> Sequence[PatientRecord]:
    return uow.portal_access.patients_with_email(email)


def _queue_link(
    uow: SignInLinkQueue,
    patient: PatientRecord,
    expires_at: datetime,
    now: datetime,
) -> SignInLink:
    # The link's token is made when the email is sent (make_sign_in_link); until then it
    # holds the hash of a secret nobody is ever given, so it cannot be followed.
    unknown = secrets.token_urlsafe(TOKEN_BYTES)
    link = SignInLink(uuid4(), patient.clinic_id, patient.id, digest(unknown), now, expires_at)
    uow.portal_access.add_link(link)
    minutes = max(1, int((expires_at - now).total_seconds() // 60))
    body = (
        "Here is your link to sign in to your clinic's patient portal. It works once, "
        f"for {minutes} minutes:\n\n{LINK_PLACEHOLDER}\n\n"
        "If you did not ask for it, you can ignore this email."
    )
    uow.outbox.add(
        OutboxMessage(
            id=uuid4(),
            clinic_id=patient.clinic_id,
            patient_id=patient.id,
            appointment_id=None,
            kind=MessageKind.PORTAL_SIGN_IN,
            channel=Channel.EMAIL,
            recipient=patient.email or "",
            subject="Your sign-in link",
            body=body,
            due_at=now,
            idempotency_key=f"portal-sign-in:{link.id}",
            created_at=now,
        )
    )
    return link


def make_sign_in_link(
    *, link_id: str, portal_url: str, uow: SignInLinkMaking, clock: Clock
) -> str | None:
    """A fresh secret for a queued sign-in link, as the URL to send; None if it is unusable.

    Called by the worker as it sends the link's email: only the new secret's hash is stored
    (replacing any earlier one, so only the last email sent works). An expired, used or
    unknown link gets None and its email is not sent.
    """
    try:
        link = UUID(link_id)
    except ValueError:
        return None
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with uow:
        if not uow.portal_access.rekey_link(link, digest(token), clock.now()):
            return None
        uow.commit()
    return sign_in_url(portal_url, token)


def open_patient_session(
    *,
    token: str,
    replacing: str | None,
    request_id: str,
    uow: PatientSessionOpening,
    clock: Clock,
) -> IssuedPatientSession:
    """Consume a sign-in link and open a session for its patient record.

    A session the browser already holds (``replacing``) is ended: every sign-in gets a new
    token.

    Raises:
        SignInLinkError: The link is unknown, expired or used (one message for all three).
    """
    now = clock.now()
    with uow:
        link = uow.portal_access.link(digest(token[:MAX_TOKEN_CHARS]))
        if link is None or not link.usable(now) or not uow.portal_access.use_link(link.id, now):
            event = AuditEvent(
                now, None, ANONYMOUS_ROLE, "portal.sign_in", "portal_sign_in_link",
                "-" if link is None else str(link.id), None, "refused", request_id,
            )  # fmt: skip
            _append(uow, event)
            uow.commit()
            raise SignInLinkError
        patient = portal_patient(uow, link.clinic_id, link.patient_id)
        if patient is None:
            raise SignInLinkError
        issued = _open_session(uow, patient, now)
        if replacing is not None:
            uow.portal_access.revoke_session(digest(replacing[:MAX_TOKEN_CHARS]), now)
        context = patient.context(request_id)
        _append(uow, patient_event(context, "portal.sign_in", "portal_sign_in_link", link.id, now))
        uow.commit()
    return issued


def _open_session(
    uow: HasPortalAccess, patient: PortalPatient, now: datetime
) -> IssuedPatientSession:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    expires_at = now + ABSOLUTE_TIMEOUT
    session = PatientSession(
        digest(token), patient.clinic_id, patient.patient_id, now, now, expires_at
    )
    uow.portal_access.add_session(session)
    return IssuedPatientSession(token=token, patient=patient, expires_at=expires_at)


def resolve_patient_session(
    *, token: str, uow: PatientSessionLookup, clock: Clock
) -> PortalPatient | None:
    """The patient of a live session, else None; an expired session is ended."""
    if len(token) > MAX_TOKEN_CHARS:
        return None
    now = clock.now()
    with uow:
        session = uow.portal_access.session(digest(token))
        if session is None or session.revoked_at is not None:
            return None
        if not session.live(now, idle_timeout=IDLE_TIMEOUT):
            uow.portal_access.revoke_session(session.id_hash, now)
            uow.commit()
            return None
        patient = portal_patient(uow, session.clinic_id, session.patient_id)
        if now - session.last_seen_at >= TOUCH_EVERY:
            uow.portal_access.touch_session(session.id_hash, now)
        uow.commit()
    return patient


def end_patient_session(
    *, token: str, request_id: str, uow: PatientSessionEnd, clock: Clock
) -> None:
    """Sign out: end the session whose token this is (an unknown token changes nothing)."""
    if len(token) > MAX_TOKEN_CHARS:
        return
    now = clock.now()
    with uow:
        session = uow.portal_access.session(digest(token))
        if session is None:
            return
        uow.portal_access.revoke_session(session.id_hash, now)
        context = PatientContext(session.clinic_id, session.patient_id, request_id)
        _append(uow, patient_event(context, "portal.sign_out", "patient_session", "-", now))
        uow.commit()


def portal_patient(
    uow: PortalPatientReads, clinic_id: UUID, patient_id: UUID
) -> PortalPatient | None:
    """The patient record and their clinic's name and zone, or None if gone."""
    patient = uow.patients.get(clinic_id, patient_id)
    clinic = uow.clinics.get(clinic_id)
    if patient is None or clinic is None:
        return None
    return PortalPatient(
        clinic_id,
        patient_id,
        patient.given_name,
        patient.family_name,
        clinic.name,
        clinic.time_zone,
        clinic.contact,
    )


def patient_event(
    context: PatientContext,
    action: str,
    resource_type: str,
    resource_id: UUID | str,
    at: datetime,
    *,
    outcome: str = "success",
) -> AuditEvent:
    """The audit event of something a signed-in patient did to their own records."""
    return AuditEvent(
        at=at,
        actor_id=context.patient_id,
        actor_role=PATIENT_ROLE,
        action=action,
        resource_type=resource_type,
        resource_id=str(resource_id),
        patient_id=context.patient_id,
        outcome=outcome,
        request_id=context.request_id,
    )


def _anonymous(
    action: str, resource_id: str, outcome: str, request: LinkRequest, at: datetime
) -> AuditEvent:
    return AuditEvent(
        at, None, ANONYMOUS_ROLE, action, "portal_sign_in_link", resource_id, None, outcome,
        request.request_id,
    )  # fmt: skip


def _append(uow: Audited, event: AuditEvent) -> None:
    uow.audit.append(event)
