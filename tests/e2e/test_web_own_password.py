"""A member of staff changes their own password on the web (SE-4, SE-5), through its form."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from api_support import PASSWORD, MovingClock, add_clinic, add_member
from needlepoint.bootstrap import Services
from needlepoint.domain.records import Role
from web_support import csrf_token, sign_in, web_client, web_services

CLINICIAN = "dr@harbour.test"
NEW_PASSWORD = "copper kettle whistles at dawn"


@pytest.fixture
def clock() -> MovingClock:
    return MovingClock()


@pytest.fixture
def services(tmp_path: Path, clock: MovingClock) -> Iterator[Services]:
    services = web_services(tmp_path, clock)
    add_member(services, add_clinic(services), Role.CLINICIAN, CLINICIAN)
    yield services
    services.database.close()


def test_se5_the_web_password_change_asks_for_the_password_again_after_5_min_1_s(
    services: Services, clock: MovingClock
) -> None:
    browser = web_client(services)
    other = web_client(services)
    assert sign_in(browser, CLINICIAN).status_code == 303
    assert sign_in(other, CLINICIAN).status_code == 303
    page = browser.get("/account/password")
    assert page.status_code == 200
    assert "Change your password" in page.text
    token = csrf_token(page.text)
    form = {
        "csrf_token": token,
        "current_password": PASSWORD,
        "new_password": NEW_PASSWORD,
        "new_password_again": NEW_PASSWORD,
    }
    clock.advance(timedelta(minutes=5, seconds=1))
    asked = browser.post("/account/password", data=form)
    assert asked.status_code == 303
    assert asked.headers["location"] == "/account/confirm-password?next=%2Faccount%2Fpassword"
    assert sign_in(web_client(services), CLINICIAN).status_code == 303  # nothing changed
    confirmed = browser.post(
        "/account/confirm-password",
        data={"csrf_token": token, "next": "/account/password", "password": PASSWORD},
    )
    assert (confirmed.status_code, confirmed.headers["location"]) == (303, "/account/password")
    mismatch = browser.post("/account/password", data={**form, "new_password_again": "other"})
    assert mismatch.status_code == 422
    assert "not the same" in mismatch.text
    wrong = browser.post("/account/password", data={**form, "current_password": "nope"})
    assert wrong.status_code == 422
    assert "Current password is not your current password" in wrong.text
    done = browser.post("/account/password", data=form)
    assert (done.status_code, done.headers["location"]) == (303, "/account/password?saved=1")
    assert "Your password is changed" in browser.get(done.headers["location"]).text
    assert other.get("/patients").status_code == 303  # the other session was signed out
    assert sign_in(web_client(services), CLINICIAN).status_code != 303  # the old password


def test_se5_the_web_email_change_asks_for_the_password_again_after_5_min_1_s(
    services: Services, clock: MovingClock
) -> None:
    browser = web_client(services)
    assert sign_in(browser, CLINICIAN).status_code == 303
    page = browser.get("/account/email")
    assert page.status_code == 200
    assert CLINICIAN in page.text
    token = csrf_token(page.text)
    form = {"csrf_token": token, "email": "doctor@harbour.test"}
    clock.advance(timedelta(minutes=5, seconds=1))
    asked = browser.post("/account/email", data=form)
    assert asked.status_code == 303
    assert asked.headers["location"] == "/account/confirm-password?next=%2Faccount%2Femail"
    confirmed = browser.post(
        "/account/confirm-password",
        data={"csrf_token": token, "next": "/account/email", "password": PASSWORD},
    )
    assert (confirmed.status_code, confirmed.headers["location"]) == (303, "/account/email")
    bad = browser.post("/account/email", data={**form, "email": "no address"})
    assert bad.status_code == 422
    assert "is not an email address" in bad.text
    done = browser.post("/account/email", data=form)
    assert (done.status_code, done.headers["location"]) == (303, "/account/email?saved=1")
    assert sign_in(web_client(services), "doctor@harbour.test").status_code == 303
