"""How the clinician web app words and dates what it shows: the handout's date and headings,
ranges whose ends meet, score explanations in the scale's words, the face map's zone states,
the outcome chart's last date label and the favicon.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from api_support import START, TestClient
from needlepoint.domain.scheduling import Appointment, AppointmentStatus, Room
from needlepoint.entrypoints.web import care_topics
from needlepoint.knowledge.care import load_care_templates
from web_charts import new_series, started
from web_support import CLINICIAN, Clinic, csrf_token, page_token

pytest_plugins = ["web_fixtures"]


@pytest.fixture
def series(clinic: Clinic) -> dict[str, Any]:
    return new_series(clinic)


def book(
    clinic: Clinic,
    series: dict[str, Any],
    number: int,
    starts_at: datetime,
    status: AppointmentStatus = AppointmentStatus.BOOKED,
) -> None:
    """An appointment for one session of the series, written straight through the repositories
    (the booking pages are another page's business)."""
    uow = clinic.services.database.unit_of_work()
    with uow:
        found = uow.staff.by_email(CLINICIAN)
        assert found is not None
        room = Room(uuid4(), clinic.clinic_id, f"Room {uuid4().hex[:4]}")
        uow.rooms.add(room)
        uow.appointments.add(
            Appointment(
                id=uuid4(),
                clinic_id=clinic.clinic_id,
                patient_id=UUID(series["patient_id"]),
                series_id=UUID(series["id"]),
                session_number=number,
                practitioner_id=found[0].id,
                room_id=room.id,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=75),
                status=status,
                created_at=START,
                created_by=found[0].id,
            )
        )
        uow.commit()


def handout(client: TestClient, series: dict[str, Any], number: int) -> str:
    page = client.get(f"/series/{series['id']}/handout?session={number}")
    assert page.status_code == 200, page.text
    return re.sub(r"\s+", " ", page.text)


def section(html: str, title: str) -> str:
    return html.split(f">{title}</h2>", 1)[1].split("</section>", 1)[0]


def test_the_handout_is_dated_by_the_booked_appointment_in_the_clinics_time(
    clinician: TestClient, clinic: Clinic, series: dict[str, Any]
) -> None:
    assert series["proposal"]["series"]["dated"][1]["on"] == "2026-12-14"  # the proposal's day
    book(clinic, series, 2, datetime(2026, 12, 8, 10, 0, tzinfo=UTC))

    html = handout(clinician, series, 2)

    assert "Your skin treatment on Tue 8 Dec 2026" in html
    assert "for your appointment on Tue 8 Dec 2026 at 10:00." in html
    assert "Provisional" not in html
    assert "14 Dec 2026" not in html  # nothing anchored to the proposal's day
    assert "(8 Dec 2026" in section(html, "After your treatment")  # aftercare starts that day


def test_the_appointment_time_is_the_clinics_wall_clock_in_summer_time(
    clinician: TestClient, clinic: Clinic, series: dict[str, Any]
) -> None:
    book(clinic, series, 2, datetime(2027, 4, 6, 9, 0, tzinfo=UTC))  # 10:00 in London (BST)

    html = handout(clinician, series, 2)

    assert "for your appointment on Tue 6 Apr 2027 at 10:00." in html


def test_a_cancelled_appointment_does_not_date_the_handout(
    clinician: TestClient, clinic: Clinic, series: dict[str, Any]
) -> None:
    book(clinic, series, 2, datetime(2026, 12, 8, 10, 0, tzinfo=UTC), AppointmentStatus.CANCELLED)

    html = handout(clinician, series, 2)

    assert "Your skin treatment on Mon 14 Dec 2026" in html  # the proposal's day
    assert "Provisional date." in html


def test_a_started_session_is_dated_by_its_actual_start(
    clinician: TestClient, series: dict[str, Any]
) -> None:
    started(clinician, series["id"])  # session 1, started on 23 Nov 2026 at 09:00 UTC

    html = handout(clinician, series, 1)

    assert "Your skin treatment on Mon 23 Nov 2026" in html
    assert "for your treatment on Mon 23 Nov 2026, which started at 09:0" in html
    assert "Provisional" not in html


def test_an_unbooked_session_is_provisionally_due_an_interval_after_the_last_one_held(
    clinician: TestClient, series: dict[str, Any]
) -> None:
    started(clinician, series["id"])  # session 1 on 23 Nov 2026, not 16 Nov as proposed
    due = date(2026, 11, 23) + timedelta(days=series["plan"]["interval_days"])

    html = handout(clinician, series, 2)

    assert f"Your skin treatment on {due:%a} {due.day} {due:%b %Y}" in html
    assert "Provisional date." in html
    assert "not booked yet" in html


def test_a_session_past_the_plan_has_no_handout(
    clinician: TestClient, series: dict[str, Any]
) -> None:
    past = series["plan"]["sessions"] + 1
    assert clinician.get(f"/series/{series['id']}/handout?session={past}").status_code == 404


def test_handout_headings_are_words_not_topic_codes(
    clinician: TestClient, series: dict[str, Any]
) -> None:
    html = handout(clinician, series, 2)

    headings = re.findall(r"<li><strong>([^<]+)</strong>", html)
    assert headings
    assert not [h for h in headings if "_" in h or h[0].islower()]
    assert "<strong>Products on the day</strong>" in html
    assert "<strong>SPF</strong>" in html
    for raw in ("Products day0", "Spf", "Vitamin c"):
        assert f"<strong>{raw}</strong>" not in html


def test_a_same_day_care_window_shows_one_date(
    clinician: TestClient, series: dict[str, Any]
) -> None:
    html = handout(clinician, series, 2)

    assert "(14 Dec 2026 to 14 Dec 2026)" not in html
    assert "<strong>Clean skin</strong> (14 Dec 2026):" in html


def test_every_care_topic_has_a_heading() -> None:
    topics = {t.topic for t in load_care_templates()}

    assert topics - care_topics.TOPIC_HEADINGS.keys() == set()
    assert care_topics.heading("vitamin_c") == "Vitamin C"
    assert care_topics.heading("some_new_topic") == "Some new topic"


def test_a_range_whose_ends_meet_is_one_value(
    clinician: TestClient, series: dict[str, Any]
) -> None:
    zones = [
        (z["zone"], z["depth_mm"]["min"], z["depth_mm"]["max"]) for z in series["plan"]["zones"]
    ]
    same = [z for z in zones if z[1] == z[2]]
    assert same, zones  # the cheeks: 1.5 mm, capped by the pen

    patient = re.sub(r"\s+", " ", clinician.get(f"/patients/{series['patient_id']}").text)
    start = re.sub(r"\s+", " ", clinician.get(f"/series/{series['id']}/sessions/new").text)

    for zone, low, high in same:
        assert f"{zone} {high} mm" in patient and f"{zone} {high} mm" in start
        assert f"{low}–{high} mm" not in patient and f"{low}–{high} mm" not in start
    for zone, low, high in (z for z in zones if z not in same):
        assert f"{zone} {low}–{high} mm" in patient


def test_the_proposed_plan_shows_a_range_whose_ends_meet_as_one_value(
    clinician: TestClient, clinic: Clinic
) -> None:
    made = new_series(clinic)
    consultation = made["consultation_id"]

    html = re.sub(r"\s+", " ", clinician.get(f"/consultations/{consultation}/plan").text)

    assert "Proposed 1.5–1.5 mm" not in html
    assert "Proposed 1.5 mm, start at 1.5 mm" in html


EXPLAINED = {
    "cheeks.open": "on",
    "cheeks.rolling": "14",
    "cheeks.boxcar_shallow": "6",
    "cheeks.icepick": "2",
    "cheeks.keloid_area_cm2": "3",
}


def test_score_explanations_use_the_scales_words_not_codes(
    clinician: TestClient, series: dict[str, Any]
) -> None:
    patient_id = series["patient_id"]
    token = page_token(clinician, f"/patients/{patient_id}/assessments/new")

    response = clinician.post(
        f"/patients/{patient_id}/assessments/preview",
        data=EXPLAINED,
        headers={"X-CSRF-Token": token, "HX-Request": "true"},
    )

    assert response.status_code == 200, response.text
    steps = re.findall(r"<li>([^<]+)</li>", response.text)
    assert any(s.startswith("B1 Moderately atrophic scars") for s in steps), steps
    assert any(s.startswith("V-shaped atrophic scars") for s in steps), steps
    assert any(s.startswith("D2 keloidal or hypertrophic scarring: 3 cm²") for s in steps)
    assert not [s for s in steps if re.search(r"\b[a-z0-9]+_[a-z_]+\b", s)], steps


def test_the_face_map_marks_zones_with_scars_entered(
    clinician: TestClient, series: dict[str, Any]
) -> None:
    path = f"/patients/{series['patient_id']}/assessments/new"
    form = {"csrf_token": page_token(clinician, path), "assessed_on": "not a date"}
    form |= EXPLAINED | {"chin.open": "on", "chin.rolling": "0"}

    page = clinician.post(path, data=form)  # refused, so shown again with what was entered

    assert page.status_code == 422
    html = re.sub(r"\s+", " ", page.text)
    cheeks = re.search(r'<a id="front-cheeks-left" data-zone="cheeks" class="([^"]+)"', html)
    chin = re.search(r'<a id="front-chin" data-zone="chin" class="([^"]+)"', html)
    assert cheeks and chin, html
    assert cheeks.group(1).split() == ["zone", "zone-open", "zone-has-scars"]
    assert chin.group(1).split() == ["zone", "zone-open"]  # open, but no scar counted
    assert 'aria-label="Cheeks, left (scars entered)"' in html
    assert 'aria-label="Chin (open below)"' in html
    assert 'aria-label="Forehead"' in html
    key = html.split('class="map-key"', 1)[1].split("</ul>", 1)[0]
    for meaning in ("Nothing entered", "Open below", "Scars entered", "Not to treat"):
        assert meaning in key


def record_outcome(client: TestClient, patient_id: str, value: str, on: str) -> None:
    page = client.get(f"/patients/{patient_id}/outcomes").text
    form = {"csrf_token": csrf_token(page), "scale": "gb_quantitative", "value": value}
    form |= {"measured_on": on, "note": ""}
    assert client.post(f"/patients/{patient_id}/outcomes", data=form).status_code == 303


def test_the_outcome_charts_last_date_ends_inside_the_plot(
    clinician: TestClient, series: dict[str, Any]
) -> None:
    patient_id = series["patient_id"]
    record_outcome(clinician, patient_id, "11", "2026-11-16")
    record_outcome(clinician, patient_id, "8", "2026-11-23")

    html = clinician.get(f"/patients/{patient_id}/outcomes").text

    ticks = re.findall(
        r'<text class="tick" x="[\d.]+" y="[\d.]+" text-anchor="(\w+)">(\d+ \w+ \d{4})', html
    )
    assert ticks == [("start", "16 Nov 2026"), ("end", "23 Nov 2026")]
    assert "11.00–11.00" not in html and "<td>11.00</td>" in html  # the baseline's range


def test_pages_name_an_icon_that_is_served(clinician: TestClient) -> None:
    html = clinician.get("/").text
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    assert icon

    served = clinician.get(icon.group(1))

    assert served.status_code == 200
    assert served.headers["content-type"].startswith("image/svg+xml")
    assert served.text.startswith("<svg")
