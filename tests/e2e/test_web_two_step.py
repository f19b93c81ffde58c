"""Two-step sign-in (AU-5) and "confirm your password" (SE-5) in the web app, through its
forms, as a browser uses them (ADR 0036).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from api_support import PASSWORD, MovingClock, TestClient, add_clinic, add_member
from needlepoint.bootstrap import Services
from needlepoint.domain import totp
from needlepoint.domain.records import Role
from web_support import csrf_token, sign_in, web_client, web_services

ADMIN = "ada@harbour.test"
CLINICIAN = "dr@harbour.test"
_KEY = re.compile(r'<code class="manual-key">([A-Z2-7 ]+)</code>')
_CHALLENGE = re.compile(r'name="challenge" value="([^"]+)"')
_CODE = re.compile(r"<li><code>([a-z2-7-]{19})</code></li>")


@pytest.fixture
def clock() -> MovingClock:
    return MovingClock()


@pytest.fixture
def strict(tmp_path: Path, clock: MovingClock) -> Iterator[Services]:
    """Services as deployed (admins must sign in with a code), with one admin and clinician."""
    services = web_services(tmp_path, clock)
    settings = services.settings.model_copy(update={"admin_two_step": True})
    strict = dataclasses.replace(services, settings=settings)
    clinic = add_clinic(strict)
    add_member(strict, clinic, Role.ADMIN, ADMIN)
    add_member(strict, clinic, Role.CLINICIAN, CLINICIAN)
    yield strict
    strict.database.close()


def _second_step(client: TestClient, page: str, code: str = "", recovery: str = "") -> Any:
    form = {
        "csrf_token": csrf_token(page),
        "challenge": _found(_CHALLENGE, page),
        "next": "/patients",
        "code": code,
        "recovery_code": recovery,
    }
    return client.post("/login/second-step", data=form)


def _found(pattern: re.Pattern[str], page: str) -> str:
    found = pattern.search(page)
    assert found, page
    return found.group(1)


def test_au5_an_admin_sets_up_an_app_at_first_sign_in_then_signs_in_with_a_code(
    strict: Services, clock: MovingClock
) -> None:
    browser = web_client(strict)
    first = sign_in(browser, ADMIN, next_path="/patients")
    assert first.status_code == 200
    assert "Set up two-step sign-in" in first.text
    assert "<svg" in first.text  # the QR code, inline
    secret = _found(_KEY, first.text).replace(" ", "")
    # Nothing opens before the code.
    assert browser.get("/patients").status_code == 303
    done = _second_step(browser, first.text, totp.code_at(secret, clock.now()))
    assert done.status_code == 200
    codes = _CODE.findall(done.text)
    assert len(codes) == totp.RECOVERY_CODE_COUNT
    assert browser.get("/patients").status_code == 200
    # The next sign-in asks for a code; a replayed one is refused, the next step's accepted.
    again = web_client(strict)
    page = sign_in(again, ADMIN, next_path="/patients")
    assert "Enter your code" in page.text
    replay = _second_step(again, page.text, totp.code_at(secret, clock.now()))
    assert replay.status_code == 401
    assert "not right, or was already used" in replay.text
    clock.advance(timedelta(seconds=totp.STEP_SECONDS))
    good = _second_step(again, replay.text, totp.code_at(secret, clock.now()))
    assert (good.status_code, good.headers["location"]) == (303, "/patients")
    # A recovery code works once.
    third = web_client(strict)
    page = sign_in(third, ADMIN)
    assert _second_step(third, page.text, recovery=codes[0]).status_code == 303
    fourth = web_client(strict)
    page = sign_in(fourth, ADMIN)
    assert _second_step(fourth, page.text, recovery=codes[0]).status_code == 401


def test_se5_turning_two_step_on_after_five_minutes_asks_for_the_password_again(
    strict: Services, clock: MovingClock
) -> None:
    browser = web_client(strict)
    assert sign_in(browser, CLINICIAN).status_code == 303  # optional for clinicians
    page = browser.get("/account/two-step")
    assert "Two-step sign-in is <strong>off</strong>" in page.text
    clock.advance(timedelta(minutes=5, seconds=1))
    asked = browser.post("/account/two-step/enrol", data={"csrf_token": csrf_token(page.text)})
    assert asked.status_code == 303
    assert asked.headers["location"] == "/account/confirm-password?next=%2Faccount%2Ftwo-step"
    form = browser.get(asked.headers["location"])
    assert "Confirm your password" in form.text
    token = csrf_token(form.text)
    wrong = browser.post(
        "/account/confirm-password",
        data={"csrf_token": token, "next": "/account/two-step", "password": "nope"},
    )
    assert wrong.status_code == 401
    right = browser.post(
        "/account/confirm-password",
        data={"csrf_token": token, "next": "/account/two-step", "password": PASSWORD},
    )
    assert (right.status_code, right.headers["location"]) == (303, "/account/two-step")
    started = browser.post("/account/two-step/enrol", data={"csrf_token": token})
    assert started.status_code == 200
    secret = _found(_KEY, started.text).replace(" ", "")
    confirmed = browser.post(
        "/account/two-step/confirm",
        data={"csrf_token": token, "code": totp.code_at(secret, clock.now())},
    )
    assert len(_CODE.findall(confirmed.text)) == totp.RECOVERY_CODE_COUNT
    assert "Two-step sign-in is <strong>on</strong>" in confirmed.text


def test_au5_an_admin_requires_two_step_of_all_staff_on_the_clinic_page(
    strict: Services, clock: MovingClock
) -> None:
    plain = dataclasses.replace(
        strict, settings=strict.settings.model_copy(update={"admin_two_step": False})
    )
    admin = web_client(plain)
    assert sign_in(admin, ADMIN).status_code == 303
    page = admin.get("/settings/clinic")
    assert "Require two-step sign-in for all staff" in page.text
    saved = admin.post(
        "/settings/clinic/two-step", data={"csrf_token": csrf_token(page.text), "required": "yes"}
    )
    assert saved.status_code == 303
    assert " checked" in admin.get("/settings/clinic").text
    clinician = web_client(strict)
    asked = sign_in(clinician, CLINICIAN)
    assert "Set up two-step sign-in" in asked.text
