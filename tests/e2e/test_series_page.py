"""A page per treatment series: plan, sessions and appointments; cancel or replace it with a
reason, through the same services as the API."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from api_support import MovingClock, TestClient, intake_document, signed_in
from web_charts import API, new_series, ok
from web_support import CLINICIAN, Clinic, csrf_token

pytest_plugins = ["web_fixtures"]


def second_consultation(clinic: Clinic, patient_id: str) -> dict[str, Any]:
    """Another signed consultation of the same patient, minutes later, proposing the same zones."""
    clock = clinic.services.clock
    assert isinstance(clock, MovingClock)
    clock.advance(timedelta(minutes=5))
    api = signed_in(clinic.services, CLINICIAN)
    document = json.loads(json.dumps(intake_document()))
    url = f"{API}/patients/{patient_id}/consultations"
    consultation = ok(api.post(url, json={"document": document}), 201)
    ok(api.post(f"{API}/consultations/{consultation['id']}/sign"))
    return dict(consultation)


def post(client: TestClient, path: str, page: str, **form: str) -> Any:
    token = csrf_token(client.get(page).text)
    return client.post(path, data={**form, "csrf_token": token})


def test_the_series_page_shows_the_plan_sessions_and_appointments(
    clinic: Clinic, clinician: TestClient
) -> None:
    series = new_series(clinic)

    page = clinician.get(f"/series/{series['id']}")

    assert page.status_code == 200
    for heading in ("Plan", "Sessions", "Appointments", "Cancel this series"):
        assert f">{heading}</h2>" in page.text
    assert f'href="/series/{series["id"]}/book"' in page.text
    assert "cheeks" in page.text
    patient_page = clinician.get(f"/patients/{series['patient_id']}").text
    assert f'href="/series/{series["id"]}"' in patient_page


def test_front_desk_sees_the_schedule_without_zones_or_clinical_actions(
    clinic: Clinic, front_desk: TestClient
) -> None:
    series = new_series(clinic)

    page = front_desk.get(f"/series/{series['id']}").text

    assert ">Sessions</h2>" in page
    assert "Cancel this series" not in page
    assert "Replace this series" not in page
    assert "Zones" not in page


def test_cancelling_needs_a_reason_and_then_stops_the_series(
    clinic: Clinic, clinician: TestClient
) -> None:
    series = new_series(clinic)
    path = f"/series/{series['id']}"
    version = str(series["version"])

    blank = post(clinician, f"{path}/cancel", path, expected_version=version, reason="")
    done = post(
        clinician, f"{path}/cancel", path, expected_version=version, reason="patient moved away"
    )
    page = clinician.get(path).text

    assert blank.status_code == 422
    assert 'data-field="reason"' in blank.text
    assert done.status_code == 303
    assert "Cancelled" in page and "patient moved away" in page
    assert "Cancel this series" not in page


def test_replacing_offers_a_later_consultation_and_needs_a_reason(
    clinic: Clinic, clinician: TestClient
) -> None:
    series = new_series(clinic)
    path = f"/series/{series['id']}"
    later = second_consultation(clinic, series["patient_id"])

    page = clinician.get(path).text
    blank = post(clinician, f"{path}/supersede", path, consultation_id=later["id"])
    done = post(
        clinician,
        f"{path}/supersede",
        path,
        consultation_id=later["id"],
        supersede_reason="re-screened after a new medication",
    )
    old = clinician.get(path).text

    assert "Replace this series" in page and later["id"] in page
    assert blank.status_code == 422
    assert 'data-field="supersede_reason"' in blank.text
    assert done.status_code == 303
    new_path = done.headers["location"]
    assert new_path != path and new_path.startswith("/series/")
    assert "re-screened after a new medication" in old
    assert f'href="{new_path}"' in old
    assert "Replace this series" not in clinician.get(new_path).text


def test_an_unknown_or_malformed_series_is_not_found(clinician: TestClient) -> None:
    for path in ("/series/00000000-0000-4000-8000-000000000000", "/series/not-an-id"):
        assert clinician.get(path).status_code == 404
