"""Use cases: a clinician witnesses a consent, and its signed form is kept and read as a PDF.

Witnessing is an attestation (the clinician's own session). The signed form is laid out as a
PDF by the ``DocumentRenderer`` (the form's text as signed, the typed name, the drawing, when and
where it was signed, the witness) between a read and a write, so no lock is held while it
renders; the write keeps it once, with the SHA-256 of its bytes (``domain.documents``), in the
transaction that records the witness (refused if the consent was witnessed or withdrawn
meanwhile). Every read checks the bytes against that hash: a document
that fails is refused with ``DocumentCorruptedError`` (audited as ``corrupted``), never served.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final, Protocol
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from needlepoint.domain.consent import SignedConsent, SignedVia, Witness
from needlepoint.domain.consent_templates import (
    ConsentTemplateVersion,
    TemplateAlteredError,
    blocks,
)
from needlepoint.domain.documents import DocumentCorruptedError, DocumentKind, StoredDocument
from needlepoint.domain.errors import InvalidTransitionError, NotFoundError
from needlepoint.services import audit, permissions
from needlepoint.services.permissions import Action
from needlepoint.services.ports import (
    Clock,
    DocumentRenderer,
    HasClinics,
    HasPatients,
    HasStaff,
)
from needlepoint.services.treatment.consent_templates import version_or_raise
from needlepoint.services.treatment.consents import consent_access, consent_or_raise
from needlepoint.services.treatment.ports import ConsentDocumentReads, ConsentWitnessing

SIGNED_FORM: Final = "signed_consent.html"
"""The document template of a signed consent (``adapters/documents``)."""

PDF: Final = "application/pdf"

log = logging.getLogger("needlepoint.documents")


class ConsentDocumentNotFoundError(NotFoundError):
    """The consent has no signed PDF (none in this clinic, or not yet witnessed)."""

    code = "consent-document-not-found"


class FormFacts(HasClinics, HasPatients, HasStaff, Protocol):
    """Read what a signed form shows beside the consent: clinic, patient and staff names."""


def witness_consent(
    *,
    consent_id: UUID,
    context: audit.RequestContext,
    uow: ConsentWitnessing,
    renderer: DocumentRenderer,
    clock: Clock,
) -> SignedConsent:
    """Confirm in person that the patient signed; keep the signed form as a PDF.

    Raises:
        ConsentNotFoundError: No such consent in the clinic.
        InvalidTransitionError: It is withdrawn, or witnessed already.
        TemplateAlteredError: The form's text no longer matches what the patient signed.
    """
    permissions.require(context, Action.CONSENT_WITNESS)
    now = clock.now()
    with uow:  # what the form shows, read first: the PDF is laid out outside the transaction
        consent = consent_or_raise(uow, context.actor.clinic_id, consent_id)
        witnessed = consent.witnessed(Witness(context.actor.id, now))
        form = version_or_raise(uow, consent.clinic_id, consent.template_id).verified()
        if form.sha256 != consent.template_sha256:
            raise TemplateAlteredError(form.id)
        values = form_values(uow, witnessed, form)
    document = signed_form(witnessed, values, renderer)
    with uow:  # the witness lands once: a consent witnessed or withdrawn meanwhile is refused
        uow.documents.add(document)
        kept = witnessed.with_document(document.id)
        uow.consents.save_witness(kept)
        audit.record(uow, context, consent_access("consent.witness", kept), at=now)
        uow.commit()
    return kept


def consent_document(
    *, consent_id: UUID, context: audit.RequestContext, uow: ConsentDocumentReads, clock: Clock
) -> StoredDocument:
    """A witnessed consent's signed PDF, checked against its SHA-256 (the read is audited).

    Raises:
        ConsentDocumentNotFoundError: No such consent in the clinic, or not yet witnessed.
        DocumentCorruptedError: The stored PDF no longer matches its hash (never served).
    """
    permissions.require(context, Action.CONSENT_READ)
    clinic_id = context.actor.clinic_id
    with uow:
        consent = uow.consents.get(clinic_id, consent_id)
        document = None
        if consent is not None and consent.document_id is not None:
            document = uow.documents.get(clinic_id, consent.document_id)
        access = audit.Access("consent_document.read", "consent", str(consent_id), None)
        if consent is None or document is None:
            _record(uow, context, access, "not_found", clock)
            raise ConsentDocumentNotFoundError(f"no signed form for consent {consent_id}")
        access = consent_access("consent_document.read", consent)
        try:
            document.verified()
        except DocumentCorruptedError:
            log.error("document %s failed its SHA-256 check; it was not served", document.id)
            _record(uow, context, access, "corrupted", clock)
            raise
        _record(uow, context, access, "success", clock)
    return document


def _record(
    uow: audit.AuditedTransaction,
    context: audit.RequestContext,
    access: audit.Access,
    outcome: str,
    clock: Clock,
) -> None:
    done = audit.Access(
        access.action, access.resource_type, access.resource_id, access.patient_id, outcome
    )
    audit.record(uow, context, done, at=clock.now())
    uow.commit()


def signed_form(
    consent: SignedConsent, values: Mapping[str, Any], renderer: DocumentRenderer
) -> StoredDocument:
    """The signed form of a witnessed consent, laid out as a PDF and hashed.

    Rendering needs no transaction (the first render of a process loads WeasyPrint and the
    fonts, about 2 s): it runs between the read and the write, holding no database lock.
    """
    if consent.witness is None:
        raise InvalidTransitionError(f"consent {consent.id} is not witnessed: no signed form")
    drawing = consent.signature.drawing_jpeg
    images = {} if drawing is None else {"signature": (drawing, "image/jpeg")}
    at = consent.witness.at
    pdf = renderer.render_pdf(SIGNED_FORM, values, images=images, created_at=at)
    ids = (uuid4(), consent.clinic_id, consent.patient_id)
    return StoredDocument.made(ids, DocumentKind.SIGNED_CONSENT, PDF, pdf, at)


def form_values(
    uow: FormFacts, consent: SignedConsent, form: ConsentTemplateVersion
) -> Mapping[str, Any]:
    """What the signed form shows: the text as signed, who signed, when, and the witness."""
    clinic = uow.clinics.get(consent.clinic_id)
    patient = uow.patients.get(consent.clinic_id, consent.patient_id)
    zone = ZoneInfo(clinic.time_zone if clinic else "UTC")
    witness = consent.witness
    return {
        "title": form.text.title,
        "blocks": blocks(form.text.body),
        "clinic_name": clinic.name if clinic else "",
        "patient_name": f"{patient.given_name} {patient.family_name}" if patient else "",
        "born_on": f"{patient.born_on:%d %b %Y}" if patient else "",
        "template_version": form.version,
        "template_key": str(form.key),
        "template_sha256": consent.template_sha256,
        "typed_name": consent.signature.typed_name,
        "drawn": consent.signature.drawing_jpeg is not None,
        "signed_at": _local(consent.signed_at, zone),
        "signed_where": _where(uow, consent),
        "witness_name": _staff_name(uow, consent.clinic_id, witness.by if witness else None),
        "witnessed_at": _local(witness.at, zone) if witness else "",
        "time_zone": str(zone),
        "consent_id": str(consent.id),
    }


def _where(uow: HasStaff, consent: SignedConsent) -> str:
    if consent.signed_via is SignedVia.PORTAL:
        return "in the patient portal"
    handed = _staff_name(uow, consent.clinic_id, consent.recorded_by)
    return f"on a clinic tablet handed over by {handed}"


def _staff_name(uow: HasStaff, clinic_id: UUID, member_id: UUID | None) -> str:
    member = None if member_id is None else uow.staff.get(clinic_id, member_id)
    return member.display_name if member else "a member of staff"


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return f"{moment.astimezone(zone):%d %b %Y, %H:%M}"
