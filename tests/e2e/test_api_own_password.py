"""A member of staff changes their own password over the API (SE-4, SE-5; ADR 0036)."""

from __future__ import annotations

from datetime import timedelta

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
)
from needlepoint.adapters.db import tables as t
from needlepoint.bootstrap import Services
from needlepoint.domain.records import Role
from needlepoint.entrypoints.api.app import create_app

pytest_plugins = ["api_fixtures"]

ME = "/api/v1/auth/me"
REAUTH = "/api/v1/auth/reauth"
CHANGE = "/api/v1/auth/password"
TOKENS = "/api/v1/auth/tokens"
NEW_PASSWORD = "copper kettle whistles at dawn"


def _signed_in(services: Services, email: str) -> TestClient:
    client = TestClient(create_app(services), base_url=BASE_URL)
    response = log_in(client, email)
    assert response.status_code == 200, response.text
    client.headers[CSRF_HEADER] = response.json()["csrf_token"]
    return client


def _actions(services: Services) -> list[tuple[str, str, str]]:
    """(action, resource id, outcome) of every audit event (a refusal: its code as resource)."""
    with services.database._opened().connect() as connection:
        table = t.audit_event
        query = select(table.c.action, table.c.resource_id, table.c.outcome)
        rows = connection.execute(query.order_by(table.c.seq)).all()
    return [(str(a), str(r), str(o)) for a, r, o in rows]


def test_se5_changing_the_password_is_blocked_5_min_1_s_after_sign_in_until_it_is_typed_again(
    api: Services, clock: MovingClock
) -> None:
    clinic = add_clinic(api)
    member = add_member(api, clinic, Role.CLINICIAN, "dr@harbour.test")
    client = _signed_in(api, "dr@harbour.test")
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    clock.advance(timedelta(minutes=5, seconds=1))
    blocked = client.post(CHANGE, json=body)
    assert (blocked.status_code, blocked.json()["code"]) == (403, "reauth-required")
    assert log_in(TestClient(create_app(api), base_url=BASE_URL), "dr@harbour.test").is_success
    assert client.post(REAUTH, json={"password": PASSWORD}).status_code == 204
    changed = client.post(CHANGE, json=body)
    assert changed.status_code == 204, changed.text
    assert client.get(ME).status_code == 200  # this session stays signed in
    old = log_in(TestClient(create_app(api), base_url=BASE_URL), "dr@harbour.test")
    assert old.status_code == 401
    again = TestClient(create_app(api), base_url=BASE_URL)
    fresh = again.post(
        "/api/v1/auth/login", json={"email": "dr@harbour.test", "password": NEW_PASSWORD}
    )
    assert fresh.status_code == 200, fresh.text
    actions = _actions(api)
    assert ("auth.password_change", str(member.id), "success") in actions
    assert not any(PASSWORD in r or NEW_PASSWORD in r for _, r, _ in actions)


def test_se4_changing_the_password_signs_out_other_sessions_and_tokens(
    api: Services, clock: MovingClock
) -> None:
    clinic = add_clinic(api)
    add_member(api, clinic, Role.ADMIN, "boss@harbour.test")
    admin = _signed_in(api, "boss@harbour.test")
    others = [_signed_in(api, "boss@harbour.test") for _ in range(3)]
    me = admin.get(ME).json()
    issued = admin.post(TOKENS, json={"name": "script", "staff_id": me["id"]})
    assert issued.status_code == 201, issued.text
    secret = issued.json()["token"]
    script = TestClient(create_app(api), base_url=BASE_URL)
    script.headers["Authorization"] = f"Bearer {secret}"
    assert script.get(ME).status_code == 200
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert admin.post(CHANGE, json=body).status_code == 204
    assert [other.get(ME).status_code for other in others] == [401, 401, 401]
    assert script.get(ME).status_code == 401
    assert admin.get(ME).status_code == 200


def test_a_wrong_current_password_or_a_weak_new_one_is_422_and_changes_nothing(
    api: Services, clock: MovingClock
) -> None:
    clinic = add_clinic(api)
    add_member(api, clinic, Role.FRONT_DESK, "desk@harbour.test")
    client = _signed_in(api, "desk@harbour.test")
    other = _signed_in(api, "desk@harbour.test")
    wrong = client.post(CHANGE, json={"current_password": "nope", "new_password": NEW_PASSWORD})
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "current_password"
    weak = client.post(CHANGE, json={"current_password": PASSWORD, "new_password": "password1234"})
    assert weak.status_code == 422
    assert weak.json()["errors"][0]["field"] == "new_password"
    assert other.get(ME).status_code == 200
    assert log_in(TestClient(create_app(api), base_url=BASE_URL), "desk@harbour.test").is_success
    assert ("refused", "auth.password_change") in [(a, r) for a, r, _ in _actions(api)]


EMAIL = "/api/v1/auth/email"


def test_se5_changing_the_email_is_blocked_5_min_1_s_after_sign_in_until_it_is_typed_again(
    api: Services, clock: MovingClock
) -> None:
    clinic = add_clinic(api)
    member = add_member(api, clinic, Role.CLINICIAN, "dr@harbour.test")
    add_member(api, clinic, Role.FRONT_DESK, "desk@harbour.test")
    client = _signed_in(api, "dr@harbour.test")
    clock.advance(timedelta(minutes=5, seconds=1))
    blocked = client.put(EMAIL, json={"email": "doctor@harbour.test"})
    assert (blocked.status_code, blocked.json()["code"]) == (403, "reauth-required")
    assert client.get(ME).json()["email"] == "dr@harbour.test"
    assert client.post(REAUTH, json={"password": PASSWORD}).status_code == 204
    taken = client.put(EMAIL, json={"email": "desk@harbour.test"})
    assert (taken.status_code, taken.json()["code"]) == (409, "email-taken")
    bad = client.put(EMAIL, json={"email": "not an address"})
    assert bad.status_code == 422
    assert client.put(EMAIL, json={"email": "Doctor@Harbour.test"}).status_code == 204
    assert client.get(ME).json()["email"] == "doctor@harbour.test"
    fresh = TestClient(create_app(api), base_url=BASE_URL)
    assert log_in(fresh, "doctor@harbour.test").status_code == 200
    actions = _actions(api)
    assert ("auth.email_change", str(member.id), "success") in actions
    assert not any("doctor@" in r for _, r, _ in actions)
