"""The dashboard through the web app: today's appointments first, a booked series off the
"due to book" list, and one audit event per view whatever the lists hold.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import select

from api_support import TestClient
from needlepoint.adapters.db import tables as t
from needlepoint.domain.records import Role
from needlepoint.domain.scheduling import Appointment, AppointmentStatus
from needlepoint.services.audit import AuthMethod, RequestContext
from needlepoint.services.scheduling import dashboard as worklists
from web_charts import new_series
from web_support import ADMIN, CLINICIAN, Clinic

pytest_plugins = ["web_fixtures"]

TWO_PM = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # the clinic's today (London, GMT)


def section(html: str, title: str) -> str:
    return html.split(title, 1)[1].split("</section>", 1)[0]


def member(clinic: Clinic, email: str, role: Role) -> Any:
    with clinic.services.database.unit_of_work() as uow:
        found = uow.staff.for_clinic(clinic.clinic_id)
    return next(m for m in found if m.email == email and m.role is role)


@pytest.fixture
def room(clinic: Clinic) -> UUID:
    context = RequestContext(
        actor=member(clinic, ADMIN, Role.ADMIN), request_id="dashboard", auth=AuthMethod.SESSION
    )
    return clinic.services.scheduling.add_room("Room 1", context=context).id


def booked(
    clinic: Clinic, series: dict[str, Any], room: UUID, number: int, starts_at: datetime
) -> Appointment:
    """An appointment written as the booking service leaves it (its rules are tested there)."""
    practitioner = member(clinic, CLINICIAN, Role.CLINICIAN)
    appointment = Appointment(
        id=uuid4(),
        clinic_id=clinic.clinic_id,
        patient_id=UUID(series["patient_id"]),
        series_id=UUID(series["id"]),
        session_number=number,
        practitioner_id=practitioner.id,
        room_id=room,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=90),
        status=AppointmentStatus.BOOKED,
        created_at=clinic.services.clock.now(),
        created_by=practitioner.id,
    )
    with clinic.services.database.unit_of_work() as uow:
        uow.appointments.add(appointment)
        uow.commit()
    return appointment


def audit_events(clinic: Clinic) -> list[Any]:
    columns = t.audit_event.c
    query = select(columns.action, columns.resource_id, columns.patient_id).order_by(columns.seq)
    with clinic.services.database._opened().connect() as connection:
        return list(connection.execute(query))


def test_todays_appointments_come_first_with_time_patient_practitioner_room_and_status(
    clinic: Clinic, room: UUID, front_desk: TestClient
) -> None:
    series = new_series(clinic)
    appointment = booked(clinic, series, room, 1, TWO_PM)

    html = front_desk.get("/").text

    today = section(html, "Today’s appointments")
    assert html.index("Today’s appointments") < html.index("Patients due to book")
    assert f'<a href="/appointments/{appointment.id}">23 Nov 2026, 14:00 GMT</a>' in today
    assert f'<a href="/patients/{series["patient_id"]}">Okafor, Amira</a>' in today
    assert "<td>clinician</td>" in today and "<td>Room 1</td>" in today
    assert "<td>Booked</td>" in today


def test_a_series_whose_next_session_is_booked_is_not_due_to_book(
    clinic: Clinic, room: UUID, front_desk: TestClient
) -> None:
    waiting, booked_series = new_series(clinic), new_series(clinic)
    booked(clinic, booked_series, room, 1, TWO_PM + timedelta(days=7))

    due = section(front_desk.get("/").text, "Patients due to book their next session")

    assert f'href="/series/{waiting["id"]}/book"' in due
    assert booked_series["id"] not in due
    assert booked_series["patient_id"] not in due


def test_one_dashboard_view_appends_exactly_one_audit_event(
    clinic: Clinic, room: UUID, clinician: TestClient
) -> None:
    series = new_series(clinic)
    booked(clinic, series, room, 1, TWO_PM)
    before = len(audit_events(clinic))

    response = clinician.get("/")

    assert response.status_code == 200
    assert "Okafor, Amira" in section(response.text, "Today’s appointments")
    added = audit_events(clinic)[before:]
    assert [(e.action, e.resource_id, e.patient_id) for e in added] == [
        ("worklist.dashboard", "2026-11-23", None)
    ]


def test_the_dashboard_counts_as_one_read_whoever_looks(
    clinic: Clinic, front_desk: TestClient
) -> None:
    before = len(audit_events(clinic))

    front_desk.get("/")

    assert [e.action for e in audit_events(clinic)[before:]] == ["worklist.dashboard"]


def test_the_due_list_shows_a_page_and_links_the_next(
    clinic: Clinic, front_desk: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(worklists, "WORKLIST_PAGE", 1)
    first, second = new_series(clinic), new_series(clinic)

    due = section(front_desk.get("/").text, "Patients due to book their next session")
    link = due.split('<a href="/?', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    later = section(front_desk.get(f"/?{link}").text, "Patients due to book their next session")

    shown = [s["id"] for s in (first, second) if f"/series/{s['id']}/book" in due]
    shown_later = [s["id"] for s in (first, second) if f"/series/{s['id']}/book" in later]
    assert len(shown) == 1 and len(shown_later) == 1
    assert set(shown + shown_later) == {first["id"], second["id"]}
    assert "Back to the soonest due" in later
