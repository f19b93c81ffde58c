"""Scenario AC-1 for the web app's pages: every staff page × every staff role against the page
table (``web.routes.PAGES``), the web's committed permission table.

A page not in the table does not exist (the routes are built from it), so the table is complete
by construction; this checks that each row's rule is what the server enforces: a role the
action table refuses gets 403, a role it allows never does (made-up ids give 404 or a form's
422, never 403 or a 5xx). Signed-out visitors: test_web_pages.py. Patients: the portal's pages
(AC-2, test_portal_isolation.py).
"""

from __future__ import annotations

import re

from api_support import TestClient
from needlepoint.domain.records import Role
from needlepoint.entrypoints.api.permissions import PUBLIC, SIGNED_IN
from needlepoint.entrypoints.web import routes
from needlepoint.entrypoints.web.routing import Page
from needlepoint.services import permissions as service_permissions
from needlepoint.services.permissions import Action
from web_support import ADMIN, CLINICIAN, FRONT_DESK, Clinic, page_token, signed_in_browser

pytest_plugins = ["web_fixtures"]

MADE_UP_ID = "00000000-0000-4000-8000-000000000000"
STAFF_PAGES = [
    page
    for page in routes.PAGES
    if page.allowed not in {PUBLIC, SIGNED_IN} and (page.method, page.path) != ("POST", "/logout")
]


def _expected(role: Role, page: Page) -> str:
    rule = page.allowed
    assert isinstance(rule, Action), page
    return "allowed" if service_permissions.allows(role, rule) else "403"


def _outcome(status: int) -> str:
    if status >= 500:
        return f"server error {status}"
    return "403" if status == 403 else "allowed"


def test_ac1_every_staff_page_answers_every_role_as_its_table_row_says(clinic: Clinic) -> None:
    browsers: dict[Role, TestClient] = {
        Role.FRONT_DESK: signed_in_browser(clinic.services, FRONT_DESK),
        Role.CLINICIAN: signed_in_browser(clinic.services, CLINICIAN),
        Role.ADMIN: signed_in_browser(clinic.services, ADMIN),
    }
    tokens = {role: page_token(browser) for role, browser in browsers.items()}
    mismatches = []
    refused = 0
    for page in STAFF_PAGES:
        path = re.sub(r"\{[^}]+\}", MADE_UP_ID, page.path)
        for role, browser in browsers.items():
            form = {"csrf_token": tokens[role]} if page.method != "GET" else None
            status = browser.request(page.method, path, data=form).status_code
            refused += status == 403
            if _outcome(status) != _expected(role, page):
                mismatches.append((page.method, page.path, role.value, status))

    assert len(STAFF_PAGES) > 40
    assert refused > 20  # the front desk is refused the clinical pages
    assert mismatches == []
