"""A path no page has, or a method its page does not take: an HTML page outside ``/api``.

A browser that follows a stale link gets the web app's own page (404, or 405 with ``Allow``)
with the web's security headers and a way back to the dashboard; the API keeps answering its
own strays with problem+json.
"""

from __future__ import annotations

import pytest

from api_support import TestClient
from needlepoint.entrypoints.web.headers import SECURITY_HEADERS

pytest_plugins = ["web_fixtures"]

PROBLEM_JSON = "application/problem+json"


def assert_web_page(response: object, status: int, title: str) -> str:
    found = response.headers  # type: ignore[attr-defined]
    assert response.status_code == status  # type: ignore[attr-defined]
    assert found["content-type"].startswith("text/html")
    for name, value in SECURITY_HEADERS.items():
        assert found[name] == value, name
    html: str = response.text  # type: ignore[attr-defined]
    assert f'<h1 id="error-title">{title} <span class="status">({status})</span></h1>' in html
    assert '<a href="/">Go to the dashboard</a>' in html
    return html


@pytest.mark.parametrize("path", ["/nowhere", "/patients/x/y", "/static/missing.css", "/apiary"])
def test_an_unknown_path_is_an_html_page_not_found(browser: TestClient, path: str) -> None:
    html = assert_web_page(browser.get(path), 404, "Page not found")

    assert "There is no page at this address." in html
    assert "problem" not in html


def test_a_signed_in_member_sees_the_page_with_the_usual_header(clinician: TestClient) -> None:
    html = assert_web_page(clinician.get("/nowhere"), 404, "Page not found")

    assert 'aria-label="Main"' in html  # the navigation, as on every signed-in page


def test_an_unsafe_request_to_an_unknown_path_is_not_found_rather_than_refused(
    clinician: TestClient,
) -> None:
    assert_web_page(clinician.post("/nowhere", data={}), 404, "Page not found")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/patients", {"GET", "HEAD", "POST"}),
        ("PUT", "/login", {"GET", "HEAD", "POST"}),
        ("POST", "/", {"GET", "HEAD"}),
    ],
)
def test_a_method_a_page_does_not_take_is_an_html_page_naming_the_methods(
    clinician: TestClient, method: str, path: str, allowed: set[str]
) -> None:
    response = clinician.request(method, path)

    html = assert_web_page(response, 405, "Not possible here")
    assert {m.strip() for m in response.headers["allow"].split(",")} == allowed
    assert "This page cannot be used that way." in html


@pytest.mark.parametrize("path", ["/api/v1/nowhere", "/api/nowhere", "/api"])
def test_an_unknown_api_path_stays_a_problem(browser: TestClient, path: str) -> None:
    response = browser.get(path)

    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["code"] == "not-found"


def test_a_wrong_method_in_the_api_stays_a_problem(browser: TestClient) -> None:
    response = browser.request("PUT", "/api/v1/patients")

    assert response.status_code == 405
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["code"] == "method-not-allowed"


def test_htmx_is_given_the_words_for_its_alerts_region(clinician: TestClient) -> None:
    response = clinician.get("/nowhere", headers={"HX-Request": "true"})

    assert response.status_code == 404
    assert response.headers["HX-Retarget"] == "#alerts"
    assert "There is no page at this address." in response.text
