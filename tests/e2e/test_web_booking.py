"""Booking a series and changing an appointment through the web app's forms.

The proposal fills every session still to book; the service checks again on submit: a clash
books nothing (409, form kept), a session too close to the one before is refused beside its
field, and the patient page lists what was booked. Front desk books too.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Any
from uuid import UUID

import pytest

from api_support import TestClient
from needlepoint.domain.records import Role
from needlepoint.services.audit import AuthMethod, RequestContext
from web_charts import new_series
from web_support import ADMIN, Clinic, csrf_token

pytest_plugins = ["web_fixtures"]


@pytest.fixture
def calendar(clinic: Clinic) -> Clinic:
    """Two rooms and a clinic open every day 08:00–18:00."""
    services = clinic.services
    admin = next(m for m in services_members(clinic) if m.email == ADMIN and m.role is Role.ADMIN)
    context = RequestContext(actor=admin, request_id="web-booking", auth=AuthMethod.SESSION)
    services.scheduling.set_opening_hours(
        [(d, time(8), time(18)) for d in range(7)], context=context
    )
    services.scheduling.add_room("Room 1", context=context)
    services.scheduling.add_room("Room 2", context=context)
    return clinic


def services_members(clinic: Clinic) -> Any:
    with clinic.services.database.unit_of_work() as uow:
        return list(uow.staff.for_clinic(clinic.clinic_id))


def form_of(html: str) -> dict[str, str]:
    """Every named input and selected option of the booking form, as a browser would post."""
    values = {"csrf_token": csrf_token(html)}
    for name, value in re.findall(
        r'<input type="datetime-local" id="[^"]+" name="([^"]+)" value="([^"]*)"', html
    ):
        values[name] = value
    for name in re.findall(
        r'<input type="checkbox" id="[^"]+" name="([^"]+)" value="yes" checked', html
    ):
        values[name] = "yes"
    for name, body in re.findall(r'<select id="[^"]+" name="([^"]+)">(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]+)" selected', body) or re.search(
            r'<option value="([^"]+)"', body
        )
        assert chosen is not None
        values[name] = chosen.group(1)
    return values


def test_the_proposal_books_every_session_and_the_patient_page_lists_them(
    calendar: Clinic, front_desk: TestClient
) -> None:
    series = new_series(calendar)
    page = front_desk.get(f"/series/{series['id']}/book")
    values = form_of(page.text)

    booked = front_desk.post(f"/series/{series['id']}/book", data=values)

    assert page.status_code == 200
    assert "Each appointment is booked for 90 minutes" in page.text
    assert sorted(k for k in values if k.startswith("book_")) == [
        f"book_{n}" for n in range(1, series["plan"]["sessions"] + 1)
    ]
    assert booked.status_code == 303, booked.text
    patient_page = front_desk.get(booked.headers["location"])
    assert patient_page.text.count("Move or cancel") == series["plan"]["sessions"]
    again = front_desk.get(f"/series/{series['id']}/book")
    assert "Every session of this series is booked or held." in again.text


def test_a_session_too_close_to_the_one_before_is_refused_beside_its_field(
    calendar: Clinic, front_desk: TestClient
) -> None:
    series = new_series(calendar)
    values = form_of(front_desk.get(f"/series/{series['id']}/book").text)
    first_day = values["starts_at_1"][:10]
    values["starts_at_2"] = f"{first_day}T15:00"

    refused = front_desk.post(f"/series/{series['id']}/book", data=values)

    assert refused.status_code == 422
    assert 'id="starts_at_2-problem"' in refused.text
    assert "the minimum is 14" in refused.text
    patient = calendar.services
    with patient.database.unit_of_work() as uow:
        assert (
            list(uow.appointments.for_patient(calendar.clinic_id, _uuid(series["patient_id"])))
            == []
        )


def test_a_slot_taken_meanwhile_books_nothing_and_keeps_the_form(
    calendar: Clinic, front_desk: TestClient, clinician: TestClient
) -> None:
    first, second = new_series(calendar), new_series(calendar)
    wanted = form_of(front_desk.get(f"/series/{second['id']}/book").text)
    taken = form_of(clinician.get(f"/series/{first['id']}/book").text)
    for name in list(taken):
        if name.startswith("book_") and name != "book_1":
            del taken[name]
    taken["room_1"] = wanted["room_1"] if "room_1" in wanted else taken["room_1"]
    assert clinician.post(f"/series/{first['id']}/book", data=taken).status_code == 303

    clash = front_desk.post(f"/series/{second['id']}/book", data=wanted)

    assert clash.status_code == 409
    assert "Not booked" in clash.text and "Nothing was booked." in clash.text
    assert f'value="{wanted["starts_at_1"]}"' in clash.text


def test_moving_and_cancelling_an_appointment(calendar: Clinic, front_desk: TestClient) -> None:
    series = new_series(calendar)
    values = form_of(front_desk.get(f"/series/{series['id']}/book").text)
    values = {k: v for k, v in values.items() if not k.startswith("book_")} | {"book_1": "yes"}
    front_desk.post(f"/series/{series['id']}/book", data=values)
    patient_page = front_desk.get(f"/patients/{series['patient_id']}").text
    (link,) = re.findall(r'href="(/appointments/[0-9a-f-]+)"', patient_page)
    page = front_desk.get(link)
    token = csrf_token(page.text)
    later = values["starts_at_1"][:11] + "16:00"
    room = re.search(r'name="room">\s*<option value="([^"]+)"', page.text)
    person = re.search(r'name="practitioner">\s*<option value="([^"]+)"', page.text)
    assert room and person

    moved = front_desk.post(
        f"{link}/reschedule",
        data={
            "csrf_token": token,
            "expected_version": "1",
            "starts_at": later,
            "practitioner": person.group(1),
            "room": room.group(1),
        },
    )
    no_reason = front_desk.post(
        f"{link}/status", data={"csrf_token": token, "expected_version": "2", "status": "cancelled"}
    )
    cancelled = front_desk.post(
        f"{link}/status",
        data={
            "csrf_token": token,
            "expected_version": "2",
            "status": "cancelled",
            "reason": "patient unwell",
        },
    )

    assert moved.status_code == 303, moved.text
    assert no_reason.status_code == 422 and "A cancellation needs a reason." in no_reason.text
    assert cancelled.status_code == 303
    final = front_desk.get(f"/patients/{series['patient_id']}").text
    assert "cancelled (patient unwell)" in final
    assert "16:00" in final


def _uuid(raw: str) -> UUID:
    return UUID(raw)


def test_iv1_moving_an_appointment_to_the_year_9999_is_a_422_page_naming_starts_at(
    calendar: Clinic, front_desk: TestClient
) -> None:
    series = new_series(calendar)
    values = form_of(front_desk.get(f"/series/{series['id']}/book").text)
    values = {k: v for k, v in values.items() if not k.startswith("book_")} | {"book_1": "yes"}
    front_desk.post(f"/series/{series['id']}/book", data=values)
    patient_page = front_desk.get(f"/patients/{series['patient_id']}").text
    (link,) = re.findall(r'href="(/appointments/[0-9a-f-]+)"', patient_page)
    page = front_desk.get(link)
    room = re.search(r'name="room">\s*<option value="([^"]+)"', page.text)
    person = re.search(r'name="practitioner">\s*<option value="([^"]+)"', page.text)
    assert room and person
    form = {
        "csrf_token": csrf_token(page.text),
        "expected_version": "1",
        "practitioner": person.group(1),
        "room": room.group(1),
    }

    far = front_desk.post(f"{link}/reschedule", data={**form, "starts_at": "9999-12-31T23:45"})
    early = front_desk.post(f"{link}/reschedule", data={**form, "starts_at": "0001-01-01T00:00"})

    for refused in (far, early):
        assert refused.status_code == 422, refused.text
        assert "1900-01-01 to 2200-12-31" in refused.text
    with calendar.services.database.unit_of_work() as uow:
        [kept] = uow.appointments.for_patient(calendar.clinic_id, _uuid(series["patient_id"]))
    assert kept.version == 1


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_iv1_the_calendar_of_a_day_at_the_calendar_edge_shows_today_with_the_problem(
    calendar: Clinic, front_desk: TestClient, day: str
) -> None:
    page = front_desk.get(f"/calendar?on={day}&view=week")

    assert page.status_code == 422, page.text
    assert "1900-01-01 to 2200-12-31" in page.text
