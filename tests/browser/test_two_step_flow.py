"""Two-step sign-in in a real browser (AU-5, ADR 0036): the demo admin, on a server that asks
admins for a code, sets up an app from the key on the page, saves the recovery codes, signs
out, and signs in again with a code.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from browser.conftest import SeededDemo, Server
from needlepoint.domain import totp
from serving import serving


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, seeded_demo: SeededDemo) -> Iterator[Server]:
    env = seeded_demo.copy(tmp_path_factory, "two-step")
    env["NEEDLEPOINT_ADMIN_TWO_STEP"] = "1"
    with serving(env) as url:
        yield Server(url, seeded_demo.logins)


def _password_step(page: Page, server: Server) -> None:
    email, password = server.logins["admin"]
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def totp_time(step: int) -> datetime:
    """The start of a time step."""
    return datetime.fromtimestamp(step * totp.STEP_SECONDS, tz=UTC)


def _code(secret: str, after_step: int) -> str:
    """The app's code once a step later than ``after_step`` (the one used) has begun."""
    while totp.time_step(datetime.now(UTC)) <= after_step:
        time.sleep(0.5)
    return totp.code_at(secret, datetime.now(UTC))


def test_au5_the_admin_sets_up_an_app_and_signs_in_with_a_code(page: Page, server: Server) -> None:
    _password_step(page, server)
    expect(page.get_by_role("heading", name="Set up two-step sign-in", level=1)).to_be_visible()
    expect(page.locator(".qr svg")).to_be_visible()
    secret = page.locator("code.manual-key").inner_text().replace(" ", "")
    used_step = totp.time_step(datetime.now(UTC))
    page.get_by_label("6-digit code").fill(totp.code_at(secret, totp_time(used_step)))
    page.get_by_role("button", name="Turn on and sign in").click()
    expect(page.get_by_role("heading", name="Save your recovery codes")).to_be_visible()
    expect(page.locator("ul.recovery-codes li")).to_have_count(totp.RECOVERY_CODE_COUNT)
    page.get_by_role("link", name=re.compile("I have saved them")).click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    _password_step(page, server)
    expect(page.get_by_role("heading", name="Enter your code", level=1)).to_be_visible()
    page.get_by_label("6-digit code").fill(_code(secret, after_step=used_step))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
