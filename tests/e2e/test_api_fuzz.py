"""API fuzzing (issue 3, issue 14 IV-1): schemathesis walks the whole OpenAPI document, every
operation, over a real migrated database (SQLite, and PostgreSQL when reachable). No request may
end in a server error and every response must match what the document promises for it.

Two runs per database:

* stateless: every operation, signed in as an admin and as a clinician (the two staff roles
  that get past the permission table for most operations, so requests reach validation and the
  services instead of stopping at 401/403);
* stateful: schemathesis's state machine chains operations through the links it infers from
  the document (an id a POST returns is fed to the GET/PATCH/DELETE of that resource), as an
  admin.

The example budget comes from ``NEEDLEPOINT_FUZZ_EXAMPLES``: 200 under ``make fuzz`` (the
nightly figure of §2.7 IV-1); unset, 25 per operation for both roles, and 25 stateful
scenarios, under ``make test-deep`` (CI's figure of IV-1; CI runs it) and 10 as an admin alone,
stateless only, under ``make test`` (a tripwire that keeps the suite inside its ten minutes).
Seeds are fixed (``derandomize``) so a failure found at night reproduces by rerunning the same
target.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from api_support import (
    BASE_URL,
    MovingClock,
    TestClient,
    add_clinic,
    add_member,
    log_in,
    make_services,
)
from depth import DEEP, scaled
from needlepoint.bootstrap import Services
from needlepoint.domain.records import Role
from needlepoint.entrypoints.api.app import create_app
from needlepoint.entrypoints.api.permissions import API

if TYPE_CHECKING:
    from schemathesis.generation.case import Case
    from schemathesis.specs.openapi.schemas import OpenApiCase

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("NEEDLEPOINT_FUZZ_EXAMPLES", str(scaled(deep=25, quick=10))))
"""Examples per operation (stateless) and scenarios (stateful): 10 in make test, 25 in make
test-deep (both in CI), 200 under make fuzz."""
EVERY_ROLE = DEEP or "NEEDLEPOINT_FUZZ_EXAMPLES" in os.environ
STATEFUL_STEPS = 10
"""Calls per stateful scenario at most (Hypothesis's ``stateful_step_count``)."""
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
ROLES = {Role.ADMIN: "fuzz-admin@harbour.test", Role.CLINICIAN: "fuzz-clinician@harbour.test"}


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
    """The app under test over a migrated database, and how each staff role signs its requests:
    an admin with an API token, a clinician (who may not issue tokens) with a session cookie and
    its CSRF token."""

    def __init__(self, app: object, credentials: dict[Role, dict[str, str]]) -> None:
        self.app = app
        self.credentials = credentials

    def headers(self, role: Role) -> dict[str, str]:
        return dict(self.credentials[role])


class Seeded:
    """A seeded database to copy, the admin's headers valid in every copy, a scratch folder."""

    def __init__(self, url: str, headers: dict[str, str], directory: Path) -> None:
        self.url = url
        self.headers = headers
        self.directory = directory


def _postgres_admin_url() -> str:
    url = os.environ.get("NEEDLEPOINT_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    engine = create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        reason = f"PostgreSQL unreachable at {make_url(url)!r}: {error.orig}"
        if os.environ.get("NEEDLEPOINT_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    finally:
        engine.dispose()
    return url


def _run_sql(url: str, statement: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()


@contextmanager
def _scratch(backend: str, directory: Path) -> Iterator[str]:
    """The URL of a new, empty database of ``backend``; a PostgreSQL one is dropped after."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / f'needlepoint-{secrets.token_hex(4)}.sqlite3'}"
        return
    admin_url = _postgres_admin_url()
    name = f"needlepoint_fuzz_{secrets.token_hex(6)}"
    _run_sql(admin_url, f'CREATE DATABASE "{name}"')
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        _run_sql(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def _copy_of(url: str, directory: Path) -> Iterator[str]:
    """A copy of the database at ``url`` (nobody connected to it), removed afterwards."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        copy = directory / f"copy-{secrets.token_hex(4)}.sqlite3"
        with sqlite3.connect(str(parsed.database)) as source, sqlite3.connect(copy) as target:
            source.backup(target)
        try:
            yield f"sqlite:///{copy}"
        finally:
            copy.unlink(missing_ok=True)
        return
    admin_url = _postgres_admin_url()
    name = f"needlepoint_fuzz_{secrets.token_hex(6)}"
    _run_sql(admin_url, f'CREATE DATABASE "{name}" TEMPLATE "{parsed.database}"')
    try:
        yield parsed.set(database=name).render_as_string(hide_password=False)
    finally:
        _run_sql(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _seed(services: Services) -> dict[Role, dict[str, str]]:
    """A clinic with an admin and a clinician, and the headers each signs its requests with."""
    clinic = add_clinic(services)
    app = create_app(services)
    credentials: dict[Role, dict[str, str]] = {}
    for role, email in ROLES.items():
        add_member(services, clinic, role, email)
        with TestClient(app, base_url=BASE_URL) as browser:
            signed = log_in(browser, email)
            assert signed.status_code == 200, signed.text
            csrf = {"X-CSRF-Token": signed.json()["csrf_token"]}
            if role is Role.ADMIN:
                issued = browser.post(
                    f"{API}/auth/tokens", json={"name": "schemathesis"}, headers=csrf
                )
                assert issued.status_code == 201, issued.text
                credentials[role] = {"Authorization": f"Bearer {issued.json()['token']}"}
            else:
                cookie = "; ".join(f"{name}={value}" for name, value in browser.cookies.items())
                credentials[role] = {"Cookie": cookie, **csrf}
    return credentials


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def target(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    """One database the stateless examples share (each example is one request)."""
    with _scratch(backend, tmp_path_factory.mktemp("fuzz")) as url:
        services = make_services(url, MovingClock())
        credentials = _seed(services)
        yield Target(create_app(services), credentials)
        services.database.close()


@pytest.fixture(scope="module")
def seeded(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    """A migrated, seeded database that each stateful scenario gets a fresh copy of."""
    directory = tmp_path_factory.mktemp("stateful")
    with _scratch(backend, directory) as url:
        services = make_services(url, MovingClock())
        credentials = _seed(services)
        services.database.close()
        yield Seeded(url, credentials[Role.ADMIN], directory)


@pytest.mark.parametrize(
    "role", list(ROLES) if EVERY_ROLE else [Role.ADMIN], ids=lambda role: role.value
)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_iv1_every_operation_answers_as_documented(
    case: OpenApiCase, target: Target, role: Role
) -> None:
    case.call_and_validate(app=target.app, headers=target.headers(role), checks=CHECKS)


@pytest.mark.skipif(
    not EVERY_ROLE, reason="make test-deep (25 scenarios) and make fuzz (200) run the chains"
)
def test_iv1_stateful_sequences_answer_as_documented(seeded: Seeded) -> None:
    """Chains of calls linked by the ids earlier responses return: no 5xx, no undocumented reply.

    Each scenario starts from its own copy of the same seeded database, so that Hypothesis,
    which replays scenarios while it searches, sees the same answers each time."""

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            self.copy = _copy_of(seeded.url, seeded.directory)
            self.services = make_services(self.copy.__enter__(), MovingClock())
            self.app = create_app(self.services)

        def teardown(self) -> None:
            self.services.database.close()
            self.copy.__exit__(None, None, None)

        def get_call_kwargs(self, case: Case[Any]) -> dict[str, Any]:  # noqa: ARG002
            return {"app": self.app, "headers": seeded.headers}

        def validate_response(
            self,
            response: Any,
            case: Case[Any],
            additional_checks: Any = None,  # noqa: ARG002 (the checks are CHECKS, always)
            **kwargs: Any,  # noqa: ARG002 (the transport is the app, from get_call_kwargs)
        ) -> None:
            case.validate_response(response, checks=CHECKS, recorder=self.recorder)

    Workflow.run(
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STATEFUL_STEPS,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
    )
