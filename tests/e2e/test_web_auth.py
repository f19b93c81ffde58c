"""The web app's sign-in and sign-out: the API's session cookie, CSRF on every form."""

from __future__ import annotations

from datetime import timedelta

from api_support import PASSWORD, TestClient, signed_in
from needlepoint.entrypoints.api.security import SESSION_COOKIE
from needlepoint.entrypoints.web import csrf
from needlepoint.services.accounts import sign_in as sessions
from needlepoint.services.accounts.throttling import ACCOUNT_POLICY
from web_support import (
    ADMIN,
    CLINICIAN,
    Clinic,
    csrf_token,
    page_token,
    sign_in,
    signed_in_browser,
    web_client,
)

pytest_plugins = ["web_fixtures"]


def test_a_signed_out_visit_is_sent_to_the_login_page_and_back(browser: TestClient) -> None:
    response = browser.get("/patients")

    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fpatients"


def test_a_signed_out_htmx_request_is_told_where_to_sign_in(browser: TestClient) -> None:
    response = browser.get("/patients", headers={"HX-Request": "true"})

    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login")


def test_the_login_form_carries_a_token_bound_to_a_pre_session_cookie(
    browser: TestClient,
) -> None:
    response = browser.get("/login")

    assert response.status_code == 200
    assert csrf.PRE_SESSION_COOKIE in response.cookies
    assert 'for="email"' in response.text
    assert 'for="password"' in response.text
    assert csrf_token(response.text)


def test_signing_in_opens_the_api_session_and_goes_to_the_page_asked_for(
    browser: TestClient,
) -> None:
    response = sign_in(browser, CLINICIAN, next_path="/patients")

    assert response.status_code == 303
    assert response.headers["location"] == "/patients"
    assert SESSION_COOKIE in browser.cookies
    assert browser.get("/api/v1/auth/me").json()["email"] == CLINICIAN


def test_a_login_posted_without_its_token_is_refused(browser: TestClient) -> None:
    browser.get("/login")

    response = browser.post("/login", data={"email": CLINICIAN, "password": PASSWORD})

    assert response.status_code == 403
    assert "text/html" in response.headers["content-type"]
    assert SESSION_COOKIE not in browser.cookies


def test_a_wrong_password_shows_the_form_again_without_saying_which_part_was_wrong(
    browser: TestClient,
) -> None:
    response = sign_in(browser, CLINICIAN, password="not the password")

    assert response.status_code == 401
    assert "The email or the password is not right." in response.text
    assert SESSION_COOKIE not in browser.cookies


def test_signing_in_is_throttled_as_in_the_api_and_says_how_long_to_wait(
    browser: TestClient,
) -> None:
    for _ in range(ACCOUNT_POLICY.free_failures):
        sign_in(browser, CLINICIAN, password="not the password")

    response = sign_in(browser, CLINICIAN)

    assert response.status_code == 429
    assert "Too many failed sign-ins. Wait 2 seconds, then try again." in response.text
    assert response.headers["Retry-After"] == "2"


def test_next_never_leads_off_the_site(browser: TestClient) -> None:
    response = sign_in(browser, CLINICIAN, next_path="//evil.example/phish")

    assert response.headers["location"] == "/"


def test_a_signed_in_visit_to_the_login_page_goes_on(clinician: TestClient) -> None:
    response = clinician.get("/login")

    assert response.status_code == 303
    assert response.headers["location"] == "/"


def test_signing_out_without_the_token_is_refused_and_keeps_the_session(
    clinician: TestClient,
) -> None:
    response = clinician.post("/logout")

    assert response.status_code == 403
    assert clinician.get("/").status_code == 200


def test_signing_out_ends_the_session_on_the_server(clinic: Clinic, clinician: TestClient) -> None:
    token = clinician.cookies[SESSION_COOKIE]

    response = clinician.post("/logout", data={"csrf_token": page_token(clinician)})

    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert clinic.services.accounts.resolve_session(token) is None


def test_a_token_from_another_session_is_refused(clinic: Clinic, clinician: TestClient) -> None:
    other = signed_in_browser(clinic.services, CLINICIAN)

    response = clinician.post("/logout", data={"csrf_token": page_token(other)})

    assert response.status_code == 403


def same_browser(clinic: Clinic, token: str) -> TestClient:
    """Another client presenting the same session cookie."""
    client = web_client(clinic.services)
    client.cookies.set(SESSION_COOKIE, token)
    return client


def test_a_session_ended_in_the_database_by_another_process_is_refused_at_once(
    clinic: Clinic, clinician: TestClient
) -> None:
    token = clinician.cookies[SESSION_COOKIE]
    assert clinician.get("/").status_code == 200
    # Ended in the database only, as another server process would: this process keeps no
    # memory of the session (ADR 0033), so the very next page is refused.
    uow = clinic.services.database.accounts_unit_of_work()
    sessions.log_out(token=token, request_id="elsewhere", uow=uow, clock=clinic.services.clock)

    response = clinician.get("/patients")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_se3_after_signing_out_the_same_cookie_is_sent_to_the_login_page(
    clinic: Clinic, clinician: TestClient
) -> None:
    token = clinician.cookies[SESSION_COOKIE]
    copy = same_browser(clinic, token)
    assert copy.get("/").status_code == 200

    clinician.post("/logout", data={"csrf_token": page_token(clinician)})

    response = copy.get("/")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2F"


def test_se4_a_deactivated_member_is_signed_out_of_the_web_app_at_once(
    clinic: Clinic, clinician: TestClient
) -> None:
    assert clinician.get("/").status_code == 200
    admin = signed_in(clinic.services, ADMIN)
    member = clinician.get("/api/v1/auth/me").json()

    assert admin.post(f"/api/v1/staff/{member['id']}/deactivate").status_code == 204

    response = clinician.get("/")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2F"


def test_se2_signing_in_sets_a_new_cookie_value_and_a_planted_one_is_refused(
    clinic: Clinic, browser: TestClient
) -> None:
    """A value planted before sign-in (session fixation) is never adopted: signing in sets a new
    value, unlike the pre-session cookie's, and the planted one still leads to the login page.
    (A second sign-in replacing the first: test_api_auth.py's test_se2_.)"""
    planted = "planted-by-someone-else-" + "x" * 20
    browser.cookies.set(SESSION_COOKIE, planted)
    pre_session = browser.get("/login").cookies.get(csrf.PRE_SESSION_COOKIE)

    signed = sign_in(browser, CLINICIAN)

    session = signed.cookies[SESSION_COOKIE]
    assert signed.status_code == 303
    assert len({planted, pre_session, session}) == 3
    refused = same_browser(clinic, planted).get("/patients")
    assert refused.status_code == 303
    assert refused.headers["location"].startswith("/login")
    assert same_browser(clinic, session).get("/patients").status_code == 200


def test_ac7_a_page_15_minutes_after_the_last_one_goes_to_the_login_page(
    clinic: Clinic, clinician: TestClient
) -> None:
    clock = clinic.services.clock
    clock.advance(sessions.IDLE_TIMEOUT - timedelta(seconds=1))  # type: ignore[attr-defined]
    just_before = clinician.get("/patients")
    clock.advance(sessions.IDLE_TIMEOUT + timedelta(seconds=1))  # type: ignore[attr-defined]
    just_after = clinician.get("/patients")

    assert just_before.status_code == 200
    assert just_after.status_code == 303
    assert just_after.headers["location"] == "/login?next=%2Fpatients"
