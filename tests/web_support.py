"""Web app test helpers: services over a migrated SQLite file with a temporary data
directory (the CSRF secret file goes there), clients signed in through the login form, and
the CSRF token read back from a page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from api_support import BASE_URL, PASSWORD, MovingClock, TestClient, make_services
from needlepoint.bootstrap import Services
from needlepoint.entrypoints.api.app import create_app

CLINICIAN = "clinician@clinic.test"
FRONT_DESK = "desk@clinic.test"
ADMIN = "admin@clinic.test"

_TOKEN = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')


@dataclass(frozen=True)
class Clinic:
    """One clinic with a member of staff in each role."""

    services: Services
    clinic_id: UUID


def web_services(data_dir: Path, clock: MovingClock) -> Services:
    """Services over a fresh SQLite file in ``data_dir``, which also holds the web secret."""
    return make_services(f"sqlite:///{data_dir / 'needlepoint.sqlite3'}", clock, data_dir=data_dir)


def csrf_token(html: str) -> str:
    """The CSRF token a page put in its forms."""
    found = _TOKEN.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def web_client(services: Services) -> TestClient:
    """A new browser-like client (its own cookies) that does not follow redirects."""
    return TestClient(create_app(services), base_url=BASE_URL, follow_redirects=False)


def sign_in(client: TestClient, email: str, password: str = PASSWORD, next_path: str = "") -> Any:
    """Sign in through the login form, as a browser does."""
    token = csrf_token(client.get("/login").text)
    form = {"email": email, "password": password, "csrf_token": token, "next": next_path}
    return client.post("/login", data=form)


def signed_in_browser(services: Services, email: str) -> TestClient:
    """A client signed in through the login form."""
    client = web_client(services)
    response = sign_in(client, email)
    assert response.status_code == 303, response.text
    return client


def page_token(client: TestClient, path: str = "/") -> str:
    """The CSRF token of a signed-in client, read from one of its pages."""
    return csrf_token(client.get(path).text)
