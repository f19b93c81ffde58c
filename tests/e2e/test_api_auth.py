"""Sign-in, sessions, API tokens and throttling through the API (ecosystem.md AC-7, AU-3, AU-4,
SE-1…SE-4), on a real SQLite file with a clock the tests move.
"""

from __future__ import annotations

import dataclasses
import hashlib
import sqlite3
import statistics
import time
from datetime import timedelta
from ipaddress import ip_network
from pathlib import Path

import pytest

from api_support import (
    BASE_URL,
    PASSWORD,
    CountingHasher,
    MovingClock,
    TestClient,
    add_clinic,
    add_member,
    log_in,
    make_services,
    signed_in,
    with_hasher,
)
from needlepoint.bootstrap import Services
from needlepoint.domain.records import Role
from needlepoint.entrypoints.api.app import create_app
from needlepoint.services.accounts import sign_in as sessions
from needlepoint.services.accounts.throttling import ACCOUNT_POLICY, ADDRESS_POLICY

pytest_plugins = ["api_fixtures"]

LOGIN = "/api/v1/auth/login"
CSRF_HEADER = "X-CSRF-Token"

ME = "/api/v1/auth/me"
LOGOUT = "/api/v1/auth/logout"
COOKIE = "needlepoint_session"


def _sqlite_rows(sqlite_url: str, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as raw:
        return raw.execute(query).fetchall()


def test_se1_login_sets_a_256_bit_httponly_secure_lax_cookie_without_domain(
    api: Services, client: TestClient
) -> None:
    add_member(api, add_clinic(api), Role.CLINICIAN, "rowan@harbour.test")

    response = log_in(client, "rowan@harbour.test")

    assert response.status_code == 200
    assert response.json()["email"] == "rowan@harbour.test"
    assert response.json()["role"] == "clinician"
    cookie = response.headers["set-cookie"]
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert {"httponly", "secure", "samesite=lax", "path=/"} <= flags
    assert not any(flag.startswith("domain") for flag in flags)
    assert len(response.cookies[COOKIE]) >= 43  # 32 random bytes, base64url


def test_the_server_keeps_only_the_hash_of_the_session_token(
    api: Services, client: TestClient, sqlite_url: str
) -> None:
    add_member(api, add_clinic(api), Role.FRONT_DESK, "desk@harbour.test")

    token = log_in(client, "desk@harbour.test").cookies[COOKIE]

    stored = _sqlite_rows(sqlite_url, "SELECT id_hash FROM login_session")
    assert stored == [(hashlib.sha256(token.encode()).hexdigest(),)]


def test_me_names_the_signed_in_member_and_anonymous_is_refused(
    api: Services, client: TestClient
) -> None:
    add_member(api, add_clinic(api), Role.ADMIN, "ada@harbour.test")
    anonymous = client.get(ME)

    log_in(client, "ada@harbour.test")
    me = client.get(ME)

    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "not-authenticated"
    assert me.status_code == 200
    assert me.json()["email"] == "ada@harbour.test"


def test_se2_each_login_gets_a_new_token_and_the_replaced_one_stops_working(
    api: Services, client: TestClient
) -> None:
    add_member(api, add_clinic(api), Role.CLINICIAN, "rowan@harbour.test")
    first = log_in(client, "rowan@harbour.test").cookies[COOKIE]

    second = log_in(client, "rowan@harbour.test").cookies[COOKIE]

    assert first != second
    replay = TestClient(create_app(api), base_url=BASE_URL, cookies={COOKIE: first})
    assert replay.get(ME).status_code == 401
    assert client.get(ME).status_code == 200


def test_se3_logout_ends_the_session_and_a_replayed_cookie_is_refused(
    api: Services, client: TestClient
) -> None:
    add_member(api, add_clinic(api), Role.CLINICIAN, "rowan@harbour.test")
    signed = log_in(client, "rowan@harbour.test")
    token = signed.cookies[COOKIE]

    response = client.post(LOGOUT, headers={CSRF_HEADER: signed.json()["csrf_token"]})

    assert response.status_code == 204
    assert 'needlepoint_session=""' in response.headers["set-cookie"]
    replay = TestClient(create_app(api), base_url=BASE_URL, cookies={COOKIE: token})
    assert replay.get(ME).status_code == 401


def test_ac7_a_session_idle_for_just_under_15_minutes_still_works(
    api: Services, client: TestClient, clock: MovingClock
) -> None:
    add_member(api, add_clinic(api), Role.CLINICIAN, "rowan@harbour.test")
    log_in(client, "rowan@harbour.test")

    clock.advance(sessions.IDLE_TIMEOUT - timedelta(seconds=1))

    assert timedelta(minutes=15) == sessions.IDLE_TIMEOUT
    assert client.get(ME).status_code == 200


def test_ac7_a_session_idle_for_15_minutes_ends_and_its_row_is_revoked(
    api: Services, client: TestClient, clock: MovingClock, sqlite_url: str
) -> None:
    add_member(api, add_clinic(api), Role.CLINICIAN, "rowan@harbour.test")
    log_in(client, "rowan@harbour.test")

    clock.advance(sessions.IDLE_TIMEOUT + timedelta(seconds=1))
    response = client.get(ME)

    assert response.status_code == 401
    assert _sqlite_rows(sqlite_url, "SELECT revoked_at IS NOT NULL FROM login_session") == [(1,)]


def test_ac7_a_session_in_steady_use_ends_12_hours_after_login(
    api: Services, client: TestClient, clock: MovingClock
) -> None:
    add_member(api, add_clinic(api), Role.CLINICIAN, "rowan@harbour.test")
    log_in(client, "rowan@harbour.test")
    step = sessions.IDLE_TIMEOUT - timedelta(minutes=1)
    used = timedelta(0)
    while used + step < sessions.ABSOLUTE_TIMEOUT:
        clock.advance(step)
        used += step
        assert client.get(ME).status_code == 200

    clock.advance(sessions.ABSOLUTE_TIMEOUT - used - timedelta(seconds=1))
    just_before = client.get(ME).status_code
    clock.advance(timedelta(seconds=2))
    just_after = client.get(ME).status_code

    assert timedelta(hours=12) == sessions.ABSOLUTE_TIMEOUT
    assert (just_before, just_after) == (200, 401)


def test_au3_the_sixth_attempt_within_15_minutes_is_throttled_before_any_hashing(
    api: Services, clock: MovingClock
) -> None:
    hasher = CountingHasher()
    services = with_hasher(api, hasher)
    add_member(services, add_clinic(services), Role.CLINICIAN, "rowan@harbour.test")
    client = TestClient(create_app(services), base_url=BASE_URL)
    failures = [
        log_in(client, "rowan@harbour.test", "wrong password!").status_code for _ in "12345"
    ]
    checked = hasher.verified

    throttled = log_in(client, "rowan@harbour.test")  # even the right password waits

    assert failures == [401] * ACCOUNT_POLICY.free_failures
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "too-many-attempts"
    assert throttled.headers["content-type"] == "application/problem+json"
    assert throttled.headers["retry-after"] == "2"
    assert hasher.verified == checked
    clock.advance(timedelta(seconds=2))
    assert log_in(client, "rowan@harbour.test").status_code == 200


def test_each_further_failure_doubles_the_wait(api: Services, clock: MovingClock) -> None:
    add_member(api, add_clinic(api), Role.CLINICIAN, "rowan@harbour.test")
    client = TestClient(create_app(api), base_url=BASE_URL)
    for _ in range(ACCOUNT_POLICY.free_failures):
        log_in(client, "rowan@harbour.test", "wrong password!")
    waits = []
    for _ in range(4):
        wait = int(log_in(client, "rowan@harbour.test", "wrong password!").headers["retry-after"])
        waits.append(wait)
        clock.advance(timedelta(seconds=wait))
        assert log_in(client, "rowan@harbour.test", "wrong password!").status_code == 401

    assert waits == [2, 4, 8, 16]


def test_au3_one_address_is_throttled_across_many_emails(api: Services, client: TestClient) -> None:
    statuses = [
        log_in(client, f"nobody{n}@harbour.test", "wrong password!").status_code
        for n in range(ADDRESS_POLICY.free_failures + 1)
    ]

    assert statuses[:-1] == [401] * ADDRESS_POLICY.free_failures
    assert statuses[-1] == 429


def from_address(services: Services, address: str) -> TestClient:
    return TestClient(create_app(services), base_url=BASE_URL, client=(address, 50000))


def test_a_stranger_elsewhere_cannot_lock_the_front_desk_out(api: Services) -> None:
    add_member(api, add_clinic(api), Role.FRONT_DESK, "desk@harbour.test")
    front_desk, attacker = from_address(api, "192.0.2.10"), from_address(api, "203.0.113.66")
    assert log_in(front_desk, "desk@harbour.test").status_code == 200

    attacked = [log_in(attacker, "desk@harbour.test", "guess!").status_code for _ in range(40)]
    again = log_in(from_address(api, "192.0.2.10"), "desk@harbour.test")

    assert attacked == [401] * ACCOUNT_POLICY.free_failures + [429] * 35
    assert again.status_code == 200


def behind_proxy(services: Services, proxies: str) -> Services:
    trusted = tuple(ip_network(p) for p in proxies.split(",") if p)
    settings = services.settings.model_copy(update={"trusted_proxies": trusted})
    return dataclasses.replace(services, settings=settings)


@pytest.mark.parametrize(("proxies", "desk_status"), [("", 429), ("203.0.113.1", 200)])
def test_forwarded_for_is_believed_only_from_a_trusted_proxy(
    api: Services, proxies: str, desk_status: int
) -> None:
    """Behind one proxy the desk and an attacker share the peer address; only a trusted proxy's
    X-Forwarded-For tells them apart, so only then is the desk's usual address known."""
    services = behind_proxy(api, proxies)
    add_member(services, add_clinic(services), Role.FRONT_DESK, "desk@harbour.test")
    proxy = from_address(services, "203.0.113.1")
    desk, attacker = {"X-Forwarded-For": "192.0.2.10"}, {"X-Forwarded-For": "198.51.100.9"}
    desk_login = {"email": "desk@harbour.test", "password": PASSWORD}
    assert proxy.post(LOGIN, json=desk_login, headers=desk).status_code == 200
    proxy.cookies.clear()
    guess = {"email": "desk@harbour.test", "password": "guess!"}
    for _ in range(10):
        proxy.post(LOGIN, json=guess, headers=attacker)

    again = proxy.post(LOGIN, json=desk_login, headers=desk)

    assert again.status_code == desk_status


def test_au4_unknown_email_and_wrong_password_answer_alike_and_both_check_a_hash(
    api: Services,
) -> None:
    hasher = CountingHasher()
    services = with_hasher(api, hasher)
    add_member(services, add_clinic(services), Role.CLINICIAN, "rowan@harbour.test")
    client = TestClient(create_app(services), base_url=BASE_URL)

    wrong_password = log_in(client, "rowan@harbour.test", "not the password")
    after_first = hasher.verified
    unknown_email = log_in(client, "nobody@harbour.test", "not the password")

    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.json() == unknown_email.json()
    assert after_first == 1
    assert hasher.verified == 2  # the unknown email was checked against the dummy hash


def test_se4_deactivating_an_account_ends_its_three_sessions_and_its_token(api: Services) -> None:
    clinic_id = add_clinic(api)
    add_member(api, clinic_id, Role.ADMIN, "ada@harbour.test")
    rowan = add_member(api, clinic_id, Role.CLINICIAN, "rowan@harbour.test")
    admin = signed_in(api, "ada@harbour.test")
    devices = [signed_in(api, "rowan@harbour.test") for _ in range(3)]
    token = admin.post("/api/v1/auth/tokens", json={"name": "export", "staff_id": str(rowan.id)})
    script = TestClient(
        create_app(api),
        base_url=BASE_URL,
        headers={"Authorization": f"Bearer {token.json()['token']}"},
    )
    assert script.get(ME).status_code == 200

    response = admin.post(f"/api/v1/staff/{rowan.id}/deactivate")

    assert response.status_code == 204
    assert [device.get(ME).status_code for device in devices] == [401, 401, 401]
    assert script.get(ME).status_code == 401
    assert (
        log_in(TestClient(create_app(api), base_url=BASE_URL), "rowan@harbour.test").status_code
        == 401
    )


def test_an_api_token_is_shown_once_and_stored_only_as_its_hash(
    api: Services, sqlite_url: str
) -> None:
    add_member(api, add_clinic(api), Role.ADMIN, "ada@harbour.test")
    admin = signed_in(api, "ada@harbour.test")

    issued = admin.post("/api/v1/auth/tokens", json={"name": "nightly export"})

    assert issued.status_code == 201
    token = issued.json()["token"]
    stored = _sqlite_rows(sqlite_url, "SELECT token_hash, name FROM api_token")
    assert stored == [(hashlib.sha256(token.encode()).hexdigest(), "nightly export")]
    script = TestClient(create_app(api), base_url=BASE_URL)
    assert script.get(ME, headers={"Authorization": f"Bearer {token}"}).json()["role"] == "admin"
    assert script.get(ME, headers={"Authorization": "Bearer npt_forged"}).status_code == 401


def test_development_settings_drop_only_the_secure_flag(tmp_path: Path) -> None:
    services = make_services(
        f"sqlite:///{tmp_path / 'dev.sqlite3'}", MovingClock(), development=True
    )
    add_member(services, add_clinic(services), Role.CLINICIAN, "rowan@harbour.test")
    client = TestClient(create_app(services))  # plain http://testserver

    response = log_in(client, "rowan@harbour.test", PASSWORD)

    flags = {part.strip().lower() for part in response.headers["set-cookie"].split(";")}
    assert "secure" not in flags
    assert {"httponly", "samesite=lax"} <= flags
    assert client.get(ME).status_code == 200


class SteadyHasher(CountingHasher):
    """Every check costs the same 40 ms, as an Argon2 check costs the same whatever it checks."""

    def verify(self, password: str, hashed: str) -> bool:
        time.sleep(0.04)
        return super().verify(password, hashed)


@pytest.mark.slow
def test_au4_known_and_unknown_emails_answer_alike_within_20_percent_of_the_time(
    api: Services, clock: MovingClock
) -> None:
    """50 wrong passwords for a known email and 50 for unknown ones, interleaved (the order
    alternating, so load on the machine falls on both alike); the clock moves a day before each
    so no throttle answers instead of the check."""
    hasher = SteadyHasher()
    services = with_hasher(api, hasher)
    add_member(services, add_clinic(services), Role.CLINICIAN, "rowan@harbour.test")
    client = TestClient(create_app(services), base_url=BASE_URL)
    seconds: dict[str, list[float]] = {"known": [], "unknown": []}
    answers: dict[str, set[tuple[int, bytes]]] = {"known": set(), "unknown": set()}

    def attempt(kind: str, n: int) -> None:
        email = "rowan@harbour.test" if kind == "known" else f"nobody{n}@harbour.test"
        clock.advance(timedelta(days=1))
        started = time.perf_counter()
        response = log_in(client, email, "not the password")
        seconds[kind].append(time.perf_counter() - started)
        answers[kind].add((response.status_code, response.content))

    for n in range(50):
        for kind in ("known", "unknown") if n % 2 else ("unknown", "known"):
            attempt(kind, n)
    known, unknown = statistics.median(seconds["known"]), statistics.median(seconds["unknown"])

    assert answers["known"] == answers["unknown"]
    assert len(answers["known"]) == 1
    assert next(iter(answers["known"]))[0] == 401
    assert hasher.verified == 100
    assert abs(known - unknown) / min(known, unknown) < 0.20, (known, unknown)


def test_au3_twenty_wrong_passwords_then_the_right_one_within_the_window_and_after_it(
    api: Services, clock: MovingClock
) -> None:
    hasher = CountingHasher()
    services = with_hasher(api, hasher)
    add_member(services, add_clinic(services), Role.CLINICIAN, "rowan@harbour.test")
    client = TestClient(create_app(services), base_url=BASE_URL)

    wrong = [log_in(client, "rowan@harbour.test", "wrong password!") for _ in range(20)]
    hashed = hasher.verified
    right_at_once = log_in(client, "rowan@harbour.test")
    clock.advance(timedelta(minutes=15))
    right_after_the_window = log_in(client, "rowan@harbour.test")

    assert [r.status_code for r in wrong] == [401] * 5 + [429] * 15
    assert all(int(r.headers["retry-after"]) >= 1 for r in wrong[5:])
    assert hashed == 5  # attempts 6 to 20 were refused before any hashing
    assert right_at_once.status_code == 429
    assert right_after_the_window.status_code == 200


def test_au3_a_hundred_attempts_at_twenty_accounts_from_one_address_trip_by_the_thirtieth(
    api: Services, clock: MovingClock
) -> None:
    """100 wrong passwords spread over one minute (one every 0.6 s), 5 at each of 20 accounts,
    all from one address: at most 30 are ever checked."""
    hasher = CountingHasher()
    services = with_hasher(api, hasher)
    clinic_id = add_clinic(services)
    emails = [f"member{n}@harbour.test" for n in range(20)]
    for email in emails:
        add_member(services, clinic_id, Role.FRONT_DESK, email)
    client = from_address(services, "203.0.113.66")

    statuses = []
    for n in range(100):
        statuses.append(log_in(client, emails[n % 20], "wrong password!").status_code)
        clock.advance(timedelta(milliseconds=600))

    assert statuses.count(401) == hasher.verified
    assert hasher.verified <= 30
    assert statuses.count(429) == 100 - hasher.verified


def test_an_expired_or_revoked_api_token_gets_401_with_its_own_code(
    api: Services, clock: MovingClock
) -> None:
    clinic_id = add_clinic(api)
    add_member(api, clinic_id, Role.ADMIN, "ada@harbour.test")
    admin = signed_in(api, "ada@harbour.test")
    short = admin.post("/api/v1/auth/tokens", json={"name": "one day", "expires_in_days": 1})
    kept = admin.post("/api/v1/auth/tokens", json={"name": "kept"})
    assert short.status_code == kept.status_code == 201
    script = TestClient(create_app(api), base_url=BASE_URL)

    def me(issued: object) -> object:
        token = issued.json()["token"]  # type: ignore[attr-defined]
        return script.get(ME, headers={"Authorization": f"Bearer {token}"})

    assert me(short).status_code == 200  # type: ignore[attr-defined]
    admin.post(f"/api/v1/auth/tokens/{kept.json()['id']}/revoke")
    clock.advance(timedelta(days=1))
    admin = signed_in(api, "ada@harbour.test")

    expired, revoked = me(short), me(kept)
    assert (expired.status_code, expired.json()["code"]) == (401, "api-token-expired")  # type: ignore[attr-defined]
    assert (revoked.status_code, revoked.json()["code"]) == (401, "api-token-revoked")  # type: ignore[attr-defined]
    assert "new one" in expired.json()["detail"]  # type: ignore[attr-defined]


def test_the_token_list_shows_prefix_expiry_and_last_use_never_the_secret(
    api: Services, clock: MovingClock
) -> None:
    clinic_id = add_clinic(api)
    add_member(api, clinic_id, Role.ADMIN, "ada@harbour.test")
    fran = add_member(api, clinic_id, Role.FRONT_DESK, "fran@harbour.test")
    admin = signed_in(api, "ada@harbour.test")
    issued = admin.post(
        "/api/v1/auth/tokens",
        json={"name": "diary sync", "staff_id": str(fran.id), "expires_in_days": 30},
    ).json()
    script = TestClient(
        create_app(api), base_url=BASE_URL, headers={"Authorization": f"Bearer {issued['token']}"}
    )
    assert script.get(ME).status_code == 200

    listed = script.get("/api/v1/auth/tokens")
    too_long = admin.post("/api/v1/auth/tokens", json={"name": "x", "expires_in_days": 366})

    assert listed.status_code == 200
    (row,) = listed.json()["tokens"]
    assert issued["token"] not in listed.text
    assert row["prefix"] == issued["token"][:8]
    assert (row["name"], row["last_used_at"]) == ("diary sync", "2026-11-23T09:00:00Z")
    assert row["expires_at"] == "2026-12-23T09:00:00Z"
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["field"] == "expires_in_days"
