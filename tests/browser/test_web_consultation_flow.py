"""A new consultation in a real browser: intake, decision, face-map scores, plan as a series."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from browser.conftest import TABLET
from needlepoint.entrypoints.web import intake_form

ACNE_OBSERVATIONS = {
    "contour_change": "true",
    "visible_at_social_distance": "true",
    "easily_concealed": "false",
    "flattens_on_stretch": "true",
}


def _fits_the_tablet(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]


def _choose(page: Page, name: str, value: str) -> None:
    page.locator(f'input[name="{name}"][value="{value}"]').check()


def test_a_clinician_runs_a_new_consultation_to_a_series(clinician: Page) -> None:
    clinician.goto("/patients")
    clinician.get_by_role("link", name="Okafor, Amira").click()
    clinician.get_by_role("link", name="New consultation").click()
    expect(clinician.get_by_role("heading", name=re.compile("^New consultation"))).to_be_visible()

    _fits_the_tablet(clinician)
    clinician.get_by_label("Pen (automated microneedling)").check()
    clinician.get_by_label("III: medium; sometimes burns, tans gradually").check()
    for question in intake_form.SAFETY_QUESTIONS:
        _choose(clinician, question.name, "false")
    _choose(clinician, "history.diabetes", "none")
    _choose(clinician, "history.skin_cancer", "none")
    clinician.get_by_label("Never taken").check()
    clinician.locator("summary", has_text="Acne scars").click()
    clinician.locator('[id="treatments.acne_scars.cheeks"]').check()
    for field, value in ACNE_OBSERVATIONS.items():
        _choose(clinician, f"scar_assessments.qualitative.{field}", value)
    clinician.get_by_role("button", name="Screen and save the consultation").click()

    expect(clinician.get_by_role("heading", name="Decision: Proceed")).to_be_visible()
    consultation_url = clinician.url
    clinician.get_by_role("button", name="Sign the consultation").click()
    expect(clinician.get_by_text(re.compile(r"^signed "))).to_be_visible()

    clinician.get_by_role("link", name="Assess scars on the face map").click()
    clinician.wait_for_load_state("load")  # the face map script is in place before a click
    clinician.locator("#front-cheeks-left").click()
    rolling = clinician.get_by_label("Rolling scars")
    expect(rolling).to_be_focused()
    rolling.fill("14")
    expect(clinician.locator("#score-gb-quantitative")).to_have_text("4 of 84 unverified")
    expect(clinician.locator("#score-ecca")).to_have_text("50 of 540 unverified")
    _fits_the_tablet(clinician)
    eyelid = clinician.locator("#front-eyelids-left")
    expect(eyelid).to_have_attribute("aria-label", re.compile("orbital rim"))

    clinician.goto(f"{consultation_url}/plan")
    expect(clinician.get_by_role("heading", name="Depth per zone")).to_be_visible()
    _fits_the_tablet(clinician)
    clinician.get_by_role("button", name="Save as series").click()

    # Amira already has an active series on her cheeks: one course, one series. The new one
    # replaces it only with a reason, and the old one is cancelled, not deleted.
    expect(clinician.get_by_role("heading", name="Nothing was saved")).to_be_visible()
    clinician.get_by_label("Why this series replaces it").fill("re-assessed: deeper scarring")
    clinician.get_by_role("button", name="Save as series").click()

    expect(clinician.get_by_role("heading", name="Okafor, Amira", level=1)).to_be_visible()
    expect(clinician.get_by_text(re.compile(r"Zones: cheeks 1\.5 mm\.$"))).to_be_visible()
    cancelled = re.compile(r"^Cancelled .*: superseded by a new series: re-assessed")
    expect(clinician.get_by_text(cancelled)).to_be_visible()
