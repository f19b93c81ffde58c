"""The red-flag loop end to end: the patient is told whom to call, the clinic is told by email
where to look, and a clinician's review (outcome and note) stays in the patient's history.

The app is built with its own public URL (``NEEDLEPOINT_PUBLIC_URL``), so every link must be
built from it, never from the request. The alert email goes through the real worker to a real
SMTP server (aiosmtpd), as in the messaging tests.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from api_support import MovingClock, TestClient, add_clinic, add_member, migrate, signed_in
from fakes import OPERATOR, PlainHasher
from needlepoint.bootstrap import bootstrap
from needlepoint.config import Settings, SmtpSettings
from needlepoint.domain.contact import ClinicContact
from needlepoint.domain.records import Role
from needlepoint.services.messaging.delivery import WorkerLoop, WorkerSettings
from outbox_support import SENDER, smtp_server
from portal_support import Treated, check_in, portal_browser, treated_patient
from web_support import ADMIN, CLINICIAN, FRONT_DESK, Clinic, page_token, signed_in_browser

PUBLIC_URL = "https://clinic.example.test:8101"
CONTACT = ClinicContact(
    phone="020 7946 0321",
    address="14 Harbour Street, London SE1 9XY",
    phone_hours="Monday to Friday 9:00 to 18:00",
)
EMAIL = "amira.okafor@patient.test"
_SENT = re.compile(r"^/portal/check-ins/([0-9a-f-]{36})$")


@pytest.fixture
def clinic(tmp_path: Path) -> Iterator[Clinic]:
    url = f"sqlite:///{tmp_path / 'needlepoint.sqlite3'}"
    settings = Settings(database_url=url, data_dir=tmp_path, public_url=PUBLIC_URL)
    services = bootstrap(settings, clock=MovingClock(), hasher=PlainHasher())
    migrate(services.database)
    clinic_id = add_clinic(services)
    for role, email in ((Role.CLINICIAN, CLINICIAN), (Role.FRONT_DESK, FRONT_DESK)):
        add_member(services, clinic_id, role, email)
    add_member(services, clinic_id, Role.ADMIN, ADMIN)
    services.accounts.set_clinic_contact(clinic_id, CONTACT, context=OPERATOR)
    yield Clinic(services, clinic_id)
    services.database.close()


@pytest.fixture
def clinician(clinic: Clinic) -> Iterator[TestClient]:
    with signed_in_browser(clinic.services, CLINICIAN) as client:
        yield client


@pytest.fixture
def patient(clinic: Clinic, clinician: TestClient) -> Treated:
    return treated_patient(clinic, clinician, EMAIL, "Okafor")


@pytest.fixture
def portal(clinic: Clinic, patient: Treated) -> Iterator[TestClient]:
    with portal_browser(clinic, patient) as client:
        yield client


def sent(response: Any) -> str:
    assert response.status_code == 303, response.text
    found = _SENT.match(response.headers["location"])
    assert found, response.headers["location"]
    return found.group(1)


def review(client: TestClient, check_in_id: str, **given: str) -> Any:
    data = {"csrf_token": page_token(client), **given}
    return client.post(f"/check-ins/{check_in_id}/reviewed", data=data)


def shown_problems(html: str) -> set[tuple[str, str]]:
    """The (field, code) of every problem a page shows beside its inputs."""
    return set(re.findall(r'data-field="([^"]+)" data-code="([^"]+)"', html))


# --- the patient: whom to call --------------------------------------------------------------


def test_a_red_answer_says_call_today_with_the_clinics_number_and_hours(
    portal: TestClient, patient: Treated
) -> None:
    page = portal.get(f"/portal/check-ins/{sent(check_in(portal, patient.session_id, pus='yes'))}")

    assert page.status_code == 200
    result = page.text.split('id="result-title"', 1)[1].split("</section>", 1)[0]
    assert "Call your clinic today." in result
    assert '<a class="phone" href="tel:02079460321">020 7946 0321</a>' in result
    assert "Monday to Friday 9:00 to 18:00" in result


def test_an_amber_answer_says_the_clinic_will_look_and_gives_the_number(
    portal: TestClient, patient: Treated
) -> None:
    page = portal.get(f"/portal/check-ins/{sent(check_in(portal, patient.session_id, pain='8'))}")

    result = page.text.split('id="result-title"', 1)[1].split("</section>", 1)[0]
    assert "We have let your clinic know and they will look at them." in result
    assert "Call your clinic today." not in result
    assert 'href="tel:02079460321"' in result


def test_a_green_answer_gives_no_number_in_its_answer_but_the_call_us_list_does(
    clinic: Clinic, portal: TestClient, patient: Treated
) -> None:
    page = portal.get(f"/portal/check-ins/{sent(check_in(portal, patient.session_id))}").text

    result = page.split('id="result-title"', 1)[1].split("</section>", 1)[0]
    call_us = page.split('id="call-us-title"', 1)[1].split("</aside>", 1)[0]
    assert "tel:" not in result
    flags = clinic.services.knowledge.care.red_flags
    for flag in flags:
        assert (flag.sign in call_us) is (flag.urgency != "emergency"), flag.id
    assert 'href="tel:02079460321"' in call_us


def test_the_portal_home_shows_the_call_us_list_with_the_number(portal: TestClient) -> None:
    home = portal.get("/portal").text

    call_us = home.split('id="call-us-title"', 1)[1].split("</aside>", 1)[0]
    assert "Clusters of small blisters" in call_us
    assert 'href="tel:02079460321"' in call_us


# --- the clinic: the alert email -------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "subject"),
    [
        ({"fever": "yes"}, "A red check-in needs attention today"),
        ({"swelling": "severe"}, "An amber check-in needs attention"),
    ],
)
def test_the_alert_email_says_the_colour_and_links_to_the_check_in_by_the_public_url(
    clinic: Clinic,
    portal: TestClient,
    patient: Treated,
    answers: dict[str, str],
    subject: str,
) -> None:
    check_in_id = sent(check_in(portal, patient.session_id, None, **answers))

    with smtp_server() as (handler, port):
        smtp = SmtpSettings(
            host="127.0.0.1", port=port, sender=SENDER, security="none", allow_plaintext=True
        )
        settings = clinic.services.settings.model_copy(update={"smtp": smtp})
        worker = dataclasses.replace(clinic.services, settings=settings)
        worker.messaging.run_worker(WorkerSettings(worker_id="loop"), WorkerLoop(once=True))
    alerts = [r for r in handler.received if CLINICIAN in r.rcpt_tos]

    (alert,) = alerts
    assert alert.subject == subject
    assert f"{PUBLIC_URL}/check-ins/{check_in_id}" in alert.body.splitlines()[2]
    assert "Okafor" not in alert.subject + alert.body and "Amira" not in alert.body
    assert not {"fever", "swelling"} & set(alert.body.lower().split())


# --- the clinic: review with a note, and the history ------------------------------------------


def test_a_review_with_an_outcome_and_a_note_stays_in_the_patients_history(
    clinic: Clinic, portal: TestClient, patient: Treated, clinician: TestClient
) -> None:
    red = sent(check_in(portal, patient.session_id, fever="yes"))
    clinic.services.clock.advance(timedelta(minutes=5))  # type: ignore[attr-defined]
    green = sent(check_in(portal, patient.session_id))

    response = review(clinician, red, outcome="seen_in_clinic", note="Seen at 14:00; swabbed.")

    assert response.status_code == 303
    page = clinician.get(f"/patients/{patient.patient_id}").text
    history = page.split('id="check-ins-title"', 1)[1].split("</section>", 1)[0]
    assert history.index(green) < history.index(red)
    assert "Seen at 14:00; swabbed." in history
    assert "by clinician: <strong>Seen in clinic</strong>" in history
    assert ">Red<" in history and ">Green<" in history


def test_the_api_lists_the_history_with_each_review(
    clinic: Clinic, portal: TestClient, patient: Treated, clinician: TestClient
) -> None:
    red = sent(check_in(portal, patient.session_id, fever="yes"))
    assert review(clinician, red, outcome="referred", note="Referred to GP.").status_code == 303
    api = signed_in(clinic.services, CLINICIAN)

    listed = api.get(f"/api/v1/patients/{patient.patient_id}/check-ins").json()

    (item,) = listed["items"]
    assert item["id"] == red and item["triage_level"] == "red"
    assert item["review"]["outcome"] == "referred"
    assert item["review"]["note"] == "Referred to GP."
    assert item["review"]["reviewer"] == "clinician"
    assert listed["next_offset"] is None


BAD_REVIEWS: list[dict[str, str]] = [
    {"outcome": "advice_given", "note": ""},
    {"outcome": "advice_given", "note": "   "},
    {"note": "Phoned."},
    {"outcome": "maybe", "note": "Phoned."},
    {"outcome": "advice_given", "note": "x" * 2001},
    {"outcome": "advice_given", "note": "ring\x07bell"},
]


@pytest.mark.parametrize("given", BAD_REVIEWS, ids=range(len(BAD_REVIEWS)))
def test_a_bad_review_gets_the_same_field_and_code_on_the_page_and_the_api(
    clinic: Clinic,
    portal: TestClient,
    patient: Treated,
    clinician: TestClient,
    given: dict[str, str],
) -> None:
    red = sent(check_in(portal, patient.session_id, fever="yes"))
    api = signed_in(clinic.services, CLINICIAN)

    page = review(clinician, red, **given)
    answer = api.post(f"/api/v1/check-ins/{red}/review", json=given)

    assert (page.status_code, answer.status_code) == (422, 422)
    from_api = {(e["field"], e["code"]) for e in answer.json()["errors"]}
    assert shown_problems(page.text) == from_api != set()
    assert api.get(f"/api/v1/check-ins/{red}").json()["review"] is None


def test_a_second_review_with_other_words_is_refused_and_the_first_stays(
    clinic: Clinic, portal: TestClient, patient: Treated, clinician: TestClient
) -> None:
    red = sent(check_in(portal, patient.session_id, fever="yes"))
    api = signed_in(clinic.services, CLINICIAN)
    first = {"outcome": "advice_given", "note": "Phoned: keep it clean."}

    once = api.post(f"/api/v1/check-ins/{red}/review", json=first)
    again = api.post(f"/api/v1/check-ins/{red}/review", json=first)
    other = api.post(f"/api/v1/check-ins/{red}/review", json={**first, "note": "Changed."})

    assert (once.status_code, again.status_code, other.status_code) == (200, 200, 409)
    assert other.json()["code"] == "check-in-reviewed"
    assert again.json()["review"] == once.json()["review"]
    assert api.get(f"/api/v1/check-ins/{red}").json()["review"]["note"] == first["note"]


def test_front_desk_sees_no_check_ins_on_the_patient_page(
    clinic: Clinic, portal: TestClient, patient: Treated
) -> None:
    sent(check_in(portal, patient.session_id, fever="yes"))
    with signed_in_browser(clinic.services, FRONT_DESK) as desk:
        page = desk.get(f"/patients/{patient.patient_id}").text

    assert 'id="check-ins-title"' not in page


def test_the_handout_lists_the_red_flags_with_the_clinics_number_and_address(
    clinic: Clinic, patient: Treated, clinician: TestClient
) -> None:
    page = clinician.get(f"/series/{patient.series_id}/handout?session=1")

    assert page.status_code == 200
    flags = page.text.split('id="red-flags-title"', 1)[1].split("</section>", 1)[0]
    for flag in clinic.services.knowledge.care.red_flags:
        assert flag.sign in flags, flag.id
    assert '<a href="tel:02079460321">020 7946 0321</a> (Monday to Friday 9:00 to 18:00)' in flags
    assert "14 Harbour Street, London SE1 9XY" in page.text
