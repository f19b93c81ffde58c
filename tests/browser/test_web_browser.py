"""The clinician web app in a real browser: sign in, search, read a patient; CSRF and XSS."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Dialog, Page, expect

from browser.conftest import Server, sign_in

SCRIPT_NAME = "<script>window.pwned=1</script>"


def test_a_clinician_signs_in_searches_and_opens_a_patient(page: Page, server: Server) -> None:
    sign_in(page, server, "clinician")
    page.get_by_role("link", name="Patients").click()
    # htmx binds the live search on DOMContentLoaded: typing before the page has loaded
    # (a loaded CI machine) sends nothing, as it would for a person typing that fast
    page.wait_for_url(re.compile(r"/patients$"), wait_until="load")

    page.get_by_label("Search by name").press_sequentially("okaf")

    results = page.locator("#patient-results")
    expect(results.get_by_role("link", name="Okafor, Amira")).to_be_visible()
    expect(results.get_by_role("link", name="Marsh, Helen")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/patients\?q=okaf$"))
    results.get_by_role("link", name="Okafor, Amira").click()
    expect(page.get_by_role("heading", name="Okafor, Amira", level=1)).to_be_visible()
    for section in ("Treatment series", "Consultations", "Scar assessments", "Outcomes"):
        expect(page.get_by_role("heading", name=section, level=2)).to_be_visible()


def test_the_dashboard_shows_the_worklists(clinician: Page) -> None:
    clinician.goto("/")

    signoff = clinician.get_by_role("region", name="Charts waiting for sign-off")
    expect(signoff.get_by_role("link", name="Marsh, Helen")).to_be_visible()
    due = clinician.get_by_role("region", name="Patients due to book their next session")
    expect(due.get_by_role("link", name="Marsh, Helen")).to_be_visible()
    expect(due.get_by_role("link", name="Okafor, Amira")).to_have_count(0)  # all booked


def test_signing_in_and_skipping_to_the_content_work_from_the_keyboard_alone(
    page: Page, server: Server
) -> None:
    email, password = server.logins["front_desk"]
    page.goto("/login")

    expect(page.get_by_label("Email")).to_be_focused()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator("main")).to_be_focused()
    expect(page.get_by_role("heading", name="Charts waiting for sign-off")).to_have_count(0)


def test_a_form_posted_without_its_csrf_token_is_refused(front_desk: Page) -> None:
    front_desk.goto("/patients/new")
    front_desk.locator("main input[name=csrf_token]").evaluate("field => field.remove()")
    front_desk.get_by_label("Given name").fill("Forged")
    front_desk.get_by_label("Family name").fill("Request")

    with front_desk.expect_response(lambda r: r.request.method == "POST") as posted:
        front_desk.get_by_role("button", name="Register").click()

    assert posted.value.status == 403
    expect(front_desk.get_by_role("heading", name="Forbidden (403)")).to_be_visible()


def test_a_script_typed_as_a_patient_name_is_shown_as_text_and_never_runs(
    front_desk: Page,
) -> None:
    front_desk.goto("/patients/new")
    front_desk.get_by_label("Given name").fill(SCRIPT_NAME)
    front_desk.get_by_label("Family name").fill("Tester")
    front_desk.get_by_label("Date of birth").fill("1990-05-01")
    front_desk.get_by_label("Female").check()

    front_desk.get_by_role("button", name="Register").click()

    expect(front_desk.get_by_role("heading", level=1)).to_have_text(f"Tester, {SCRIPT_NAME}")
    assert front_desk.evaluate("typeof window.pwned") == "undefined"
    front_desk.goto("/patients")
    front_desk.get_by_label("Search by name").press_sequentially("<script>")
    expect(front_desk.locator("#patient-results")).to_contain_text(f"Tester, {SCRIPT_NAME}")
    assert front_desk.evaluate("typeof window.pwned") == "undefined"


def _okafors_pages(page: Page) -> list[str]:
    """The pages of a patient in treatment: hers, and those her page links to."""
    page.goto("/patients")
    page.get_by_role("link", name="Okafor, Amira").click()
    expect(page.get_by_role("heading", name="Okafor, Amira", level=1)).to_be_visible()
    hrefs: list[str] = page.eval_on_selector_all(
        "main a[href]", "a => a.map(e => e.getAttribute('href'))"
    )
    wanted = (
        "/outcomes",
        "/handout",
        "/chart",
        "/assessments/new",
        "/consultations/",
        "/sessions/new",
    )
    linked = [h for h in hrefs if h.startswith("/") and any(w in h for w in wanted)]
    plans = [f"{h}/plan" for h in linked if re.fullmatch(r"/consultations/[0-9a-f-]{36}", h)]
    return [page.url, *dict.fromkeys(linked), *plans]


@pytest.mark.parametrize("width", [768, 390])
def test_pages_fit_a_tablet_and_a_phone_without_scrolling_sideways(
    clinician: Page, width: int
) -> None:
    clinician.set_viewport_size({"width": width, "height": 900})
    paths = ["/", "/patients", "/patients/new", *_okafors_pages(clinician)]
    assert len(paths) >= 9, paths  # outcomes, handout, a chart, the face map, a plan, ...

    for path in paths:
        clinician.goto(path)

        scrolled = clinician.evaluate("document.documentElement.scrollWidth")

        assert scrolled <= width, f"{path} scrolls sideways at {width} px ({scrolled} px)"


def test_face_map_zones_show_open_and_entered_states_from_the_keyboard(clinician: Page) -> None:
    clinician.goto("/patients")
    clinician.get_by_role("link", name="Okafor, Amira").click()
    clinician.get_by_role("link", name="New scar assessment on the face map").click()
    clinician.wait_for_load_state("load")  # the face map script is in place before a key press
    chin = clinician.locator("#front-chin")
    chin_turned = clinician.locator("#left-chin")
    expect(chin).to_have_attribute("aria-label", "Chin")

    chin.focus()
    clinician.keyboard.press("Enter")  # a zone opens from the keyboard, as with a click

    rolling = clinician.locator('[id="chin.rolling"]')
    expect(rolling).to_be_focused()
    for shape in (chin, chin_turned):  # every view of the zone shows its state
        expect(shape).to_have_class(re.compile(r"\bzone-open\b"))
        expect(shape).to_have_attribute("aria-label", "Chin (open below)")
    expect(chin).not_to_have_class(re.compile(r"zone-has-scars"))

    clinician.keyboard.type("3")

    for shape in (chin, chin_turned):
        expect(shape).to_have_class(re.compile(r"\bzone-has-scars\b"))
        expect(shape).to_have_attribute("aria-label", "Chin (scars entered)")
    expect(clinician.locator("#score-gb-quantitative")).to_contain_text("of 84")
    steps = clinician.locator(".score-explanation li")
    expect(steps.first).to_contain_text("B1 Moderately atrophic scars")

    rolling.fill("0")

    expect(chin).not_to_have_class(re.compile(r"zone-has-scars"))
    expect(chin).to_have_attribute("aria-label", "Chin (open below)")


def test_an_htmx_request_refused_by_the_server_shows_why_in_the_alerts(clinician: Page) -> None:
    clinician.goto("/patients")

    clinician.get_by_label("Search by name").fill("x" * 201)

    expect(clinician.locator("#alerts")).to_contain_text("is not a name to search for")


ATTRIBUTE_BREAKERS = (
    "<script>alert('given')</script>",
    '"><img src=x onerror="alert(\'family\')">',
)


def test_iv3_script_and_attribute_breaking_names_fire_no_dialog_under_a_strict_csp(
    front_desk: Page,
) -> None:
    """IV-3: a ``<script>`` in one name and an attribute-breaking payload in the other are
    typed into the registration form; no dialog fires on saving, on the patient page or in the
    search results, and every page comes with ``script-src 'self'`` and no 'unsafe-inline'."""
    dialogs: list[str] = []

    def noted(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    front_desk.on("dialog", noted)
    given, family = ATTRIBUTE_BREAKERS
    opened = front_desk.goto("/patients/new")
    assert opened is not None
    policy = opened.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    front_desk.get_by_label("Given name").fill(given)
    front_desk.get_by_label("Family name").fill(family)
    front_desk.get_by_label("Date of birth").fill("1990-05-01")
    front_desk.get_by_label("Female").check()

    front_desk.get_by_role("button", name="Register").click()
    expect(front_desk.get_by_role("heading", level=1)).to_have_text(f"{family}, {given}")
    patient_page = front_desk.url
    front_desk.goto("/patients")
    front_desk.get_by_label("Search by name").press_sequentially('"><img')
    expect(front_desk.locator("#patient-results")).to_contain_text(family)
    shown = front_desk.goto(patient_page)
    assert shown is not None
    assert "unsafe-inline" not in shown.headers["content-security-policy"]

    assert dialogs == []


def test_se3_after_signing_out_the_back_button_shows_the_login_page_not_the_patient(
    page: Page, server: Server
) -> None:
    """Pages are sent no-store, so going back after signing out asks the server again, which
    sends the signed-out browser to the login page: the patient's page is not shown from cache."""
    sign_in(page, server, "clinician")  # its own session: signing out ends only this one
    page.goto("/patients?q=okaf", wait_until="load")
    page.get_by_role("link", name="Okafor, Amira").click()
    heading = page.get_by_role("heading", name="Okafor, Amira", level=1)
    expect(heading).to_be_visible()
    patient_page = page.request.get(page.url)
    assert patient_page.headers["cache-control"] == "no-store"

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    page.go_back(wait_until="load")

    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    expect(heading).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/login"))
