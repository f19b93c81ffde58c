"""The clinical flow over HTTP: consultation → series → session → chart → sign → recall.

Hard stops answer with their stable problem codes: a deeper-than-plan depth without a reason
(``override-reason-required``, naming the zone), an expired cartridge (``cartridge-expired``),
a stale chart version (``version-conflict``) and a consultation that cannot be treated
(``not-treatable``). Runs on SQLite through the shared API fixtures.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from api_support import (
    EXAMPLE,
    PATIENT,
    START,
    TestClient,
    add_clinic,
    add_member,
    intake_document,
    signed_in,
)
from consent_support import consent_via_api
from needlepoint.bootstrap import Services
from needlepoint.domain.records import Role
from needlepoint.entrypoints.api import errors

pytest_plugins = ["api_fixtures"]

API = "/api/v1"
LOT = "LOT-2026-118"
FRESH = START.date() + timedelta(days=90)
"""A cartridge expiry date well after the test clock's today."""
DEFER_EXAMPLE = EXAMPLE.parent / "05-defer-pregnancy-melasma.yaml"


@pytest.fixture
def clinic(api: Services) -> Any:
    return add_clinic(api)


@pytest.fixture
def clinician(api: Services, clinic: Any) -> TestClient:
    add_member(api, clinic, Role.CLINICIAN, "rowan@harbour.test")
    return signed_in(api, "rowan@harbour.test")


@pytest.fixture
def front_desk(api: Services, clinic: Any) -> TestClient:
    add_member(api, clinic, Role.FRONT_DESK, "sam@harbour.test")
    return signed_in(api, "sam@harbour.test")


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == errors.PROBLEM_JSON
    body: dict[str, Any] = response.json()
    assert (body["status"], body["code"]) == (status, code)
    return body


def load_document(path: Path) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return dict(json.loads(json.dumps(document, default=str)))


def signed_consultation(client: TestClient, document: dict[str, Any]) -> dict[str, Any]:
    born = {"born_on": document["patient"]["born_on"], "sex": document["patient"]["sex"]}
    patient = ok(client.post(f"{API}/patients", json={**PATIENT, **born}), 201)
    url = f"{API}/patients/{patient['id']}/consultations"
    consultation = ok(client.post(url, json={"document": document}), 201)
    signed: dict[str, Any] = ok(client.post(f"{API}/consultations/{consultation['id']}/sign"))
    return signed


def new_series(client: TestClient) -> dict[str, Any]:
    consultation = signed_consultation(client, intake_document())
    url = f"{API}/consultations/{consultation['id']}/series"
    series: dict[str, Any] = ok(client.post(url, json={}), 201)
    consent_via_api(client, series["id"])  # the patient's witnessed consent (ADR 0029)
    return series


def started_session(client: TestClient) -> dict[str, Any]:
    series = new_series(client)
    body = {"rescreen": {"history": {"pregnant": False}}}
    session: dict[str, Any] = ok(
        client.post(f"{API}/series/{series['id']}/sessions", json=body), 201
    )
    return session


def planned_depths(client: TestClient, series_id: str) -> dict[str, str]:
    series = ok(client.get(f"{API}/series/{series_id}"))
    return {z["zone"]: z["depth_mm"]["max"] for z in series["plan"]["zones"]}


def a_chart(
    depths: dict[str, str],
    *,
    delivered: dict[str, str] | None = None,
    overrides: list[dict[str, str]] | None = None,
    expires_on: date = FRESH,
) -> dict[str, Any]:
    delivered = delivered or {}
    return {
        "device": "pen",
        "cartridge": {"lot": LOT, "expires_on": expires_on.isoformat()},
        "numbing": {
            "product": "lidocaine 23% / tetracaine 7%",
            "applied_at": (START - timedelta(minutes=45)).isoformat(),
            "removed_at": (START - timedelta(minutes=10)).isoformat(),
        },
        "zones": [
            {
                "zone": zone,
                "planned_depth_mm": depth,
                "delivered_depth_mm": delivered.get(zone, depth),
                "passes": 2,
            }
            for zone, depth in depths.items()
        ],
        "endpoint_reached": "pinpoint_bleeding",
        "products_applied": ["hyaluronic acid serum"],
        "adverse_events": [],
        "overrides": overrides or [],
    }


def chart(client: TestClient, session_id: str, expected: int, body: dict[str, Any]) -> Any:
    payload = {"expected_version": expected, "chart": body}
    return client.post(f"{API}/sessions/{session_id}/chart", json=payload)


def test_the_clinical_flow_charts_signs_and_recalls_by_lot(clinician: TestClient) -> None:
    session = started_session(clinician)
    depths = planned_depths(clinician, session["series_id"])

    written = ok(chart(clinician, session["id"], 0, a_chart(depths)), 201)
    signed = ok(clinician.post(f"{API}/sessions/{session['id']}/chart/1/sign"))
    history = ok(clinician.get(f"{API}/sessions/{session['id']}/chart"))
    recall = ok(clinician.get(f"{API}/recalls/{LOT}"))

    assert written["version"] == 1
    assert written["rescreen"]["answers"] == {"history": {"pregnant": False}}
    assert signed["signed_at"] is not None
    assert [v["version"] for v in history["items"]] == [1]
    assert [p["id"] for p in recall["items"]] == [session["patient_id"]]


def test_series_and_sessions_list_for_the_patient(clinician: TestClient) -> None:
    session = started_session(clinician)

    series = ok(clinician.get(f"{API}/patients/{session['patient_id']}/series"))
    sessions = ok(clinician.get(f"{API}/series/{session['series_id']}/sessions"))

    assert [s["id"] for s in series["items"]] == [session["series_id"]]
    assert series["items"][0]["status"] == "in_progress"
    assert (series["offset"], series["limit"], series["next_offset"]) == (0, 20, None)
    assert [(s["id"], s["number"], s["status"]) for s in sessions["items"]] == [
        (session["id"], 1, "started")
    ]


def test_a_deeper_than_plan_depth_needs_a_reason_naming_the_zone(clinician: TestClient) -> None:
    session = started_session(clinician)
    depths = planned_depths(clinician, session["series_id"])
    zone = min(depths, key=lambda z: float(depths[z]))  # stays within the 1.5 mm licence
    deeper = {zone: f"{float(depths[zone]) + 0.25:.2f}"}

    refused = chart(clinician, session["id"], 0, a_chart(depths, delivered=deeper))
    reason = {"zone": zone, "kind": "deeper_than_plan", "reason": "scars still tethered"}
    overridden = a_chart(depths, delivered=deeper, overrides=[reason])
    accepted = ok(chart(clinician, session["id"], 0, overridden), 201)

    body = assert_problem(refused, 422, "override-reason-required")
    [problem] = body["errors"]
    assert (problem["field"], problem["code"]) == (
        f"chart.zones[{zone}].delivered_depth_mm",
        "deeper-than-plan",
    )
    assert accepted["chart"]["overrides"] == [{**reason, "product": None}]
    [recorded] = accepted["overrides"]
    assert (recorded["rule_id"], recorded["reason"]) == ("deeper-than-plan", reason["reason"])
    assert recorded["by"] == clinician.get(f"{API}/auth/me").json()["id"]


def test_an_expired_cartridge_is_refused(clinician: TestClient) -> None:
    session = started_session(clinician)
    depths = planned_depths(clinician, session["series_id"])
    expired = a_chart(depths, expires_on=START.date() - timedelta(days=1))

    assert_problem(chart(clinician, session["id"], 0, expired), 422, "cartridge-expired")


def test_two_charts_from_the_same_version_conflict(clinician: TestClient) -> None:
    session = started_session(clinician)
    depths = planned_depths(clinician, session["series_id"])

    first = chart(clinician, session["id"], 0, a_chart(depths))
    second = chart(clinician, session["id"], 0, a_chart(depths))

    assert first.status_code == 201, first.text
    assert_problem(second, 409, "version-conflict")
    history = ok(clinician.get(f"{API}/sessions/{session['id']}/chart"))
    assert [v["version"] for v in history["items"]] == [1]


def test_a_defer_consultation_cannot_become_a_series(clinician: TestClient) -> None:
    consultation = signed_consultation(clinician, load_document(DEFER_EXAMPLE))

    response = clinician.post(f"{API}/consultations/{consultation['id']}/series", json={})

    assert_problem(response, 409, "not-treatable")


def test_a_changed_plan_needs_a_reason_per_change(clinician: TestClient) -> None:
    consultation = signed_consultation(clinician, intake_document())
    url = f"{API}/consultations/{consultation['id']}/series"
    proposal = consultation["report"]["series"]
    changed = {
        "zones": [
            {"zone": z["zone"], "depth_mm": z["depth_mm"]}
            for z in consultation["report"]["plan"]["zones"]
        ],
        "sessions": proposal["sessions"]["default"] + 1,
        "interval_days": proposal["interval_days"]["default"],
    }

    refused = clinician.post(url, json={"plan": changed})
    reasons = {"plan.sessions": "patient asked for one more"}
    agreed = ok(clinician.post(url, json={"plan": changed, "reasons": reasons}), 201)

    body = assert_problem(refused, 422, "invalid-input")
    assert [(e["field"], e["code"]) for e in body["errors"]] == [
        ("plan.sessions", "reason-required")
    ]
    assert [(d["path"], d["reason"]) for d in agreed["deviations"]] == list(reasons.items())


def test_saving_a_consultations_plan_again_returns_its_series_and_adds_none(
    clinician: TestClient,
) -> None:
    consultation = signed_consultation(clinician, intake_document())
    url = f"{API}/consultations/{consultation['id']}/series"

    first = ok(clinician.post(url, json={}), 201)
    again = ok(clinician.post(url, json={}), 201)
    changed = {**first["plan"], "interval_days": first["plan"]["interval_days"] + 7}
    other = clinician.post(url, json={"plan": changed, "reasons": {"plan.interval_days": "travel"}})
    listed = ok(clinician.get(f"{API}/patients/{first['patient_id']}/series"))

    assert again["id"] == first["id"]
    assert_problem(other, 409, "series-exists")
    assert [s["id"] for s in listed["items"]] == [first["id"]]


def test_cancelling_from_a_stale_version_conflicts(clinician: TestClient) -> None:
    series = new_series(clinician)
    url = f"{API}/series/{series['id']}/cancel"

    reason = "patient moved away"
    blank = clinician.post(url, json={"expected_version": series["version"], "reason": " "})
    cancelled = ok(
        clinician.post(url, json={"expected_version": series["version"], "reason": reason})
    )
    stale = clinician.post(url, json={"expected_version": series["version"], "reason": reason})

    assert_problem(blank, 422, "invalid-input")
    assert cancelled["status"] == "cancelled"
    assert cancelled["cancellation"]["reason"] == reason
    assert_problem(stale, 409, "version-conflict")


def test_outcomes_and_care_documents_are_recorded_and_listed(clinician: TestClient) -> None:
    series = new_series(clinician)
    patient_id = series["patient_id"]
    outcome = {"scale": "gais", "value": "2", "measured_on": "2026-11-20"}
    document = {"kind": "aftercare", "content": {"text": "No make-up for 24 hours."}}

    ok(clinician.post(f"{API}/patients/{patient_id}/outcomes", json=outcome), 201)
    ok(clinician.post(f"{API}/series/{series['id']}/care-documents", json=document), 201)
    outcomes = ok(clinician.get(f"{API}/patients/{patient_id}/outcomes"))
    documents = ok(clinician.get(f"{API}/patients/{patient_id}/care-documents"))

    assert [(o["scale"], o["value"]) for o in outcomes["items"]] == [("gais", "2.00")]
    assert [d["kind"] for d in documents["items"]] == ["aftercare"]
    impossible = {**outcome, "value": "9"}
    refused = clinician.post(f"{API}/patients/{patient_id}/outcomes", json=impossible)
    assert_problem(refused, 422, "invalid-input")


def test_front_desk_sees_series_and_sessions_but_not_charts(
    clinician: TestClient, front_desk: TestClient
) -> None:
    session = started_session(clinician)

    assert front_desk.get(f"{API}/series/{session['series_id']}").status_code == 200
    assert front_desk.get(f"{API}/series/{session['series_id']}/sessions").status_code == 200
    for path in (
        f"{API}/sessions/{session['id']}/chart",
        f"{API}/recalls/{LOT}",
        f"{API}/patients/{session['patient_id']}/outcomes",
    ):
        assert_problem(front_desk.get(path), 403, "permission-denied")


def test_assessments_show_a_trend_oldest_first(clinician: TestClient) -> None:
    patient_id = ok(clinician.post(f"{API}/patients", json=PATIENT), 201)["id"]
    path = f"{API}/patients/{patient_id}/assessments"
    follow_up = {
        "assessed_on": "2026-11-20",
        "zones": [{"zone": "cheeks", "quantitative_counts": {"b1_moderate_atrophic": 4}}],
    }
    baseline = {
        "assessed_on": "2026-08-20",
        "zones": [
            {
                "zone": "cheeks",
                "quantitative_counts": {"b1_moderate_atrophic": 12},
                "ecca_counts": {"v_shaped_atrophic": 8},
                "qualitative": {
                    "contour_change": True,
                    "visible_at_social_distance": True,
                    "easily_concealed": False,
                    "flattens_on_stretch": True,
                },
            }
        ],
    }

    later = ok(clinician.post(path, json=follow_up), 201)
    earlier = ok(clinician.post(path, json=baseline), 201)
    trend = ok(clinician.get(path))

    assert [a["id"] for a in trend["items"]] == [earlier["id"], later["id"]]
    assert [a["assessed_on"] for a in trend["items"]] == ["2026-08-20", "2026-11-20"]
    totals = [a["grading"]["overall"]["gb_quantitative"]["total"] for a in trend["items"]]
    assert totals[0] > totals[1]
    first = trend["items"][0]["grading"]
    assert first["overall"]["ecca"]["unverified"] in (True, False)
    assert first["zones"][0]["gb_qualitative"]["grade"] >= 1
    assert trend["next_offset"] is None
    negative = {
        **follow_up,
        "zones": [{"zone": "cheeks", "ecca_counts": {"u_shaped_atrophic": -1}}],
    }
    assert_problem(clinician.post(path, json=negative), 422, "invalid-input")
