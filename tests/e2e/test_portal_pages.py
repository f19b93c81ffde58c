"""What a signed-in patient sees: today's care with "I've read this", the check-in asked for,
appointments, the plan and session summaries in plain words, and the score trend. Every page
read appends one audit event with the patient as actor.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import select

from api_support import START, TestClient, signed_in
from needlepoint.adapters.db import tables as t
from needlepoint.domain.scheduling import Appointment, AppointmentStatus, Room
from portal_support import Treated, portal_browser, portal_token, treated_patient
from web_charts import LOT, chart_form, post_chart
from web_support import CLINICIAN, Clinic

pytest_plugins = ["web_fixtures"]

EMAIL = "amira.okafor@patient.test"


@pytest.fixture
def patient(clinic: Clinic, clinician: TestClient) -> Treated:
    return treated_patient(clinic, clinician, EMAIL, "Okafor")


@pytest.fixture
def portal(clinic: Clinic, patient: Treated) -> Iterator[TestClient]:
    with portal_browser(clinic, patient) as client:
        yield client


def book(clinic: Clinic, patient: Treated, starts_at: datetime, number: int = 2) -> UUID:
    """An appointment for the patient's series, written straight through the repositories."""
    uow = clinic.services.database.unit_of_work()
    with uow:
        found = uow.staff.by_email(CLINICIAN)
        assert found is not None
        room = Room(uuid4(), clinic.clinic_id, f"Room {uuid4().hex[:4]}")
        uow.rooms.add(room)
        appointment = Appointment(
            id=uuid4(),
            clinic_id=clinic.clinic_id,
            patient_id=patient.patient_id,
            series_id=UUID(patient.series_id),
            session_number=number,
            practitioner_id=found[0].id,
            room_id=room.id,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=75),
            status=AppointmentStatus.BOOKED,
            created_at=START,
            created_by=found[0].id,
        )
        uow.appointments.add(appointment)
        uow.commit()
    return appointment.id


def audit_rows(clinic: Clinic, patient: Treated) -> list[Any]:
    engine = clinic.services.database._opened()
    columns = t.audit_event.c
    query = (
        select(columns.action, columns.actor_role, columns.actor_id, columns.outcome)
        .where(columns.patient_id == patient.patient_id, columns.actor_role == "patient")
        .order_by(columns.seq)
    )
    with engine.connect() as connection:
        return list(connection.execute(query))


def test_home_shows_todays_care_the_check_in_and_the_plan_in_plain_words(
    portal: TestClient, patient: Treated
) -> None:
    page = portal.get("/portal")

    assert page.status_code == 200
    assert "Hello, Amira" in page.text
    assert "Day 0 after your session on 23 Nov 2026" in page.text
    assert f"/portal/treatments/{patient.session_id}/check-in" in page.text
    assert 'id="care-post-sun"' in page.text
    assert re.search(r">Cheeks[^<]*</a>:\s+\d+ sessions, every \d+ weeks", page.text)
    assert " mm" not in page.text


def test_each_page_read_is_audited_once_with_the_patient_as_actor(
    clinic: Clinic, portal: TestClient, patient: Treated
) -> None:
    before = len(audit_rows(clinic, patient))

    portal.get("/portal")
    portal.get("/portal/progress")

    rows = audit_rows(clinic, patient)[before:]
    assert [r.action for r in rows] == ["portal.home.read", "portal.progress.read"]
    assert {r.actor_id for r in rows} == {patient.patient_id}


def test_a_care_instruction_is_marked_read_for_today_with_htmx(portal: TestClient) -> None:
    token = portal_token(portal)

    fragment = portal.post(
        "/portal/care/post-sun/read",
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )

    assert fragment.status_code == 200
    assert "Read today" in fragment.text and "<html" not in fragment.text
    assert 'id="care-post-sun"' in fragment.text
    home = portal.get("/portal").text
    item = home.split('id="care-post-sun"', 1)[1].split("</li>", 1)[0]
    assert "Read today" in item


def test_without_script_marking_read_goes_back_to_the_list(portal: TestClient) -> None:
    response = portal.post("/portal/care/post-sun/read", data={"csrf_token": portal_token(portal)})

    assert response.status_code == 303
    assert response.headers["location"] == "/portal#care-title"


def test_the_read_mark_is_per_day(clinic: Clinic, portal: TestClient, patient: Treated) -> None:
    portal.post("/portal/care/post-picking/read", data={"csrf_token": portal_token(portal)})

    clinic.services.clock.advance(timedelta(days=1))  # type: ignore[attr-defined]
    tomorrow = portal_browser(clinic, patient)  # the session has long ended
    item = tomorrow.get("/portal").text.split('id="care-post-picking"', 1)[1].split("</li>", 1)[0]

    assert "I’ve read this" in item


def test_an_instruction_that_does_not_apply_today_cannot_be_marked(portal: TestClient) -> None:
    response = portal.post("/portal/care/pre-peels/read", data={"csrf_token": portal_token(portal)})

    assert response.status_code == 404


def test_the_series_page_summarises_sessions_without_depths_or_lots(
    clinic: Clinic, portal: TestClient, patient: Treated, clinician: TestClient
) -> None:
    post_chart(clinician, patient.session_id, chart_form(clinician, patient.session_id))

    page = portal.get(f"/portal/series/{patient.series_id}")

    assert page.status_code == 200
    assert "Session 1: 23 Nov 2026" in page.text
    assert re.search(r"Treated: [a-z ,]*cheeks", page.text)
    assert "Aftercare after this session" in page.text
    assert LOT not in page.text and " mm" not in page.text


def test_upcoming_appointments_are_listed_in_the_clinics_time_with_their_care(
    clinic: Clinic, portal: TestClient, patient: Treated
) -> None:
    appointment = book(clinic, patient, START + timedelta(days=28, hours=1))

    home = portal.get("/portal").text
    page = portal.get(f"/portal/appointments/{appointment}")

    assert "21 Dec 2026, 10:00 GMT" in home
    assert page.status_code == 200
    assert "Before your appointment" in page.text
    assert "peel" in page.text.lower()


def test_pre_care_of_the_next_appointment_shows_on_the_days_it_applies(
    clinic: Clinic, patient: Treated
) -> None:
    book(clinic, patient, START + timedelta(days=28, hours=1))

    clinic.services.clock.advance(timedelta(days=26))  # type: ignore[attr-defined]
    home = portal_browser(clinic, patient).get("/portal").text

    assert 'id="care-pre-' in home


def test_progress_shows_the_scar_scores_over_time(
    clinic: Clinic, portal: TestClient, patient: Treated
) -> None:
    api = signed_in(clinic.services, CLINICIAN)
    for day, value in (("2026-11-16", 20), ("2026-11-23", 15)):  # from the consultation day
        body = {"scale": "gb_quantitative", "value": value, "measured_on": day}
        response = api.post(f"/api/v1/patients/{patient.patient_id}/outcomes", json=body)
        assert response.status_code == 201, response.text

    page = portal.get("/portal/progress")

    assert page.status_code == 200
    assert "<svg" in page.text and "expected-band" not in page.text
    assert "16 Nov 2026" in page.text and ">15<" in page.text


def test_progress_without_a_score_says_so(portal: TestClient) -> None:
    page = portal.get("/portal/progress")

    assert "No score yet" in page.text
