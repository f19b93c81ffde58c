"""Browser tests: the system Chromium, driven by Playwright, against a real server.

One server per test module, on its own copy of the demo: ``needlepoint demo`` seeds a data
directory once per test process (its printed logins are read back), each module copies it and
runs ``needlepoint serve`` on a free loopback port. Chromium is
Debian's ``/usr/bin/chromium`` (``.ci/run`` installs it); no browser is ever downloaded. Where
it is missing the tests are skipped, unless ``NEEDLEPOINT_REQUIRE_BROWSER=1`` (CI), which
fails them instead.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    StorageState,
    ViewportSize,
    expect,
    sync_playwright,
)

from serving import NEEDLEPOINT, environment, serving

CHROMIUM = Path("/usr/bin/chromium")
_LOGIN_LINE = re.compile(r"^\s+(\w+)\s+(\S+@\S+)\s+password: (.+)$")


@dataclass(frozen=True)
class Server:
    """A running needlepoint server and the demo logins by role."""

    url: str
    logins: dict[str, tuple[str, str]]


def seed_demo(env: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Run ``needlepoint demo``; returns the printed logins (email, password) by role."""
    printed = subprocess.run(
        [str(NEEDLEPOINT), "demo"], env=env, check=True, capture_output=True, text=True
    ).stdout
    found = (_LOGIN_LINE.match(line) for line in printed.splitlines())
    return {m.group(1): (m.group(2), m.group(3)) for m in found if m}


def demo_environment(data_dir: Path) -> dict[str, str]:
    """The environment of a demo server: its own data directory, development mode."""
    return environment(data_dir, {"NEEDLEPOINT_DEVELOPMENT": "1"})


@dataclass(frozen=True)
class SeededDemo:
    """A data directory ``needlepoint demo`` seeded, and its logins by role."""

    directory: Path
    logins: dict[str, tuple[str, str]]

    def copy(self, tmp_path_factory: pytest.TempPathFactory, name: str) -> dict[str, str]:
        """A demo server's environment over a fresh copy of the seeded data directory."""
        directory = tmp_path_factory.mktemp(name)
        shutil.copytree(self.directory, directory, dirs_exist_ok=True)
        return demo_environment(directory)


@pytest.fixture(scope="session")
def seeded_demo(tmp_path_factory: pytest.TempPathFactory) -> SeededDemo:
    """The demo, seeded once per test process (each module serves a copy it may change)."""
    directory = tmp_path_factory.mktemp("demo-template")
    return SeededDemo(directory, seed_demo(demo_environment(directory)))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, seeded_demo: SeededDemo) -> Iterator[Server]:
    with serving(seeded_demo.copy(tmp_path_factory, "browser")) as url:
        yield Server(url, seeded_demo.logins)


def require_chromium() -> None:
    """Skip the test where Chromium is missing; fail it instead in CI (see the module doc)."""
    if not CHROMIUM.exists():
        if os.environ.get("NEEDLEPOINT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    require_chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield launched
        launched.close()


TABLET: Final = ViewportSize(width=768, height=1024)
"""Every page is tested at the width of a tablet held upright."""


def sign_in(page: Page, server: Server, role: str) -> None:
    """Sign in through the login form as the demo member of staff in ``role``."""
    email, password = server.logins[role]
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()


@pytest.fixture(scope="module")
def signed_in_states(browser: Browser, server: Server) -> dict[str, StorageState]:
    """Each role signs in once per module (Argon2id is slow on purpose); tabs reuse the cookie."""
    states: dict[str, StorageState] = {}
    for role in ("clinician", "front_desk"):
        context = browser.new_context(base_url=server.url)
        sign_in(context.new_page(), server, role)
        states[role] = context.storage_state()
        context.close()
    return states


@pytest.fixture
def open_tab(browser: Browser, server: Server) -> Iterator[Callable[..., Page]]:
    """Opens a tab in a fresh profile, signed out or signed in as a role, at a viewport.

    Every tab records the Content-Security-Policy violations it reports; there must be none.
    """
    contexts: list[BrowserContext] = []
    violations: list[str] = []

    def opened(state: StorageState | None = None, viewport: ViewportSize = TABLET) -> Page:
        context = browser.new_context(base_url=server.url, viewport=viewport, storage_state=state)
        contexts.append(context)
        tab = context.new_page()
        tab.on("console", lambda m: _note_violation(m.text, violations))
        return tab

    yield opened
    for context in contexts:
        context.close()
    assert violations == [], f"a page broke its Content-Security-Policy: {violations}"


def _note_violation(text: str, violations: list[str]) -> None:
    if "Content Security Policy" in text:
        violations.append(text)


@pytest.fixture
def page(open_tab: Callable[..., Page]) -> Page:
    """A signed-out tab."""
    return open_tab()


@pytest.fixture
def clinician(open_tab: Callable[..., Page], signed_in_states: dict[str, StorageState]) -> Page:
    """A tab signed in as the demo clinician."""
    return open_tab(signed_in_states["clinician"])


@pytest.fixture
def front_desk(open_tab: Callable[..., Page], signed_in_states: dict[str, StorageState]) -> Page:
    """A tab signed in as the demo front desk."""
    return open_tab(signed_in_states["front_desk"])
