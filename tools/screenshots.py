"""Screenshots of every main page of the clinician web app: ``make screenshots``.

Seeds a fresh demo clinic into a temporary data directory (``needlepoint demo``, as ``make run``
does), serves it with ``needlepoint serve`` on a free loopback port, then drives Debian's
Chromium (``/usr/bin/chromium``, headless, through Playwright; no browser is downloaded) at a
desk width and saves a full-page PNG of each main page into ``docs/screenshots/`` (or
``--out DIR``). Where the demo lacks a state worth showing (a scar assessment, a second outcome
measurement, a session being charted) the script makes it through the pages, as a clinician
would. The server is stopped in every case. A page answering HTTP 400 or above, or lacking its
heading, stops the run with exit code 1 and says which page failed.

Usage: ``.venv/bin/python tools/screenshots.py [--out DIR]``
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Final

from PIL import Image
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, Response, ViewportSize, expect, sync_playwright

ROOT: Final = Path(__file__).resolve().parents[1]
DEFAULT_OUT: Final = ROOT / "docs" / "screenshots"
CHROMIUM: Final = Path("/usr/bin/chromium")
NEEDLEPOINT: Final = Path(sys.executable).with_name("needlepoint")
DESK: Final = ViewportSize(width=1280, height=900)
TABLET: Final = ViewportSize(width=768, height=1024)
STARTUP_SECONDS: Final = 30.0
HEADING_TIMEOUT_MS: Final = 10_000
FIRST_ERROR_STATUS: Final = 400
PALETTE_COLOURS: Final = 256
SIZE_BUDGET: Final = 300_000
"""A screenshot larger than this (bytes) is rewritten with a palette to keep the repo small."""
PREVIEW_DELAY_MS: Final = 600
"""Longer than the face map's 300 ms input delay, so the last preview has come back."""
UNSERVED: Final = "/favicon.ico"
"""The one request the app does not answer; the browser asks for it on its own."""
CHEEK_OBSERVATIONS: Final = {
    "contour_change": "true",
    "visible_at_social_distance": "true",
    "easily_concealed": "false",
    "flattens_on_stretch": "true",
}
_LOGIN_LINE: Final = re.compile(r"^\s+(\w+)\s+(\S+@\S+)\s+password: (.+)$")


class ScreenshotError(Exception):
    """A page could not be shot: it failed to load, answered an error or lacked its heading."""


@dataclass
class Shooter:
    """A signed-in browser tab that saves named screenshots and notes every failed answer."""

    page: Page
    out: Path
    written: list[Path] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def watch(self) -> None:
        """Note every answer of the server at HTTP 400 or above (pages and htmx requests)."""
        self.page.on("response", self._note)

    def _note(self, response: Response) -> None:
        """Record ``response`` if it is an error from the server."""
        if response.status >= FIRST_ERROR_STATUS and not response.url.endswith(UNSERVED):
            self.failures.append(f"HTTP {response.status} from {response.url}")

    def visit(self, path: str) -> None:
        """Open ``path``; an HTTP error or no answer at all stops the run."""
        response = self.page.goto(path)
        if response is None or response.status >= FIRST_ERROR_STATUS:
            status = "no answer" if response is None else f"HTTP {response.status}"
            raise ScreenshotError(f"{path}: {status}")

    def capture(self, name: str, heading: str | re.Pattern[str]) -> Path:
        """Check the page answered well and shows ``heading`` (h1), then save ``name``.png."""
        self.check(name, heading)
        path = self.out / f"{name}.png"
        self.page.evaluate("document.activeElement?.blur()")
        self.page.screenshot(path=path, full_page=True, animations="disabled")
        if path.stat().st_size > SIZE_BUDGET:
            shrink(path)
        self.written.append(path)
        return path

    def check(self, name: str, heading: str | re.Pattern[str]) -> None:
        """Raise if a request failed or the expected level-1 heading is absent."""
        if self.failures:
            raise ScreenshotError(f"{name}: {'; '.join(self.failures)}")
        wanted = self.page.get_by_role("heading", name=heading, level=1)
        try:
            expect(wanted).to_be_visible(timeout=HEADING_TIMEOUT_MS)
        except AssertionError as absent:
            shown = self.page.locator("h1").all_inner_texts()
            raise ScreenshotError(
                f"{name}: heading {heading!r} absent at {self.page.url} (h1: {shown})"
            ) from absent


def shrink(path: Path) -> None:
    """Rewrite a PNG with a 256-colour palette: flat UI colours survive, the file shrinks."""
    with Image.open(path) as shot:
        palette = shot.convert("RGB").quantize(PALETTE_COLOURS, Image.Quantize.MEDIANCUT)
    palette.save(path, format="PNG", optimize=True)


def _free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment(data_dir: Path) -> dict[str, str]:
    """This process's environment with only our data directory and development mode set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEEDLEPOINT_")}
    return env | {"NEEDLEPOINT_DATA_DIR": str(data_dir), "NEEDLEPOINT_DEVELOPMENT": "1"}


def seed_demo(env: dict[str, str], *options: str) -> tuple[str, str]:
    """Seed the demo clinic (``options`` passed on); returns the clinician's email and password."""
    command = [str(NEEDLEPOINT), "demo", "--reset", *options]
    seeded = subprocess.run(command, env=env, check=False, capture_output=True, text=True)
    if seeded.returncode != 0:
        raise ScreenshotError(f"needlepoint demo failed ({seeded.returncode}):\n{seeded.stderr}")
    printed = seeded.stdout
    for line in printed.splitlines():
        found = _LOGIN_LINE.match(line)
        if found and found.group(1) == "clinician":
            return found.group(2), found.group(3)
    raise ScreenshotError(f"needlepoint demo printed no clinician login:\n{printed}")


def _wait_until_serving(url: str, server: subprocess.Popen[bytes]) -> None:
    """Return once the server answers ``/login``; raise if it exits or takes too long."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise ScreenshotError(f"needlepoint serve exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/login", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise ScreenshotError(f"needlepoint serve did not answer within {STARTUP_SECONDS:.0f} s")


@contextmanager
def demo_server(*options: str) -> Iterator[tuple[str, tuple[str, str]]]:
    """A freshly seeded demo server: yields its URL and the clinician login; always stopped.

    ``options`` go to ``needlepoint demo`` (``--cohort`` for the analytics page).

    The server's log goes to a file; if anything fails while it runs, its tail is shown.
    """
    with tempfile.TemporaryDirectory(prefix="needlepoint-screenshots-") as data_dir:
        env = _environment(Path(data_dir))
        login = seed_demo(env, *options)
        port = _free_port()
        command = [str(NEEDLEPOINT), "serve", "--host", "127.0.0.1", "--port", str(port)]
        log = Path(data_dir) / "serve.log"
        with log.open("wb") as sink:
            server = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_until_serving(url, server)
            yield url, login
        except BaseException:
            _show_tail(log)
            raise
        finally:
            _stop(server)


def _show_tail(log: Path, lines: int = 20) -> None:
    """Write the last ``lines`` lines of the server's log to standard error."""
    tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
    sys.stderr.write("needlepoint serve, last lines of its log:\n" + "\n".join(tail) + "\n")


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the server politely, or kill it if it does not stop within ten seconds."""
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def sign_in(shooter: Shooter, login: tuple[str, str], *, shoot: bool = True) -> None:
    """Shoot the sign-in page (unless ``shoot`` is false), then sign in as the demo clinician."""
    shooter.visit("/login")
    page = shooter.page
    page.get_by_label("Email").fill(login[0])
    page.get_by_label("Password").fill(login[1])
    if shoot:
        shooter.capture("01-login", "Sign in")
    page.get_by_role("button", name="Sign in").click()
    shooter.check("sign-in", "Dashboard")


def open_patient(shooter: Shooter, family: str, given: str) -> str:
    """Find a patient by the list's search and open their page; returns its path."""
    shooter.visit(f"/patients?q={family}")
    results = shooter.page.locator("#patient-results")
    results.get_by_role("link", name=f"{family}, {given}").click()
    expect(shooter.page.get_by_role("heading", name=f"{family}, {given}", level=1)).to_be_visible()
    return _path_of(shooter.page)


def _path_of(page: Page) -> str:
    """The path and query of the tab's current URL."""
    return re.sub(r"^https?://[^/]+", "", page.url)


def _first_href(page: Page, prefix: str) -> str:
    """The ``href`` of the first link on the page whose target starts with ``prefix``."""
    href = page.locator(f'main a[href^="{prefix}"]').first.get_attribute("href")
    if href is None:
        raise ScreenshotError(f"{page.url}: no link to {prefix}…")
    return href


def shoot_lists(shooter: Shooter) -> None:
    """The dashboard, the patient list and the registration form."""
    shooter.visit("/")
    shooter.capture("02-dashboard", "Dashboard")
    shooter.visit("/patients")
    shooter.capture("03-patients", "Patients")
    shooter.visit("/patients/new")
    shooter.capture("05-new-patient", "Register a patient")


def shoot_intake(shooter: Shooter, patient: str) -> None:
    """A new consultation's intake form, its first answers given."""
    shooter.visit(f"{patient}/consultations/new")
    page = shooter.page
    page.get_by_label("Pen (automated microneedling)").check()
    page.get_by_label("III: medium; sometimes burns, tans gradually").check()
    for answer in page.locator('#safety input[type="radio"][value="false"]').all():
        answer.check()
    for history in ("diabetes", "skin_cancer"):
        page.locator(f'[id="history.{history}-none"]').check()
    page.get_by_label("Never taken").check()
    page.locator("summary", has_text="Acne scars").click()
    page.locator('[id="treatments.acne_scars.cheeks"]').check()
    page.evaluate("window.scrollTo(0, 0)")
    shooter.capture("06-consultation-intake", re.compile(r"^New consultation: "))


def shoot_result(shooter: Shooter) -> None:
    """A consultation needing clearance: decision, earliest date, reasons with sources."""
    open_patient(shooter, "Osei", "Daniel")
    shooter.visit(_first_href(shooter.page, "/consultations/"))
    expect(shooter.page.get_by_role("heading", name=re.compile(r"^Decision: "))).to_be_visible()
    shooter.capture("07-consultation-result", re.compile(r"^Consultation of "))


def shoot_face_map(shooter: Shooter, consultation: str) -> None:
    """The face map with scars entered on cheeks and chin, its scores shown; then saved."""
    shooter.visit(consultation)
    page = shooter.page
    page.get_by_role("link", name="Assess scars on the face map").click()
    _fill_zone(page, "cheeks", {"Rolling scars": "14", "Boxcar scars, shallow": "6"})
    _observe(page, "cheeks", CHEEK_OBSERVATIONS)
    _fill_zone(page, "chin", {"Rolling scars": "3", "Icepick scars": "2"})
    with page.expect_response(re.compile(r"/assessments/preview$")):
        page.locator("h1").click()  # leaves the last box: its change updates the scores
    page.wait_for_timeout(PREVIEW_DELAY_MS)
    expect(page.locator("#score-gb-qualitative")).to_contain_text("grade")
    expect(page.locator("#score-ecca")).to_contain_text(re.compile(r"\d+ of 540"))
    shooter.capture("08-face-map", re.compile(r"^Scar assessment: "))
    page.get_by_role("button", name="Save the assessment").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def _fill_zone(page: Page, zone: str, counts: dict[str, str]) -> None:
    """Open a zone by clicking it on the front view and type its scar counts."""
    page.locator(f'#front-{zone}, [id="front-{zone}-left"]').first.click()
    form = page.locator(f"#zone-slot-{zone}")
    for label, count in counts.items():
        box = form.get_by_label(label, exact=True)
        expect(box).to_be_visible()
        box.fill(count)


def _observe(page: Page, zone: str, answers: dict[str, str]) -> None:
    """Answer a zone's Goodman & Baron observations (``true`` or ``false``)."""
    for name, answer in answers.items():
        page.locator(f'[id="{zone}.qualitative.{name}"]').select_option(answer)


def shoot_plan(shooter: Shooter, consultation: str) -> None:
    """The proposed plan of a consultation that may proceed."""
    shooter.visit(f"{consultation}/plan")
    expect(shooter.page.get_by_role("heading", name="Depth per zone")).to_be_visible()
    shooter.capture("09-plan", re.compile(r"^Proposed plan: "))


def shoot_outcomes(shooter: Shooter, patient: str) -> None:
    """The outcome chart, after recording an earlier score so that it draws a line."""
    shooter.visit(f"{patient}/outcomes")
    page = shooter.page
    page.get_by_role("textbox", name="Score").fill("11")
    page.get_by_label("Date measured").fill((date.today() - timedelta(days=5)).isoformat())
    page.get_by_label("Note").fill("at the consultation, before the first session")
    page.get_by_role("button", name="Record measurement").click()
    expect(
        page.get_by_role("heading", name="Scar score against the expected range")
    ).to_be_visible()
    shooter.capture("13-outcomes", re.compile(r"^Outcomes: "))


def shoot_session(shooter: Shooter) -> None:
    """Start a planned series' first session (day-of re-screen), then fill in its chart."""
    open_patient(shooter, "Raman", "Priya")
    page = shooter.page
    page.get_by_role("link", name="Start next session").first.click()
    page.get_by_label("Pregnant, or could be pregnant").select_option("no")
    shooter.capture("10-session-start", "Start the next session")
    page.get_by_role("button", name="Re-screen and start the session").click()
    _fill_chart(page)
    shooter.capture("11-session-chart", re.compile(r"^Session 1 of \d+: chart$"))


def shoot_handout(shooter: Shooter, patient: str) -> None:
    """The printable handout for the next session of a series in progress."""
    shooter.visit(patient)
    shooter.page.get_by_role("link", name="Patient handout for the next session").click()
    shooter.capture("12-handout", re.compile(r"^Your skin treatment on "))


def _fill_chart(page: Page) -> None:
    """Fill the chart as at the chair (not saved): numbing, cartridge."""
    page.get_by_label("Numbing product").fill("lidocaine 4% cream")
    page.get_by_role("button", name="Now").first.click()
    page.get_by_label("Cartridge lot").fill("LOT-2611-A")
    page.get_by_label("Cartridge expiry date").fill(
        (date.today() + timedelta(days=180)).isoformat()
    )
    page.evaluate("window.scrollTo(0, 0)")


def shoot_patient(shooter: Shooter, patient: str) -> None:
    """A patient's programme in progress: series, sessions, scores, outcomes."""
    shooter.visit(patient)
    shooter.capture("04-patient", "Okafor, Amira")


def shoot_booking(shooter: Shooter) -> None:
    """Booking a series: a free slot proposed for every session still to book."""
    marsh = open_patient(shooter, "Marsh", "Helen")
    shooter.visit(marsh)
    shooter.page.get_by_role("link", name="Book sessions").first.click()
    shooter.capture("15-booking", re.compile(r"^Book sessions for "))


def shoot_tablet(shooter: Shooter) -> None:
    """The dashboard at the width of a tablet held upright."""
    shooter.page.set_viewport_size(TABLET)
    shooter.visit("/")
    shooter.capture("14-dashboard-tablet", "Dashboard")


def shoot_all(shooter: Shooter, login: tuple[str, str]) -> None:
    """Every main page, in an order where each state the next shot needs already exists."""
    shooter.watch()
    sign_in(shooter, login)
    shoot_lists(shooter)
    shoot_result(shooter)
    patient = open_patient(shooter, "Okafor", "Amira")
    consultation = _first_href(shooter.page, "/consultations/")
    shoot_intake(shooter, patient)
    shoot_face_map(shooter, consultation)
    shoot_plan(shooter, consultation)
    shoot_outcomes(shooter, patient)
    shoot_session(shooter)
    shoot_handout(shooter, patient)
    shoot_patient(shooter, patient)
    shoot_booking(shooter)
    shoot_tablet(shooter)


COHORT: Final = ("--cohort", "--series", "150")
"""The analytics page's own demo: the demo clinic with 150 synthetic completed series (a
second server, so that the other pages show the demo clinic as ``make run`` seeds it)."""

ANALYTICS: Final = "/analytics?indication=acne_scars&scale=gb_quantitative&reference_sessions=3"


def shoot_analytics(shooter: Shooter, login: tuple[str, str]) -> None:
    """The cohort analytics page: acne scars on the GB quantitative score against 3 sessions."""
    sign_in(shooter, login, shoot=False)
    shooter.visit(ANALYTICS)
    shooter.capture("16-analytics", "Cohort analytics")


def run(out: Path) -> list[Path]:
    """Seed, serve, shoot every page into ``out``; returns the files written, sorted."""
    if not CHROMIUM.exists():
        raise ScreenshotError(f"{CHROMIUM} is missing: install Debian's chromium package")
    out.mkdir(parents=True, exist_ok=True)
    with demo_server() as (url, login), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            context = browser.new_context(base_url=url, viewport=DESK, device_scale_factor=1)
            shooter = Shooter(context.new_page(), out)
            shoot_all(shooter, login)
        finally:
            browser.close()
    return sorted([*shooter.written, *run_cohort(out)])


def run_cohort(out: Path) -> list[Path]:
    """Seed a ``--cohort`` demo, serve it and shoot the analytics page into ``out``."""
    with demo_server(*COHORT) as (url, login), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            context = browser.new_context(base_url=url, viewport=DESK, device_scale_factor=1)
            shooter = Shooter(context.new_page(), out)
            shooter.watch()
            shoot_analytics(shooter, login)
        finally:
            browser.close()
    return shooter.written


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="directory for the PNGs")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Write every screenshot and list them; exit code 1 with the reason if a page fails."""
    out: Path = _arguments(argv).out
    try:
        written = run(out)
    except (
        ScreenshotError,
        AssertionError,  # an ``expect`` on the way to a page
        PlaywrightError,
    ) as failure:
        sys.stderr.write(f"screenshots failed: {failure}\n")
        return 1
    sys.stdout.write(f"Wrote {len(written)} screenshots:\n")
    for path in written:
        sys.stdout.write(f"  {_shown(path)}  {path.stat().st_size // 1024} KB\n")
    return 0


def _shown(path: Path) -> str:
    """``path`` relative to the repository if it lies inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


if __name__ == "__main__":
    sys.exit(main())
