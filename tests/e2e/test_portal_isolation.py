"""Isolation (scenario AC-2): a patient reaches only their own records.

Patient B asking for any of patient A's records by id (series, appointment, treatment and its
check-in form, check-in, photo) gets exactly the answer an id that does not exist gets: the
same status, the same page, byte for byte, and the refusal is audited against B.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from sqlalchemy import select

from api_support import START, TestClient
from needlepoint.adapters.db import tables as t
from needlepoint.domain.scheduling import Appointment, AppointmentStatus, Room
from photo_samples import jpeg_with_gps
from portal_support import Treated, check_in, portal_browser, portal_token, treated_patient
from web_support import CLINICIAN, Clinic

pytest_plugins = ["web_fixtures"]


@dataclass(frozen=True)
class Records:
    """Patient A's records, by kind, as B would try to reach them."""

    series: str
    appointment: str
    treatment: str
    check_in: str
    photo: str


@pytest.fixture
def patient_a(clinic: Clinic, clinician: TestClient) -> Treated:
    return treated_patient(clinic, clinician, "amira@patient.test", "Okafor")


@pytest.fixture
def patient_b(clinic: Clinic, clinician: TestClient) -> Treated:
    return treated_patient(clinic, clinician, "ben@patient.test", "Bellamy")


@pytest.fixture
def records_of_a(clinic: Clinic, patient_a: Treated) -> Records:
    with portal_browser(clinic, patient_a) as a:
        response = check_in(a, patient_a.session_id, photo=jpeg_with_gps(), fever="yes")
        check_in_id = response.headers["location"].rsplit("/", 1)[1]
        page = a.get(f"/portal/check-ins/{check_in_id}").text
    photo = re.search(r"/portal/photos/([0-9a-f-]{36})", page)
    assert photo
    appointment = _book(clinic, patient_a)
    return Records(patient_a.series_id, appointment, patient_a.session_id, check_in_id, photo[1])


@pytest.fixture
def portal_b(clinic: Clinic, patient_b: Treated) -> Iterator[TestClient]:
    with portal_browser(clinic, patient_b) as client:
        yield client


def _book(clinic: Clinic, patient: Treated) -> str:
    uow = clinic.services.database.unit_of_work()
    with uow:
        found = uow.staff.by_email(CLINICIAN)
        assert found is not None
        room = Room(uuid4(), clinic.clinic_id, "Room A")
        uow.rooms.add(room)
        starts_at = START + timedelta(days=28)
        appointment = Appointment(
            uuid4(), clinic.clinic_id, patient.patient_id, UUID(patient.series_id), 2,
            found[0].id, room.id, starts_at, starts_at + timedelta(hours=1),
            AppointmentStatus.BOOKED, START, found[0].id,
        )  # fmt: skip
        uow.appointments.add(appointment)
        uow.commit()
    return str(appointment.id)


PATHS = {
    "series": "/portal/series/{}",
    "appointment": "/portal/appointments/{}",
    "treatment": "/portal/treatments/{}/check-in",
    "check_in": "/portal/check-ins/{}",
    "photo": "/portal/photos/{}",
}


@pytest.mark.parametrize("kind", sorted(PATHS))
def test_ac2_another_patients_record_reads_exactly_like_a_missing_one(
    portal_b: TestClient, records_of_a: Records, kind: str
) -> None:
    path = PATHS[kind]

    theirs = portal_b.get(path.format(getattr(records_of_a, kind)))
    missing = portal_b.get(path.format(uuid4()))
    garbage = portal_b.get(path.format("not-an-id"))

    assert theirs.status_code == missing.status_code == garbage.status_code == 404
    assert theirs.content == missing.content == garbage.content
    assert "Okafor" not in theirs.text


def test_a_check_in_cannot_be_sent_against_another_patients_treatment(
    clinic: Clinic, portal_b: TestClient, records_of_a: Records, clinician: TestClient
) -> None:
    url = f"/portal/treatments/{records_of_a.treatment}/check-in"
    form = {"redness": "none", "swelling": "none", "pain": "0", "pus": "no", "fever": "no"}
    form |= {"blisters": "no", "csrf_token": portal_token(portal_b)}

    response = portal_b.post(url, data=form)

    assert response.status_code == 404
    uow = clinic.services.database.unit_of_work()
    with uow:
        assert len(uow.check_ins.needing_attention(clinic.clinic_id, limit=10)) == 1  # A's only


def test_patient_a_still_reaches_every_one_of_their_records(
    clinic: Clinic, patient_a: Treated, records_of_a: Records
) -> None:
    with portal_browser(clinic, patient_a) as a:
        statuses = {
            kind: a.get(path.format(getattr(records_of_a, kind))).status_code
            for kind, path in PATHS.items()
        }

    assert statuses == dict.fromkeys(PATHS, 200)


def test_the_refusals_are_audited_against_the_patient_who_asked(
    clinic: Clinic, portal_b: TestClient, patient_b: Treated, records_of_a: Records
) -> None:
    portal_b.get(f"/portal/check-ins/{records_of_a.check_in}")

    columns = t.audit_event.c
    query = select(columns.action, columns.outcome, columns.resource_id).where(
        columns.actor_id == patient_b.patient_id, columns.outcome == "not_found"
    )
    with clinic.services.database._opened().connect() as connection:
        rows = list(connection.execute(query))
    assert [(r.action, r.resource_id) for r in rows] == [("check_in.read", records_of_a.check_in)]
