"""The web app's pages over the demo clinic: dashboard, patient list, patient page, roles."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from api_support import PATIENT, MovingClock, TestClient, add_clinic, add_member
from needlepoint.bootstrap import Services
from needlepoint.domain.records import Role
from needlepoint.entrypoints.cli import demo
from needlepoint.entrypoints.web import routes
from needlepoint.entrypoints.web.routing import Page
from web_support import page_token, sign_in, signed_in_browser, web_client, web_services

LOGIN = {login.role: login for login in demo.LOGINS}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """The demo clinic, and a second clinic whose staff must see none of it."""
    services = web_services(tmp_path_factory.mktemp("web-pages"), MovingClock())
    demo.seed(services)
    other = add_clinic(services, "Other Clinic")
    add_member(services, other, Role.CLINICIAN, "other@clinic.test")
    yield services
    services.database.close()


def browser_as(services: Services, role: Role) -> TestClient:
    login = LOGIN[role]
    client = web_client(services)
    assert sign_in(client, login.email, login.password).status_code == 303
    return client


@pytest.fixture(scope="module")
def clinician(seeded: Services) -> TestClient:
    return browser_as(seeded, Role.CLINICIAN)


@pytest.fixture(scope="module")
def front_desk(seeded: Services) -> TestClient:
    return browser_as(seeded, Role.FRONT_DESK)


def patient_path(client: TestClient, family_name: str) -> str:
    html = client.get("/patients", params={"q": family_name}).text
    found = re.search(r'href="(/patients/[0-9a-f-]{36})"', html)
    assert found, f"{family_name} is not listed"
    return found.group(1)


def test_the_dashboard_shows_a_clinician_the_charts_waiting_for_sign_off(
    clinician: TestClient,
) -> None:
    html = clinician.get("/").text

    signoff = html.split("Charts waiting for sign-off", 1)[1].split("</section>", 1)[0]
    assert "Marsh, Helen" in signoff
    assert "Okafor" not in signoff


def test_the_dashboard_lists_patients_due_to_book_their_next_session(
    front_desk: TestClient,
) -> None:
    html = front_desk.get("/").text

    due = html.split("Patients due to book their next session", 1)[1]
    assert "Marsh, Helen" in due
    assert "2 of 4" in due
    assert re.search(r'href="/series/[0-9a-f-]{36}/book">Book', due)
    # The demo's front desk booked every session Okafor and Raman still have: nobody to call.
    assert "Okafor" not in due
    assert "Raman" not in due
    today = html.split("Today’s appointments", 1)[1].split("</section>", 1)[0]
    assert "Raman, Priya" in today
    assert "Treatment room 1" in today


def test_front_desk_does_not_see_the_charts_waiting_for_sign_off(front_desk: TestClient) -> None:
    html = front_desk.get("/").text

    assert "Charts waiting for sign-off" not in html


def test_the_patient_page_shows_a_clinician_the_whole_programme(clinician: TestClient) -> None:
    response = clinician.get(patient_path(clinician, "Okafor"))

    html = response.text
    for section in ("Consultations", "Treatment series", "Scar assessments", "Outcomes"):
        assert f">{section}</h2>" in html
    assert "Care documents" in html
    assert "baseline, before the first session" in html
    assert "version 1, signed" in html
    assert response.headers["Cache-Control"] == "no-store"


def test_the_patient_page_marks_a_chart_waiting_for_sign_off(clinician: TestClient) -> None:
    html = clinician.get(patient_path(clinician, "Marsh")).text

    assert "waiting for sign-off" in html


def test_front_desk_sees_the_schedule_but_no_clinical_content(front_desk: TestClient) -> None:
    html = front_desk.get(patient_path(front_desk, "Okafor")).text

    assert ">Treatment series</h2>" in html
    assert ">Consultations</h2>" not in html
    assert "baseline, before the first session" not in html
    assert "shown to clinical staff only" in html


def test_the_patient_list_searches_by_name(clinician: TestClient) -> None:
    html = clinician.get("/patients", params={"q": "lindq"}).text

    assert "Lindqvist, Sofia" in html
    assert "Okafor" not in html
    assert '<label for="q">' in html


def test_htmx_live_search_gets_the_results_alone(clinician: TestClient) -> None:
    headers = {"HX-Request": "true", "HX-Target": "patient-results"}

    response = clinician.get("/patients", params={"q": "sato"}, headers=headers)

    assert "Sato, Kenji" in response.text
    assert "<html" not in response.text
    assert "HX-Request" in response.headers["Vary"]


def test_an_unknown_patient_is_a_not_found_page(clinician: TestClient) -> None:
    for path in ("/patients/00000000-0000-4000-8000-000000000000", "/patients/not-an-id"):
        response = clinician.get(path)

        assert response.status_code == 404
        assert "There is no such record in your clinic." in response.text
        assert "Traceback" not in response.text


def test_another_clinics_patient_reads_as_unknown(seeded: Services, clinician: TestClient) -> None:
    path = patient_path(clinician, "Okafor")
    other = signed_in_browser(seeded, "other@clinic.test")

    response = other.get(path)

    assert response.status_code == 404
    assert "Okafor" not in response.text


def test_registering_a_patient_leads_to_their_page(front_desk: TestClient) -> None:
    form = {
        **PATIENT,
        "family_name": "Novak",
        "csrf_token": page_token(front_desk, "/patients/new"),
    }

    response = front_desk.post("/patients", data=form)

    assert response.status_code == 303
    assert "Novak, Amira" in front_desk.get(response.headers["location"]).text


def test_a_registration_with_problems_names_each_field(front_desk: TestClient) -> None:
    token = page_token(front_desk, "/patients/new")
    form = {"given_name": " ", "born_on": "22/04/1997", "csrf_token": token}

    response = front_desk.post("/patients", data=form)

    assert response.status_code == 422
    for field in ("given_name", "family_name", "born_on", "sex"):
        assert f'id="{field}-problem"' in response.text
    assert 'aria-invalid="true"' in response.text


def test_a_registration_without_its_token_is_refused(front_desk: TestClient) -> None:
    response = front_desk.post("/patients", data={**PATIENT, "family_name": "Forged"})

    assert response.status_code == 403
    assert "Forged, Amira" not in front_desk.get("/patients", params={"q": "Forged"}).text


def test_a_script_typed_as_a_name_is_shown_as_text(front_desk: TestClient) -> None:
    name = "<script>window.pwned=1</script>"
    form = {**PATIENT, "given_name": name, "csrf_token": page_token(front_desk)}

    page = front_desk.get(front_desk.post("/patients", data=form).headers["location"]).text
    listed = front_desk.get("/patients", params={"q": name}).text

    for html in (page, listed):
        assert name not in html
        assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in html


STAFF_PAGES = [page for page in routes.PAGES if page.allowed != "public"]


@pytest.mark.parametrize("page", STAFF_PAGES, ids=lambda p: f"{p.method} {p.path}")
def test_every_staff_page_sends_the_signed_out_to_the_login_page(
    seeded: Services, page: Page
) -> None:
    client = web_client(seeded)
    path = re.sub(r"\{[^}]+\}", "00000000-0000-4000-8000-000000000000", page.path)

    response = client.request(page.method, path)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_the_templates_are_packaged_beside_the_code() -> None:
    web = Path(routes.__file__).parent

    assert (web / "templates" / "base.html").is_file()
    assert (web / "static" / "vendor" / "htmx.min.js").is_file()
