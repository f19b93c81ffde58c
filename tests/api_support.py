"""API test helpers (the fixtures are in ``api_fixtures``). The app runs over a real, migrated
database file with a clock the tests move.

Staff passwords are hashed with the transparent ``PlainHasher`` unless a test asks for Argon2
(hashing is tested on its own; here it would only make every login slow).
"""

from __future__ import annotations

import base64
import dataclasses
import json
import warnings
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import yaml
from pydantic import SecretStr

with warnings.catch_warnings():
    # Starlette 1.x nudges towards httpx2; the project pins httpx 0.28 (pyproject dev group).
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

from fakes import AUDIT_KEY, FIELD_KEY, OPERATOR, PlainHasher
from needlepoint.adapters.database import Database
from needlepoint.bootstrap import Services, bootstrap
from needlepoint.config import Settings
from needlepoint.domain.records import Role, StaffMember
from needlepoint.entrypoints.api.app import create_app
from needlepoint.services.accounts import staff as accounts
from schema_copies import migrate_url

__all__ = [
    "BASE_URL",
    "CSRF_HEADER",
    "EXAMPLE",
    "PASSWORD",
    "PATIENT",
    "START",
    "CountingHasher",
    "MovingClock",
    "TestClient",
    "add_clinic",
    "add_member",
    "intake_document",
    "log_in",
    "make_services",
    "signed_in",
    "with_hasher",
]

PASSWORD = "correct horse battery staple"
BASE_URL = "https://testserver"  # the session cookie is Secure: browsers send it over HTTPS only
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class MovingClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, at: datetime = START) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def today(self) -> Any:
        return self.at.date()

    def advance(self, by: timedelta) -> None:
        self.at += by


def make_services(
    url: str, clock: MovingClock, *, development: bool = False, data_dir: Path | None = None
) -> Services:
    settings = Settings(
        database_url=url,
        development=development,
        audit_key=SecretStr(AUDIT_KEY.decode()),
        admin_two_step=False,  # the two-step sign-in's own tests turn it on
        field_key=SecretStr(base64.b64encode(FIELD_KEY).decode()),
    )
    if data_dir is not None:
        settings = settings.model_copy(update={"data_dir": data_dir})
    services = bootstrap(settings, clock=clock, hasher=PlainHasher())
    migrate(services.database)
    return services


def migrate(database: Database) -> None:
    """Bring ``database`` to the newest schema, as ``Database.upgrade`` does (from a copy of
    this process's migrated schema where the database is new: ``schema_copies``)."""
    migrate_url(database.url)


def add_clinic(services: Services, name: str = "Harbour Skin Clinic") -> UUID:
    return services.accounts.add_clinic(name=name, time_zone="Europe/London").id


def add_member(services: Services, clinic_id: UUID, role: Role, email: str) -> StaffMember:
    licence = Decimal("1.5") if role is Role.CLINICIAN else None
    new = accounts.NewStaff(
        clinic_id, email, email.split("@", maxsplit=1)[0], role, licence, PASSWORD
    )
    return services.accounts.add_staff(new, context=OPERATOR)


def log_in(client: TestClient, email: str, password: str = PASSWORD) -> Any:
    return client.post("/api/v1/auth/login", json={"email": email, "password": password})


CSRF_HEADER = "X-CSRF-Token"


def signed_in(services: Services, email: str) -> TestClient:
    """A new client (its own cookie jar) signed in as ``email``, sending its session's CSRF
    token with every request, as the API asks of a cookie-authenticated client."""
    test_client = TestClient(create_app(services), base_url=BASE_URL)
    response = log_in(test_client, email)
    assert response.status_code == 200, response.text
    test_client.headers[CSRF_HEADER] = response.json()["csrf_token"]
    return test_client


PATIENT = {"given_name": "Amira", "family_name": "Okafor", "born_on": "1997-04-22", "sex": "female"}


class CountingHasher(PlainHasher):
    """Counts password checks, to tell whether a login reached the hashing step."""

    def __init__(self) -> None:
        self.verified = 0

    def verify(self, password: str, hashed: str) -> bool:
        self.verified += 1
        return super().verify(password, hashed)


def with_hasher(services: Services, hasher: PlainHasher) -> Services:
    return dataclasses.replace(services, hasher=hasher)


EXAMPLE = Path(__file__).resolve().parents[1] / "examples/01-proceed-rolling-boxcar-cheeks.yaml"


def intake_document() -> dict[str, Any]:
    """The first example consultation, as the JSON a client would send."""
    document = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    return dict(json.loads(json.dumps(document, default=str)))
