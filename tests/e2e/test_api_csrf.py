"""CSRF on the API (ecosystem.md SE-6, ADR 0023): a request made with the session cookie that
changes something needs the session's CSRF token or a same-origin Origin; a refusal is a 403
problem, audited, and changes nothing. API tokens are unaffected."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from api_support import (
    BASE_URL,
    PASSWORD,
    PATIENT,
    TestClient,
    add_clinic,
    add_member,
    intake_document,
    log_in,
)
from needlepoint.bootstrap import Services
from needlepoint.domain.records import Role, StaffMember
from needlepoint.entrypoints.api.app import create_app
from needlepoint.services.audit import AuthMethod, RequestContext

pytest_plugins = ["api_fixtures"]

API = "/api/v1"
EVIL = {"Origin": "https://evil.example"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
CSRF_HEADER = "X-CSRF-Token"
DOCTOR = "rowan@harbour.test"


TOKENS: dict[int, str] = {}
"""The CSRF token each signed-in test browser was given (by the client's id)."""


@pytest.fixture
def clinician(api: Services) -> TestClient:
    """A browser signed in as a clinician, holding only its cookie (no CSRF header set)."""
    add_member(api, add_clinic(api), Role.CLINICIAN, DOCTOR)
    browser = TestClient(create_app(api), base_url=BASE_URL)
    TOKENS[id(browser)] = log_in(browser, DOCTOR).json()["csrf_token"]
    return browser


def csrf(browser: TestClient) -> dict[str, str]:
    return {CSRF_HEADER: TOKENS[id(browser)]}


def draft_consultation(browser: TestClient) -> str:
    document = intake_document()
    born = {"born_on": document["patient"]["born_on"], "sex": document["patient"]["sex"]}
    patient = browser.post(f"{API}/patients", json={**PATIENT, **born}, headers=csrf(browser))
    url = f"{API}/patients/{patient.json()['id']}/consultations"
    created = browser.post(url, json={"document": document}, headers=csrf(browser))
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def status_of(browser: TestClient, consultation_id: str) -> str:
    return str(browser.get(f"{API}/consultations/{consultation_id}").json()["status"])


def refusals(sqlite_url: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as raw:
        return raw.execute(
            "SELECT actor_role, resource_id, outcome FROM audit_event WHERE action = 'refused'"
        ).fetchall()


def test_a_cross_site_form_post_with_the_cookie_is_refused_audited_and_changes_nothing(
    clinician: TestClient, sqlite_url: str
) -> None:
    consultation = draft_consultation(clinician)

    forged = clinician.post(
        f"{API}/consultations/{consultation}/sign", content="x=1", headers={**EVIL, **FORM}
    )

    assert forged.status_code == 403
    assert forged.headers["content-type"] == "application/problem+json"
    assert forged.json()["code"] == "csrf-refused"
    assert CSRF_HEADER in forged.json()["detail"]
    assert status_of(clinician, consultation) == "draft"
    assert refusals(sqlite_url) == [
        ("clinician", "POST /api/v1/consultations/{consultation_id}/sign", "csrf-refused")
    ]


def test_the_same_request_with_the_csrf_token_signs(clinician: TestClient) -> None:
    consultation = draft_consultation(clinician)

    signed = clinician.post(
        f"{API}/consultations/{consultation}/sign", headers={**EVIL, **FORM, **csrf(clinician)}
    )

    assert signed.status_code == 200, signed.text
    assert status_of(clinician, consultation) == "signed"


def test_a_same_origin_request_needs_no_token(clinician: TestClient) -> None:
    consultation = draft_consultation(clinician)

    signed = clinician.post(
        f"{API}/consultations/{consultation}/sign", headers={"Origin": BASE_URL, **FORM}
    )

    assert signed.status_code == 200, signed.text


@pytest.mark.parametrize(
    "headers",
    [
        {},  # no token, no Origin (a script holding a stolen cookie, or an old browser)
        {"Origin": "null"},  # a sandboxed page
        {"Origin": "http://testserver"},  # this host over plain http is another origin
        {CSRF_HEADER: "0" * 64},
    ],
)
def test_se6_without_proof_of_origin_nothing_changes(
    clinician: TestClient, headers: dict[str, str]
) -> None:
    consultation = draft_consultation(clinician)

    refused = clinician.post(f"{API}/consultations/{consultation}/sign", headers=headers)

    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf-refused"
    assert status_of(clinician, consultation) == "draft"


def test_another_sessions_token_does_not_do(api: Services, clinician: TestClient) -> None:
    consultation = draft_consultation(clinician)
    other = TestClient(create_app(api), base_url=BASE_URL)
    their_token = log_in(other, DOCTOR).json()["csrf_token"]

    refused = clinician.post(
        f"{API}/consultations/{consultation}/sign", headers={CSRF_HEADER: their_token}
    )

    assert refused.status_code == 403


def test_reads_need_no_token(clinician: TestClient) -> None:
    assert clinician.get(f"{API}/patients", headers=EVIL).status_code == 200


def test_me_gives_the_sessions_token_and_none_to_an_api_token(
    api: Services, clinician: TestClient
) -> None:
    admin = add_member(api, add_clinic(api, "Other"), Role.ADMIN, "ada@other.test")
    issued = api.accounts.issue_api_token(
        "script", staff_id=admin.id, context=_admin_context(admin)
    )
    script = TestClient(
        create_app(api), base_url=BASE_URL, headers={"Authorization": f"Bearer {issued.token}"}
    )

    assert clinician.get(f"{API}/auth/me").json()["csrf_token"] == csrf(clinician)[CSRF_HEADER]
    assert script.get(f"{API}/auth/me").json()["csrf_token"] is None


def test_an_api_token_needs_no_csrf_token_whatever_the_origin(api: Services) -> None:
    admin = add_member(api, add_clinic(api), Role.ADMIN, "ada@harbour.test")
    issued = api.accounts.issue_api_token(
        "script", staff_id=admin.id, context=_admin_context(admin)
    )
    script = TestClient(
        create_app(api), base_url=BASE_URL, headers={"Authorization": f"Bearer {issued.token}"}
    )

    created = script.post(f"{API}/patients", json=PATIENT, headers=EVIL)

    assert created.status_code == 201


def test_a_sign_in_posted_from_another_site_is_refused(
    api: Services, client: TestClient, sqlite_url: str
) -> None:
    """Login CSRF: another site must not sign the browser in to an account of its choosing."""
    add_member(api, add_clinic(api), Role.CLINICIAN, DOCTOR)
    login = {"email": DOCTOR, "password": PASSWORD}

    forged = client.post(f"{API}/auth/login", json=login, headers=EVIL)
    ours = client.post(f"{API}/auth/login", json=login, headers={"Origin": BASE_URL})

    assert forged.status_code == 403
    assert forged.json()["code"] == "csrf-refused"
    assert "set-cookie" not in forged.headers
    assert ours.status_code == 200
    assert refusals(sqlite_url) == [("anonymous", "POST /api/v1/auth/login", "csrf-refused")]


def test_the_openapi_document_explains_the_csrf_token(client: TestClient) -> None:
    document = client.get(f"{API}/openapi.json").json()

    assert CSRF_HEADER in document["info"]["description"]
    signed_in = document["components"]["schemas"]["SignedInOut"]["properties"]["csrf_token"]
    assert CSRF_HEADER in signed_in["description"]


def _admin_context(admin: StaffMember) -> RequestContext:
    return RequestContext(actor=admin, request_id="setup", auth=AuthMethod.SESSION)
