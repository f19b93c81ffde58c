"""Scenario SE-6 (ecosystem.md §2.7): every state-changing route, called with a signed-in
session's cookie but without its CSRF token or with a wrong one, is refused 403.

The routes are walked from the app itself (the API's documented operations and the web app's
pages), so a new route is checked the day it is added. Path values are made up: the refusal
must come before any record is looked up.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from fastapi.routing import APIRoute
from starlette.routing import Route

from api_support import TestClient
from needlepoint.entrypoints.api.app import create_app
from needlepoint.entrypoints.api.permissions import PERMISSIONS, PUBLIC
from portal_support import portal_browser, treated_patient
from web_support import ADMIN, Clinic, signed_in_browser

pytest_plugins = ["web_fixtures"]

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
PUBLIC_API = {key for key, rule in PERMISSIONS.items() if rule == PUBLIC}
"""The API's public routes (sign-in, its second step, a password reset) have no session yet:
like sign-in, they refuse a request naming another site's Origin (checked below)."""
SIGN_IN_FORMS = {("POST", "/login")} | PUBLIC_API
"""Signing in has no session yet: its forms are guarded by the pre-session token and the
Origin check (test_web_auth.py, test_api_csrf.py)."""
EVIL = "https://evil.example"
WRONG = "0" * 64
EMAIL = "amira.okafor@patient.test"


def _unsafe_routes(app: Any) -> list[tuple[str, str]]:
    found: set[tuple[str, str]] = set()

    def walk(routes: Any) -> None:
        for route in routes:
            if isinstance(route, APIRoute | Route):
                for method in (route.methods or set()) & UNSAFE:
                    found.add((method, route.path))
            elif (inner := getattr(route, "original_router", None)) is not None:
                walk(inner.routes)
            elif (inner := getattr(route, "routes", None)) is not None:
                walk(inner)

    walk(app.routes)
    return sorted(found - SIGN_IN_FORMS)


def _filled(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), path)


def test_se6_every_state_changing_route_refuses_a_missing_or_wrong_csrf_token(
    clinic: Clinic, clinician: TestClient
) -> None:
    """Staff routes with an admin's session, portal routes with a patient's session."""
    app = create_app(clinic.services)
    routes = _unsafe_routes(app)
    admin = signed_in_browser(clinic.services, ADMIN)
    patient = portal_browser(clinic, treated_patient(clinic, clinician, EMAIL, "Okafor"))
    answers: dict[tuple[str, str, str], int] = {}
    for method, path in routes:
        url = _filled(path)
        for name, headers, form in (
            ("none", {}, {}),
            ("wrong", {"X-CSRF-Token": WRONG}, {"csrf_token": WRONG}),
        ):
            browser = patient if path.startswith("/portal") else admin
            response = browser.request(method, url, headers=headers, data=form)
            answers[(method, path, name)] = response.status_code

    assert len(routes) > 50
    assert {key: status for key, status in answers.items() if status != 403} == {}


def test_se6_every_public_api_route_refuses_another_sites_origin(clinic: Clinic) -> None:
    """The public API routes take no session, so no CSRF token: a request naming another
    site's Origin is refused 403 before anything is read, as sign-in is (test_api_csrf.py)."""
    browser = signed_in_browser(clinic.services, ADMIN)
    answers = {
        (method, path): browser.request(
            method, _filled(path), headers={"Origin": EVIL}, json={}
        ).status_code
        for method, path in sorted(PUBLIC_API)
        if method in UNSAFE
    }

    assert len(answers) >= 4
    assert {key: status for key, status in answers.items() if status != 403} == {}
