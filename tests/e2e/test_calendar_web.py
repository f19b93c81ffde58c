"""Staff issue, reissue and revoke a patient's calendar link; the link opens the feed.

The link is shown once, on the page that issued it; afterwards the patient's calendar page
says only that a link is active. Anyone holding a live link gets the feed without signing in;
a replaced or revoked link gets the web's 404 page.
"""

from __future__ import annotations

import re

from icalendar import Calendar

from api_support import PATIENT, TestClient, add_clinic, add_member
from needlepoint.config import DEFAULT_PUBLIC_URL
from needlepoint.domain.records import Role
from web_support import Clinic, csrf_token, page_token, signed_in_browser, web_client

pytest_plugins = ["web_fixtures"]

LINK = re.compile(rf'value="{re.escape(DEFAULT_PUBLIC_URL)}(/calendar/[A-Za-z0-9_-]{{43}}\.ics)"')
"""The link starts with the public URL (NEEDLEPOINT_PUBLIC_URL), not the request's host."""


def register(client: TestClient) -> str:
    form = {**PATIENT, "csrf_token": page_token(client)}
    response = client.post("/patients", data=form)
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def issue(client: TestClient, patient_path: str) -> str:
    token = csrf_token(client.get(f"{patient_path}/calendar").text)
    page = client.post(f"{patient_path}/calendar", data={"csrf_token": token})
    assert page.status_code == 200, page.text
    found = LINK.search(page.text)
    assert found, "the page does not show the new link"
    return found.group(1)


def test_the_patient_page_leads_to_the_calendar_link_page(front_desk: TestClient) -> None:
    patient_path = register(front_desk)

    page = front_desk.get(patient_path).text
    calendar_page = front_desk.get(f"{patient_path}/calendar").text

    assert f'href="{patient_path}/calendar"' in page
    assert "No calendar link is active." in calendar_page


def test_an_issued_link_is_shown_once_and_opens_the_feed_without_signing_in(
    clinic: Clinic, front_desk: TestClient, browser: TestClient
) -> None:
    patient_path = register(front_desk)

    link = issue(front_desk, patient_path)
    later = front_desk.get(f"{patient_path}/calendar").text
    feed = browser.get(link)

    assert "A calendar link is active" in later
    assert link not in later
    assert feed.status_code == 200
    assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
    assert feed.headers["cache-control"] == "no-store"
    parsed = Calendar.from_ical(feed.content)
    assert str(parsed["X-WR-CALNAME"]) == "Harbour Skin Clinic"
    assert parsed.timezones[0].tz_name == "Europe/London"


def test_reissuing_replaces_the_link_and_revoking_shuts_it(
    front_desk: TestClient, browser: TestClient
) -> None:
    patient_path = register(front_desk)
    old = issue(front_desk, patient_path)
    new = issue(front_desk, patient_path)

    replaced = browser.get(old)
    current = browser.get(new)
    token = csrf_token(front_desk.get(f"{patient_path}/calendar").text)
    revoked = front_desk.post(f"{patient_path}/calendar/revoke", data={"csrf_token": token})
    after = browser.get(new)

    assert (replaced.status_code, current.status_code) == (404, 200)
    assert revoked.status_code == 303
    assert revoked.headers["location"] == f"{patient_path}/calendar"
    assert after.status_code == 404
    assert after.text == replaced.text
    assert "No calendar link is active." in front_desk.get(f"{patient_path}/calendar").text


def test_issuing_without_the_forms_token_is_refused(front_desk: TestClient) -> None:
    patient_path = register(front_desk)

    refused = front_desk.post(f"{patient_path}/calendar", data={})

    assert refused.status_code == 403
    assert "No calendar link is active." in front_desk.get(f"{patient_path}/calendar").text


def test_another_clinics_patient_has_no_calendar_page(
    clinic: Clinic, front_desk: TestClient
) -> None:
    other = add_clinic(clinic.services, "Quay Dermatology")
    add_member(clinic.services, other, Role.FRONT_DESK, "desk@quay.test")
    patient_path = register(front_desk)

    with signed_in_browser(clinic.services, "desk@quay.test") as stranger:
        page = stranger.get(f"{patient_path}/calendar")
        token = csrf_token(stranger.get("/patients").text)
        issued = stranger.post(f"{patient_path}/calendar", data={"csrf_token": token})

    assert (page.status_code, issued.status_code) == (404, 404)
    assert "No calendar link is active." in front_desk.get(f"{patient_path}/calendar").text


def test_a_signed_out_visitor_cannot_reach_the_calendar_link_page(
    front_desk: TestClient, clinic: Clinic
) -> None:
    patient_path = register(front_desk)

    with web_client(clinic.services) as visitor:
        response = visitor.get(f"{patient_path}/calendar")

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_the_link_ignores_the_requests_host_header(front_desk: TestClient) -> None:
    patient_path = register(front_desk)
    token = csrf_token(front_desk.get(f"{patient_path}/calendar").text)

    page = front_desk.post(
        f"{patient_path}/calendar", data={"csrf_token": token}, headers={"Host": "evil.example"}
    )

    assert page.status_code == 200, page.text
    assert LINK.search(page.text)
    assert "evil.example" not in page.text
