"""Signing in to the patient portal by a one-time link, through the app as a browser does.

The answer to "email me a link" never tells whether the email is known; opening the link
changes nothing until its button is pressed; a link works once; the portal's cookie is its
own (path, flags) and neither side's cookie opens the other side's pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from api_support import TestClient
from needlepoint.entrypoints.web.headers import SECURITY_HEADERS
from needlepoint.entrypoints.web.portal.routes import PORTAL_PAGES
from portal_support import (
    Treated,
    ask_for_link,
    follow_link,
    link_tokens,
    portal_browser,
    portal_token,
    treated_patient,
)
from web_support import Clinic, csrf_token, web_client

pytest_plugins = ["web_fixtures"]

EMAIL = "amira.okafor@patient.test"


@pytest.fixture
def patient(clinic: Clinic, clinician: TestClient) -> Treated:
    return treated_patient(clinic, clinician, EMAIL, "Okafor")


@pytest.fixture
def portal(clinic: Clinic, patient: Treated) -> Iterator[TestClient]:
    with portal_browser(clinic, patient) as client:
        yield client


def _tokens(clinic: Clinic, patient: Treated) -> list[str]:
    return link_tokens(clinic.services, clinic.clinic_id, patient.patient_id)


def test_au4_a_known_and_an_unknown_email_get_the_same_sign_in_link_answer(
    clinic: Clinic, patient: Treated, browser: TestClient
) -> None:
    known = ask_for_link(browser, EMAIL)
    unknown = ask_for_link(browser, "nobody@nowhere.test")

    assert known.status_code == unknown.status_code == 200
    assert known.text == unknown.text
    assert "Check your email" in known.text
    assert len(_tokens(clinic, patient)) == 1


def test_opening_the_link_changes_nothing_until_continue_is_pressed(
    clinic: Clinic, patient: Treated, browser: TestClient
) -> None:
    ask_for_link(browser, EMAIL)
    (token,) = _tokens(clinic, patient)

    for _ in range(3):  # a mail scanner, a preview, the patient
        page = browser.get(f"/portal/sign-in/{token}")
        assert page.status_code == 200
    response = browser.post(f"/portal/sign-in/{token}", data={"csrf_token": csrf_token(page.text)})

    assert response.status_code == 303
    assert response.headers["location"] == "/portal"
    assert browser.get("/portal").status_code == 200


def test_a_link_works_once(clinic: Clinic, patient: Treated, browser: TestClient) -> None:
    ask_for_link(browser, EMAIL)
    (token,) = _tokens(clinic, patient)
    assert follow_link(browser, token).status_code == 303

    again = follow_link(web_client(clinic.services), token)

    assert again.status_code == 400
    assert "expired or has already been used" in again.text
    assert "needlepoint_portal=" not in again.headers.get("set-cookie", "")


def test_an_expired_link_is_refused(clinic: Clinic, patient: Treated, browser: TestClient) -> None:
    ask_for_link(browser, EMAIL)
    (token,) = _tokens(clinic, patient)

    clinic.services.clock.advance(timedelta(minutes=15))  # type: ignore[attr-defined]

    assert follow_link(browser, token).status_code == 400


def test_the_portal_cookie_is_http_only_lax_secure_and_kept_to_the_portal(
    clinic: Clinic, patient: Treated, browser: TestClient
) -> None:
    ask_for_link(browser, EMAIL)
    (token,) = _tokens(clinic, patient)

    response = follow_link(browser, token)

    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith("needlepoint_portal=")
    )
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "secure", "path=/portal", "samesite=lax"} <= flags


def test_a_signed_out_patient_is_sent_to_sign_in(browser: TestClient) -> None:
    response = browser.get("/portal")

    assert response.status_code == 303
    assert response.headers["location"] == "/portal/sign-in"


def test_signing_out_ends_the_session_on_the_server(portal: TestClient) -> None:
    cookie = portal.cookies.get("needlepoint_portal", path="/portal")
    token = portal_token(portal)

    response = portal.post("/portal/sign-out", data={"csrf_token": token})

    assert response.status_code == 303
    portal.cookies.set("needlepoint_portal", cookie, path="/portal")
    assert portal.get("/portal").status_code == 303


def test_a_staff_session_does_not_open_the_portal(clinician: TestClient) -> None:
    response = clinician.get("/portal")

    assert response.status_code == 303
    assert response.headers["location"] == "/portal/sign-in"


def test_a_patient_session_does_not_open_staff_pages(clinic: Clinic, portal: TestClient) -> None:
    token = portal.cookies.get("needlepoint_portal", path="/portal")
    staff_side = web_client(clinic.services)
    staff_side.cookies.set("needlepoint_session", token)  # even under the staff cookie's name

    assert staff_side.get("/").status_code == 303
    assert staff_side.get("/").headers["location"].startswith("/login")
    assert portal.get("/").status_code == 303  # the portal cookie is not even sent to "/"


def test_a_post_without_its_csrf_token_is_refused(portal: TestClient) -> None:
    response = portal.post("/portal/sign-out", data={})

    assert response.status_code == 403


def test_asking_for_links_from_one_address_too_often_is_answered_429(
    clinic: Clinic, browser: TestClient
) -> None:
    answers = [ask_for_link(browser, f"someone{n}@nowhere.test").status_code for n in range(21)]

    assert answers[:20] == [200] * 20
    assert answers[20] == 429


def test_every_portal_answer_carries_the_security_headers(portal: TestClient) -> None:
    response = portal.get("/portal")

    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value


def test_only_the_sign_in_pages_are_open_without_signing_in() -> None:
    public = {page.path for page in PORTAL_PAGES if page.allowed == "public"}

    assert public == {"/portal/sign-in", "/portal/sign-in/{token}"}
    assert all(page.path.startswith("/portal") for page in PORTAL_PAGES)


def test_every_patient_page_sends_the_signed_out_to_sign_in(browser: TestClient) -> None:
    token = csrf_token(browser.get("/portal/sign-in").text)
    dummy = "00000000-0000-4000-8000-000000000000"
    for page in PORTAL_PAGES:
        if page.allowed != "patient":
            continue
        path = page.path.replace("{item_id}", "post-sun")
        for name in ("series_id", "appointment_id", "treatment_id", "check_in_id", "photo_id"):
            path = path.replace("{" + name + "}", dummy)
        response = browser.request(page.method, path, data={"csrf_token": token})
        assert response.status_code == 303, (page.method, path)
        assert response.headers["location"] == "/portal/sign-in"
