"""Use cases: a patient reads and signs the consent form of a series, and reads it back signed.

The patient signs in the portal as themselves, or on a clinic tablet a clinician hands them
(``sign_on_tablet``, acting for the clinic); both are the same act and the same rules
(``domain.consent.consent_for_series``): the published form that applies to the series, read
as shown (its id and SHA-256 come back with the signature), the typed name always, a drawing
when the patient can draw, and agreement ticked. The drawing passes the portal's photo checks
(``PhotoEncoder``: size, type, pixels; written anew without metadata) before anything is
written. The consent then awaits a clinician's witness (``services.treatment``), and the
patient may read the signed PDF once it is witnessed, or withdraw the consent.

A patient reaches only their own series and consents: another patient's reads exactly like a
missing one. Every use case is one unit of work and appends one audit event.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar
from uuid import UUID, uuid4

from needlepoint.domain.consent import (
    ConsentRequest,
    SignedConsent,
    SignedVia,
    Signing,
    Withdrawal,
    consent_for_series,
    current_consent,
    series_indications,
)
from needlepoint.domain.consent_templates import ConsentTemplateVersion, Procedure, template_for
from needlepoint.domain.documents import DocumentCorruptedError, StoredDocument
from needlepoint.domain.signatures import cleaned_drawing
from needlepoint.domain.treatment import TreatmentSeries
from needlepoint.services import audit, permissions
from needlepoint.services.access import SeriesNotFoundError
from needlepoint.services.permissions import Action
from needlepoint.services.portal.ports import PhotoEncoder
from needlepoint.services.portal.sign_in import (
    PatientContext,
    PortalRecordNotFoundError,
    patient_event,
)
from needlepoint.services.ports import (
    Clock,
    HasAudit,
    HasConsents,
    HasConsentTemplates,
    HasDocuments,
    HasSeries,
    Transaction,
)

log = logging.getLogger("needlepoint.documents")

_Found = TypeVar("_Found")


class ConsentForms(Transaction, HasAudit, HasSeries, HasConsentTemplates, HasConsents, Protocol):
    """Read a series' consent form and consents, and add a signed consent (audited)."""


class _Forms(HasConsentTemplates, HasConsents, Protocol):
    """Read a series' published forms and its consents (in the caller's transaction)."""


class OwnDocumentReads(Transaction, HasAudit, HasConsents, HasDocuments, Protocol):
    """Read one's own signed consent PDF, checked against its hash (audited)."""


class OwnWithdrawal(Transaction, HasAudit, HasConsents, Protocol):
    """Withdraw one's own consent (audited)."""


@dataclass(frozen=True, slots=True)
class ConsentForm:
    """A series and the form its patient signs, with the consents signed so far (oldest first).

    ``form`` is None when no published form applies to the series yet.
    """

    series: TreatmentSeries
    form: ConsentTemplateVersion | None
    consents: tuple[SignedConsent, ...]

    @property
    def current(self) -> SignedConsent | None:
        """The consent that decides (the newest), if any."""
        return current_consent(self.consents)


@dataclass(frozen=True, slots=True)
class NewSignature:
    """A patient's signature for one series, as they gave it."""

    series_id: UUID
    request: ConsentRequest


@dataclass(frozen=True, slots=True)
class PatientWithdrawal:
    """A patient withdrawing their consent, and why."""

    consent_id: UUID
    reason: str


def consent_form(
    *, series_id: UUID, context: PatientContext, uow: ConsentForms, clock: Clock
) -> ConsentForm:
    """One of the patient's series with the form to sign and what they signed (audited)."""
    with uow:
        found = uow.series.get(context.clinic_id, series_id)
        owned = found if found is not None and found.patient_id == context.patient_id else None
        series = _own(uow, context, owned, ("consent.read", "treatment_series", series_id), clock)
        form = form_of(uow, series)
        uow.audit.append(
            patient_event(context, "consent.read", "treatment_series", series.id, clock.now())
        )
        uow.commit()
    return form


def sign_consent(
    *,
    signature: NewSignature,
    context: PatientContext,
    uow: ConsentForms,
    photos: PhotoEncoder,
    clock: Clock,
) -> SignedConsent:
    """The patient signs the form of one of their series in the portal; it awaits a witness.

    Raises:
        PortalRecordNotFoundError: Not one of the patient's series.
        SignatureRejectedError: The drawing failed the photo checks.
        ConsentExistsError, ConsentFormMissingError, TemplateChangedError, InvalidInputError:
            see ``domain.consent.consent_for_series``.
    """
    drawing = cleaned_drawing(signature.request.drawing_png, photos.reencode)
    now = clock.now()
    with uow:
        found = uow.series.get(context.clinic_id, signature.series_id)
        owned = found if found is not None and found.patient_id == context.patient_id else None
        target = ("consent.sign", "treatment_series", signature.series_id)
        series = _own(uow, context, owned, target, clock)
        how = Signing(uuid4(), drawing, now, SignedVia.PORTAL, None)
        consent = _signed(uow, series, signature.request, how)
        uow.consents.add(consent)
        uow.audit.append(patient_event(context, "consent.sign", "consent", consent.id, now))
        uow.commit()
    return consent


def sign_on_tablet(
    *,
    signature: NewSignature,
    context: audit.RequestContext,
    uow: ConsentForms,
    photos: PhotoEncoder,
    clock: Clock,
) -> SignedConsent:
    """Record a patient's signature given on a clinic tablet a clinician handed them.

    Raises:
        SeriesNotFoundError: No such series in the clinic.
        SignatureRejectedError, ConsentExistsError, ConsentFormMissingError,
            TemplateChangedError, InvalidInputError: as ``sign_consent``.
    """
    permissions.require(context, Action.CONSENT_RECORD)
    drawing = cleaned_drawing(signature.request.drawing_png, photos.reencode)
    now = clock.now()
    with uow:
        series = uow.series.get(context.actor.clinic_id, signature.series_id)
        if series is None:
            raise SeriesNotFoundError(f"no series {signature.series_id}")
        how = Signing(uuid4(), drawing, now, SignedVia.CLINIC, context.actor.id)
        consent = _signed(uow, series, signature.request, how)
        uow.consents.add(consent)
        access = audit.Access("consent.sign", "consent", str(consent.id), consent.patient_id)
        audit.record(uow, context, access, at=now)
        uow.commit()
    return consent


def consent_document(
    *, consent_id: UUID, context: PatientContext, uow: OwnDocumentReads, clock: Clock
) -> StoredDocument:
    """The signed PDF of one of the patient's witnessed consents, checked against its hash.

    Raises:
        PortalRecordNotFoundError: Not the patient's consent, or not yet witnessed.
        DocumentCorruptedError: The stored PDF no longer matches its hash (never served).
    """
    with uow:
        consent = uow.consents.get(context.clinic_id, consent_id, patient_id=context.patient_id)
        document = None
        if consent is not None and consent.document_id is not None:
            document = uow.documents.get(
                context.clinic_id, consent.document_id, patient_id=context.patient_id
            )
        target = ("consent_document.read", "consent", consent_id)
        found = _own(uow, context, document, target, clock)
        try:
            found.verified()
        except DocumentCorruptedError:
            log.error("document %s failed its SHA-256 check; it was not served", found.id)
            _refuse(uow, context, target, clock, outcome="corrupted")
            raise
        uow.audit.append(
            patient_event(context, "consent_document.read", "consent", consent_id, clock.now())
        )
        uow.commit()
    return found


def withdraw_consent(
    *, withdrawal: PatientWithdrawal, context: PatientContext, uow: OwnWithdrawal, clock: Clock
) -> SignedConsent:
    """The patient withdraws their consent; no session of the series starts after this.

    Raises:
        PortalRecordNotFoundError: Not the patient's consent.
        InvalidInputError: The reason is blank, too long or has control characters.
        InvalidTransitionError: It is withdrawn already.
    """
    now = clock.now()
    with uow:
        found = uow.consents.get(
            context.clinic_id, withdrawal.consent_id, patient_id=context.patient_id
        )
        target = ("consent.withdraw", "consent", withdrawal.consent_id)
        consent = _own(uow, context, found, target, clock)
        stopped = consent.withdrawn(Withdrawal(now, withdrawal.reason, None))
        uow.consents.save_withdrawal(stopped)
        uow.audit.append(patient_event(context, "consent.withdraw", "consent", stopped.id, now))
        uow.commit()
    return stopped


def form_of(uow: _Forms, series: TreatmentSeries) -> ConsentForm:
    """A series' consent form (the published version that applies) and its consents."""
    form = template_for(series_indications(series), _published(uow, series))
    return ConsentForm(series, form, tuple(uow.consents.for_series(series.clinic_id, series.id)))


def _signed(
    uow: _Forms, series: TreatmentSeries, request: ConsentRequest, how: Signing
) -> SignedConsent:
    signed = uow.consents.for_series(series.clinic_id, series.id)
    forms = _published(uow, series)
    return consent_for_series(series, request, forms=forms, signed=signed, signing=how)


def _published(
    uow: HasConsentTemplates, series: TreatmentSeries
) -> Sequence[ConsentTemplateVersion]:
    return uow.consent_templates.published(series.clinic_id, Procedure.MICRONEEDLING)


def _own(
    uow: audit.AuditedTransaction,
    context: PatientContext,
    found: _Found | None,
    target: tuple[str, str, UUID],
    clock: Clock,
) -> _Found:
    """What the patient's own query found; nothing found is audited, then raised as missing."""
    if found is None:
        _refuse(uow, context, target, clock, outcome="not_found")
        raise PortalRecordNotFoundError(f"no {target[1]} {target[2]}")
    return found


def _refuse(
    uow: audit.AuditedTransaction,
    context: PatientContext,
    target: tuple[str, str, UUID],
    clock: Clock,
    *,
    outcome: str,
) -> None:
    action, resource_type, resource_id = target
    uow.rollback()
    event = patient_event(context, action, resource_type, resource_id, clock.now(), outcome=outcome)
    uow.audit.append(event)
    uow.commit()
