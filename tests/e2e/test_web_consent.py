"""Consent through the web app and the portal (ADR 0029), driven as a browser drives them.

An admin writes, publishes and revises the clinic's form; a clinician cannot. The session start
page refuses, with the refusal's code, until the patient has signed (on the clinic tablet or in
the portal) and a clinician has witnessed it; the signed form is then a PDF, for the clinic and
for the patient. Forms are read by the API's models: a missing agreement or name is named with
the API's field and code.
"""

from __future__ import annotations

import json
import re
from typing import Any
from uuid import UUID

from api_support import PATIENT, TestClient, intake_document, signed_in
from consent_support import BODY, TITLE, drawing_data_url, ensure_form
from portal_support import Treated, portal_browser, portal_token
from web_charts import start_session
from web_support import ADMIN, CLINICIAN, Clinic, csrf_token, page_token, signed_in_browser

pytest_plugins = ["web_fixtures"]

API = "/api/v1"
EMAIL = "noor.haddad@patient.test"
_CODE = re.compile(r'id="refusal" data-code="([a-z-]+)"')


def unconsented(clinic: Clinic, email: str = EMAIL) -> Treated:
    """A patient with an email, a signed consultation and a series, and no consent yet."""
    api = signed_in(clinic.services, CLINICIAN)
    document = json.loads(json.dumps(intake_document()))
    facts = {"born_on": document["patient"]["born_on"], "sex": document["patient"]["sex"]}
    body = {**PATIENT, **facts, "family_name": "Haddad", "email": email}
    patient = api.post(f"{API}/patients", json=body).json()
    url = f"{API}/patients/{patient['id']}/consultations"
    consultation = api.post(url, json={"document": document}).json()
    assert api.post(f"{API}/consultations/{consultation['id']}/sign").status_code == 200
    series = api.post(f"{API}/consultations/{consultation['id']}/series", json={}).json()
    return Treated(UUID(patient["id"]), email, series["id"], "")


def published(clinic: Clinic) -> Any:
    with clinic.services.database.unit_of_work() as uow:
        member = uow.staff.by_email(CLINICIAN)
    assert member is not None
    return ensure_form(clinic.services, clinic.clinic_id, member[0].id)


def found(pattern: str, html: str) -> str:
    """What a page shows in the one group of ``pattern``."""
    match = re.search(pattern, html)
    assert match, pattern
    return match.group(1)


def signature_form(html: str, **changes: str | None) -> dict[str, tuple[None, str]]:
    """The signature form as a browser posts it (multipart), with a drawing on the pad."""
    fields: dict[str, str | None] = {
        "csrf_token": csrf_token(html),
        "template_id": found(r'name="template_id" value="([^"]+)"', html),
        "template_sha256": found(r'name="template_sha256" value="([^"]+)"', html),
        "typed_name": "Noor Haddad",
        "signature": drawing_data_url(),
        "agreed": "true",
        **changes,
    }
    return {name: (None, value) for name, value in fields.items() if value is not None}


def refusal_code(response: Any) -> str:
    found = _CODE.search(response.text)
    assert found, response.text[:2000]
    return found.group(1)


def test_the_session_waits_for_a_tablet_signature_and_a_witness_then_starts(
    clinic: Clinic, clinician: TestClient
) -> None:
    published(clinic)
    treated = unconsented(clinic)
    series_id = treated.series_id

    before = start_session(clinician, series_id, pregnant="no")
    page = clinician.get(f"/series/{series_id}/consent")
    signed = clinician.post(f"/series/{series_id}/consent", files=signature_form(page.text))
    waiting = start_session(clinician, series_id, pregnant="no")
    shown = clinician.get(f"/series/{series_id}/consent").text
    consent_id = found(r'action="/consents/([0-9a-f-]+)/witness"', shown)
    witnessed = clinician.post(
        f"/consents/{consent_id}/witness", data={"csrf_token": csrf_token(shown)}
    )
    started = start_session(clinician, series_id, pregnant="no")
    pdf = clinician.get(f"/consents/{consent_id}/signed-form.pdf")

    assert (before.status_code, refusal_code(before)) == (409, "consent-required")
    assert f'href="/series/{series_id}/consent"' in before.text
    assert page.status_code == 200
    assert "Sign the consent form" in page.text and TITLE in page.text
    assert 'src="/static/signature.js"' in page.text
    assert "<script>" not in page.text  # no inline script: the strict CSP holds
    assert signed.status_code == 303
    assert (waiting.status_code, refusal_code(waiting)) == (409, "consent-unwitnessed")
    assert "Awaiting a witness" in shown and "with a drawn signature" in shown
    assert witnessed.status_code == 303
    assert started.status_code == 303, started.text
    assert started.headers["location"].startswith("/sessions/")
    assert (pdf.status_code, pdf.headers["content-type"]) == (200, "application/pdf")
    assert pdf.content.startswith(b"%PDF-")


def test_an_unticked_agreement_or_a_blank_name_is_named_with_the_apis_field_and_code(
    clinic: Clinic, clinician: TestClient
) -> None:
    published(clinic)
    series_id = unconsented(clinic).series_id
    page = clinician.get(f"/series/{series_id}/consent").text

    refused = clinician.post(
        f"/series/{series_id}/consent",
        files=signature_form(page, agreed=None, typed_name="  "),
    )

    assert refused.status_code == 422
    problems = dict(re.findall(r'data-field="([a-z_]+)" data-code="([a-z-]+)"', refused.text))
    assert problems.get("agreed") == "required"
    assert problems.get("typed_name") in {"required", "not-text"}
    assert "tick it to agree" in refused.text.lower()
    api = signed_in(clinic.services, CLINICIAN)
    form = published(clinic)
    body = {"template_id": str(form.id), "template_sha256": form.sha256, "typed_name": "  "}
    by_api = api.post(f"{API}/series/{series_id}/consents", json=body).json()["errors"]
    assert {(p["field"], p["code"]) for p in by_api} == {
        ("agreed", "required"),
        ("typed_name", problems["typed_name"]),
    }


def test_a_withdrawal_needs_a_reason_and_then_stops_the_next_session(
    clinic: Clinic, clinician: TestClient
) -> None:
    published(clinic)
    series_id = unconsented(clinic).series_id
    page = clinician.get(f"/series/{series_id}/consent").text
    clinician.post(f"/series/{series_id}/consent", files=signature_form(page))
    shown = clinician.get(f"/series/{series_id}/consent").text
    consent_id = found(r'action="/consents/([0-9a-f-]+)/withdraw"', shown)
    url = f"/consents/{consent_id}/withdraw"

    blank = clinician.post(
        url, data={"csrf_token": csrf_token(shown), "series_id": series_id, "reason": " "}
    )
    withdrawn = clinician.post(
        url,
        data={"csrf_token": csrf_token(shown), "series_id": series_id, "reason": "Moved abroad."},
    )
    stopped = start_session(clinician, series_id, pregnant="no")

    assert blank.status_code == 422
    assert 'data-field="reason"' in blank.text
    assert "write why the patient withdraws" in blank.text.lower()
    assert withdrawn.status_code == 303
    assert (stopped.status_code, refusal_code(stopped)) == (409, "consent-withdrawn")
    assert "Moved abroad." in clinician.get(f"/series/{series_id}/consent").text


def test_the_patient_signs_in_the_portal_and_downloads_the_signed_form_once_witnessed(
    clinic: Clinic, clinician: TestClient
) -> None:
    published(clinic)
    treated = unconsented(clinic)
    other = unconsented(clinic, "someone.else@patient.test")
    portal = portal_browser(clinic, treated)
    url = f"/portal/series/{treated.series_id}/consent"

    page = portal.get(url)
    signed = portal.post(url, files=signature_form(page.text, signature=""))
    theirs = portal.get(f"/portal/series/{other.series_id}/consent")
    shown = clinician.get(f"/series/{treated.series_id}/consent").text
    consent_id = found(r'action="/consents/([0-9a-f-]+)/witness"', shown)
    before_witness = portal.get(f"/portal/consents/{consent_id}/signed-form.pdf")
    clinician.post(f"/consents/{consent_id}/witness", data={"csrf_token": csrf_token(shown)})
    after = portal.get(url)
    pdf = portal.get(f"/portal/consents/{consent_id}/signed-form.pdf")

    assert page.status_code == 200 and TITLE in page.text
    assert signed.status_code == 303
    assert theirs.status_code == 404
    assert "by typing their name" in shown and "in the patient portal" in shown
    assert before_witness.status_code == 404
    assert "Download your signed form (PDF)" in after.text
    assert (pdf.status_code, pdf.headers["content-type"]) == (200, "application/pdf")
    token = portal_token(portal, url)
    withdrawn = portal.post(
        f"/portal/consents/{consent_id}/withdraw",
        data={"csrf_token": token, "series_id": treated.series_id, "reason": "Changed my mind."},
    )
    assert withdrawn.status_code == 303
    assert "You withdrew your consent" in portal.get(url).text


def test_the_portal_names_a_missing_agreement_or_reason_in_the_patients_words(
    clinic: Clinic, clinician: TestClient
) -> None:
    published(clinic)
    treated = unconsented(clinic)
    portal = portal_browser(clinic, treated)
    url = f"/portal/series/{treated.series_id}/consent"

    unticked = portal.post(url, files=signature_form(portal.get(url).text, agreed=None))
    portal.post(url, files=signature_form(portal.get(url).text))
    shown = clinician.get(f"/series/{treated.series_id}/consent").text
    consent_id = found(r'action="/consents/([0-9a-f-]+)/witness"', shown)
    token = portal_token(portal, url)
    blank = portal.post(
        f"/portal/consents/{consent_id}/withdraw",
        data={"csrf_token": token, "series_id": treated.series_id, "reason": " "},
    )

    assert unticked.status_code == 422
    assert 'data-field="agreed" data-code="required"' in unticked.text
    assert "tick the box to agree" in unticked.text.lower()
    assert blank.status_code == 422
    assert 'data-field="reason"' in blank.text
    assert "tell us briefly why" in blank.text.lower()


def test_an_admin_writes_publishes_and_revises_a_form_and_a_clinician_only_reads(
    clinic: Clinic, clinician: TestClient
) -> None:
    admin = signed_in_browser(clinic.services, ADMIN)
    token = page_token(admin, "/settings/consent")
    form = {"csrf_token": token, "indication": "all", "title": TITLE, "body": BODY}

    denied = clinician.post("/settings/consent", data={**form, "csrf_token": page_token(clinician)})
    bad = admin.post("/settings/consent", data={**form, "body": "Risks:\x07 none."})
    made = admin.post("/settings/consent", data=form)
    version_url = made.headers["location"].split("?")[0]
    draft = admin.get(version_url).text
    sha = found(r'name="expected_sha256" value="([0-9a-f]{64})"', draft)
    publish = admin.post(
        f"{version_url}/publish", data={"csrf_token": csrf_token(draft), "expected_sha256": sha}
    )
    shown = admin.get(version_url).text
    revised = admin.post(
        version_url,
        data={
            "csrf_token": csrf_token(shown),
            "expected_sha256": sha,
            "title": TITLE,
            "body": BODY + "\n\nA new paragraph.",
        },
    )
    listed = clinician.get("/settings/consent")

    assert denied.status_code == 403
    assert bad.status_code == 422 and 'data-field="body"' in bad.text
    assert made.status_code == 303 and publish.status_code == 303
    assert "published" in shown and "Write the next version from this one" in shown
    assert revised.status_code == 303
    assert revised.headers["location"] != made.headers["location"]
    assert "Version 2" in admin.get("/settings/consent").text
    assert listed.status_code == 200 and "Write a form" not in listed.text
    assert BODY.splitlines()[1] in admin.get(version_url).text  # version 1 unchanged
