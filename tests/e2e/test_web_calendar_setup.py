"""The admin's calendar set-up page: opening hours and rooms, checked by the service."""

from __future__ import annotations

from api_support import TestClient
from web_support import ADMIN, Clinic, csrf_token, signed_in_browser

pytest_plugins = ["web_fixtures"]


def test_an_admin_sets_the_week_and_adds_a_room(clinic: Clinic) -> None:
    with signed_in_browser(clinic.services, ADMIN) as admin:
        token = csrf_token(admin.get("/settings/calendar").text)
        week = {f"opens_{d}": "09:00" for d in range(5)} | {
            f"closes_{d}": "17:30" for d in range(5)
        }
        hours = admin.post("/settings/calendar/hours", data={"csrf_token": token, **week})
        room = admin.post("/settings/calendar/rooms", data={"csrf_token": token, "name": "Room A"})
        page = admin.get("/settings/calendar").text

    assert (hours.status_code, room.status_code) == (303, 303)
    assert 'name="opens_0" value="09:00"' in page and 'name="closes_4" value="17:30"' in page
    assert 'name="opens_5" value=""' in page  # Saturday left closed
    assert "<li>Room A</li>" in page


def test_bad_hours_are_named_beside_their_day_and_nothing_changes(clinic: Clinic) -> None:
    with signed_in_browser(clinic.services, ADMIN) as admin:
        token = csrf_token(admin.get("/settings/calendar").text)
        backwards = admin.post(
            "/settings/calendar/hours",
            data={"csrf_token": token, "opens_2": "18:00", "closes_2": "09:00"},
        )
        garbled = admin.post(
            "/settings/calendar/hours",
            data={"csrf_token": token, "opens_3": "nine", "closes_3": "17:00"},
        )
        twice = [
            admin.post("/settings/calendar/rooms", data={"csrf_token": token, "name": "Room B"})
            for _ in range(2)
        ]
        page = admin.get("/settings/calendar").text

    assert backwards.status_code == 422 and 'id="opens_2-problem"' in backwards.text
    assert "opens at or after it closes" in backwards.text.lower()
    assert garbled.status_code == 422 and 'id="opens_3-problem"' in garbled.text
    assert [r.status_code for r in twice] == [303, 422]
    assert "already a room called Room B" in twice[1].text
    assert 'name="opens_2" value=""' in page  # nothing was saved


def test_only_an_admin_reaches_the_set_up(clinician: TestClient, front_desk: TestClient) -> None:
    assert clinician.get("/settings/calendar").status_code == 403
    assert front_desk.get("/settings/calendar").status_code == 403
    assert "Calendar set-up" not in clinician.get("/").text
