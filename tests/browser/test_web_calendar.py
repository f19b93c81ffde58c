"""The front desk's week calendar in a real browser: the demo's booked series is on it, and an
appointment opens where it is moved (issue 12, acceptance)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


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
