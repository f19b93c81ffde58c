"""The safety gate over the API: clearances are records, and nothing gets past one unmet.

The patient of example 03 stopped isotretinoin in August (its wait ends 2027-02-14) and gets
cold sores (a finding needing clearance, with no wait). Reported: such a patient was consulted,
signed, saved as a series and treated the same day, with nothing recorded. Now: the series is
saved only once the cold-sore finding is cleared; session 1 cannot be booked or started before
the wait ends, unless a clinician clears that finding too; an API token never clears.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from api_support import PATIENT, START, TestClient, add_clinic, add_member, signed_in
from consent_support import consent_via_api
from needlepoint.bootstrap import Services
from needlepoint.domain.records import Role
from needlepoint.services.audit import AuthMethod, RequestContext

pytest_plugins = ["api_fixtures"]

API = "/api/v1"
LONDON = ZoneInfo("Europe/London")
EXAMPLE = next((Path(__file__).resolve().parents[2] / "examples").glob("03-*.yaml"))
WAIT_ENDS = date(2027, 2, 14)
CLINICIAN = "rowan@harbour.test"
ADMIN = "ada@harbour.test"
RESCREEN = {"rescreen": {"history": {"pregnant": False}}}


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def refused(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body


@pytest.fixture
def clinic(api: Services) -> Any:
    clinic_id = add_clinic(api)
    add_member(api, clinic_id, Role.ADMIN, ADMIN)
    add_member(api, clinic_id, Role.CLINICIAN, CLINICIAN)
    admin = signed_in(api, ADMIN)
    week = [{"weekday": d, "opens": "08:00", "closes": "20:00"} for d in range(7)]
    ok(admin.put(f"{API}/schedule/opening-hours", json={"periods": week}))
    ok(admin.post(f"{API}/schedule/rooms", json={"name": "Room 1"}), 201)
    return clinic_id


@pytest.fixture
def clinician(clinic: Any, api: Services) -> TestClient:
    return signed_in(api, CLINICIAN)


def consultation(client: TestClient) -> dict[str, Any]:
    document = json.loads(json.dumps(yaml.safe_load(EXAMPLE.read_text()), default=str))
    born = {k: document["patient"][k] for k in ("born_on", "sex")}
    patient = ok(client.post(f"{API}/patients", json={**PATIENT, **born}), 201)
    url = f"{API}/patients/{patient['id']}/consultations"
    made = ok(client.post(url, json={"document": document}), 201)
    return dict(ok(client.post(f"{API}/consultations/{made['id']}/sign")))


def clear(client: TestClient, consultation_id: str, rule_id: str) -> Any:
    body = {"rule_id": rule_id, "reason": "physician's letter on file", "valid_until": "2027-05-01"}
    return client.post(f"{API}/consultations/{consultation_id}/clearances", json=body)


def book_first(client: TestClient, series_id: str, on: date) -> Any:
    found = ok(client.get(f"{API}/schedule/setup"))
    starts_at = datetime.combine(on, time(10), tzinfo=LONDON).isoformat()
    choice = {
        "number": 1,
        "starts_at": starts_at,
        "practitioner_id": found["practitioners"][0]["id"],
        "room_id": found["rooms"][0]["id"],
    }
    return client.post(f"{API}/series/{series_id}/appointments", json={"sessions": [choice]})


def test_a_series_is_saved_only_once_the_finding_without_a_wait_is_cleared(
    clinician: TestClient,
) -> None:
    signed = consultation(clinician)
    url = f"{API}/consultations/{signed['id']}/series"

    before = refused(clinician.post(url, json={}), 409, "clearance-required")
    ok(clear(clinician, signed["id"], "cold-sore-history"), 201)
    series = ok(clinician.post(url, json={}), 201)

    assert "cold-sore-history" in before["detail"]
    assert "isotretinoin" not in before["detail"]  # its wait is met by its date, not a record
    assert series["status"] == "planned"


def test_session_one_is_neither_booked_nor_started_before_the_wait_ends(
    clinician: TestClient,
) -> None:
    signed = consultation(clinician)
    ok(clear(clinician, signed["id"], "cold-sore-history"), 201)
    series = ok(clinician.post(f"{API}/consultations/{signed['id']}/series", json={}), 201)

    early = book_first(clinician, series["id"], START.date() + timedelta(days=7))
    started = clinician.post(f"{API}/series/{series['id']}/sessions", json=RESCREEN)

    (problem,) = refused(early, 422, "deferral-date")["errors"]
    assert (problem["field"], problem["code"]) == ("sessions[1].starts_at", "deferral-date")
    assert str(WAIT_ENDS) in problem["fix"]
    body = refused(started, 409, "clearance-required")
    assert f"before {WAIT_ENDS}" in body["detail"]
    assert ok(clinician.get(f"{API}/series/{series['id']}/sessions"))["items"] == []
    ok(book_first(clinician, series["id"], WAIT_ENDS), 201)


def test_a_clearance_of_the_wait_lets_the_series_start_earlier(clinician: TestClient) -> None:
    signed = consultation(clinician)
    ok(clear(clinician, signed["id"], "cold-sore-history"), 201)
    series = ok(clinician.post(f"{API}/consultations/{signed['id']}/series", json={}), 201)
    consent_via_api(clinician, series["id"])  # the patient's witnessed consent (ADR 0029)

    cleared = ok(clear(clinician, signed["id"], "isotretinoin-recent"), 201)
    booked = book_first(clinician, series["id"], START.date() + timedelta(days=7))
    started = clinician.post(f"{API}/series/{series['id']}/sessions", json=RESCREEN)

    assert cleared["rule_id"] == "isotretinoin-recent"
    assert booked.status_code == 201, booked.text
    assert started.status_code == 201, started.text


def test_an_api_token_never_clears_a_finding(api: Services, clinic: Any) -> None:
    clinician = signed_in(api, CLINICIAN)
    signed = consultation(clinician)
    with api.database.unit_of_work() as uow:
        admin = next(m for m in uow.staff.for_clinic(clinic) if m.role is Role.ADMIN)
        member = next(m for m in uow.staff.for_clinic(clinic) if m.role is Role.CLINICIAN)
    context = RequestContext(actor=admin, request_id="token", auth=AuthMethod.SESSION)
    issued = api.accounts.issue_api_token("script", staff_id=member.id, context=context)
    script = TestClient(clinician.app, base_url=str(clinician.base_url))
    script.headers["Authorization"] = f"Bearer {issued.token}"

    refusal = refused(clear(script, signed["id"], "cold-sore-history"), 403, "permission-denied")

    assert "API token" in refusal["detail"]
    assert ok(clinician.get(f"{API}/patients/{signed['patient_id']}/clearances"))["items"] == []


def test_the_clearances_of_a_patient_are_listed_with_who_and_until_when(
    clinician: TestClient,
) -> None:
    signed = consultation(clinician)
    made = ok(clear(clinician, signed["id"], "cold-sore-history"), 201)

    listed = ok(clinician.get(f"{API}/patients/{signed['patient_id']}/clearances"))["items"]
    me = ok(clinician.get(f"{API}/auth/me"))

    assert [c["id"] for c in listed] == [made["id"]]
    assert (listed[0]["cleared_by"], listed[0]["valid_until"]) == (me["id"], "2027-05-01")


def test_a_start_refused_for_want_of_clearance_is_audited_as_that_refusal(
    clinician: TestClient, sqlite_url: str
) -> None:
    signed = consultation(clinician)
    ok(clear(clinician, signed["id"], "cold-sore-history"), 201)
    series = ok(clinician.post(f"{API}/consultations/{signed['id']}/series", json={}), 201)

    refused(
        clinician.post(f"{API}/series/{series['id']}/sessions", json=RESCREEN),
        409,
        "clearance-required",
    )

    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as raw:
        rows = raw.execute(
            "SELECT outcome FROM audit_event WHERE action = 'session.start' AND resource_id = ?",
            (series["id"],),
        ).fetchall()
    assert rows == [("clearance_required",)]
