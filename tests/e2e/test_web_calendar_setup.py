"""The admin's calendar set-up page: opening hours and rooms, checked by the service."""

from __future__ import annotations

from api_support import TestClient, signed_in
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


def test_a_blank_hours_form_asks_to_confirm_closing_all_week_and_keeps_the_week(
    clinic: Clinic,
) -> None:
    with signed_in_browser(clinic.services, ADMIN) as admin:
        token = csrf_token(admin.get("/settings/calendar").text)
        week = {"opens_0": "09:00", "closes_0": "17:00"}
        admin.post("/settings/calendar/hours", data={"csrf_token": token, **week})
        blank = admin.post("/settings/calendar/hours", data={"csrf_token": token})
        kept = admin.get("/settings/calendar").text
        confirmed = admin.post(
            "/settings/calendar/hours", data={"csrf_token": token, "closed_all_week": "yes"}
        )
        closed = admin.get("/settings/calendar").text

    assert blank.status_code == 422
    assert 'id="closed_all_week-problem"' in blank.text
    assert "confirm &#39;closed all week&#39;" in blank.text
    assert 'name="opens_0" value="09:00"' in kept
    assert confirmed.status_code == 303
    assert 'name="opens_0" value=""' in closed


def test_the_api_refuses_an_empty_week_unless_closing_all_week_is_confirmed(
    clinic: Clinic,
) -> None:
    api = signed_in(clinic.services, ADMIN)
    url = "/api/v1/schedule/opening-hours"
    one_day = [{"weekday": 0, "opens": "09:00", "closes": "17:00"}]

    blank = api.put(url, json={"periods": []})
    both = api.put(url, json={"periods": one_day, "closed_all_week": True})
    confirmed = api.put(url, json={"periods": [], "closed_all_week": True})

    assert blank.status_code == 422, blank.text
    [problem] = blank.json()["errors"]
    assert (problem["field"], problem["code"]) == ("closed_all_week", "required")
    assert "closed all week" in problem["fix"]
    assert both.status_code == 422 and both.json()["errors"][0]["code"] == "mismatch"
    assert (confirmed.status_code, confirmed.json()) == (200, [])


def test_a_room_name_with_a_control_or_direction_character_is_refused_beside_it(
    clinic: Clinic,
) -> None:
    with signed_in_browser(clinic.services, ADMIN) as admin:
        token = csrf_token(admin.get("/settings/calendar").text)
        refused = [
            admin.post("/settings/calendar/rooms", data={"csrf_token": token, "name": name})
            for name in ("Room\u0000A", "Room\r\nB", "Room\u202eC")
        ]
        page = admin.get("/settings/calendar").text

    for response in refused:
        assert response.status_code == 422, response.text
        assert 'id="room_name-problem"' in response.text
    assert "No room yet" in page
