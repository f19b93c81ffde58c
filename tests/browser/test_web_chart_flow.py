"""The session chart in a real browser: re-screen, chart past the pen's cap, then sign.

As the demo clinician: open a patient's series, start its next session, chart 2.0 mm with a
pen (its cap is 1.5 mm) and see it refused, then refused again with a reason typed beside it
(a hard limit: no reason unlocks it), chart within the caps, sign, and open the patient's
outcome chart. The page keeps its Content-Security-Policy throughout (the fixture fails the
test on any violation, so the "Now" button's script must come from a static file).
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def test_two_millimetres_with_a_pen_is_refused_even_with_a_reason_then_charted_within_the_caps(
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
    depth = page.locator('input[name$="].delivered_depth_mm"]').first
    planned = depth.input_value()
    depth.fill("2.0")
    page.get_by_label("Cartridge lot").fill("LOT-BROWSER-1")
    page.get_by_label("Cartridge expiry date").fill("2030-01-31")
    page.get_by_role("button", name="Save chart").click()

    expect(page.get_by_text("The chart was not saved")).to_be_visible()
    problem = page.locator(".field-problem").first
    expect(problem).to_contain_text("no reason unlocks it")
    expect(problem).to_have_attribute(
        "data-code", re.compile(r"^(device-depth-cap|licence-depth)$")
    )
    expect(page.get_by_role("textbox", name=re.compile(r"^Reason for going deeper"))).to_have_count(
        0
    )

    # A typed reason changes nothing: the cap is a hard limit.
    page.evaluate(
        """() => {
            const row = document.querySelector('input[name$="].delivered_depth_mm"]').closest("td");
            const reason = document.createElement("input");
            reason.name = row.querySelector("input").name.replace("delivered_depth_mm", "reason");
            reason.value = "deep boxcar scars; the patient insists";
            row.appendChild(reason);
        }"""
    )
    page.get_by_role("button", name="Save chart").click()
    expect(page.get_by_text("The chart was not saved")).to_be_visible()
    expect(page.locator(".field-problem").first).to_contain_text("no reason unlocks it")
    expect(page.get_by_text("Not charted yet.")).to_be_visible()

    page.locator('input[name$="].delivered_depth_mm"]').first.fill(planned)
    page.get_by_role("button", name="Save chart").click()

    expect(page.get_by_text(re.compile(r"Chart saved as version 1"))).to_be_visible()
    history = page.get_by_role("region", name="Chart history")
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
