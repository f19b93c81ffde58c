"""One public URL for every link, and an API reference page that loads nothing from outside."""

from __future__ import annotations

import re
from pathlib import Path
from uuid import UUID

from api_support import PATIENT, TestClient, signed_in
from needlepoint.config import DEFAULT_PUBLIC_URL
from needlepoint.entrypoints.web.headers import CONTENT_SECURITY_POLICY
from portal_support import deliver
from web_support import CLINICIAN, Clinic, csrf_token

pytest_plugins = ["web_fixtures"]

STATIC = Path(__file__).resolve().parents[2] / "src/needlepoint/entrypoints/web/static"
OUTSIDE = re.compile(r"(https?:)?//(?!127\.0\.0\.1)[\w.-]+\.[a-z]{2,}")


def test_the_api_docs_page_loads_nothing_from_outside_and_keeps_the_csp(
    browser: TestClient,
) -> None:
    page = browser.get("/api/v1/docs")

    assert page.status_code == 200
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith(("/", "#")) and not s.startswith("//") for s in sources)
    assert not OUTSIDE.search(page.text)
    assert 'src="/static/api-docs.js"' in page.text
    assert 'href="/api/v1/openapi.json"' in page.text


def test_the_docs_script_is_ours_and_reads_only_this_sites_document(browser: TestClient) -> None:
    script = browser.get("/static/api-docs.js")

    assert script.status_code == 200
    assert not OUTSIDE.search(script.text)
    assert ".innerHTML" not in script.text and ".style" not in script.text
    assert browser.get("/api/v1/openapi.json").json()["paths"]


def test_sign_in_links_start_with_the_public_url_whatever_the_host(
    clinic: Clinic, browser: TestClient
) -> None:
    api = signed_in(clinic.services, CLINICIAN)
    body = {**PATIENT, "email": "amira@patient.test"}
    patient = api.post("/api/v1/patients", json=body).json()
    evil = {"Host": "evil.example"}

    form = browser.get("/portal/sign-in", headers=evil).text
    data = {"email": "amira@patient.test", "csrf_token": csrf_token(form)}
    assert browser.post("/portal/sign-in", data=data, headers=evil).status_code == 200

    (message,) = [m for m in deliver(clinic.services) if m.patient_id == UUID(patient["id"])]
    assert f"{DEFAULT_PUBLIC_URL}/portal/sign-in/" in message.body
    assert "evil.example" not in message.body
