"""Security of the web app: headers on every response, CSRF on every unsafe request, no
inline script or style anywhere, patient text always escaped."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from api_support import TestClient
from needlepoint.entrypoints.web import csrf, headers, routes
from web_support import Clinic, page_token

pytest_plugins = ["web_fixtures"]

TEMPLATES = Path(routes.__file__).parent / "templates"
EXPECTED_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def assert_secured(response: object) -> None:
    found = response.headers  # type: ignore[attr-defined]
    assert found["Content-Security-Policy"] == EXPECTED_CSP
    assert found["X-Content-Type-Options"] == "nosniff"
    assert found["Referrer-Policy"] == "no-referrer"
    assert found["Cache-Control"] == "no-store"


def test_iv3_the_policy_allows_no_inline_script_or_style() -> None:
    assert "unsafe-inline" not in headers.CONTENT_SECURITY_POLICY
    assert "unsafe-eval" not in headers.CONTENT_SECURITY_POLICY
    assert headers.CONTENT_SECURITY_POLICY == EXPECTED_CSP


@pytest.mark.parametrize("path", ["/", "/patients", "/patients/new", "/patients/x"])
def test_se3_every_page_is_sent_no_store_with_the_security_headers(
    clinician: TestClient, path: str
) -> None:
    assert_secured(clinician.get(path))


def test_the_login_page_refusals_and_static_files_carry_them_too(browser: TestClient) -> None:
    assert_secured(browser.get("/login"))
    assert_secured(browser.post("/login", data={}))
    assert_secured(browser.get("/static/app.css"))


def test_htmx_sends_the_token_in_a_header(clinician: TestClient) -> None:
    token = page_token(clinician)

    response = clinician.post("/logout", headers={csrf.HEADER: token})

    assert response.status_code == 303


def test_se6_every_htmx_request_carries_the_token_from_the_body(clinician: TestClient) -> None:
    html = clinician.get("/").text
    token = page_token(clinician)

    assert f'<body hx-headers=\'{{"X-CSRF-Token": "{token}"}}\'>' in html


def test_a_wrong_token_is_refused_with_a_page_saying_why(clinician: TestClient) -> None:
    response = clinician.post("/logout", data={"csrf_token": "0" * 64})

    assert response.status_code == 403
    assert "This form was not sent by this page" in response.text


def test_the_token_is_bound_to_the_session(clinic: Clinic, clinician: TestClient) -> None:
    secret = clinic.services.web_secret()
    session = clinician.cookies["needlepoint_session"]

    assert page_token(clinician) == csrf.token(secret, session)


def test_the_secret_is_kept_in_the_data_directory(clinic: Clinic) -> None:
    file = clinic.services.settings.web_secret_file

    secret = clinic.services.web_secret()

    assert file.read_text().strip().encode() == secret
    assert file.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: p.name)
def test_templates_hold_no_inline_script_style_or_handler(template: Path) -> None:
    html = template.read_text()

    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
    assert "hx-on" not in html
    assert "|safe" not in html.replace(" ", "")


def test_templates_load_nothing_from_another_site() -> None:
    for template in TEMPLATES.rglob("*.html"):
        assert not re.search(r"(src|href)=\"(https?:)?//", template.read_text()), template.name


def test_a_script_in_the_search_box_comes_back_as_text(clinician: TestClient) -> None:
    response = clinician.get("/patients", params={"q": "<script>alert(1)</script>"})

    assert "<script>alert(1)" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


def test_the_vendored_htmx_is_served_from_this_site(browser: TestClient) -> None:
    response = browser.get("/static/vendor/htmx.min.js")

    assert response.status_code == 200
    assert "javascript" in response.headers["content-type"]
    assert 'version:"2.' in response.text
