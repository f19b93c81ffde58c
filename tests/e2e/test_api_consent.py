"""Consent over HTTP (ADR 0029): forms, signing on a tablet, witness, the PDF, the gate.

An admin writes and publishes the clinic's form; a clinician cannot. A session of a series
is refused until its consent is signed (``consent-required``), then until it is witnessed
(``consent-unwitnessed``); after the witness it starts; after a withdrawal the next start is
refused (``consent-withdrawn``). The signed form is a PDF; another clinic reads neither the
consent nor its PDF; an API token never witnesses.
"""

from __future__ import annotations

import sqlite3
from typing import Any
from uuid import UUID

import pytest

from api_support import (
    PATIENT,
    TestClient,
    add_clinic,
    add_member,
    intake_document,
    signed_in,
)
from consent_support import BODY, TITLE, drawing_data_url
from needlepoint.bootstrap import Services
from needlepoint.domain.records import Role
from needlepoint.services.audit import AuthMethod, RequestContext

pytest_plugins = ["api_fixtures"]

API = "/api/v1"
RESCREEN = {"rescreen": {"history": {"pregnant": False}}}
ADMIN = "ada@harbour.test"
CLINICIAN = "rowan@harbour.test"


@pytest.fixture
def clinic(api: Services) -> Any:
    clinic_id = add_clinic(api)
    add_member(api, clinic_id, Role.ADMIN, ADMIN)
    add_member(api, clinic_id, Role.CLINICIAN, CLINICIAN)
    return clinic_id


@pytest.fixture
def admin(api: Services, clinic: Any) -> TestClient:
    return signed_in(api, ADMIN)


@pytest.fixture
def clinician(api: Services, clinic: Any) -> TestClient:
    return signed_in(api, CLINICIAN)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def refused(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body


def new_series_over_api(client: TestClient) -> dict[str, Any]:
    """A patient with a signed consultation and a series agreed from it (no consent yet)."""
    document = intake_document()
    born = {"born_on": document["patient"]["born_on"], "sex": document["patient"]["sex"]}
    patient = ok(client.post(f"{API}/patients", json={**PATIENT, **born}), 201)
    url = f"{API}/patients/{patient['id']}/consultations"
    consultation = ok(client.post(url, json={"document": document}), 201)
    ok(client.post(f"{API}/consultations/{consultation['id']}/sign"))
    url = f"{API}/consultations/{consultation['id']}/series"
    return dict(ok(client.post(url, json={}), 201))


def published_form(admin: TestClient) -> dict[str, Any]:
    draft = ok(admin.post(f"{API}/consent-templates", json={"title": TITLE, "body": BODY}), 201)
    url = f"{API}/consent-templates/{draft['id']}/publish"
    return dict(ok(admin.post(url, json={"expected_sha256": draft["sha256"]})))


def signature(form: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {
        "template_id": form["id"],
        "template_sha256": form["sha256"],
        "typed_name": "Amira Okafor",
        "signature": drawing_data_url(),
        "agreed": True,
        **changes,
    }


def test_a_session_starts_only_once_consent_is_signed_and_witnessed(
    admin: TestClient, clinician: TestClient
) -> None:
    form = published_form(admin)
    series = new_series_over_api(clinician)
    start = f"{API}/series/{series['id']}/sessions"

    before = refused(clinician.post(start, json=RESCREEN), 409, "consent-required")
    signed = ok(clinician.post(f"{API}/series/{series['id']}/consents", json=signature(form)), 201)
    unwitnessed = refused(clinician.post(start, json=RESCREEN), 409, "consent-unwitnessed")
    witnessed = ok(clinician.post(f"{API}/consents/{signed['id']}/witness"))
    first = clinician.post(start, json=RESCREEN)
    state = ok(clinician.get(f"{API}/series/{series['id']}/consent"))

    assert "has not signed" in before["detail"]
    assert "witness" in unwitnessed["detail"]
    assert (signed["standing"], signed["drawn"], signed["signed_via"]) == (
        "awaiting_witness",
        True,
        "clinic",
    )
    assert (witnessed["standing"], witnessed["template_sha256"]) == ("valid", form["sha256"])
    assert witnessed["document_id"] is not None
    assert first.status_code == 201, first.text
    assert state["current"]["id"] == signed["id"]
    assert state["form"]["id"] == form["id"]


def test_a_withdrawn_consent_stops_the_session_and_a_new_consent_opens_it_again(
    admin: TestClient, clinician: TestClient
) -> None:
    form = published_form(admin)
    series = new_series_over_api(clinician)
    start = f"{API}/series/{series['id']}/sessions"
    signed = ok(clinician.post(f"{API}/series/{series['id']}/consents", json=signature(form)), 201)
    ok(clinician.post(f"{API}/consents/{signed['id']}/witness"))
    reason = {"reason": "The patient changed their mind about the treatment."}

    withdrawn = ok(clinician.post(f"{API}/consents/{signed['id']}/withdraw", json=reason))
    stopped = refused(clinician.post(start, json=RESCREEN), 409, "consent-withdrawn")
    again = refused(
        clinician.post(f"{API}/consents/{signed['id']}/withdraw", json=reason),
        409,
        "invalid-transition",
    )
    blank = clinician.post(f"{API}/consents/{signed['id']}/withdraw", json={"reason": " "})
    resigned = ok(
        clinician.post(f"{API}/series/{series['id']}/consents", json=signature(form)), 201
    )
    ok(clinician.post(f"{API}/consents/{resigned['id']}/witness"))
    started = clinician.post(start, json=RESCREEN)

    assert (withdrawn["standing"], withdrawn["withdrawal_reason"]) == (
        "withdrawn",
        reason["reason"],
    )
    assert withdrawn["withdrawn_by"] is not None
    assert "withdrew" in stopped["detail"]
    assert "withdrawn already" in again["detail"]
    assert blank.status_code == 422
    assert started.status_code == 201, started.text


def test_the_signed_form_is_a_pdf_and_another_clinic_reads_it_like_a_missing_one(
    api: Services, admin: TestClient, clinician: TestClient
) -> None:
    form = published_form(admin)
    series = new_series_over_api(clinician)
    signed = ok(clinician.post(f"{API}/series/{series['id']}/consents", json=signature(form)), 201)
    witnessed = ok(clinician.post(f"{API}/consents/{signed['id']}/witness"))
    elsewhere = add_clinic(api, "Another Clinic")
    add_member(api, elsewhere, Role.CLINICIAN, "other@elsewhere.test")
    stranger = signed_in(api, "other@elsewhere.test")

    pdf = clinician.get(f"{API}/consents/{witnessed['id']}/document")
    theirs = stranger.get(f"{API}/consents/{witnessed['id']}/document")
    nobody = stranger.get(f"{API}/consents/{UUID(int=7)}/document")
    their_view = stranger.get(f"{API}/series/{series['id']}/consent")

    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert theirs.status_code == nobody.status_code == their_view.status_code == 404
    assert theirs.json()["detail"] == nobody.json()["detail"]
    witness = stranger.post(f"{API}/consents/{signed['id']}/witness")
    assert witness.status_code == 404


def test_only_an_admin_writes_forms_and_a_published_version_never_changes(
    admin: TestClient, clinician: TestClient
) -> None:
    denied = clinician.post(f"{API}/consent-templates", json={"title": TITLE, "body": BODY})
    form = published_form(admin)
    revision = {"title": TITLE, "body": BODY + "\n\nA new line.", "expected_sha256": form["sha256"]}

    successor = ok(admin.put(f"{API}/consent-templates/{form['id']}", json=revision))
    again = ok(admin.get(f"{API}/consent-templates/{form['id']}"))
    twice = admin.put(f"{API}/consent-templates/{form['id']}", json=revision)
    stale = {**revision, "expected_sha256": "0" * 64}
    edited_stale = admin.put(f"{API}/consent-templates/{successor['id']}", json=stale)
    listed = ok(clinician.get(f"{API}/consent-templates"))["items"]

    refused(denied, 403, "permission-denied")
    assert (successor["version"], successor["status"]) == (2, "draft")
    assert successor["id"] != form["id"]
    assert (again["body"], again["sha256"], again["status"]) == (BODY, form["sha256"], "published")
    refused(twice, 409, "consent-draft-exists")
    refused(edited_stale, 409, "consent-template-changed")
    assert [(v["version"], v["status"]) for v in listed] == [(2, "draft"), (1, "published")]


def test_a_signature_needs_the_form_as_published_a_name_agreement_and_an_image(
    admin: TestClient, clinician: TestClient
) -> None:
    form = published_form(admin)
    series = new_series_over_api(clinician)
    url = f"{API}/series/{series['id']}/consents"

    stale = clinician.post(url, json=signature(form, template_sha256="a" * 64))
    unnamed = clinician.post(url, json=signature(form, typed_name="  ", agreed=False))
    not_png = clinician.post(url, json=signature(form, signature="data:image/png;base64,SGVsbG8="))
    control = clinician.post(url, json=signature(form, typed_name="Amira\u0007Okafor"))
    typed_only = ok(clinician.post(url, json=signature(form, signature="")), 201)

    refused(stale, 409, "consent-template-changed")
    fields = {(p["field"], p["code"]) for p in refused(unnamed, 422, "invalid-input")["errors"]}
    assert ("typed_name", "not-text") in fields or ("typed_name", "required") in fields
    (problem,) = refused(not_png, 422, "signature-rejected")["errors"]
    assert (problem["field"], problem["code"]) == ("signature", "photo-type")
    assert refused(control, 422, "invalid-input")["errors"][0]["field"] == "typed_name"
    assert typed_only["drawn"] is False


def test_an_api_token_never_witnesses_a_consent(
    api: Services, admin: TestClient, clinician: TestClient, clinic: Any
) -> None:
    form = published_form(admin)
    series = new_series_over_api(clinician)
    signed = ok(clinician.post(f"{API}/series/{series['id']}/consents", json=signature(form)), 201)
    with api.database.unit_of_work() as uow:
        members = uow.staff.for_clinic(clinic)
    boss = next(m for m in members if m.role is Role.ADMIN)
    member = next(m for m in members if m.role is Role.CLINICIAN)
    context = RequestContext(actor=boss, request_id="token", auth=AuthMethod.SESSION)
    issued = api.accounts.issue_api_token("script", staff_id=member.id, context=context)
    script = TestClient(clinician.app, base_url=str(clinician.base_url))
    script.headers["Authorization"] = f"Bearer {issued.token}"

    answer = refused(
        script.post(f"{API}/consents/{signed['id']}/witness"), 403, "permission-denied"
    )

    assert "API token" in answer["detail"]
    state = ok(clinician.get(f"{API}/series/{series['id']}/consent"))
    assert state["current"]["standing"] == "awaiting_witness"


def test_a_byte_flipped_in_the_stored_pdf_answers_a_clear_problem_never_the_file(
    admin: TestClient, clinician: TestClient, sqlite_url: str
) -> None:
    form = published_form(admin)
    series = new_series_over_api(clinician)
    signed = ok(clinician.post(f"{API}/series/{series['id']}/consents", json=signature(form)), 201)
    witnessed = ok(clinician.post(f"{API}/consents/{signed['id']}/witness"))
    document_id = UUID(witnessed["document_id"]).hex
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as raw:
        (data,) = raw.execute(
            "SELECT data FROM stored_document WHERE id = ?", (document_id,)
        ).fetchone()
        flipped = bytearray(data)
        flipped[len(flipped) // 2] ^= 0x01
        raw.execute("DROP TRIGGER stored_document_no_update")  # as a disk, not the app, would
        raw.execute(
            "UPDATE stored_document SET data = ? WHERE id = ?", (bytes(flipped), document_id)
        )

    answer = clinician.get(f"{API}/consents/{witnessed['id']}/document")

    body = refused(answer, 409, "document-corrupted")
    assert answer.headers["content-type"] == "application/problem+json"
    assert "does not match the SHA-256" in body["detail"]
    assert "%PDF" not in answer.text
