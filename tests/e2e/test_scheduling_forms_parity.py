"""Parity for the scheduling forms: booking, moving, status changes, rooms and opening hours.

As in ``test_input_parity``: each bad input is sent as the web form posts it and as an API
client sends it, signed in as the same person; the problems the page names beside its fields
(``data-field``/``data-code``) must be the problems the API names (problem+json ``errors``),
and include the expected one. The forms are read by the API's own request models (``BookIn``,
``RescheduleIn``, ``StatusIn``, ``RoomIn``, ``WeekIn``), so they can only agree.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from api_support import MovingClock, TestClient, add_clinic, add_member
from needlepoint.domain.records import Role
from needlepoint.services.audit import AuthMethod, RequestContext
from web_charts import new_series
from web_support import ADMIN, CLINICIAN, FRONT_DESK, Clinic, csrf_token, signed_in_browser

API = "/api/v1"
_PROBLEM = re.compile(r'class="field-problem"[^>]*data-field="([^"]*)" data-code="([^"]*)"')
PAST = "2020-01-06T10:00"
"""A Monday wall time long gone, in any zone."""
LONG = "x" * 501
"""A reason longer than the 500 characters a reason may have."""

Values = dict[str, Any]


@dataclass(frozen=True)
class World:
    """One clinic with a calendar, a series to book and one booked appointment."""

    desk: TestClient
    desk_token: str
    admin: TestClient
    admin_token: str
    series_id: str
    appointment: Values
    slot: Values
    """A free slot of the series' second session (as the API proposed it)."""
    zone: ZoneInfo


@dataclass(frozen=True)
class Case:
    """One bad input, sent both ways; ``expected`` is the (field, code) it must be refused with."""

    name: str
    expected: tuple[str, str]
    web: Callable[[World], tuple[str, Values]]
    api: Callable[[World], tuple[str, Values]]
    as_admin: bool = False


def _wall(world: World, instant: str) -> str:
    moment = datetime.fromisoformat(instant).astimezone(world.zone)
    return moment.strftime("%Y-%m-%dT%H:%M")


def book_form(**changes: str) -> Callable[[World], tuple[str, Values]]:
    def build(w: World) -> tuple[str, Values]:
        slot = w.slot
        base = {
            "book_2": "yes",
            "starts_at_2": _wall(w, slot["starts_at"]),
            "practitioner_2": slot["practitioner_id"],
            "room_2": slot["room_id"],
        }
        return f"/series/{w.series_id}/book", base | changes

    return build


def book_json(**changes: Any) -> Callable[[World], tuple[str, Values]]:
    def build(w: World) -> tuple[str, Values]:
        slot = w.slot
        session = {
            "number": 2,
            "starts_at": slot["starts_at"],
            "practitioner_id": slot["practitioner_id"],
            "room_id": slot["room_id"],
        }
        session = {k: v for k, v in (session | changes).items() if v is not None}
        return f"{API}/series/{w.series_id}/appointments", {"sessions": [session]}

    return build


def _move_base(w: World) -> Values:
    a = w.appointment
    return {
        "expected_version": a["version"],
        "starts_at": a["starts_at"],
        "practitioner_id": a["practitioner_id"],
        "room_id": a["room_id"],
    }


def move_form(**changes: str) -> Callable[[World], tuple[str, Values]]:
    def build(w: World) -> tuple[str, Values]:
        api = _move_base(w)
        base = {
            "expected_version": str(api["expected_version"]),
            "starts_at": _wall(w, api["starts_at"]),
            "practitioner": api["practitioner_id"],
            "room": api["room_id"],
        }
        return f"/appointments/{w.appointment['id']}/reschedule", base | changes

    return build


def move_json(**changes: Any) -> Callable[[World], tuple[str, Values]]:
    def build(w: World) -> tuple[str, Values]:
        body = {k: v for k, v in (_move_base(w) | changes).items() if v is not None}
        return f"{API}/appointments/{w.appointment['id']}/reschedule", body

    return build


def status_form(**changes: str) -> Callable[[World], tuple[str, Values]]:
    def build(w: World) -> tuple[str, Values]:
        base = {"expected_version": str(w.appointment["version"]), "status": "cancelled"}
        return f"/appointments/{w.appointment['id']}/status", base | changes

    return build


def status_json(**changes: Any) -> Callable[[World], tuple[str, Values]]:
    def build(w: World) -> tuple[str, Values]:
        base = {"expected_version": w.appointment["version"], "status": "cancelled"}
        return f"{API}/appointments/{w.appointment['id']}/status", base | changes

    return build


def room_form(name: str) -> Callable[[World], tuple[str, Values]]:
    return lambda _w: ("/settings/calendar/rooms", {"name": name})


def room_json(name: str) -> Callable[[World], tuple[str, Values]]:
    return lambda _w: (f"{API}/schedule/rooms", {"name": name})


def hours_form(**inputs: str) -> Callable[[World], tuple[str, Values]]:
    return lambda _w: ("/settings/calendar/hours", dict(inputs))


def hours_json(*periods: Values) -> Callable[[World], tuple[str, Values]]:
    return lambda _w: (f"{API}/schedule/opening-hours", {"periods": list(periods)})


CASES = [
    # booking a series
    Case(
        "a ticked session with no start",
        ("sessions[2].starts_at", "required"),
        book_form(starts_at_2=""),
        book_json(starts_at=None),
    ),
    Case(
        "a start that is not a time",
        ("sessions[2].starts_at", "not-a-time"),
        book_form(starts_at_2="tomorrow"),
        book_json(starts_at="tomorrow"),
    ),
    Case(
        "a practitioner that is not an id",
        ("sessions[2].practitioner_id", "not-an-id"),
        book_form(practitioner_2="Dr Who"),
        book_json(practitioner_id="Dr Who"),
    ),
    Case(
        "no room",
        ("sessions[2].room_id", "required"),
        book_form(room_2=""),
        book_json(room_id=None),
    ),
    Case(
        "a reason too long",
        ("sessions[2].reason", "too-long"),
        book_form(reason_2=LONG),
        book_json(reason=LONG),
    ),
    Case(
        "a start in the past",
        ("sessions[2].starts_at", "invalid"),
        book_form(starts_at_2=PAST),
        book_json(starts_at=f"{PAST}:00+00:00"),
    ),
    # moving an appointment
    Case(
        "a move with no start",
        ("starts_at", "required"),
        move_form(starts_at=""),
        move_json(starts_at=None),
    ),
    Case(
        "a move to a room that is not an id",
        ("room_id", "not-an-id"),
        move_form(room="the big one"),
        move_json(room_id="the big one"),
    ),
    Case(
        "a move into the past",
        ("starts_at", "invalid"),
        move_form(starts_at=PAST),
        move_json(starts_at=f"{PAST}:00+00:00"),
    ),
    # cancelling, attendance
    Case(
        "a status that is not a change",
        ("status", "not-a-choice"),
        status_form(status="postponed"),
        status_json(status="postponed"),
    ),
    Case(
        "a version that is not a number",
        ("expected_version", "not-a-whole-number"),
        status_form(expected_version="latest", reason="patient unwell"),
        status_json(expected_version="latest", reason="patient unwell"),
    ),
    Case(
        "a cancellation reason too long",
        ("reason", "too-long"),
        status_form(reason=LONG),
        status_json(reason=LONG),
    ),
    # the set-up
    Case(
        "a room with no name",
        ("name", "required"),
        room_form(""),
        room_json(""),
        as_admin=True,
    ),
    Case(
        "a room name too long",
        ("name", "too-long"),
        room_form("R" * 101),
        room_json("R" * 101),
        as_admin=True,
    ),
    Case(
        "an opening time that is not a time",
        ("periods[0].opens", "not-text"),
        hours_form(opens_3="nine", closes_3="17:00"),
        hours_json({"weekday": 3, "opens": "nine", "closes": "17:00"}),
        as_admin=True,
    ),
    Case(
        "a day with no closing time",
        ("periods[1].closes", "required"),
        hours_form(opens_1="09:00", closes_1="17:00", opens_4="09:00"),
        hours_json(
            {"weekday": 1, "opens": "09:00", "closes": "17:00"}, {"weekday": 4, "opens": "09:00"}
        ),
        as_admin=True,
    ),
    Case(
        "a day that opens after it closes",
        ("opening_hours[0]", "invalid"),
        hours_form(opens_2="18:00", closes_2="09:00"),
        hours_json({"weekday": 2, "opens": "18:00", "closes": "09:00"}),
        as_admin=True,
    ),
]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    from web_support import web_services  # noqa: PLC0415

    services = web_services(tmp_path_factory.mktemp("scheduling-parity"), MovingClock())
    clinic_id = add_clinic(services)
    for role, email in ((Role.CLINICIAN, CLINICIAN), (Role.FRONT_DESK, FRONT_DESK)):
        add_member(services, clinic_id, role, email)
    admin_member = add_member(services, clinic_id, Role.ADMIN, ADMIN)
    context = RequestContext(actor=admin_member, request_id="parity", auth=AuthMethod.SESSION)
    services.scheduling.set_opening_hours(
        [(d, time(8), time(18)) for d in range(7)], context=context
    )
    services.scheduling.add_room("Room 1", context=context)
    clinic = Clinic(services, clinic_id)
    series = new_series(clinic)
    desk = signed_in_browser(services, FRONT_DESK)
    admin = signed_in_browser(services, ADMIN)
    desk_token = csrf_token(desk.get(f"/series/{series['id']}/book").text)
    admin_token = csrf_token(admin.get("/settings/calendar").text)
    yield _world(desk, desk_token, admin, admin_token, series["id"])
    services.database.close()


def _world(
    desk: TestClient, desk_token: str, admin: TestClient, admin_token: str, series_id: str
) -> World:
    headers = {"X-CSRF-Token": desk_token}
    proposal = desk.get(f"{API}/series/{series_id}/booking").json()
    first, second = (p["slot"] for p in proposal["proposed"][:2])
    session = {k: first[k] for k in ("starts_at", "practitioner_id", "room_id")}
    url = f"{API}/series/{series_id}/appointments"
    booked = desk.post(url, json={"sessions": [{"number": 1, **session}]}, headers=headers)
    assert booked.status_code == 201, booked.text
    zone = ZoneInfo(desk.get(f"{API}/schedule/setup").json()["time_zone"])
    return World(
        desk, desk_token, admin, admin_token, series_id, booked.json()["items"][0], second, zone
    )


def _client(world: World, case: Case) -> tuple[TestClient, str]:
    if case.as_admin:
        return world.admin, world.admin_token
    return world.desk, world.desk_token


def _web_problems(world: World, case: Case) -> set[tuple[str, str]]:
    client, token = _client(world, case)
    path, form = case.web(world)
    response = client.post(path, data={**form, "csrf_token": token})
    assert response.status_code == 422, (case.name, response.status_code)
    return set(_PROBLEM.findall(response.text))


def _api_problems(world: World, case: Case) -> set[tuple[str, str]]:
    client, token = _client(world, case)
    path, body = case.api(world)
    send = client.put if path.endswith("/opening-hours") else client.post
    response = send(path, json=body, headers={"X-CSRF-Token": token})
    assert response.status_code == 422, (case.name, response.status_code, response.text)
    return {(e["field"], e["code"]) for e in response.json()["errors"]}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_web_form_and_the_api_refuse_a_bad_input_with_the_same_field_and_code(
    world: World, case: Case
) -> None:
    from_the_web = _web_problems(world, case)
    from_the_api = _api_problems(world, case)

    assert case.expected in from_the_api
    assert from_the_web == from_the_api


def test_no_session_ticked_is_the_apis_empty_booking_said_above_the_form(world: World) -> None:
    path, _ = book_form()(world)
    page = world.desk.post(path, data={"csrf_token": world.desk_token})
    url = f"{API}/series/{world.series_id}/appointments"
    api = world.desk.post(url, json={"sessions": []}, headers={"X-CSRF-Token": world.desk_token})

    assert page.status_code == api.status_code == 422
    assert "No session is ticked. Tick a session to book." in page.text
    assert [(e["field"], e["code"]) for e in api.json()["errors"]] == [("sessions", "too-short")]


def test_tz2_a_wall_time_the_clocks_skipped_is_a_422_naming_it_on_both_forms(
    world: World,
) -> None:
    skipped = "2027-03-28T01:30"  # London: 01:00 GMT went straight to 02:00 BST
    path, form = book_form(starts_at_2=skipped)(world)
    booked = world.desk.post(path, data={**form, "csrf_token": world.desk_token})
    path, form = move_form(starts_at=skipped)(world)
    moved = world.desk.post(path, data={**form, "csrf_token": world.desk_token})

    assert (booked.status_code, moved.status_code) == (422, 422)
    assert set(_PROBLEM.findall(booked.text)) == {("sessions[2].starts_at", "not-a-time")}
    assert set(_PROBLEM.findall(moved.text)) == {("starts_at", "not-a-time")}
    for page in (booked.text, moved.text):
        assert "Is a time the clocks skipped. Give the time the clock showed." in page


def test_the_page_keeps_its_own_words_for_the_models_problems(world: World) -> None:
    path, form = book_form(starts_at_2="", practitioner_2="Dr Who")(world)
    page = world.desk.post(path, data={**form, "csrf_token": world.desk_token}).text
    path, form = room_form("")(world)
    settings = world.admin.post(path, data={**form, "csrf_token": world.admin_token}).text

    assert 'id="starts_at_2-problem"' in page and "Is missing. Pick a date and time." in page
    assert (
        'id="practitioner_2-problem"' in page and "Is not chosen. Pick one from the list." in page
    )
    assert "A room needs a name of 1 to 100 characters." in settings


def test_nothing_was_written_by_the_refused_requests(world: World) -> None:
    listed = world.desk.get(f"{API}/series/{world.series_id}/booking").json()
    setup = world.admin.get(f"{API}/schedule/setup").json()

    assert [a["session_number"] for a in listed["booked"]] == [1]
    assert listed["booked"][0]["version"] == world.appointment["version"]
    assert [r["name"] for r in setup["rooms"]] == ["Room 1"]
    assert len(setup["opening_hours"]) == 7
