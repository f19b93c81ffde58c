"""The clinician web app in a real browser: sign in, search, read a patient; CSRF and XSS."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from browser.conftest import Server, sign_in

SCRIPT_NAME = "<script>window.pwned=1</script>"


def test_a_clinician_signs_in_searches_and_opens_a_patient(page: Page, server: Server) -> None:
    sign_in(page, server, "clinician")
    page.get_by_role("link", name="Patients").click()

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
    expect(due.get_by_role("link", name="Okafor, Amira")).to_be_visible()


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


def test_pages_fit_a_768_pixel_wide_screen(clinician: Page) -> None:
    for path in ("/", "/patients", "/patients/new"):
        clinician.goto(path)

        width = clinician.evaluate("document.documentElement.scrollWidth")

        assert width <= 768, f"{path} scrolls sideways ({width} px)"


def test_an_htmx_request_refused_by_the_server_shows_why_in_the_alerts(clinician: Page) -> None:
    clinician.goto("/patients")

    clinician.get_by_label("Search by name").fill("x" * 201)

    expect(clinician.locator("#alerts")).to_contain_text("is not a name to search for")
