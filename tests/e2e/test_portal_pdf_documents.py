"""A patient downloads their own handout and progress report as PDF from the portal.

The handout of an appointment carries the clinic's phone, the red flags and the appointment's
dated care; the report the patient's scores (without the expected range, as the portal shows
them). Another patient's appointment answers like a missing one, and each download is audited
like the page it comes from.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from uuid import UUID, uuid4

import pytest
from test_pdf_documents import CONTACT, PHONE, assert_renders_with_ink, pdf_of, plain, text_of

from api_support import START, TestClient, signed_in
from needlepoint.domain.scheduling import Appointment, AppointmentStatus, Room
from portal_support import Treated, portal_browser, treated_patient
from web_support import ADMIN, CLINICIAN, Clinic

pytest_plugins = ["web_fixtures"]


@pytest.fixture
def patient(clinic: Clinic, clinician: TestClient) -> Treated:
    admin = signed_in(clinic.services, ADMIN)
    assert admin.put("/api/v1/clinic/contact", json=CONTACT).status_code == 200
    return treated_patient(clinic, clinician, "amira.okafor@patient.test", "Okafor")


@pytest.fixture
def portal(clinic: Clinic, patient: Treated) -> Iterator[TestClient]:
    with portal_browser(clinic, patient) as client:
        yield client


def book(clinic: Clinic, patient: Treated, starts_at: datetime) -> UUID:
    """The patient's second session booked, written straight through the repositories."""
    uow = clinic.services.database.unit_of_work()
    with uow:
        found = uow.staff.by_email(CLINICIAN)
        assert found is not None
        room = Room(uuid4(), clinic.clinic_id, "Room 1")
        uow.rooms.add(room)
        appointment = Appointment(
            id=uuid4(),
            clinic_id=clinic.clinic_id,
            patient_id=patient.patient_id,
            series_id=UUID(patient.series_id),
            session_number=2,
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


def test_the_patients_handout_has_the_phone_the_red_flags_and_the_dated_care(
    clinic: Clinic, patient: Treated, portal: TestClient
) -> None:
    appointment = book(clinic, patient, START + timedelta(days=28, hours=1))

    page = portal.get(f"/portal/appointments/{appointment}").text
    text = text_of(pdf_of(portal.get(f"/portal/appointments/{appointment}/handout.pdf")))

    assert f"/portal/appointments/{appointment}/handout.pdf" in page
    assert "Your skin treatment on Mon 21 Dec 2026" in text
    assert f"on {PHONE} (Monday to Friday 9:00 to 18:00)" in text
    for flag in clinic.services.knowledge.care.red_flags:
        assert plain(flag.sign) in text, flag.sign
    assert "Peels (" in text and "to 21 Dec 2026)" in text


def test_the_progress_report_lists_the_scores_without_the_expected_range(
    clinic: Clinic, patient: Treated, portal: TestClient
) -> None:
    api = signed_in(clinic.services, CLINICIAN)
    score = {"scale": "gb_quantitative", "value": "22", "measured_on": "2026-11-20"}
    url = f"/api/v1/patients/{patient.patient_id}/outcomes"
    assert api.post(url, json=score).status_code == 201

    pdf = pdf_of(portal.get("/portal/progress/report.pdf"))
    text = text_of(pdf)

    assert "/portal/progress/report.pdf" in portal.get("/portal/progress").text
    assert "20 Nov 2026" in text and "22.00" in text
    assert "Expected range" not in text
    assert_renders_with_ink(pdf)


def test_another_patients_appointment_reads_like_a_missing_one(
    clinic: Clinic, clinician: TestClient, patient: Treated, portal: TestClient
) -> None:
    other = treated_patient(clinic, clinician, "someone@patient.test", "Else")
    theirs = book(clinic, other, START + timedelta(days=28, hours=2))

    answer = portal.get(f"/portal/appointments/{theirs}/handout.pdf")
    missing = portal.get(f"/portal/appointments/{uuid4()}/handout.pdf")

    assert answer.status_code == missing.status_code == 404
    assert answer.text == missing.text


def test_each_download_is_audited_like_its_page(
    clinic: Clinic, patient: Treated, portal: TestClient
) -> None:
    appointment = book(clinic, patient, START + timedelta(days=28, hours=1))
    portal.get(f"/portal/appointments/{appointment}/handout.pdf")
    portal.get("/portal/progress/report.pdf")

    database = clinic.services.settings.data_dir / "needlepoint.sqlite3"
    with sqlite3.connect(database) as raw:
        actions = [
            row[0]
            for row in raw.execute(
                "SELECT action FROM audit_event WHERE actor_role = 'patient' ORDER BY rowid"
            )
        ]
    assert actions[-2:] == ["portal.appointment.read", "portal.progress.read"]
