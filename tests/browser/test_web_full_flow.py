"""The whole programme in a real browser, and a contraindicated patient whose plan cannot be saved.

As the demo clinician: register a new patient, run the consultation, assess the face map,
agree the plan as a series, book its sessions, start and chart the first one, sign it, and
read the outcome chart. Then a declined patient: the plan page offers no series, and a forged
post of the plan is refused by the service (the hard stop is not the page's).
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from browser.test_web_consultation_flow import ACNE_OBSERVATIONS, _choose
from needlepoint.entrypoints.web import intake_form


def _register(page: Page, given: str, family: str) -> None:
    page.goto("/patients/new")
    page.get_by_label("Given name").fill(given)
    page.get_by_label("Family name").fill(family)
    page.get_by_label("Date of birth").fill("1994-06-02")
    page.get_by_label("Female").check()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", name=f"{family}, {given}", level=1)).to_be_visible()


def _consult(page: Page) -> str:
    page.get_by_role("link", name="New consultation").click()
    page.get_by_label("Pen (automated microneedling)").check()
    page.get_by_label("III: medium; sometimes burns, tans gradually").check()
    for question in intake_form.SAFETY_QUESTIONS:
        _choose(page, question.name, "false")
    _choose(page, "history.diabetes", "none")
    _choose(page, "history.skin_cancer", "none")
    page.get_by_label("Never taken").check()
    page.locator("summary", has_text="Acne scars").click()
    page.locator('[id="treatments.acne_scars.cheeks"]').check()
    for field, value in ACNE_OBSERVATIONS.items():
        _choose(page, f"scar_assessments.qualitative.{field}", value)
    page.get_by_role("button", name="Screen and save the consultation").click()
    expect(page.get_by_role("heading", name="Decision: Proceed")).to_be_visible()
    page.get_by_role("button", name="Sign the consultation").click()
    expect(page.get_by_text(re.compile(r"^signed "))).to_be_visible()
    return page.url


def _assess(page: Page) -> None:
    page.get_by_role("link", name="Assess scars on the face map").click()
    page.wait_for_load_state("load")  # the face map script is in place before a click
    page.locator("#front-cheeks-left").click()
    page.get_by_label("Rolling scars").fill("14")
    expect(page.locator("#score-gb-quantitative")).to_have_text("4 of 84 unverified")
    page.get_by_role("button", name="Save the assessment").click()


def _book(page: Page) -> None:
    page.get_by_role("link", name="Book sessions").first.click()
    expect(page.get_by_role("heading", name=re.compile("^Book sessions for"))).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"Each appointment is booked for 90 minutes"))
    ).to_be_visible()
    page.get_by_role("button", name="Book the ticked sessions").click()
    appointments = page.get_by_role("region", name="Appointments")
    expect(appointments.get_by_role("link", name=re.compile("^Move or cancel"))).to_have_count(4)


def _consent_on_the_tablet(page: Page, name: str) -> None:
    """The patient signs on the clinic's tablet by typing their name; the clinician witnesses."""
    page.get_by_role("link", name="Consent", exact=True).first.click()
    page.get_by_label("The patient's full name, typed by them").fill(name)
    page.get_by_label(re.compile("^I have read this form")).check()
    page.get_by_role("button", name="Sign the consent form").click()
    page.get_by_role("button", name="Confirm I witnessed this signature").click()
    expect(page.get_by_text("Consent holds.")).to_be_visible()
    page.get_by_role("link", name="Back to the patient").click()


def _chart_and_sign(page: Page) -> None:
    page.get_by_role("link", name="Start next session").first.click()
    page.get_by_label("Pregnant, or could be pregnant").select_option("no")
    page.get_by_role("button", name="Re-screen and start the session").click()
    expect(page.get_by_role("heading", name=re.compile(r"Session 1 of \d+: chart"))).to_be_visible()
    page.get_by_label("Numbing product").fill("lidocaine 4% cream")
    page.get_by_role("button", name="Now").first.click()
    page.get_by_label("Cartridge lot").fill("LOT-FULL-FLOW-1")
    page.get_by_label("Cartridge expiry date").fill("2030-01-31")
    page.get_by_role("button", name="Save chart").click()
    expect(page.get_by_text(re.compile(r"Chart saved as version 1"))).to_be_visible()
    page.get_by_role("button", name="Sign version 1").click()
    expect(page.get_by_text("Chart signed.")).to_be_visible()


def test_a_new_patient_from_consultation_to_the_outcome_chart(clinician: Page) -> None:
    page = clinician
    _register(page, "Noor", "Haddad")
    consultation_url = _consult(page)
    _assess(page)

    page.goto(f"{consultation_url}/plan")
    page.get_by_role("button", name="Save as series").click()
    expect(page.get_by_role("heading", name="Haddad, Noor", level=1)).to_be_visible()
    _book(page)
    _consent_on_the_tablet(page, "Noor Haddad")
    _chart_and_sign(page)

    page.get_by_role("link", name="Back to the patient").click()
    page.get_by_role("link", name="Outcome chart and new measurement").click()
    expect(
        page.get_by_role("heading", name=re.compile(r"^Outcomes: Haddad"), level=1)
    ).to_be_visible()
    page.get_by_role("textbox", name="Score").fill("12")
    page.get_by_role("button", name="Record measurement").click()
    chart = page.get_by_role("region", name="Scar score against the expected range")
    expect(chart.locator("svg")).to_be_visible()
    expect(page.get_by_role("region", name="All measurements")).to_contain_text("12")


def test_a_contraindicated_patients_plan_cannot_be_saved(clinician: Page) -> None:
    page = clinician
    page.goto("/patients?q=Evans")
    page.locator("#patient-results").get_by_role("link", name="Evans, Gareth").click()
    page.locator('a[href^="/consultations/"]').first.click()
    consultation_url = page.url.split("#")[0]

    page.goto(f"{consultation_url}/plan")

    expect(page.get_by_role("heading", name="No series can be agreed")).to_be_visible()
    expect(page.get_by_role("button", name="Save as series")).to_have_count(0)
    token = page.locator('input[name="csrf_token"]').first.get_attribute("value") or ""
    if not token:
        token = page.evaluate("document.body.getAttribute('hx-headers')") or ""
        token = re.sub(r'.*"X-CSRF-Token":\s*"([^"]+)".*', r"\1", token)
    forged = page.request.post(f"{consultation_url}/plan", form={"csrf_token": token})
    assert forged.status == 409, forged.status
    page.goto("/patients?q=Evans")
    page.locator("#patient-results").get_by_role("link", name="Evans, Gareth").click()
    expect(page.get_by_role("link", name="Book sessions")).to_have_count(0)
