"""The safety gate in a real browser: a patient still in an isotretinoin wait is not treated.

As the demo clinician, with Daniel Osei (consulted a few days ago; stopped isotretinoin about
four months ago, so his wait runs on; he also gets cold sores): clear the cold-sore finding,
which has no wait, on the consultation page; save the plan as a series (the isotretinoin wait
is met by its date, so the series may be saved); then try to start session 1 today. The start
is refused, saying the day it becomes possible, and nothing is started.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from playwright.sync_api import Page, expect

_REFUSAL = re.compile(r"The session cannot start before (\d{1,2} \w{3} \d{4})")


def test_a_patient_in_an_isotretinoin_wait_cannot_start_session_one_today(
    clinician: Page,
) -> None:
    page = clinician
    page.goto("/patients?q=Osei")
    page.locator("#patient-results").get_by_role("link", name="Osei, Daniel").click()
    page.locator('#consultations-title ~ * a[href^="/consultations/"]').first.click()

    clearances = page.get_by_role("region", name="Clearances")
    expect(clearances).to_contain_text("needs clearance")
    expect(clearances).to_contain_text(re.compile(r"waiting until \d{1,2} \w{3} \d{4}"))
    clearances.get_by_label("Why it is cleared").first.fill(
        "Valaciclovir prescribed from the day before each session."
    )
    clearances.get_by_role("button", name="Record the clearance").first.click()
    expect(page.get_by_role("region", name="Clearances")).to_contain_text("cleared until")

    page.get_by_role("link", name="Proposed plan").click()
    page.get_by_role("button", name="Save as series").click()
    expect(page.get_by_role("heading", name="Osei, Daniel", level=1)).to_be_visible()

    page.get_by_role("link", name="Start next session").first.click()
    page.get_by_label("Pregnant, or could be pregnant").select_option("no")
    page.get_by_role("button", name="Re-screen and start the session").click()

    refusal = page.get_by_role("alert").filter(has_text=_REFUSAL)
    expect(refusal).to_contain_text(_REFUSAL)
    text = refusal.inner_text()
    found = _REFUSAL.search(text)
    assert found is not None, text
    eligible_on = datetime.strptime(found.group(1), "%d %b %Y").date()
    assert eligible_on > date.today()
    expect(refusal).to_contain_text("isotretinoin")
    expect(refusal).to_contain_text("Nothing was started")

    page.goto(page.url.split("/series/")[0] + "/patients?q=Osei")
    page.locator("#patient-results").get_by_role("link", name="Osei, Daniel").click()
    expect(page.get_by_text("No session held yet.")).to_be_visible()
