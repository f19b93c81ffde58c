"""Consent for tests: a published form, and a witnessed consent for a series (ADR 0029).

A session starts only once its series has a witnessed consent, so the helpers that make a
series for a test that starts sessions record one, as a clinic would:

* ``give_consent(services, series_id, context)`` goes through the services (the patient signs
  on a clinic tablet, a clinician witnesses, the signed form is rendered as a PDF);
* ``record_consent(uow, series, by=…, at=…)`` writes the same records straight into a unit of
  work (fake or SQL), for tests of other use cases that need only the gate opened.

Both publish ``FORM`` for the clinic first if it has no published microneedling form.
"""

from __future__ import annotations

import base64
import hashlib
import io
from datetime import datetime
from typing import Any, Protocol, cast
from uuid import UUID, uuid4

from fastapi import FastAPI
from PIL import Image, ImageDraw

from api_support import TestClient
from needlepoint.bootstrap import Services
from needlepoint.domain.consent import (
    ConsentRequest,
    Signature,
    SignedConsent,
    SignedVia,
    Witness,
)
from needlepoint.domain.consent_templates import (
    ConsentTemplateVersion,
    Procedure,
    TemplateKey,
    template_text,
)
from needlepoint.domain.documents import DocumentKind, StoredDocument
from needlepoint.domain.treatment import TreatmentSeries
from needlepoint.services.audit import RequestContext
from needlepoint.services.portal.consents import NewSignature
from needlepoint.services.ports import HasConsents, HasConsentTemplates, HasDocuments

API = "/api/v1"
TITLE = "Consent to microneedling"
RISKS = (
    "Infection of the treated skin: redness, warmth or pain that gets worse, pus or fever.",
    "Cold sores (herpes simplex) woken by the needling.",
    "Patches of darker skin (post-inflammatory hyperpigmentation).",
)
BODY = "\n".join(
    [
        "## What the treatment is",
        "Fine needles make tiny channels in the skin to prompt repair.",
        "",
        "## Risks",
        *(f"- {risk}" for risk in RISKS),
        "",
        "## Your right to withdraw",
        "You may withdraw your consent at any time before a session.",
    ]
)
FORM = template_text(TITLE, BODY)
GENERAL = TemplateKey(Procedure.MICRONEEDLING, None)


class ConsentRecords(HasConsentTemplates, HasConsents, HasDocuments, Protocol):
    """A unit of work with the consent repositories."""


def drawing_png() -> bytes:
    """A small drawn signature: a dark stroke on a transparent pad, as the page sends it."""
    image = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(20, 70), (80, 30), (150, 75), (280, 25)], fill="black", width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def drawing_data_url() -> str:
    """The drawing as the signature pad posts it: a PNG data URL."""
    return "data:image/png;base64," + base64.b64encode(drawing_png()).decode("ascii")


def published_form(uow: HasConsentTemplates, clinic_id: UUID) -> ConsentTemplateVersion | None:
    """The clinic's newest published microneedling form, if any."""
    published = uow.consent_templates.published(clinic_id, Procedure.MICRONEEDLING)
    return max(published, key=lambda v: v.version, default=None)


def publish_form(
    uow: HasConsentTemplates, clinic_id: UUID, *, by: UUID, at: datetime
) -> ConsentTemplateVersion:
    """The clinic's published form, publishing ``FORM`` for all indications if it has none."""
    found = published_form(uow, clinic_id)
    if found is not None:
        return found
    versions = uow.consent_templates.of_template(clinic_id, GENERAL)
    number = max((v.version for v in versions), default=0) + 1
    draft = ConsentTemplateVersion(uuid4(), clinic_id, GENERAL, number, FORM, at, by)
    published = draft.published(by=by, at=at, expected_sha256=draft.sha256)
    uow.consent_templates.add(published)
    return published


def record_consent(
    uow: ConsentRecords, series: TreatmentSeries, *, by: UUID, at: datetime
) -> SignedConsent:
    """A witnessed consent for ``series``, written straight into ``uow`` (the caller commits)."""
    form = publish_form(uow, series.clinic_id, by=by, at=at)
    pdf = b"%PDF-1.7 a signed consent, for tests\n"
    document = StoredDocument.made(
        (uuid4(), series.clinic_id, series.patient_id),
        DocumentKind.SIGNED_CONSENT,
        "application/pdf",
        pdf,
        at,
    )
    uow.documents.add(document)
    consent = SignedConsent(
        id=uuid4(),
        clinic_id=series.clinic_id,
        patient_id=series.patient_id,
        series_id=series.id,
        template_id=form.id,
        template_version=form.version,
        template_sha256=form.sha256,
        signature=Signature("Amira Okafor", None),
        signed_at=at,
        signed_via=SignedVia.CLINIC,
        recorded_by=by,
        witness=Witness(by, at),
        document_id=document.id,
    )
    uow.consents.add(consent)
    return consent


def ensure_form(services: Services, clinic_id: UUID, by: UUID) -> ConsentTemplateVersion:
    """The clinic's published form, published (straight into the database) if it has none."""
    uow = services.database.unit_of_work()
    with uow:
        form = publish_form(uow, clinic_id, by=by, at=services.clock.now())
        uow.commit()
    return form


def consent_request(form: ConsentTemplateVersion, *, drawn: bool = True) -> ConsentRequest:
    """A patient's signature on ``form``: their name, a drawing (unless ``drawn`` is False)."""
    drawing = drawing_png() if drawn else None
    return ConsentRequest(form.id, form.sha256, "Amira Okafor", drawing, agreed=True)


def give_consent(services: Services, series_id: UUID, context: RequestContext) -> SignedConsent:
    """The patient signs on a clinic tablet and the clinician of ``context`` witnesses it."""
    form = ensure_form(services, context.actor.clinic_id, context.actor.id)
    signature = NewSignature(series_id, consent_request(form))
    signed = services.portal.sign_consent_on_tablet(signature, context=context)
    return services.treatment.witness_consent(signed.id, context=context)


def consent_via_api(client: TestClient, series_id: str) -> dict[str, Any]:
    """The patient signs on a clinic tablet through the API; the signed-in clinician witnesses.

    ``client`` is a clinician's session (witnessing needs one); the clinic's form is published
    straight into the database first if it has none.
    """
    services: Services = cast("FastAPI", client.app).state.services
    me = client.get(f"{API}/auth/me").json()
    form = ensure_form(services, UUID(me["clinic_id"]), UUID(me["id"]))
    body = {
        "template_id": str(form.id),
        "template_sha256": form.sha256,
        "typed_name": "Amira Okafor",
        "signature": drawing_data_url(),
        "agreed": True,
    }
    signed = client.post(f"{API}/series/{series_id}/consents", json=body)
    assert signed.status_code == 201, signed.text
    witnessed = client.post(f"{API}/consents/{signed.json()['id']}/witness")
    assert witnessed.status_code == 200, witnessed.text
    answer: dict[str, Any] = witnessed.json()
    return answer


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
