"""The session chart in a real browser: re-screen, chart past the licence, give a reason, sign.

As the demo clinician: open a patient's series, start its next session, chart a depth deeper
than the licence allows, get asked for a reason, give it, sign the chart, then open the
patient's outcome chart. The page keeps its Content-Security-Policy throughout (the fixture
fails the test on any violation, so the "Now" button's script must come from a static file).
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def test_a_clinician_charts_past_the_licence_with_a_reason_signs_and_sees_outcomes(
    clinician: Page,
) -> None:
    page = clinician
    page.goto("/patients?q=Raman")
    page.locator("#patient-results").get_by_role("link", name="Raman, Priya").click()
    expect(page.get_by_role("heading", name="Raman, Priya", level=1)).to_be_visible()

    page.get_by_role("link", name="Start next session").first.click()
    expect(page.get_by_role("heading", name="Start the next session")).to_be_visible()
    page.get_by_label("Pregnant, or could be pregnant").select_option("no")
    page.get_by_role("button", name="Re-screen and start the session").click()

    expect(page).to_have_url(re.compile(r"/sessions/[0-9a-f-]{36}/chart$"))
    expect(page.get_by_role("heading", name=re.compile(r"Session 1 of \d+: chart"))).to_be_visible()
    page.get_by_label("Numbing product").fill("lidocaine 23% / tetracaine 7%")
    page.get_by_role("button", name="Now").first.click()
    expect(page.get_by_label("Numbing applied at (Europe/London time)")).not_to_have_value("")
    depth = page.locator('input[name$="-depth"]').first
    depth.fill("2.0")
    page.get_by_label("Cartridge lot").fill("LOT-BROWSER-1")
    page.get_by_label("Cartridge expiry date").fill("2030-01-31")
    page.get_by_role("button", name="Save chart").click()

    expect(page.get_by_text("The chart was not saved")).to_be_visible()
    expect(page.locator(".field-problem").first).to_contain_text("deeper than your licence")
    reasons = page.get_by_role("textbox", name=re.compile(r"^Reason for going deeper in"))
    expect(reasons.first).to_be_visible()
    for index in range(reasons.count()):  # every zone past the plan or the licence asks
        reasons.nth(index).fill("deep boxcar scars; discussed and agreed with the patient")
    page.get_by_role("button", name="Save chart").click()

    expect(page.get_by_text(re.compile(r"Chart saved as version 1"))).to_be_visible()
    history = page.get_by_role("region", name="Chart history")
    expect(history).to_contain_text("deep boxcar scars; discussed and agreed with the patient")
    page.get_by_role("button", name="Sign version 1").click()
    expect(page.get_by_text("Chart signed.")).to_be_visible()
    expect(history.get_by_text(re.compile(r"^signed "))).to_be_visible()

    page.get_by_role("link", name="Back to the patient").click()
    page.get_by_role("link", name="Outcome chart and new measurement").click()
    expect(
        page.get_by_role("heading", name=re.compile(r"^Outcomes: Raman"), level=1)
    ).to_be_visible()
    expect(
        page.get_by_role("heading", name="Scar score against the expected range")
    ).to_be_visible()
    expect(page.get_by_label("Scale")).to_be_visible()
