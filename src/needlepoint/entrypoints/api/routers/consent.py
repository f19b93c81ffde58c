"""Consent (ADR 0029): the clinic's consent forms, and each series' consent.

Admins write consent forms: a template per procedure and indication, versioned; a draft is
edited, a published version never changes (an update of it is the next version, a draft).
Edits and publication name the SHA-256 of the text read (409 ``consent-template-changed`` if
it changed meanwhile). A patient signs a series' form on a clinic tablet (here) or in the
portal; a clinician witnesses it with their own session (an attestation), and the signed form
is kept as a PDF whose SHA-256 is checked on every read (409 ``document-corrupted``). A
session starts only while the series' consent is witnessed and not withdrawn.
"""

from __future__ import annotations

from typing import Any, Final
from uuid import UUID

from fastapi import APIRouter, Response

from needlepoint.entrypoints.api.permissions import API, Context
from needlepoint.entrypoints.api.schemas.consent import (
    ConsentIn,
    ConsentOut,
    ConsentTemplateIn,
    ConsentTemplateList,
    ConsentTemplateOut,
    ConsentTemplateRevisionIn,
    PublishIn,
    SeriesConsentOut,
    WithdrawIn,
)
from needlepoint.entrypoints.api.security import ServicesDep

router = APIRouter(tags=["consent"])

PDF: Final = "application/pdf"
_PDF_ANSWER: Final[dict[int | str, dict[str, Any]]] = {
    200: {"content": {PDF: {"schema": {"type": "string", "format": "binary"}}}}
}


@router.get(f"{API}/consent-templates")
def list_consent_templates(context: Context, services: ServicesDep) -> ConsentTemplateList:
    """Every version of the clinic's consent forms, by template then newest first."""
    found = services.treatment.list_consent_templates(context=context)
    return ConsentTemplateList(items=[ConsentTemplateOut.from_domain(v) for v in found])


@router.post(f"{API}/consent-templates", status_code=201)
def create_consent_template(
    body: ConsentTemplateIn, context: Context, services: ServicesDep
) -> ConsentTemplateOut:
    """Start a form's next version as a draft (409 ``consent-draft-exists`` if it has one)."""
    made = services.treatment.create_consent_template(body.to_domain(), context=context)
    return ConsentTemplateOut.from_domain(made)


@router.get(f"{API}/consent-templates/{{version_id}}")
def read_consent_template(
    version_id: UUID, context: Context, services: ServicesDep
) -> ConsentTemplateOut:
    """One version of a consent form."""
    found = services.treatment.consent_template(version_id, context=context)
    return ConsentTemplateOut.from_domain(found)


@router.put(f"{API}/consent-templates/{{version_id}}")
def revise_consent_template(
    version_id: UUID, body: ConsentTemplateRevisionIn, context: Context, services: ServicesDep
) -> ConsentTemplateOut:
    """Update a version: a draft is edited; a published one gets a new draft after it."""
    revised = services.treatment.revise_consent_template(
        body.to_domain(version_id), context=context
    )
    return ConsentTemplateOut.from_domain(revised)


@router.post(f"{API}/consent-templates/{{version_id}}/publish")
def publish_consent_template(
    version_id: UUID, body: PublishIn, context: Context, services: ServicesDep
) -> ConsentTemplateOut:
    """Publish a draft as read; it never changes after this."""
    published = services.treatment.publish_consent_template(
        version_id, expected_sha256=body.expected_sha256, context=context
    )
    return ConsentTemplateOut.from_domain(published)


@router.get(f"{API}/series/{{series_id}}/consent")
def read_series_consent(
    series_id: UUID, context: Context, services: ServicesDep
) -> SeriesConsentOut:
    """A series' consent: the form to sign now, the consent that decides, and every one."""
    found = services.treatment.series_consent(series_id, context=context)
    return SeriesConsentOut.from_domain(found)


@router.post(f"{API}/series/{{series_id}}/consents", status_code=201)
def sign_consent(
    series_id: UUID, body: ConsentIn, context: Context, services: ServicesDep
) -> ConsentOut:
    """Record the patient's signature given on a clinic tablet; it awaits a witness."""
    signed = services.portal.sign_consent_on_tablet(body.to_domain(series_id), context=context)
    return ConsentOut.from_domain(signed)


@router.post(f"{API}/consents/{{consent_id}}/witness")
def witness_consent(consent_id: UUID, context: Context, services: ServicesDep) -> ConsentOut:
    """Confirm in person that the patient signed (needs your own session); keeps the PDF."""
    witnessed = services.treatment.witness_consent(consent_id, context=context)
    return ConsentOut.from_domain(witnessed)


@router.post(f"{API}/consents/{{consent_id}}/withdraw")
def withdraw_consent(
    consent_id: UUID, body: WithdrawIn, context: Context, services: ServicesDep
) -> ConsentOut:
    """Record that the patient withdrew their consent: no session of the series starts after."""
    stopped = services.treatment.withdraw_consent(body.to_domain(consent_id), context=context)
    return ConsentOut.from_domain(stopped)


@router.get(f"{API}/consents/{{consent_id}}/document", responses=_PDF_ANSWER)
def consent_document(consent_id: UUID, context: Context, services: ServicesDep) -> Response:
    """The signed form as a PDF, checked against its SHA-256 (409 ``document-corrupted``)."""
    document = services.treatment.consent_document(consent_id, context=context)
    disposition = f'attachment; filename="consent-{consent_id}.pdf"'
    return Response(document.data, media_type=PDF, headers={"Content-Disposition": disposition})
