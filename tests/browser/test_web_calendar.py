"""The front desk's week calendar in a real browser: the demo's booked series is on it, and an
appointment opens where it is moved (issue 12, acceptance)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from browser.conftest import Server, sign_in


def booked_week(page: Page) -> None:
    """Step through the weeks until one shows a session of a booked demo series."""
    for _ in range(10):
        if page.locator(".agenda-booking").count():
            return
        page.get_by_role("link", name="Next week").click()
    raise AssertionError("no booked session in the ten weeks from today")


def test_the_front_desks_week_shows_the_booked_series_and_opens_an_appointment_to_move(
    front_desk: Page,
) -> None:
    front_desk.goto("/")
    front_desk.get_by_role("link", name="Calendar").click()
    expect(
        front_desk.get_by_role("heading", name=re.compile(r"^Calendar: week of"))
    ).to_be_visible()

    booked_week(front_desk)

    lane = front_desk.get_by_role("region", name="Dr Rowan Hale")
    session = lane.locator(".agenda-booking").first
    expect(session).to_contain_text(re.compile(r"(Raman, Priya|Okafor, Amira)"))
    expect(session).to_contain_text("session")
    expect(lane.locator(".agenda-open").first).to_contain_text(re.compile(r"Open|Closed"))
    expect(lane.locator(".agenda-fits").first).to_be_visible()
    session.get_by_role("link").click()
    expect(
        front_desk.get_by_role("heading", name=re.compile(r"^Appointment:"), level=1)
    ).to_be_visible()
    expect(front_desk.get_by_role("button", name=re.compile("Move"))).to_be_visible()


def test_the_calendar_shows_a_lane_per_room(front_desk: Page) -> None:
    front_desk.goto("/calendar")

    front_desk.get_by_role("link", name="By room").click()

    for room in ("Treatment room 1", "Treatment room 2"):
        expect(front_desk.get_by_role("heading", name=room, level=2)).to_be_visible()
    expect(front_desk).to_have_url(re.compile(r"by=room"))


@pytest.mark.parametrize("width", [768, 390])
def test_the_everyday_pages_fit_a_tablet_and_a_phone_without_scrolling_sideways(
    clinician: Page, width: int
) -> None:
    clinician.set_viewport_size({"width": width, "height": 900})
    clinician.goto("/patients?q=Okafor+Amira")
    clinician.get_by_role("link", name="Okafor, Amira").click()
    patient = clinician.url
    series = clinician.get_by_role("link", name=re.compile("^Open the series")).first
    series_path = series.get_attribute("href")
    paths = [
        "/calendar",
        "/calendar?view=day",
        "/calendar?by=room",
        "/recalls?lot=DEMO-LOT-2611",
        f"{patient}/edit",
        str(series_path),
        "/patients?q=okafor",
    ]

    for path in paths:
        clinician.goto(path)

        scrolled = clinician.evaluate("document.documentElement.scrollWidth")

        assert scrolled <= width, f"{path} scrolls sideways at {width} px ({scrolled} px)"


def test_the_staff_page_fits_a_tablet_and_a_phone_without_scrolling_sideways(
    page: Page, server: Server
) -> None:
    sign_in(page, server, "admin")

    for width in (768, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/settings/staff")

        scrolled = page.evaluate("document.documentElement.scrollWidth")

        assert scrolled <= width, f"the staff page scrolls sideways at {width} px ({scrolled} px)"
