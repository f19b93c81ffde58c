"""Staff invites by emailed link, through the API and the real worker (ecosystem.md §2.7 AU-6;
issue 14, ADR 0037).

An admin invites a member of staff by email; the account waits, unable to sign in, until the
invitee opens the link and chooses a password the rules accept. The link's token is 256
random bits, made when the worker sends the email (only its SHA-256 is stored), works once,
for 60 minutes; inviting again voids the earlier link; reuse, replacement or expiry → 400
``invite-link-invalid``. Accepting signs nobody in: an admin invitee then has to set up
two-step sign-in.
"""

from __future__ import annotations

import base64
import hashlib
import re
import sqlite3
from contextlib import closing
from datetime import timedelta
from typing import Any

from pydantic import SecretStr

from api_support import (
    BASE_URL,
    MovingClock,
    TestClient,
    add_clinic,
    add_member,
    log_in,
    migrate,
    signed_in,
)
from fakes import AUDIT_KEY, PlainHasher
from needlepoint.bootstrap import Services, bootstrap
from needlepoint.config import Settings
from needlepoint.domain.messages import MessageKind
from needlepoint.domain.records import Role
from needlepoint.entrypoints.api.app import create_app
from needlepoint.services.accounts.invites import NewInvite
from needlepoint.services.audit import AuthMethod, RequestContext
from portal_support import deliver

pytest_plugins = ["api_fixtures"]

ADA = "ada@harbour.test"
BEA = "bea@harbour.test"
PASSWORD_CHOSEN = "saltmarsh lantern orbit 42"
INVITE = "/api/v1/staff/invites"
CAL = "cal@harbour.test"
ACCEPT = "/api/v1/auth/invite/accept"
ME = "/api/v1/auth/me"
_TOKEN = re.compile(r"/accept-invite/([A-Za-z0-9_-]{43})\b")


def _client(api: Services) -> TestClient:
    return TestClient(create_app(api), base_url=BASE_URL)


def _admin(api: Services) -> TestClient:
    clinic_id = add_clinic(api)
    add_member(api, clinic_id, Role.ADMIN, ADA)
    return signed_in(api, ADA)


def _invite(admin: TestClient, role: str = "front_desk", email: str = BEA) -> dict[str, Any]:
    body: dict[str, Any] = {"email": email, "display_name": "Bea Starter", "role": role}
    if role == "clinician":
        body["licence_max_depth_mm"] = "1.5"
    response = admin.post(INVITE, json=body)
    assert response.status_code == 201, response.text
    found: dict[str, Any] = response.json()
    return found


def _emailed_tokens(api: Services, email: str = BEA) -> list[str]:
    """Let the worker send the queued invites; the tokens as sent to ``email``."""
    sent = [m for m in deliver(api) if m.kind is MessageKind.STAFF_INVITE]
    assert all(m.recipient == email for m in sent)
    tokens = []
    for mail in sent:
        found = _TOKEN.search(mail.body)
        assert found is not None, mail.body
        tokens.append(found.group(1))
    return tokens


def _accept(api: Services, token: str, password: str = PASSWORD_CHOSEN) -> Any:
    return _client(api).post(ACCEPT, json={"token": token, "password": password})


def test_au6_an_invite_link_carries_256_bits_and_only_its_hash_is_stored(
    api: Services, sqlite_url: str
) -> None:
    admin = _admin(api)
    _invite(admin)
    (token,) = _emailed_tokens(api)

    assert len(base64.urlsafe_b64decode(token + "=")) * 8 == 256
    with closing(sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))) as db:
        rows = db.execute("SELECT token_hash, purpose FROM staff_reset_link").fetchall()
        bodies = "".join(row[0] for row in db.execute("SELECT body FROM outbox_message"))
        audit = " ".join(str(r) for r in db.execute("SELECT * FROM audit_event"))
    assert rows == [(hashlib.sha256(token.encode()).hexdigest(), "invite")]
    assert token not in bodies  # the canary: no invite token in any outbox body
    assert token not in audit and BEA not in audit


def test_au6_an_invite_link_works_once_and_the_pending_account_cannot_sign_in_before(
    api: Services,
) -> None:
    admin = _admin(api)
    member = _invite(admin)
    assert member["active"] is False
    (token,) = _emailed_tokens(api)
    assert log_in(_client(api), BEA, PASSWORD_CHOSEN).status_code == 401

    first = _accept(api, token)
    again = _accept(api, token, "another quite long passphrase")

    assert first.status_code == 204
    assert "set-cookie" not in first.headers  # the invitee is not signed in
    assert again.status_code == 400
    assert again.json()["code"] == "invite-link-invalid"
    assert "ask your clinic's admin" in again.json()["detail"]
    assert log_in(_client(api), BEA, PASSWORD_CHOSEN).status_code == 200
    listed = {m["email"]: m["active"] for m in admin.get("/api/v1/staff").json()["items"]}
    assert listed[BEA] is True


def test_the_staff_list_tells_an_invited_member_from_a_deactivated_one(api: Services) -> None:
    admin = _admin(api)
    leaving = _invite(admin, email=CAL)
    (token,) = _emailed_tokens(api, CAL)
    assert _accept(api, token).status_code == 204
    assert admin.post(f"/api/v1/staff/{leaving['id']}/deactivate").status_code == 204
    invited = _invite(admin)

    listed = {m["email"]: m["status"] for m in admin.get("/api/v1/staff").json()["items"]}

    assert invited["status"] == "invited"
    assert listed == {ADA: "active", BEA: "invited", CAL: "deactivated"}


def test_au6_an_invite_link_expires_60_minutes_after_it_is_sent(
    api: Services, clock: MovingClock
) -> None:
    admin = _admin(api)
    _invite(admin)
    (late,) = _emailed_tokens(api)
    clock.advance(timedelta(minutes=60, seconds=1))

    refused = _accept(api, late)

    assert refused.status_code == 400
    assert refused.json()["code"] == "invite-link-invalid"
    assert log_in(_client(api), BEA, PASSWORD_CHOSEN).status_code == 401


def test_au6_an_invite_link_works_until_the_60th_minute(api: Services, clock: MovingClock) -> None:
    admin = _admin(api)
    _invite(admin)
    (token,) = _emailed_tokens(api)
    clock.advance(timedelta(minutes=60) - timedelta(seconds=1))

    assert _accept(api, token).status_code == 204


def test_au6_an_invite_link_sent_again_voids_the_earlier_one(api: Services) -> None:
    admin = _admin(api)
    member = _invite(admin)
    (earlier,) = _emailed_tokens(api)

    resent = admin.post(f"/api/v1/staff/{member['id']}/invite")
    (later,) = _emailed_tokens(api)

    assert resent.status_code == 204
    assert _accept(api, earlier).status_code == 400
    assert _accept(api, later).status_code == 204
    again = admin.post(f"/api/v1/staff/{member['id']}/invite")
    assert again.status_code == 422
    assert again.json()["errors"][0]["field"] == "staff_id"


def test_au6_an_invite_link_is_not_a_reset_link_and_a_weak_password_gets_422(
    api: Services,
) -> None:
    admin = _admin(api)
    _invite(admin)
    (token,) = _emailed_tokens(api)

    as_reset = _client(api).post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "password": PASSWORD_CHOSEN}
    )
    weak = _accept(api, token, "password1234")

    assert as_reset.status_code == 400
    assert weak.status_code == 422
    assert weak.json()["errors"][0]["field"] == "password"
    assert _accept(api, token).status_code == 204


def test_au6_an_invite_to_a_taken_email_gets_409_and_changes_nothing(api: Services) -> None:
    admin = _admin(api)
    response = admin.post(INVITE, json={"email": ADA, "display_name": "Ada", "role": "admin"})

    assert response.status_code == 409
    assert _emailed_tokens(api, ADA) == []


def test_au6_invites_resends_and_acceptances_are_audited_without_address_or_token(
    api: Services, sqlite_url: str
) -> None:
    admin = _admin(api)
    member = _invite(admin)
    (earlier,) = _emailed_tokens(api)
    admin.post(f"/api/v1/staff/{member['id']}/invite")
    (later,) = _emailed_tokens(api)
    _accept(api, earlier)
    _accept(api, later)

    with closing(sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))) as db:
        rows = db.execute(
            "SELECT action, outcome, resource_id FROM audit_event "
            "WHERE action LIKE '%invite%' ORDER BY at, rowid"
        ).fetchall()
    assert [(a, o) for a, o, _ in rows] == [
        ("staff.invite", "success"),
        ("staff.invite_resend", "success"),
        ("auth.invite_accept", "refused"),
        ("auth.invite_accept", "success"),
    ]
    assert {r for _, _, r in rows} == {member["id"]}


def test_au6_an_invited_admin_is_not_signed_in_and_must_then_set_up_two_step(
    sqlite_url: str, clock: MovingClock
) -> None:
    settings = Settings(database_url=sqlite_url, audit_key=SecretStr(AUDIT_KEY.decode()))
    assert settings.admin_two_step
    strict = bootstrap(settings, clock=clock, hasher=PlainHasher())
    migrate(strict.database)
    try:
        clinic_id = add_clinic(strict)
        first_admin = add_member(strict, clinic_id, Role.ADMIN, ADA)
        context = RequestContext(first_admin, "invite-test", AuthMethod.SESSION)
        strict.accounts.invite_staff(NewInvite(BEA, "Bea", Role.ADMIN), context=context)
        (token,) = _emailed_tokens(strict)
        browser = _client(strict)

        accepted = browser.post(ACCEPT, json={"token": token, "password": PASSWORD_CHOSEN})
        assert accepted.status_code == 204
        assert browser.get(ME).status_code == 401

        first = log_in(browser, BEA, PASSWORD_CHOSEN)
        assert first.status_code == 401
        assert first.json()["code"] == "mfa-enrolment-required"
        assert browser.get(ME).status_code == 401
    finally:
        strict.database.close()
