"""The front desk's calendar over the demo clinic: a week or a day, a lane per practitioner or
room, with every booked appointment linking to its move-or-cancel page, the opening hours and
the gaps; a week is one audited read."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from api_support import MovingClock, TestClient
from needlepoint.bootstrap import Services
from needlepoint.domain.records import Role
from needlepoint.entrypoints.cli import demo
from web_support import sign_in, web_client, web_services

LONDON = ZoneInfo("Europe/London")
LOGIN = {login.role: login for login in demo.LOGINS}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    services = web_services(tmp_path_factory.mktemp("calendar"), MovingClock())
    demo.seed(services)
    yield services
    services.database.close()


@pytest.fixture(scope="module")
def desk(seeded: Services) -> TestClient:
    client = web_client(seeded)
    login = LOGIN[Role.FRONT_DESK]
    assert sign_in(client, login.email, login.password).status_code == 303
    return client


def okafor_appointments(desk: TestClient) -> list[dict[str, Any]]:
    patients = desk.get("/api/v1/patients", params={"search": "Okafor Amira"}).json()["items"]
    (okafor,) = patients
    found = desk.get(f"/api/v1/patients/{okafor['id']}/appointments").json()["items"]
    return [a for a in found if a["status"] == "booked"]


def local_day(instant: str) -> date:
    return datetime.fromisoformat(instant).astimezone(LONDON).date()


def test_the_week_shows_each_booked_session_of_the_series_with_a_link_to_move_it(
    desk: TestClient,
) -> None:
    booked = okafor_appointments(desk)
    assert booked, "the demo books Okafor's remaining sessions"

    for appointment in booked:
        on = local_day(appointment["starts_at"])
        html = desk.get("/calendar", params={"view": "week", "on": on.isoformat()}).text
        link = f'<a href="/appointments/{appointment["id"]}">'
        assert link in html
        entry = html.split(link, 1)[1].split("</li>", 1)[0]
        starts = datetime.fromisoformat(appointment["starts_at"]).astimezone(LONDON)
        assert f"{starts:%H:%M}–" in entry
        assert "Okafor, Amira" in entry


def test_a_week_starts_on_monday_and_shows_opening_hours_gaps_and_closed_days(
    desk: TestClient,
) -> None:
    wednesday = date(2026, 12, 9)

    html = desk.get("/calendar", params={"on": wednesday.isoformat()}).text

    assert "week of 7 Dec 2026" in html
    assert "Open 09:00–18:00" in html  # weekdays, demo.OPENING_HOURS
    assert "Open 09:00–13:00" in html  # Saturday
    assert "Closed" in html  # Sunday
    assert "a session fits" in html
    lanes = re.findall(r'<h2 id="lane-[0-9a-f-]{36}">([^<]+)</h2>', html)
    assert lanes == ["Dr Rowan Hale"]


def test_by_room_the_lanes_are_the_treatment_rooms(desk: TestClient) -> None:
    html = desk.get("/calendar", params={"by": "room"}).text

    lanes = re.findall(r'<h2 id="lane-[0-9a-f-]{36}">([^<]+)</h2>', html)
    assert lanes == ["Treatment room 1", "Treatment room 2"]


def test_the_day_view_shows_one_day_and_moves_by_a_day(desk: TestClient) -> None:
    html = desk.get("/calendar", params={"view": "day", "on": "2026-12-09"}).text

    assert "Wednesday 9 Dec 2026" in html
    assert 'href="/calendar?view=day&amp;by=practitioner&amp;on=2026-12-10">Next day' in html
    assert len(re.findall(r'<section class="agenda-day[" ]', html)) == 1


def test_a_day_that_is_not_a_date_is_named_and_today_is_shown(desk: TestClient) -> None:
    response = desk.get("/calendar", params={"on": "2026-02-30"})

    assert response.status_code == 422
    assert 'data-field="on" data-code="not-a-date"' in response.text
    assert "week of" in response.text


def test_a_week_is_one_audited_read(seeded: Services, desk: TestClient) -> None:
    before = seeded.database.verify_audit().checked

    desk.get("/calendar", params={"on": "2026-12-09"})

    assert seeded.database.verify_audit().checked == before + 1


def test_the_week_across_the_clocks_going_back_keeps_local_hours(desk: TestClient) -> None:
    # Europe/London goes back to GMT on Sunday 25 October 2026.
    html = desk.get("/calendar", params={"on": "2026-10-22"}).text

    assert html.count("Open 09:00–18:00") == 5
    assert "Sun 25 Oct 2026" in html
