"""The scheduling limits through the web app's forms: each refusal is shown beside its field.

Two series of one patient (issue 10): a session of the second too close to one of the first is
refused beside its date on the booking page, naming the shared zone and the first date that
passes; a move into the past is refused beside the new date; attendance before the start is
refused beside the buttons; a session start too soon after another series' session says why.
Nothing is written by a refusal.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

from api_support import PATIENT, START, TestClient, intake_document, signed_in
from consent_support import consent_via_api
from needlepoint.domain.records import Role
from needlepoint.services.audit import AuthMethod, RequestContext
from web_charts import start_session
from web_support import ADMIN, CLINICIAN, Clinic, csrf_token, signed_in_browser

pytest_plugins = ["web_fixtures"]

LONDON = ZoneInfo("Europe/London")
API = "/api/v1"


@pytest.fixture
def calendar(clinic: Clinic) -> Clinic:
    """Two rooms and a clinic open every day 08:00–18:00."""
    services = clinic.services
    with services.database.unit_of_work() as uow:
        admin = next(m for m in uow.staff.for_clinic(clinic.clinic_id) if m.email == ADMIN)
    assert admin.role is Role.ADMIN
    context = RequestContext(actor=admin, request_id="web-limits", auth=AuthMethod.SESSION)
    services.scheduling.set_opening_hours(
        [(d, time(8), time(18)) for d in range(7)], context=context
    )
    services.scheduling.add_room("Room 1", context=context)
    services.scheduling.add_room("Room 2", context=context)
    return clinic


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _series(api: TestClient, patient_id: str, supersede_reason: str = "") -> dict[str, Any]:
    document = json.loads(json.dumps(intake_document()))
    url = f"{API}/patients/{patient_id}/consultations"
    consultation = ok(api.post(url, json={"document": document}), 201)
    ok(api.post(f"{API}/consultations/{consultation['id']}/sign"))
    url = f"{API}/consultations/{consultation['id']}/series"
    series = dict(ok(api.post(url, json={"supersede_reason": supersede_reason}), 201))
    consent_via_api(api, series["id"])  # the patient's witnessed consent (ADR 0029)
    return series


def one_series(clinic: Clinic) -> dict[str, Any]:
    """One patient with a series from a signed consultation."""
    api = signed_in(clinic.services, CLINICIAN)
    patient = ok(api.post(f"{API}/patients", json=PATIENT), 201)
    return _series(api, patient["id"])


def replaced_after_a_session(clinic: Clinic) -> tuple[dict[str, Any], dict[str, Any]]:
    """Session 1 of a series held today, then a new series on the same zones replacing it."""
    api = signed_in(clinic.services, CLINICIAN)
    first = one_series(clinic)
    rescreen = {"rescreen": {"history": {"pregnant": False}}}
    ok(api.post(f"{API}/series/{first['id']}/sessions", json=rescreen), 201)
    return first, _series(api, first["patient_id"], supersede_reason="re-assessed today")


def booking_form(html: str) -> dict[str, str]:
    """The booking form's values as a browser would post them (every session ticked)."""
    values = {"csrf_token": csrf_token(html)}
    for name, value in re.findall(
        r'<input type="datetime-local" id="[^"]+" name="([^"]+)" value="([^"]*)"', html
    ):
        values[name] = value
    for name in re.findall(r'<input type="checkbox" id="[^"]+" name="([^"]+)"', html):
        values[name] = "yes"
    for name, body in re.findall(r'<select id="[^"]+" name="([^"]+)">(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]+)" selected', body) or re.search(
            r'<option value="([^"]+)"', body
        )
        assert chosen is not None
        values[name] = chosen.group(1)
    return values


def only_first(values: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in values.items() if not k.startswith("book_")} | {"book_1": "yes"}


def appointments(clinic: Clinic, patient_id: str) -> list[Any]:
    with clinic.services.database.unit_of_work() as uow:
        return list(uow.appointments.for_patient(clinic.clinic_id, UUID(patient_id)))


def book_first(client: TestClient, series: dict[str, Any], on: str = "") -> dict[str, str]:
    """Book session 1 at the proposed slot, or on the local ``on`` (``YYYY-MM-DDTHH:MM``)."""
    values = only_first(booking_form(client.get(f"/series/{series['id']}/book").text))
    values["starts_at_1"] = on or values["starts_at_1"]
    assert client.post(f"/series/{series['id']}/book", data=values).status_code == 303
    return values


def appointment_link(client: TestClient, patient_id: str) -> str:
    (link,) = re.findall(
        r'href="(/appointments/[0-9a-f-]+)"', client.get(f"/patients/{patient_id}").text
    )
    return str(link)


def test_a_session_too_close_to_another_series_is_refused_beside_its_date(
    calendar: Clinic, front_desk: TestClient
) -> None:
    first, second = replaced_after_a_session(calendar)
    values = only_first(booking_form(front_desk.get(f"/series/{second['id']}/book").text))
    day = calendar.services.clock.now().astimezone(LONDON).date()
    values["starts_at_1"] = f"{day + timedelta(days=11)}T10:00"

    refused = front_desk.post(f"/series/{second['id']}/book", data=values)

    assert refused.status_code == 422
    assert 'id="starts_at_1-problem"' in refused.text
    assert "of another series on a shared zone" in refused.text
    assert f"{day + timedelta(days=14)} or later" in refused.text
    assert appointments(calendar, first["patient_id"]) == []


def test_the_second_series_is_proposed_clear_of_the_first(
    calendar: Clinic, front_desk: TestClient
) -> None:
    _first, second = replaced_after_a_session(calendar)
    page = front_desk.get(f"/series/{second['id']}/book").text
    values = booking_form(page)

    day = calendar.services.clock.now().astimezone(LONDON).date()
    proposed = datetime.fromisoformat(values["starts_at_1"]).date()
    assert abs((proposed - day).days) >= 14
    assert "in any of the patient&#39;s series" in page or "in any of the patient's series" in page
    assert front_desk.post(f"/series/{second['id']}/book", data=values).status_code == 303


def test_a_move_into_the_past_is_refused_beside_the_new_date(
    calendar: Clinic, front_desk: TestClient
) -> None:
    first = one_series(calendar)
    book_first(front_desk, first)
    link = appointment_link(front_desk, first["patient_id"])
    page = front_desk.get(link).text
    room = re.search(r'name="room">\s*<option value="([^"]+)"', page)
    person = re.search(r'name="practitioner">\s*<option value="([^"]+)"', page)
    assert room and person
    yesterday = (START - timedelta(days=1)).date()

    moved = front_desk.post(
        f"{link}/reschedule",
        data={
            "csrf_token": csrf_token(page),
            "expected_version": "1",
            "starts_at": f"{yesterday}T10:00",
            "practitioner": person.group(1),
            "room": room.group(1),
        },
    )

    assert moved.status_code == 422
    assert 'id="starts_at-problem"' in moved.text and "Is in the past" in moved.text
    assert [a.version for a in appointments(calendar, first["patient_id"])] == [1]


def test_attendance_before_the_start_is_refused_beside_the_buttons(
    calendar: Clinic, front_desk: TestClient
) -> None:
    first = one_series(calendar)
    book_first(front_desk, first, on=f"{START.date() + timedelta(days=2)}T10:00")
    link = appointment_link(front_desk, first["patient_id"])
    page = front_desk.get(link).text

    early = front_desk.post(
        f"{link}/status",
        data={"csrf_token": csrf_token(page), "expected_version": "1", "status": "attended"},
    )

    assert early.status_code == 422
    assert 'id="status-problem"' in early.text and "has not started yet" in early.text
    assert [a.status.value for a in appointments(calendar, first["patient_id"])] == ["booked"]


def test_a_session_start_too_soon_after_another_series_says_why(
    calendar: Clinic, clinician: TestClient
) -> None:
    _first, second = replaced_after_a_session(calendar)
    calendar.services.clock.advance(timedelta(days=11))  # type: ignore[attr-defined]
    clinician = signed_in_browser(calendar.services, CLINICIAN)

    refused = start_session(clinician, second["id"], pregnant="no")

    today = calendar.services.clock.now().astimezone(UTC).date()
    assert refused.status_code == 422
    assert 'id="started_at-problem"' in refused.text
    assert "The session cannot start today" in refused.text
    assert f"{today + timedelta(days=3)} or later" in refused.text
