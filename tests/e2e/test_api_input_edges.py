"""Issue 14: the outside probe's requests at the edges of input, replayed over HTTP (IV-1).

Each request here gave a 500, or stored what it should have refused. Days: every clinical date
lies within 1900 to 2200 (``domain.dates``), so a schedule day at the ends of the calendar is a
422 naming ``on`` instead of an overflow in a clinic's time zone.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from api_support import PATIENT, TestClient, add_member, intake_document, signed_in
from needlepoint.bootstrap import Services
from needlepoint.domain.records import Role
from needlepoint.entrypoints.api import errors

pytest_plugins = ["api_fixtures"]

API = "/api/v1"
EDGE_DAYS = ["9999-12-31", "0001-01-01", "1899-12-31", "2201-01-01"]


@pytest.fixture
def tokyo(api: Services) -> tuple[TestClient, UUID]:
    """An admin of a clinic east of UTC, open every day, one room, and its clinician's id."""
    clinic_id = api.accounts.add_clinic(name="Tokyo Skin", time_zone="Asia/Tokyo").id
    add_member(api, clinic_id, Role.ADMIN, "ada@tokyo.test")
    clinician = add_member(api, clinic_id, Role.CLINICIAN, "kei@tokyo.test")
    admin = signed_in(api, "ada@tokyo.test")
    week = [{"weekday": d, "opens": "08:00", "closes": "20:00"} for d in range(7)]
    assert admin.put(f"{API}/schedule/opening-hours", json={"periods": week}).status_code == 200
    assert admin.post(f"{API}/schedule/rooms", json={"name": "Room 1"}).status_code == 201
    return admin, clinician.id


def assert_refused(response: Any, field: str, code: str) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == errors.PROBLEM_JSON
    body: dict[str, Any] = response.json()
    assert body["code"] == "invalid-input"
    [problem] = body["errors"]
    assert (problem["field"], problem["code"]) == (field, code), problem
    return dict(problem)


@pytest.mark.parametrize("day", EDGE_DAYS)
@pytest.mark.parametrize("path", ["slots", "appointments"])
def test_iv1_a_schedule_day_at_the_calendar_edge_is_a_422_naming_on(
    tokyo: tuple[TestClient, UUID], path: str, day: str
) -> None:
    admin, _ = tokyo

    problem = assert_refused(admin.get(f"{API}/schedule/{path}?on={day}"), "on", "out-of-range")

    assert "1900-01-01 to 2200-12-31" in problem["fix"]


@pytest.mark.parametrize("day", EDGE_DAYS)
def test_iv1_slots_of_a_practitioner_at_the_calendar_edge_are_a_422(
    tokyo: tuple[TestClient, UUID], day: str
) -> None:
    admin, clinician_id = tokyo

    response = admin.get(f"{API}/schedule/slots?on={day}&practitioner_id={clinician_id}")

    assert_refused(response, "on", "out-of-range")


@pytest.mark.parametrize("day", ["1900-01-01", "2200-12-31"])
def test_the_first_and_last_schedule_days_are_answered(
    tokyo: tuple[TestClient, UUID], day: str
) -> None:
    admin, _ = tokyo

    assert admin.get(f"{API}/schedule/appointments?on={day}").status_code == 200
    assert admin.get(f"{API}/schedule/slots?on={day}").status_code == 200


@pytest.mark.parametrize("born_on", ["0001-01-01", "1899-12-31"])
def test_a_birth_date_before_1900_is_refused_by_the_narrower_age_limit(
    tokyo: tuple[TestClient, UUID], born_on: str
) -> None:
    admin, _ = tokyo

    response = admin.post(f"{API}/patients", json={**PATIENT, "born_on": born_on})

    assert_refused(response, "born_on", "patient-age")


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "9999-12-31"])
def test_an_assessment_or_outcome_day_outside_1900_to_2200_is_refused(
    tokyo: tuple[TestClient, UUID], day: str
) -> None:
    admin, _ = tokyo
    patient = admin.post(f"{API}/patients", json=PATIENT).json()
    assessment = {
        "assessed_on": day,
        "zones": [{"zone": "cheeks", "ecca_counts": {"v_shaped_atrophic": 3}}],
    }
    outcome = {"scale": "gais", "value": "2", "measured_on": day}

    assessed = admin.post(f"{API}/patients/{patient['id']}/assessments", json=assessment)
    measured = admin.post(f"{API}/patients/{patient['id']}/outcomes", json=outcome)

    assert_refused(assessed, "assessed_on", "out-of-range")
    assert_refused(measured, "measured_on", "out-of-range")


@pytest.mark.parametrize("field", ["consulted_on", "patient.born_on"])
def test_a_consultation_day_outside_1900_to_2200_is_refused(
    tokyo: tuple[TestClient, UUID], field: str
) -> None:
    admin, _ = tokyo
    patient = admin.post(f"{API}/patients", json=PATIENT).json()
    document = intake_document()
    if field == "consulted_on":
        document["consulted_on"] = "9999-12-31"
    else:
        document["patient"]["born_on"] = "0001-01-01"

    response = admin.post(
        f"{API}/patients/{patient['id']}/consultations", json={"document": document}
    )

    assert response.status_code == 422, response.text
    assert field in {p["field"] for p in response.json()["errors"]}


@pytest.mark.parametrize("whose", ["another clinic's", "unknown"])
def test_slots_of_a_practitioner_not_of_this_clinic_are_refused_alike(
    api: Services, tokyo: tuple[TestClient, UUID], whose: str
) -> None:
    admin, _ = tokyo
    other_clinic = api.accounts.add_clinic(name="Other", time_zone="Europe/London").id
    other = add_member(api, other_clinic, Role.CLINICIAN, "oth@other.test").id
    practitioner_id = other if whose == "another clinic's" else UUID(int=7, version=4)

    response = admin.get(f"{API}/schedule/slots?on=2026-12-01&practitioner_id={practitioner_id}")

    problem = assert_refused(response, "practitioner_id", "not-a-choice")
    assert str(other) not in response.text
    assert "set-up" in problem["fix"]
