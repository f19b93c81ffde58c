"""Issue 10, scheduling: the defects reported, reproduced over HTTP, and the limits that mend them.

Reported: two "session 1" appointments 11 days apart from two series of one patient; an
appointment moved into the past; a future appointment marked attended (its reminders stayed
queued); a session held today that left its appointment "booked". Each refusal is a 4xx
problem+json whose code is the limit's id (or the state machine's code) and whose field
problem names the field, the limit and the date that would pass. Runs on SQLite through the
shared API fixtures, with the clock the tests move.
"""

from __future__ import annotations

import time as clock_time
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

from api_support import (
    PATIENT,
    START,
    MovingClock,
    TestClient,
    add_clinic,
    add_member,
    intake_document,
    signed_in,
)
from consent_support import consent_via_api
from needlepoint.bootstrap import Services
from needlepoint.domain.messages import MessageKind, MessageStatus, OutboxMessage
from needlepoint.domain.records import Role
from needlepoint.entrypoints.api import errors

pytest_plugins = ["api_fixtures"]

API = "/api/v1"
LONDON = ZoneInfo("Europe/London")
PRE_VISIT = {MessageKind.PRE_CARE, MessageKind.APPOINTMENT_REMINDER}


@pytest.fixture
def clinic(api: Services) -> Any:
    clinic_id = add_clinic(api)
    add_member(api, clinic_id, Role.ADMIN, "ada@harbour.test")
    admin = signed_in(api, "ada@harbour.test")
    week = [{"weekday": d, "opens": "08:00", "closes": "20:00"} for d in range(7)]
    ok(admin.put(f"{API}/schedule/opening-hours", json={"periods": week}))
    ok(admin.post(f"{API}/schedule/rooms", json={"name": "Room 1"}), 201)
    ok(admin.post(f"{API}/schedule/rooms", json={"name": "Room 2"}), 201)
    return clinic_id


CLINICIAN = "rowan@harbour.test"


@pytest.fixture
def clinician(api: Services, clinic: Any) -> TestClient:
    add_member(api, clinic, Role.CLINICIAN, CLINICIAN)
    return signed_in(api, CLINICIAN)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def refused(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == errors.PROBLEM_JSON
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body


def one_series(client: TestClient) -> dict[str, Any]:
    """A series of a new patient from a signed consultation (a course on the cheeks)."""
    patient = ok(
        client.post(f"{API}/patients", json={**PATIENT, "email": "amira@example.test"}), 201
    )
    return series_for(client, patient["id"])


def series_for(client: TestClient, patient_id: str, supersede_reason: str = "") -> dict[str, Any]:
    """A series from a new signed consultation of the patient (superseding theirs, if given)."""
    url = f"{API}/patients/{patient_id}/consultations"
    consultation = ok(client.post(url, json={"document": intake_document()}), 201)
    ok(client.post(f"{API}/consultations/{consultation['id']}/sign"))
    url = f"{API}/consultations/{consultation['id']}/series"
    series = dict(ok(client.post(url, json={"supersede_reason": supersede_reason}), 201))
    consent_via_api(client, series["id"])  # the patient's witnessed consent (ADR 0029)
    return series


RESCREEN = {"rescreen": {"history": {"pregnant": False}}}


def replaced_after_a_session(client: TestClient) -> tuple[dict[str, Any], dict[str, Any]]:
    """Session 1 of a series held today, then a new series on the same zones replacing it.

    This is how one patient came to have two courses on the cheeks: one active series per
    course, but the sessions already held stay, and the new one must keep its distance.
    """
    first = one_series(client)
    ok(client.post(f"{API}/series/{first['id']}/sessions", json=RESCREEN), 201)
    second = series_for(client, first["patient_id"], supersede_reason="re-assessed today")
    return first, second


def setup(client: TestClient) -> dict[str, Any]:
    found: dict[str, Any] = ok(client.get(f"{API}/schedule/setup"))
    return found


def local(day: date, hour: int = 10) -> str:
    return datetime.combine(day, time(hour), tzinfo=LONDON).isoformat()


def book(client: TestClient, series: dict[str, Any], *sessions: tuple[int, str, str]) -> Any:
    """Book ``(number, starts_at, reason)`` sessions of a series, all in the first room."""
    found = setup(client)
    person, room = found["practitioners"][0]["id"], found["rooms"][0]["id"]
    body = {
        "sessions": [
            {
                "number": n,
                "starts_at": at,
                "practitioner_id": person,
                "room_id": room,
                "reason": reason,
            }
            for n, at, reason in sessions
        ]
    }
    return client.post(f"{API}/series/{series['id']}/appointments", json=body)


def first_day(client: TestClient, series: dict[str, Any]) -> date:
    """A week after the series' earliest eligible date, or after the clock's day if later."""
    booking = ok(client.get(f"{API}/series/{series['id']}/booking"))
    return max(date.fromisoformat(booking["earliest_on"]), START.date()) + timedelta(days=7)


def appointments(client: TestClient, patient_id: str) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = ok(client.get(f"{API}/patients/{patient_id}/appointments"))[
        "items"
    ]
    return listed


def messages(api: Services, clinic_id: UUID, patient_id: str) -> list[OutboxMessage]:
    with api.database.unit_of_work() as uow:
        return list(uow.outbox.for_patient(clinic_id, UUID(patient_id)))


def pending_of(found: list[OutboxMessage], appointment_id: str) -> set[MessageKind]:
    return {
        m.kind
        for m in found
        if str(m.appointment_id) == appointment_id and m.status is MessageStatus.PENDING
    }


def move_clock_to(clock: MovingClock, moment: str) -> None:
    clock.at = datetime.fromisoformat(moment).astimezone(UTC)


def again(api: Services) -> TestClient:
    """The clinician signed in again, after the clock has moved past their sign-in."""
    return signed_in(api, CLINICIAN)


# ------------------------------------------------------------------ across series


def test_a_new_series_cannot_book_a_shared_zone_eleven_days_after_the_last_session(
    api: Services, clock: MovingClock, clinician: TestClient
) -> None:
    first, second = replaced_after_a_session(clinician)
    day = clock.now().astimezone(LONDON).date()

    too_soon = book(clinician, second, (1, local(day + timedelta(days=11)), ""))

    body = refused(too_soon, 422, "minimum-interval")
    (problem,) = body["errors"]
    assert problem["field"] == "sessions[1].starts_at"
    assert problem["code"] == "minimum-interval"
    assert "11 days after session 1 of another series on a shared zone" in problem["problem"]
    assert "the minimum is 14 days" in problem["problem"]
    assert str(day + timedelta(days=14)) in problem["fix"]
    assert appointments(clinician, first["patient_id"]) == []
    ok(book(clinician, second, (1, local(day + timedelta(days=14)), "")), 201)


def test_the_proposal_skips_days_too_close_to_the_replaced_series(
    clock: MovingClock, clinician: TestClient
) -> None:
    _first, second = replaced_after_a_session(clinician)
    day = clock.now().astimezone(LONDON).date()

    proposal = ok(clinician.get(f"{API}/series/{second['id']}/booking"))
    proposed = {
        p["number"]: datetime.fromisoformat(p["slot"]["starts_at"]) for p in proposal["proposed"]
    }

    held = [datetime.fromisoformat(local(day))]
    for starts_at in proposed.values():
        assert all(abs((starts_at.date() - h.date()).days) >= 14 for h in held)
    chosen = [(n, at.isoformat(), "") for n, at in sorted(proposed.items())]
    ok(book(clinician, second, *chosen), 201)


def test_a_session_cannot_start_too_soon_after_one_of_the_replaced_series(
    api: Services, clock: MovingClock, clinician: TestClient
) -> None:
    _first, second = replaced_after_a_session(clinician)
    clock.advance(timedelta(days=11))
    clinician = again(api)

    started = clinician.post(f"{API}/series/{second['id']}/sessions", json=RESCREEN)

    body = refused(started, 422, "minimum-interval")
    (problem,) = body["errors"]
    assert problem["field"] == "started_at"
    assert str(clock.now().date() + timedelta(days=3)) in problem["fix"]
    assert ok(clinician.get(f"{API}/series/{second['id']}/sessions"))["items"] == []


# ------------------------------------------------------------------ the past


def test_nothing_is_booked_or_moved_into_the_past(
    api: Services, clock: MovingClock, clinician: TestClient
) -> None:
    series = one_series(clinician)
    day = first_day(clinician, series)
    (booked,) = ok(book(clinician, series, (1, local(day), "")), 201)["items"]
    move_clock_to(clock, local(day - timedelta(days=2)))
    clinician = again(api)

    moved = clinician.post(
        f"{API}/appointments/{booked['id']}/reschedule",
        json={
            "expected_version": booked["version"],
            "starts_at": local(day - timedelta(days=3)),
            "practitioner_id": booked["practitioner_id"],
            "room_id": booked["room_id"],
        },
    )
    past_booking = book(clinician, series, (2, local(day - timedelta(days=3)), ""))

    assert refused(moved, 422, "start-in-past")["errors"][0]["field"] == "starts_at"
    assert refused(past_booking, 422, "start-in-past")["errors"][0]["field"] == (
        "sessions[2].starts_at"
    )
    (kept,) = appointments(clinician, series["patient_id"])
    assert (kept["starts_at"], kept["version"]) == (booked["starts_at"], 1)


# ------------------------------------------------------------------ attendance


def test_a_future_appointment_is_not_marked_attended_and_keeps_its_reminders(
    api: Services, clock: MovingClock, clinic: Any, clinician: TestClient
) -> None:
    series = one_series(clinician)
    day = first_day(clinician, series)
    (booked,) = ok(book(clinician, series, (1, local(day), "")), 201)["items"]
    status_url = f"{API}/appointments/{booked['id']}/status"
    before = pending_of(messages(api, clinic, series["patient_id"]), booked["id"])

    early = clinician.post(status_url, json={"expected_version": 1, "status": "attended"})
    no_show = clinician.post(status_url, json={"expected_version": 1, "status": "no_show"})

    assert refused(early, 422, "appointment-not-started")["errors"][0]["field"] == "status"
    assert refused(no_show, 422, "appointment-not-started")["errors"][0]["field"] == "status"
    assert pending_of(messages(api, clinic, series["patient_id"]), booked["id"]) == before
    assert before >= PRE_VISIT and MessageKind.AFTERCARE in before


def test_an_attended_visit_withdraws_its_pre_visit_messages_and_keeps_aftercare(
    api: Services, clock: MovingClock, clinic: Any, clinician: TestClient
) -> None:
    series = one_series(clinician)
    day = first_day(clinician, series)
    (booked,) = ok(book(clinician, series, (1, local(day), "")), 201)["items"]
    move_clock_to(clock, local(day))
    clock.advance(timedelta(minutes=5))
    clinician = again(api)

    attended = clinician.post(
        f"{API}/appointments/{booked['id']}/status",
        json={"expected_version": 1, "status": "attended"},
    )

    assert ok(attended)["status"] == "attended"
    left = pending_of(messages(api, clinic, series["patient_id"]), booked["id"])
    assert not left & PRE_VISIT
    assert MessageKind.AFTERCARE in left


def test_a_cancelled_appointment_sends_nothing_more(
    api: Services, clinic: Any, clinician: TestClient
) -> None:
    series = one_series(clinician)
    (booked,) = ok(book(clinician, series, (1, local(first_day(clinician, series)), "")), 201)[
        "items"
    ]

    ok(
        clinician.post(
            f"{API}/appointments/{booked['id']}/status",
            json={"expected_version": 1, "status": "cancelled", "reason": "patient unwell"},
        )
    )

    assert pending_of(messages(api, clinic, series["patient_id"]), booked["id"]) == set()


def test_a_session_started_on_the_day_attends_and_links_its_appointment(
    api: Services, clock: MovingClock, clinic: Any, clinician: TestClient
) -> None:
    series = one_series(clinician)
    day = first_day(clinician, series)
    (booked,) = ok(book(clinician, series, (1, local(day), "")), 201)["items"]
    move_clock_to(clock, local(day, hour=9))  # the patient is early: 09:00 for 10:00
    clinician = again(api)

    session = ok(
        clinician.post(
            f"{API}/series/{series['id']}/sessions",
            json={"rescreen": {"history": {"pregnant": False}}},
        ),
        201,
    )

    (attended,) = appointments(clinician, series["patient_id"])
    assert (attended["status"], attended["session_id"]) == ("attended", session["id"])
    assert attended["session_number"] == session["number"] == 1
    left = pending_of(messages(api, clinic, series["patient_id"]), booked["id"])
    assert not left & PRE_VISIT
    assert MessageKind.AFTERCARE in left


def test_a_walk_in_starts_without_an_appointment(clinician: TestClient) -> None:
    series = one_series(clinician)

    session = ok(
        clinician.post(
            f"{API}/series/{series['id']}/sessions",
            json={"rescreen": {"history": {"pregnant": False}}},
        ),
        201,
    )

    assert session["number"] == 1
    assert appointments(clinician, series["patient_id"]) == []


def test_a_session_held_before_its_booked_day_cancels_that_booking(
    api: Services, clock: MovingClock, clinic: Any, clinician: TestClient
) -> None:
    series = one_series(clinician)
    day = first_day(clinician, series)
    first, second = ok(
        book(clinician, series, (1, local(day), ""), (2, local(day + timedelta(days=28)), "")),
        201,
    )["items"]
    move_clock_to(clock, local(day - timedelta(days=1)))
    clinician = again(api)

    ok(
        clinician.post(
            f"{API}/series/{series['id']}/sessions",
            json={"rescreen": {"history": {"pregnant": False}}},
        ),
        201,
    )

    by_id = {a["id"]: a for a in appointments(clinician, series["patient_id"])}
    superseded = by_id[first["id"]]
    assert superseded["status"] == "cancelled"
    assert superseded["status_reason"] == (
        f"session 1 was held on {day - timedelta(days=1)} without this appointment"
    )
    assert pending_of(messages(api, clinic, series["patient_id"]), first["id"]) == set()
    assert by_id[second["id"]]["status"] == "booked"


def test_a_session_cannot_start_too_soon_before_a_later_booking(
    api: Services, clock: MovingClock, clinician: TestClient
) -> None:
    series = one_series(clinician)
    day = first_day(clinician, series)
    ok(
        book(clinician, series, (1, local(day), ""), (2, local(day + timedelta(days=14)), "")),
        201,
    )
    move_clock_to(clock, local(day + timedelta(days=5)))
    clinician = again(api)

    started = clinician.post(
        f"{API}/series/{series['id']}/sessions",
        json={"rescreen": {"history": {"pregnant": False}}},
    )

    (problem,) = refused(started, 422, "minimum-interval")["errors"]
    assert "is 9 days before session 2" in problem["problem"]
    assert [a["status"] for a in appointments(clinician, series["patient_id"])] == [
        "booked",
        "booked",
    ]


# ------------------------------------------------------------------ the longest gap


def test_a_gap_past_the_maximum_needs_a_reason_and_stops_at_the_bound(
    clinician: TestClient,
) -> None:
    series = one_series(clinician)
    day = first_day(clinician, series)
    ok(book(clinician, series, (1, local(day), "")), 201)

    no_reason = book(clinician, series, (2, local(day + timedelta(days=50)), ""))
    past_bound = book(clinician, series, (2, local(day + timedelta(days=85)), "holiday"))
    with_reason = book(clinician, series, (2, local(day + timedelta(days=84)), "holiday"))

    soft = refused(no_reason, 422, "interval-beyond-maximum")["errors"][0]
    assert soft["code"] == "interval-beyond-maximum"
    assert "give a reason" in soft["fix"] and str(day + timedelta(days=84)) in soft["fix"]
    hard = refused(past_bound, 422, "interval-beyond-maximum")["errors"][0]
    assert "no reason is enough" in hard["fix"] and str(day + timedelta(days=84)) in hard["fix"]
    (made,) = ok(with_reason, 201)["items"]
    assert "interval-beyond-maximum" in made["status_reason"]
    assert "holiday" in made["status_reason"]


def test_a_move_past_the_maximum_needs_a_reason_and_records_it(clinician: TestClient) -> None:
    series = one_series(clinician)
    day = first_day(clinician, series)
    made = ok(
        book(clinician, series, (1, local(day), ""), (2, local(day + timedelta(days=28)), "")),
        201,
    )["items"]
    second = made[1]
    url = f"{API}/appointments/{second['id']}/reschedule"
    move = {
        "expected_version": 1,
        "starts_at": local(day + timedelta(days=50)),
        "practitioner_id": second["practitioner_id"],
        "room_id": second["room_id"],
    }

    no_reason = clinician.post(url, json=move)
    with_reason = clinician.post(url, json={**move, "reason": "patient abroad"})

    problem = refused(no_reason, 422, "interval-beyond-maximum")["errors"][0]
    assert problem["field"] == "starts_at"
    assert "50 days after session 1; the maximum is 42 days" in problem["problem"]
    moved = ok(with_reason)
    assert moved["status_reason"] == "longer interval (interval-beyond-maximum): patient abroad"


@pytest.mark.parametrize("at", ["9999-12-31T23:45:00+00:00", "0001-01-01T00:00:00+09:00"])
def test_iv1_nothing_is_booked_or_moved_to_the_ends_of_the_calendar(
    clinician: TestClient, at: str
) -> None:
    series = one_series(clinician)
    day = first_day(clinician, series)
    (booked,) = ok(book(clinician, series, (1, local(day), "")), 201)["items"]

    moved = clinician.post(
        f"{API}/appointments/{booked['id']}/reschedule",
        json={
            "expected_version": booked["version"],
            "starts_at": at,
            "practitioner_id": booked["practitioner_id"],
            "room_id": booked["room_id"],
        },
    )
    far_booking = book(clinician, series, (2, at, ""))

    assert refused(moved, 422, "invalid-input")["errors"][0]["field"] == "starts_at"
    [problem] = refused(far_booking, 422, "invalid-input")["errors"]
    assert (problem["field"], problem["code"]) == ("sessions[2].starts_at", "out-of-range")
    assert "1900-01-01 to 2200-12-31" in problem["fix"]
    (kept,) = appointments(clinician, series["patient_id"])
    assert (kept["starts_at"], kept["version"]) == (booked["starts_at"], 1)


@pytest.mark.parametrize(
    "starts_at", ["1066-05-20T23:41:11.568+23:00", "2201-01-01T00:00:00-23:59", "0001-01-01T00:00Z"]
)
def test_a_reschedule_to_a_far_away_year_is_refused_at_once_naming_starts_at(
    clinician: TestClient, starts_at: str
) -> None:
    """Schemathesis's stateful run saw a reschedule to 1066 (offset +23:00) outlive its 10 s
    timeout: a start outside the years 1900-2200 is refused before any scheduling is done."""
    series = one_series(clinician)
    day = first_day(clinician, series)
    (booked,) = ok(book(clinician, series, (1, local(day), "")), 201)["items"]
    started = clock_time.monotonic()

    moved = clinician.post(
        f"{API}/appointments/{booked['id']}/reschedule",
        json={
            "expected_version": 2084162536,
            "starts_at": starts_at,
            "practitioner_id": booked["practitioner_id"],
            "room_id": booked["room_id"],
        },
    )

    assert clock_time.monotonic() - started < 2
    assert moved.status_code == 422, moved.text
    assert any(error["field"] == "starts_at" for error in moved.json()["errors"]), moved.text
