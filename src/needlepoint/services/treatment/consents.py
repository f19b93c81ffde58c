"""Use cases: a patient's consent to a series, on the clinic's side; and the gate it opens.

* **Signing** is the patient's act, in the portal or on a clinic tablet: ``services.portal``
  (``portal/consents.py``) takes both, with the portal's photo checks for the drawing.
* **Witnessing.** A clinician confirms in person that they witnessed the signature (an
  attestation: their own session); the signed form is then rendered as a PDF, kept with its
  SHA-256 (``consent_documents``), and the consent holds.
* **Withdrawal** records who, when and why; no session of the series starts after it.
* **The gate** (``require_series_consent``) is asked by ``sessions.start_session`` before every
  session: a series' newest consent must hold (``domain.consent.require_consent``).

Every use case checks its action, is one unit of work and appends one audit event; another
clinic's series or consent reads exactly like a missing one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Protocol
from uuid import UUID

from needlepoint.domain.consent import (
    SignedConsent,
    Withdrawal,
    current_consent,
    require_consent,
    series_indications,
)
from needlepoint.domain.consent_templates import ConsentTemplateVersion, Procedure, template_for
from needlepoint.domain.errors import NotFoundError
from needlepoint.domain.treatment import TreatmentSeries
from needlepoint.services import audit, permissions
from needlepoint.services.access import SeriesNotFoundError, series_access
from needlepoint.services.permissions import Action
from needlepoint.services.ports import Clock, HasConsents, HasConsentTemplates, HasStaff
from needlepoint.services.treatment.ports import ConsentReads, ConsentWithdrawing


class ConsentNotFoundError(NotFoundError):
    """No such consent in this clinic."""

    code = "consent-not-found"


class ConsentRecords(HasConsentTemplates, HasConsents, Protocol):
    """Read a series' consents and the published forms (in the caller's transaction)."""


@dataclass(frozen=True, slots=True)
class SeriesConsent:
    """A series' consent as the clinic sees it.

    ``form`` is the published version a new signature would be made with (None when no
    published form applies); ``consents`` every consent of the series, oldest first;
    ``names`` the display names of the staff who handed over, witnessed or withdrew them.
    """

    series: TreatmentSeries
    form: ConsentTemplateVersion | None
    consents: tuple[SignedConsent, ...]
    names: Mapping[UUID, str] = field(default_factory=dict)

    @property
    def current(self) -> SignedConsent | None:
        """The consent that decides whether a session may start (the newest)."""
        return current_consent(self.consents)


@dataclass(frozen=True, slots=True)
class WithdrawalRequest:
    """A patient's withdrawal of a consent, as recorded by a member of staff, and why."""

    consent_id: UUID
    reason: str


def series_consent(
    *, series_id: UUID, context: audit.RequestContext, uow: ConsentReads, clock: Clock
) -> SeriesConsent:
    """A series, the form it would be signed with, and its consents (the read is audited)."""
    permissions.require(context, Action.CONSENT_READ)
    with uow:
        series = uow.series.get(context.actor.clinic_id, series_id)
        if series is None:
            missing = audit.Access(
                "consent.read", "treatment_series", str(series_id), None, "not_found"
            )
            audit.record(uow, context, missing, at=clock.now())
            uow.commit()
            raise SeriesNotFoundError(f"no series {series_id}")
        found = consent_of(uow, series)
        found = replace(found, names=_names(uow, series.clinic_id, found.consents))
        audit.record(uow, context, series_access("consent.read", series), at=clock.now())
        uow.commit()
    return found


def withdraw_consent(
    *,
    withdrawal: WithdrawalRequest,
    context: audit.RequestContext,
    uow: ConsentWithdrawing,
    clock: Clock,
) -> SignedConsent:
    """Record that the patient withdrew their consent; no session of the series starts after.

    Raises:
        ConsentNotFoundError: No such consent in the clinic.
        InvalidInputError: The reason is blank, too long or has control characters.
        InvalidTransitionError: It is withdrawn already.
    """
    permissions.require(context, Action.CONSENT_WITHDRAW)
    now = clock.now()
    with uow:
        consent = consent_or_raise(uow, context.actor.clinic_id, withdrawal.consent_id)
        stopped = consent.withdrawn(Withdrawal(now, withdrawal.reason, context.actor.id))
        uow.consents.save_withdrawal(stopped)
        audit.record(uow, context, consent_access("consent.withdraw", stopped), at=now)
        uow.commit()
    return stopped


def require_series_consent(uow: ConsentRecords, series: TreatmentSeries) -> SignedConsent:
    """The consent that lets a session of ``series`` start (in the caller's transaction).

    Raises:
        ConsentRequiredError: (or its ``…Unwitnessed``/``…Withdrawn`` kinds) it does not hold.
    """
    consents = uow.consents.for_series(series.clinic_id, series.id)
    templates = [
        found
        for consent in consents
        if (found := uow.consent_templates.get(series.clinic_id, consent.template_id))
    ]
    return require_consent(series.id, consents, templates)


def consent_of(uow: ConsentRecords, series: TreatmentSeries) -> SeriesConsent:
    """A series' consent: the form that applies now and every consent signed so far."""
    forms = _forms(uow, series)
    form = template_for(series_indications(series), forms)
    return SeriesConsent(series, form, tuple(uow.consents.for_series(series.clinic_id, series.id)))


def _names(uow: HasStaff, clinic_id: UUID, consents: Iterable[SignedConsent]) -> dict[UUID, str]:
    """The display names of the staff who acted on these consents."""
    acted = {
        member
        for c in consents
        for member in (
            c.recorded_by,
            c.witness.by if c.witness else None,
            c.withdrawal.by if c.withdrawal else None,
        )
        if member is not None
    }
    found = {member: uow.staff.get(clinic_id, member) for member in acted}
    return {member: staff.display_name for member, staff in found.items() if staff is not None}


def _forms(uow: HasConsentTemplates, series: TreatmentSeries) -> list[ConsentTemplateVersion]:
    return list(uow.consent_templates.published(series.clinic_id, Procedure.MICRONEEDLING))


def consent_or_raise(uow: HasConsents, clinic_id: UUID, consent_id: UUID) -> SignedConsent:
    """A consent of the clinic, or ``ConsentNotFoundError``."""
    consent = uow.consents.get(clinic_id, consent_id)
    if consent is None:
        raise ConsentNotFoundError(f"no consent {consent_id}")
    return consent


def consent_access(action: str, consent: SignedConsent) -> audit.Access:
    """The audit record of an operation on a consent."""
    return audit.Access(action, "consent", str(consent.id), consent.patient_id)
