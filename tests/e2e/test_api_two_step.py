"""Two-step sign-in for staff (AU-5) and re-authentication for sensitive changes (SE-5), over
the API on a real SQLite file with a clock the tests move (ADR 0036).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from api_support import (
    BASE_URL,
    CSRF_HEADER,
    PASSWORD,
    MovingClock,
    TestClient,
    add_clinic,
    add_member,
    log_in,
    migrate,
)
from fakes import AUDIT_KEY, PlainHasher
from integration.conftest import BACKENDS, postgres_admin_url, scratch_database  # noqa: F401
from needlepoint.adapters.db import tables as t
from needlepoint.bootstrap import Services, bootstrap
from needlepoint.config import Settings
from needlepoint.domain import totp
from needlepoint.domain.records import Role
from needlepoint.entrypoints.api.app import create_app
from needlepoint.services.accounts.throttling import ACCOUNT_POLICY

pytest_plugins = ["api_fixtures"]

LOGIN = "/api/v1/auth/login"
SECOND = "/api/v1/auth/login/second-step"
ME = "/api/v1/auth/me"
REAUTH = "/api/v1/auth/reauth"
ENROL = "/api/v1/auth/two-step/enrolment"
CONFIRM = "/api/v1/auth/two-step/enrolment/confirm"
DISABLE = "/api/v1/auth/two-step/disable"
CODES = "/api/v1/auth/two-step/recovery-codes"
CLINIC = "/api/v1/clinic/two-step"
STEP = timedelta(seconds=totp.STEP_SECONDS)


@pytest.fixture(params=BACKENDS)
def strict(
    request: pytest.FixtureRequest, tmp_path: Path, clock: MovingClock
) -> Iterator[Services]:
    """Services as deployed (admins must sign in with a code), on SQLite and PostgreSQL."""
    with scratch_database(request, tmp_path) as url:
        settings = Settings(database_url=url, audit_key=SecretStr(AUDIT_KEY.decode()))
        assert settings.admin_two_step
        services = bootstrap(settings, clock=clock, hasher=PlainHasher())
        migrate(services.database)
        yield services
        services.database.close()


@pytest.fixture
def web(strict: Services) -> Iterator[TestClient]:
    with TestClient(create_app(strict), base_url=BASE_URL) as test_client:
        yield test_client


def _client(services: Services) -> TestClient:
    return TestClient(create_app(services), base_url=BASE_URL)


def _enrolled_admin(services: Services, clock: MovingClock) -> tuple[TestClient, str, list[str]]:
    """An admin who set up their app at first sign-in: (client, secret, recovery codes)."""
    clinic = add_clinic(services)
    add_member(services, clinic, Role.ADMIN, "ada@harbour.test")
    client = _client(services)
    first = log_in(client, "ada@harbour.test")
    assert first.status_code == 401, first.text
    body = first.json()
    assert body["code"] == "mfa-enrolment-required"
    code = totp.code_at(body["secret"], clock.now())
    done = client.post(SECOND, json={"challenge": body["challenge"], "code": code})
    assert done.status_code == 200, done.text
    client.headers[CSRF_HEADER] = done.json()["csrf_token"]
    return client, body["secret"], done.json()["recovery_codes"]


def _actions(services: Services) -> list[tuple[str, str]]:
    """(action, outcome) of every audit event; a refusal as (the operation, its code)."""
    with services.database._opened().connect() as connection:
        table = t.audit_event
        query = select(table.c.action, table.c.resource_id, table.c.outcome)
        rows = connection.execute(query.order_by(table.c.seq)).all()
    return [(str(r) if a == "refused" else str(a), str(o)) for a, r, o in rows]


def _challenge(client: TestClient, email: str) -> dict[str, Any]:
    response = log_in(client, email)
    assert response.status_code == 401, response.text
    body: dict[str, Any] = response.json()
    return body


def test_au5_an_admin_must_set_up_an_app_before_anything_else(
    strict: Services, web: TestClient, clock: MovingClock
) -> None:
    clinic = add_clinic(strict)
    add_member(strict, clinic, Role.ADMIN, "ada@harbour.test")
    first = log_in(web, "ada@harbour.test")
    assert first.status_code == 401
    body = first.json()
    assert body["code"] == "mfa-enrolment-required"
    assert body["otpauth_uri"].startswith("otpauth://totp/needlepoint:")
    assert len(body["secret"]) == 32
    # No session was opened: nothing else works until the app is set up.
    assert "needlepoint_session" not in web.cookies
    assert web.get(ME).status_code == 401
    wrong = web.post(SECOND, json={"challenge": body["challenge"], "code": "000000"})
    if totp.code_at(body["secret"], clock.now()) != "000000":
        assert (wrong.status_code, wrong.json()["code"]) == (401, "invalid-code")
    code = totp.code_at(body["secret"], clock.now())
    done = web.post(SECOND, json={"challenge": body["challenge"], "code": code})
    assert done.status_code == 200, done.text
    assert len(done.json()["recovery_codes"]) == totp.RECOVERY_CODE_COUNT
    assert web.get(ME).json()["email"] == "ada@harbour.test"
    # The pending sign-in is used up.
    again = web.post(SECOND, json={"challenge": body["challenge"], "code": code})
    assert (again.status_code, again.json()["code"]) == (400, "sign-in-expired")
    actions = [a for a, _ in _actions(strict)]
    assert actions.count("auth.enrolment_due") == 1
    assert actions[-2:] == ["mfa.enrol", "auth.login"]
    secrets_seen = repr(_actions(strict))
    assert body["secret"] not in secrets_seen


def test_au5_totp_replay_rejected_and_one_step_window_on_sign_in(
    strict: Services, clock: MovingClock
) -> None:
    _, secret, _ = _enrolled_admin(strict, clock)
    enrolled_at = clock.now()
    # The enrolment's code is used: the same code, same step, on a new sign-in is a replay.
    fresh = _client(strict)
    body = _challenge(fresh, "ada@harbour.test")
    assert body["code"] == "mfa-required"
    replay = fresh.post(
        SECOND, json={"challenge": body["challenge"], "code": totp.code_at(secret, enrolled_at)}
    )
    assert (replay.status_code, replay.json()["code"]) == (401, "invalid-code")
    # Two steps on, a code from 2 steps ago is refused, one from 1 step ahead accepted.
    clock.advance(2 * STEP)
    stale = totp.code_at(secret, clock.now() - 2 * STEP)
    refused = fresh.post(SECOND, json={"challenge": body["challenge"], "code": stale})
    assert refused.status_code == 401
    ahead = totp.code_at(secret, clock.now() + STEP)
    accepted = fresh.post(SECOND, json={"challenge": body["challenge"], "code": ahead})
    assert accepted.status_code == 200, accepted.text
    # ...and the current step's code is then older than the last accepted: refused too.
    other = _client(strict)
    body = _challenge(other, "ada@harbour.test")
    current = totp.code_at(secret, clock.now())
    late = other.post(SECOND, json={"challenge": body["challenge"], "code": current})
    assert late.status_code == 401
    # Two steps later still (±2): a code from 2 steps ahead is refused, the next step's works.
    clock.advance(2 * STEP)
    too_far = totp.code_at(secret, clock.now() + 2 * STEP)
    assert (
        other.post(SECOND, json={"challenge": body["challenge"], "code": too_far}).status_code
        == 401
    )
    good = totp.code_at(secret, clock.now())
    assert (
        other.post(SECOND, json={"challenge": body["challenge"], "code": good}).status_code == 200
    )
    refusals = [o for a, o in _actions(strict) if a == "auth.second_step"]
    assert refusals == ["invalid-code"] * 4


def test_au5_the_session_id_changes_after_the_code(strict: Services, clock: MovingClock) -> None:
    client, secret, _ = _enrolled_admin(strict, clock)
    before = client.cookies.get("needlepoint_session")
    clock.advance(STEP)
    body = _challenge(client, "ada@harbour.test")
    done = client.post(
        SECOND, json={"challenge": body["challenge"], "code": totp.code_at(secret, clock.now())}
    )
    assert done.status_code == 200
    after = client.cookies.get("needlepoint_session")
    assert after and after != before
    # The session the client held before signing in again is ended.
    old = _client(strict)
    old.cookies.set("needlepoint_session", str(before))
    assert old.get(ME).status_code == 401


def test_au5_a_recovery_code_works_once(strict: Services, clock: MovingClock) -> None:
    _, _, codes = _enrolled_admin(strict, clock)
    first = _client(strict)
    body = _challenge(first, "ada@harbour.test")
    used = first.post(
        SECOND, json={"challenge": body["challenge"], "recovery_code": codes[0].upper()}
    )
    assert used.status_code == 200, used.text
    second = _client(strict)
    body = _challenge(second, "ada@harbour.test")
    again = second.post(SECOND, json={"challenge": body["challenge"], "recovery_code": codes[0]})
    assert (again.status_code, again.json()["code"]) == (401, "invalid-code")
    other = second.post(SECOND, json={"challenge": body["challenge"], "recovery_code": codes[1]})
    assert other.status_code == 200
    assert [a for a, _ in _actions(strict)].count("mfa.recovery_code_used") == 2
    status = second.get("/api/v1/auth/two-step").json()
    assert status == {"enrolled": True, "required": True, "recovery_codes_left": 8}


def test_au5_wrong_codes_are_throttled_like_wrong_passwords(
    strict: Services, clock: MovingClock
) -> None:
    _enrolled_admin(strict, clock)
    client = _client(strict)
    body = _challenge(client, "ada@harbour.test")
    statuses = [
        client.post(SECOND, json={"challenge": body["challenge"], "code": "000001"}).status_code
        for _ in range(ACCOUNT_POLICY.free_failures + 1)
    ]
    # The password step counts until a right code settles it: a known password never buys
    # more guesses at the code than the throttle gives to passwords.
    free_codes = ACCOUNT_POLICY.free_failures - 1
    assert statuses[:free_codes] == [401] * free_codes
    assert statuses[free_codes] == 429


def test_au5_a_pending_sign_in_lapses_after_five_minutes(
    strict: Services, clock: MovingClock
) -> None:
    _, secret, _ = _enrolled_admin(strict, clock)
    client = _client(strict)
    clock.advance(STEP)
    body = _challenge(client, "ada@harbour.test")
    clock.advance(timedelta(minutes=5))
    late = client.post(
        SECOND, json={"challenge": body["challenge"], "code": totp.code_at(secret, clock.now())}
    )
    assert (late.status_code, late.json()["code"]) == (400, "sign-in-expired")


def test_au5_a_clinic_can_require_a_code_of_all_its_staff(
    strict: Services, clock: MovingClock
) -> None:
    admin, _, _ = _enrolled_admin(strict, clock)
    clinic_id = admin.get(ME).json()["clinic_id"]
    add_member(strict, UUID(clinic_id), Role.CLINICIAN, "dr@harbour.test")
    optional = _client(strict)
    assert log_in(optional, "dr@harbour.test").status_code == 200  # optional by default
    assert admin.get(CLINIC).json() == {"required": False}
    assert admin.put(CLINIC, json={"required": True}).json() == {"required": True}
    required = _client(strict)
    body = _challenge(required, "dr@harbour.test")
    assert body["code"] == "mfa-enrolment-required"
    assert ("clinic.mfa_requirement", "on") in _actions(strict)


def _clinician(api: Services) -> TestClient:
    clinic = add_clinic(api)
    add_member(api, clinic, Role.CLINICIAN, "dr@harbour.test")
    client = _client(api)
    response = log_in(client, "dr@harbour.test")
    assert response.status_code == 200, response.text
    client.headers[CSRF_HEADER] = response.json()["csrf_token"]
    return client


def test_se5_turning_two_step_on_needs_a_password_typed_within_five_minutes(
    api: Services, clock: MovingClock
) -> None:
    client = _clinician(api)
    clock.advance(timedelta(minutes=5))  # exactly 5 minutes after sign-in: still fresh
    assert client.post(ENROL).status_code == 201
    clock.advance(timedelta(seconds=1))  # 5 min + 1 s
    blocked = client.post(ENROL)
    assert (blocked.status_code, blocked.json()["code"]) == (403, "reauth-required")
    wrong = client.post(REAUTH, json={"password": "not my password"})
    assert (wrong.status_code, wrong.json()["code"]) == (401, "invalid-credentials")
    assert client.post(ENROL).status_code == 403
    assert client.post(REAUTH, json={"password": PASSWORD}).status_code == 204
    started = client.post(ENROL)
    assert started.status_code == 201
    secret = started.json()["secret"]
    confirmed = client.post(CONFIRM, json={"code": totp.code_at(secret, clock.now())})
    assert confirmed.status_code == 200
    assert len(confirmed.json()["recovery_codes"]) == totp.RECOVERY_CODE_COUNT
    actions = _actions(api)
    assert ("auth.fresh", "reauth-required") in actions
    assert ("auth.reauth", "success") in actions
    assert ("auth.reauth", "invalid-credentials") in actions
    assert ("mfa.enrol", "success") in actions


def test_se5_turning_two_step_off_and_new_recovery_codes_need_a_fresh_password(
    api: Services, clock: MovingClock
) -> None:
    client = _clinician(api)
    secret = client.post(ENROL).json()["secret"]
    assert client.post(CONFIRM, json={"code": totp.code_at(secret, clock.now())}).status_code == 200
    clock.advance(timedelta(minutes=5, seconds=1))
    for path in (DISABLE, CODES):
        blocked = client.post(path)
        assert (blocked.status_code, blocked.json()["code"]) == (403, "reauth-required"), path
    assert client.get("/api/v1/auth/two-step").json()["enrolled"] is True
    assert client.post(REAUTH, json={"password": PASSWORD}).status_code == 204
    assert len(client.post(CODES).json()["recovery_codes"]) == totp.RECOVERY_CODE_COUNT
    assert client.post(DISABLE).status_code == 204
    assert client.get("/api/v1/auth/two-step").json()["enrolled"] is False
    # Signed out and in again: the password alone now suffices.
    assert log_in(_client(api), "dr@harbour.test").status_code == 200


def test_se5_an_admin_may_not_turn_two_step_off(strict: Services, clock: MovingClock) -> None:
    client, _, _ = _enrolled_admin(strict, clock)
    refused = client.post(DISABLE)
    assert (refused.status_code, refused.json()["code"]) == (409, "mfa-required-by-policy")


def test_se5_wrong_passwords_typed_again_are_throttled(api: Services, clock: MovingClock) -> None:
    client = _clinician(api)
    statuses = [
        client.post(REAUTH, json={"password": "not my password"}).status_code
        for _ in range(ACCOUNT_POLICY.free_failures + 1)
    ]
    assert statuses[:-1] == [401] * ACCOUNT_POLICY.free_failures
    assert statuses[-1] == 429
    refused = [o for a, o in _actions(api) if a == "auth.reauth"]
    assert refused.count("invalid-credentials") == ACCOUNT_POLICY.free_failures
