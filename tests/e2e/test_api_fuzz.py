"""API fuzzing (issue 3): schemathesis walks the whole OpenAPI document, every operation, as a
signed-in admin, over a real migrated SQLite file. No request may end in a server error and
every response must match what the document promises for it.

The example budget is small on purpose (CI): this is a tripwire, not an exhaustive search.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api_support import (
    BASE_URL,
    MovingClock,
    TestClient,
    add_clinic,
    add_member,
    log_in,
    make_services,
)
from needlepoint.domain.records import Role
from needlepoint.entrypoints.api.app import create_app
from needlepoint.entrypoints.api.permissions import API

if TYPE_CHECKING:
    from schemathesis.specs.openapi.schemas import OpenApiCase

pytestmark = pytest.mark.slow

ADMIN = "fuzz-admin@harbour.test"


def _load_schema() -> schemathesis.BaseSchema:
    """The document as the app serves it (an app over a throwaway in-memory database)."""
    services = make_services("sqlite://", MovingClock())
    try:
        return schemathesis.openapi.from_asgi(f"{API}/openapi.json", create_app(services))
    finally:
        services.database.close()


schema = _load_schema()

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
"""No 5xx, and the response (status, media type, headers, body) is one the document declares."""


class Target:
    """The app under test over a migrated SQLite file, and an admin's API token for it."""

    def __init__(self, app: object, token: str) -> None:
        self.app = app
        self.headers = {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    database = Path(tmp_path_factory.mktemp("fuzz")) / "needlepoint.sqlite3"
    services = make_services(f"sqlite:///{database}", MovingClock())
    add_member(services, add_clinic(services), Role.ADMIN, ADMIN)
    app = create_app(services)
    with TestClient(app, base_url=BASE_URL) as browser:
        signed = log_in(browser, ADMIN)
        assert signed.status_code == 200
        csrf = {"X-CSRF-Token": signed.json()["csrf_token"]}
        issued = browser.post(f"{API}/auth/tokens", json={"name": "schemathesis"}, headers=csrf)
        assert issued.status_code == 201, issued.text
    yield Target(app, issued.json()["token"])
    services.database.close()


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_iv1_every_operation_answers_as_documented(case: OpenApiCase, target: Target) -> None:
    case.call_and_validate(app=target.app, headers=target.headers, checks=CHECKS)
