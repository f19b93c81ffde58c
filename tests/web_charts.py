"""Driving the session chart as a browser does: a series made through the API, a session
started through the web form, the chart form read back and posted with its CSRF token.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

from api_support import PATIENT, START, TestClient, intake_document, signed_in
from consent_support import consent_via_api
from web_support import CLINICIAN, Clinic, csrf_token

API = "/api/v1"
LOT = "LOT-2026-118"
FRESH = (START.date() + timedelta(days=90)).isoformat()
EXPIRED = (START.date() - timedelta(days=1)).isoformat()


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def new_series(clinic: Clinic, *, consulted_on: str = "") -> dict[str, Any]:
    """A patient with a signed consultation and an agreed series, made through the API."""
    api = signed_in(clinic.services, CLINICIAN)
    document = json.loads(json.dumps(intake_document()))
    if consulted_on:
        document["consulted_on"] = consulted_on
    born = {"born_on": document["patient"]["born_on"], "sex": document["patient"]["sex"]}
    patient = ok(api.post(f"{API}/patients", json={**PATIENT, **born}), 201)
    url = f"{API}/patients/{patient['id']}/consultations"
    consultation = ok(api.post(url, json={"document": document}), 201)
    ok(api.post(f"{API}/consultations/{consultation['id']}/sign"))
    url = f"{API}/consultations/{consultation['id']}/series"
    series = dict(ok(api.post(url, json={}), 201))
    consent_via_api(api, series["id"])  # the patient's witnessed consent (ADR 0029)
    return series


def start_session(client: TestClient, series_id: str, **answers: str) -> Any:
    page = client.get(f"/series/{series_id}/sessions/new")
    assert page.status_code == 200, page.text
    form = {"csrf_token": csrf_token(page.text), **answers}
    return client.post(f"/series/{series_id}/sessions/new", data=form)


def started(client: TestClient, series_id: str) -> str:
    response = start_session(client, series_id, pregnant="no")
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    found = re.fullmatch(r"/sessions/([0-9a-f-]{36})/chart", location)
    assert found, location
    return found.group(1)


def form_values(html: str) -> dict[str, str]:
    """The chart form's prefilled values, as the browser would send them back."""
    values = dict(
        re.findall(r'<input id="[^"]+" name="([^"]+)" type="[^"]+"[^>]*value="([^"]*)"', html)
    )
    values |= dict(re.findall(r'name="(expected_version|csrf_token)" value="([^"]*)"', html))
    for name, text in re.findall(
        r'<textarea id="[^"]+" name="([^"]+)"[^>]*>([^<]*)</textarea>', html
    ):
        values[name] = text
    for name, body in re.findall(r'<select id="[^"]+" name="([^"]+)">(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        values[name] = chosen.group(1) if chosen else ""
    return values


def chart_form(client: TestClient, session_id: str, **changes: str) -> dict[str, str]:
    page = client.get(f"/sessions/{session_id}/chart")
    assert page.status_code == 200, page.text
    values = form_values(page.text)
    values |= {"chart.cartridge.lot": LOT, "chart.cartridge.expires_on": FRESH}
    values |= changes
    return values


def depth(zone: str) -> str:
    """The chart form's field for the depth delivered in a zone (named as in the API)."""
    return f"chart.zones[{zone}].delivered_depth_mm"


def zone_input(zone: str, part: str) -> str:
    """Another field of a zone's row: ``passes`` or ``reason``."""
    return f"chart.zones[{zone}].{part}"


def post_chart(client: TestClient, session_id: str, values: dict[str, str]) -> Any:
    return client.post(f"/sessions/{session_id}/chart", data=values)


def held_session(client: TestClient, series_id: str) -> str:
    """A session started, charted as planned and signed."""
    session = started(client, series_id)
    assert post_chart(client, session, chart_form(client, session)).status_code == 303
    page = client.get(f"/sessions/{session}/chart").text
    sign = {"csrf_token": csrf_token(page), "version": "1"}
    assert client.post(f"/sessions/{session}/chart/sign", data=sign).status_code == 303
    return session


def history(client: TestClient, session_id: str) -> str:
    html: str = client.get(f"/sessions/{session_id}/chart").text
    return html.split('id="history-title"', 1)[1]
