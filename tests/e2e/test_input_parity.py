"""Parity: the web forms and the API refuse the same bad input with the same field and code.

One table of bad inputs. Each case starts from a valid request, changes one thing, and sends
it both ways: as the web form posts it and as an API client sends it, signed in as the same
clinician. The problems each answer names (the web page's ``data-field``/``data-code`` beside
each field; the API's problem+json ``errors``) must be the same set, and must include the
expected field and code. The rules live in the domain and the services, so both entry points
can only agree (issue 10).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from api_support import PATIENT, TestClient
from web_charts import FRESH, LOT, depth, form_values, new_series, started, zone_input
from web_support import CLINICIAN, Clinic, csrf_token, signed_in_browser

pytest_plugins = ["web_fixtures"]

API = "/api/v1"
_PROBLEM = re.compile(r'class="field-problem"[^>]*data-field="([^"]*)" data-code="([^"]*)"')
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
_CLEARANCE = "04"
"""The example whose consultation needs clearance (an anticoagulant)."""

Values = dict[str, Any]


@dataclass(frozen=True)
class World:
    """One clinic: a signed-in clinician, a patient with a series and a started session."""

    client: TestClient
    token: str
    patient_id: str
    consultation_id: str
    series: dict[str, Any]
    session_id: str
    clearing_id: str
    web_chart: Values
    api_chart: Values


@dataclass(frozen=True)
class Case:
    """One bad input, sent both ways; ``expected`` is the (field, code) it must be refused with."""

    name: str
    expected: tuple[str, str]
    web: Callable[[World], tuple[str, Values]]
    api: Callable[[World], tuple[str, Values]]
    notes: str = field(default="")


# --- the valid requests each case changes -------------------------------------------------


def patient_form(**changes: str) -> Callable[[World], tuple[str, Values]]:
    base = {k: str(v) for k, v in PATIENT.items()} | {"email": "", "phone": ""}
    return lambda _w: ("/patients", base | changes)


def patient_json(**changes: Any) -> Callable[[World], tuple[str, Values]]:
    return lambda _w: (f"{API}/patients", {**PATIENT, **changes})


def patient_without(name: str) -> tuple[Callable[..., Any], Callable[..., Any]]:
    web = {k: str(v) for k, v in PATIENT.items() if k != name}
    api = {k: v for k, v in PATIENT.items() if k != name}
    return (lambda _w: ("/patients", web), lambda _w: (f"{API}/patients", api))


def outcome_form(**changes: str) -> Callable[[World], tuple[str, Values]]:
    base = {"scale": "gais", "value": "2", "measured_on": "2026-11-20", "note": ""}
    return lambda w: (f"/patients/{w.patient_id}/outcomes", base | changes)


def outcome_json(**changes: Any) -> Callable[[World], tuple[str, Values]]:
    base = {"scale": "gais", "value": "2", "measured_on": "2026-11-20"}
    return lambda w: (f"{API}/patients/{w.patient_id}/outcomes", base | changes)


def chart_form(**changes: str) -> Callable[[World], tuple[str, Values]]:
    return lambda w: (f"/sessions/{w.session_id}/chart", w.web_chart | changes)


def chart_json(change: Callable[[Values], object]) -> Callable[[World], tuple[str, Values]]:
    def build(w: World) -> tuple[str, Values]:
        body = _deep_copy(w.api_chart)
        change(body)
        return f"{API}/sessions/{w.session_id}/chart", body

    return build


def zone_of(body: Values, zone: str) -> Values:
    found: Values = next(z for z in body["chart"]["zones"] if z["zone"] == zone)
    return found


def plan_form(**changes: str) -> Callable[[World], tuple[str, Values]]:
    return lambda w: (f"/consultations/{w.clearing_id}/plan", _plan_form_values(w) | changes)


def plan_json(
    plan: Callable[[Values], None], reasons: Values | None = None
) -> Callable[[World], tuple[str, Values]]:
    def build(w: World) -> tuple[str, Values]:
        body = {"plan": _proposed_plan(w), "reasons": reasons or {}}
        plan(body["plan"])
        return f"{API}/consultations/{w.clearing_id}/series", body

    return build


def clearance_form(**changes: str) -> Callable[[World], tuple[str, Values]]:
    base = {"rule_id": "anticoagulant", "reason": "letter on file", "valid_until": "2027-03-01"}
    return lambda w: (f"/consultations/{w.clearing_id}/clearances", base | changes)


def clearance_json(**changes: Any) -> Callable[[World], tuple[str, Values]]:
    base = {"rule_id": "anticoagulant", "reason": "letter on file", "valid_until": "2027-03-01"}
    return lambda w: (f"{API}/consultations/{w.clearing_id}/clearances", base | changes)


def cancel_form(reason: str) -> Callable[[World], tuple[str, Values]]:
    return lambda w: (
        f"/series/{w.series['id']}/cancel",
        {"expected_version": str(_version(w)), "reason": reason},
    )


def cancel_json(reason: str) -> Callable[[World], tuple[str, Values]]:
    return lambda w: (
        f"{API}/series/{w.series['id']}/cancel",
        {"expected_version": _version(w), "reason": reason},
    )


def _version(world: World) -> int:
    """The series' version now (starting its first session moved it on)."""
    return int(world.client.get(f"{API}/series/{world.series['id']}").json()["version"])


def rescreen_form(answer: str) -> Callable[[World], tuple[str, Values]]:
    return lambda w: (f"/series/{w.series['id']}/sessions/new", {"pregnant": answer})


def rescreen_json(answer: Any) -> Callable[[World], tuple[str, Values]]:
    body = {"rescreen": {"history": {"pregnant": answer}}}
    return lambda w: (f"{API}/series/{w.series['id']}/sessions", body)


def _set(path: str, value: Any) -> Callable[[Values], None]:
    def change(body: Values) -> None:
        *parents, last = path.split(".")
        node = body
        for part in parents:
            node = node[part]
        node[last] = value

    return change


def _zone_set(zone: str, name: str, value: Any) -> Callable[[Values], None]:
    return lambda body: zone_of(body, zone).__setitem__(name, value)


def _drop(path: str) -> Callable[[Values], None]:
    def change(body: Values) -> None:
        *parents, last = path.split(".")
        node = body
        for part in parents:
            node = node[part]
        del node[last]

    return change


def _plan_set(name: str, value: Any) -> Callable[[Values], None]:
    return lambda plan: plan.__setitem__(name, value)


def _plan_depth(zone: str, value: Any) -> Callable[[Values], None]:
    def change(plan: Values) -> None:
        next(z for z in plan["zones"] if z["zone"] == zone)["depth_mm"]["max"] = value

    return change


def _numbing(applied: str, removed: str = "") -> dict[str, str]:
    return {
        "chart.numbing.product": "lidocaine 4%",
        "chart.numbing.applied_at": applied,
        "chart.numbing.removed_at": removed,
    }


def _numbing_json(applied: str, removed: str | None = None) -> Values:
    return {"product": "lidocaine 4%", "applied_at": applied, "removed_at": removed}


# --- the table ------------------------------------------------------------------------------

LONG = "x" * 201

CASES = [
    # patients
    Case("given name missing", ("given_name", "required"), *patient_without("given_name")),
    Case(
        "given name blank",
        ("given_name", "not-text"),
        patient_form(given_name="   "),
        patient_json(given_name="   "),
    ),
    Case(
        "family name too long",
        ("family_name", "too-long"),
        patient_form(family_name=LONG),
        patient_json(family_name=LONG),
    ),
    Case(
        "name with a control character",
        ("given_name", "not-text"),
        patient_form(given_name="Am\x07ira"),
        patient_json(given_name="Am\x07ira"),
    ),
    Case(
        "birth date not a date",
        ("born_on", "not-a-date"),
        patient_form(born_on="22/04/1997"),
        patient_json(born_on="22/04/1997"),
    ),
    Case("birth date missing", ("born_on", "required"), *patient_without("born_on")),
    Case(
        "born in the future",
        ("born_on", "in-the-future"),
        patient_form(born_on="2031-01-01"),
        patient_json(born_on="2031-01-01"),
    ),
    Case(
        "born in 1800",
        ("born_on", "patient-age"),
        patient_form(born_on="1800-01-01"),
        patient_json(born_on="1800-01-01"),
    ),
    Case(
        "sex not a choice",
        ("sex", "not-a-choice"),
        patient_form(sex="unknown"),
        patient_json(sex="unknown"),
    ),
    Case(
        "email not an address",
        ("email", "not-an-email"),
        patient_form(email="amira at example.org"),
        patient_json(email="amira at example.org"),
    ),
    Case(
        "phone with letters",
        ("phone", "not-a-phone"),
        patient_form(phone="call me"),
        patient_json(phone="call me"),
    ),
    # outcomes
    Case(
        "score not a number",
        ("value", "not-a-score"),
        outcome_form(value="two"),
        outcome_json(value="two"),
    ),
    Case(
        "score off its scale",
        ("value", "out-of-range"),
        outcome_form(value="9"),
        outcome_json(value="9"),
    ),
    Case(
        "scale not a choice",
        ("scale", "not-a-choice"),
        outcome_form(scale="happiness"),
        outcome_json(scale="happiness"),
    ),
    Case(
        "measured tomorrow",
        ("measured_on", "in-the-future"),
        outcome_form(measured_on="2026-11-24"),
        outcome_json(measured_on="2026-11-24"),
    ),
    Case(
        "measured in 1990, before the first consultation",
        ("measured_on", "too-early"),
        outcome_form(measured_on="1990-06-01"),
        outcome_json(measured_on="1990-06-01"),
    ),
    Case(
        "measured on no date",
        ("measured_on", "not-a-date"),
        outcome_form(measured_on="last week"),
        outcome_json(measured_on="last week"),
    ),
    # charts
    Case(
        "depth not a number",
        ("chart.zones[cheeks].delivered_depth_mm", "not-a-depth"),
        chart_form(**{depth("cheeks"): "deep"}),
        chart_json(_zone_set("cheeks", "delivered_depth_mm", "deep")),
    ),
    Case(
        "depth of zero",
        ("chart.zones[cheeks].delivered_depth_mm", "not-a-depth"),
        chart_form(**{depth("cheeks"): "0"}),
        chart_json(_zone_set("cheeks", "delivered_depth_mm", "0")),
    ),
    Case(
        "depth with three decimals",
        ("chart.zones[cheeks].delivered_depth_mm", "not-a-depth"),
        chart_form(**{depth("cheeks"): "1.125"}),
        chart_json(_zone_set("cheeks", "delivered_depth_mm", "1.125")),
    ),
    Case(
        "2.0 mm with a pen and a reason",
        ("chart.zones[cheeks].delivered_depth_mm", "device-depth-cap"),
        chart_form(**{depth("cheeks"): "2.0", zone_input("cheeks", "reason"): "deep scars"}),
        chart_json(
            lambda b: (
                _zone_set("cheeks", "delivered_depth_mm", "2.0")(b),
                b["chart"]["overrides"].append(
                    {"kind": "deeper_than_plan", "zone": "cheeks", "reason": "deep scars"}
                ),
            )
        ),
        notes="a hard limit: the reason changes nothing",
    ),
    Case(
        "3 mm on the chin, past every cap",
        ("chart.zones[chin].delivered_depth_mm", "device-depth-cap"),
        chart_form(**{depth("chin"): "3.0"}),
        chart_json(_zone_set("chin", "delivered_depth_mm", "3.0")),
    ),
    Case(
        "deeper than the plan without a reason",
        ("chart.zones[chin].delivered_depth_mm", "deeper-than-plan"),
        chart_form(**{depth("chin"): "1.5"}),
        chart_json(_zone_set("chin", "delivered_depth_mm", "1.5")),
    ),
    Case(
        "passes not a number",
        ("chart.zones[cheeks].passes", "not-a-whole-number"),
        chart_form(**{zone_input("cheeks", "passes"): "two"}),
        chart_json(_zone_set("cheeks", "passes", "two")),
    ),
    Case(
        "no passes",
        ("chart.zones[cheeks].passes", "out-of-range"),
        chart_form(**{zone_input("cheeks", "passes"): "0"}),
        chart_json(_zone_set("cheeks", "passes", 0)),
    ),
    Case(
        "passes beyond any device",
        ("chart.zones[cheeks].passes", "out-of-range"),
        chart_form(**{zone_input("cheeks", "passes"): "51"}),
        chart_json(_zone_set("cheeks", "passes", 51)),
    ),
    Case(
        "device not a choice",
        ("chart.device", "not-a-choice"),
        chart_form(**{"chart.device": "laser"}),
        chart_json(_set("chart.device", "laser")),
    ),
    Case(
        "endpoint not a choice",
        ("chart.endpoint_reached", "not-a-choice"),
        chart_form(**{"chart.endpoint_reached": "glow"}),
        chart_json(_set("chart.endpoint_reached", "glow")),
    ),
    Case(
        "lot missing",
        ("chart.cartridge.lot", "required"),
        chart_form(**{"chart.cartridge.lot": ""}),
        chart_json(_drop("chart.cartridge.lot")),
    ),
    Case(
        "expiry not a date",
        ("chart.cartridge.expires_on", "not-a-date"),
        chart_form(**{"chart.cartridge.expires_on": "soon"}),
        chart_json(_set("chart.cartridge.expires_on", "soon")),
    ),
    Case(
        "expired cartridge",
        ("chart.cartridge.expires_on", "cartridge-expired"),
        chart_form(**{"chart.cartridge.expires_on": "2026-11-01"}),
        chart_json(_set("chart.cartridge.expires_on", "2026-11-01")),
    ),
    Case(
        "numbing three days ahead",
        ("chart.numbing.applied_at", "recorded-time-ahead"),
        chart_form(**_numbing("2026-11-26T09:00")),
        chart_json(_set("chart.numbing", _numbing_json("2026-11-26T09:00:00+00:00"))),
    ),
    Case(
        "numbing off before it went on",
        ("chart.numbing.removed_at", "out-of-order"),
        chart_form(**_numbing("2026-11-23T08:30", "2026-11-23T08:00")),
        chart_json(
            _set(
                "chart.numbing",
                _numbing_json("2026-11-23T08:30:00+00:00", "2026-11-23T08:00:00+00:00"),
            )
        ),
    ),
    Case(
        "numbing on for three hours",
        ("chart.numbing.removed_at", "numbing-duration"),
        chart_form(**_numbing("2026-11-23T05:30", "2026-11-23T08:45")),
        chart_json(
            _set(
                "chart.numbing",
                _numbing_json("2026-11-23T05:30:00+00:00", "2026-11-23T08:45:00+00:00"),
            )
        ),
    ),
    Case(
        "vitamin C serum without a reason",
        ("chart.products_applied[0]", "unsafe-topical"),
        chart_form(**{"chart.products_applied": "vitamin C 20% serum"}),
        chart_json(_set("chart.products_applied", ["vitamin C 20% serum"])),
    ),
    # plans
    Case(
        "interval of 7 days with a reason",
        ("plan.interval_days", "minimum-interval"),
        plan_form(interval_days="7", **{"reason.interval_days": "patient is in a hurry"}),
        plan_json(_plan_set("interval_days", 7), {"plan.interval_days": "patient is in a hurry"}),
    ),
    Case(
        "fifty sessions with a reason",
        ("plan.sessions", "sessions-beyond-range"),
        plan_form(sessions="50", **{"reason.sessions": "patient wants many"}),
        plan_json(_plan_set("sessions", 50), {"plan.sessions": "patient wants many"}),
    ),
    Case(
        "sessions not a number",
        ("plan.sessions", "not-a-whole-number"),
        plan_form(sessions="four"),
        plan_json(_plan_set("sessions", "four")),
    ),
    Case(
        "a longer interval without a reason",
        ("plan.interval_days", "reason-required"),
        plan_form(interval_days="56"),
        plan_json(_plan_set("interval_days", 56)),
    ),
    Case(
        "a planned depth past the pen's cap",
        ("plan.zones[abdomen].depth_mm.max", "device-depth-cap"),
        plan_form(**{"depth_max.abdomen": "2.5", "reason.abdomen": "deep striae"}),
        plan_json(
            _plan_depth("abdomen", "2.5"), {"plan.zones[abdomen].depth_mm.max": "deep striae"}
        ),
    ),
    Case(
        "a planned depth not a number",
        ("plan.zones[abdomen].depth_mm.max", "not-a-depth"),
        plan_form(**{"depth_max.abdomen": "deep"}),
        plan_json(_plan_depth("abdomen", "deep")),
    ),
    # clearances
    Case(
        "clearance without a reason",
        ("reason", "reason-required"),
        clearance_form(reason=""),
        clearance_json(reason=""),
    ),
    Case(
        "clearance ending yesterday",
        ("valid_until", "too-early"),
        clearance_form(valid_until="2026-11-22"),
        clearance_json(valid_until="2026-11-22"),
    ),
    Case(
        "clearance for two years",
        ("valid_until", "clearance-validity"),
        clearance_form(valid_until="2028-12-01"),
        clearance_json(valid_until="2028-12-01"),
    ),
    Case(
        "clearance of a finding the consultation does not have",
        ("rule_id", "not-a-choice"),
        clearance_form(rule_id="pregnancy"),
        clearance_json(rule_id="pregnancy"),
    ),
    Case(
        "clearance until no date",
        ("valid_until", "not-a-date"),
        clearance_form(valid_until="spring"),
        clearance_json(valid_until="spring"),
    ),
    # series and sessions
    Case(
        "cancelling a series without a reason",
        ("reason", "reason-required"),
        cancel_form("  "),
        cancel_json("  "),
    ),
    Case(
        "a re-screen answer that is not yes or no",
        ("rescreen.history.pregnant", "not-yes-or-no"),
        rescreen_form("maybe"),
        rescreen_json("maybe"),
    ),
]


# --- the world ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    from api_support import MovingClock, add_clinic, add_member  # noqa: PLC0415
    from needlepoint.domain.records import Role  # noqa: PLC0415
    from web_support import web_services  # noqa: PLC0415

    services = web_services(tmp_path_factory.mktemp("parity"), MovingClock())
    clinic_id = add_clinic(services)
    add_member(services, clinic_id, Role.CLINICIAN, CLINICIAN)
    clinic = Clinic(services, clinic_id)
    yield _world(clinic)
    services.database.close()


def _world(clinic: Clinic) -> World:
    series = new_series(clinic)
    client = signed_in_browser(clinic.services, CLINICIAN)
    session_id = started(client, series["id"])
    page = client.get(f"/sessions/{session_id}/chart").text
    web_chart = form_values(page) | {
        "chart.cartridge.lot": LOT,
        "chart.cartridge.expires_on": FRESH,
    }
    token = csrf_token(page)
    clearing = _signed(client, token, series["patient_id"], _CLEARANCE)
    return World(
        client=client,
        token=token,
        patient_id=series["patient_id"],
        consultation_id=series["consultation_id"],
        series=series,
        session_id=session_id,
        clearing_id=clearing,
        web_chart=web_chart,
        api_chart=_api_chart(web_chart),
    )


def _signed(client: TestClient, token: str, patient_id: str, example: str) -> str:
    document = yaml.safe_load(next(EXAMPLES.glob(f"{example}-*.yaml")).read_text(encoding="utf-8"))
    document = json.loads(json.dumps(document, default=str))
    document["patient"] = {**document["patient"], **{k: PATIENT[k] for k in ("born_on", "sex")}}
    headers = {"X-CSRF-Token": token}
    url = f"{API}/patients/{patient_id}/consultations"
    created = client.post(url, json={"document": document}, headers=headers)
    assert created.status_code == 201, created.text
    consultation_id = str(created.json()["id"])
    signed = client.post(f"{API}/consultations/{consultation_id}/sign", headers=headers)
    assert signed.status_code == 200, signed.text
    return consultation_id


def _api_chart(form: Values) -> Values:
    zones = [
        {
            "zone": zone,
            "planned_depth_mm": "1.5" if zone == "cheeks" else "1.25",
            "delivered_depth_mm": form[depth(zone)],
            "passes": int(form[zone_input(zone, "passes")]),
        }
        for zone in ("cheeks", "chin")
    ]
    chart = {
        "device": "pen",
        "cartridge": {"lot": LOT, "expires_on": FRESH},
        "zones": zones,
        "products_applied": [],
        "overrides": [],
    }
    return {"expected_version": 0, "chart": chart}


def _proposed_plan(world: World) -> Values:
    consultation = world.client.get(f"{API}/consultations/{world.clearing_id}").json()
    report = consultation["report"]
    return {
        "zones": [{"zone": z["zone"], "depth_mm": z["depth_mm"]} for z in report["plan"]["zones"]],
        "sessions": report["series"]["sessions"]["default"],
        "interval_days": report["series"]["interval_days"]["default"],
    }


def _plan_form_values(world: World) -> Values:
    page = world.client.get(f"/consultations/{world.clearing_id}/plan").text
    values = dict(re.findall(r'name="([^"]+)"[^>]*value="([^"]*)"', page))
    return {k: v for k, v in values.items() if k != "csrf_token"}


def _deep_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value


# --- the test -------------------------------------------------------------------------------


def _web_problems(world: World, case: Case) -> set[tuple[str, str]]:
    path, form = case.web(world)
    response = world.client.post(path, data={**form, "csrf_token": world.token})
    assert 400 <= response.status_code < 500, (case.name, response.status_code)
    return set(_PROBLEM.findall(response.text))


def _api_problems(world: World, case: Case) -> set[tuple[str, str]]:
    path, body = case.api(world)
    response = world.client.post(path, json=body, headers={"X-CSRF-Token": world.token})
    assert 400 <= response.status_code < 500, (case.name, response.status_code, response.text)
    return {(e["field"], e["code"]) for e in response.json()["errors"]}


def test_the_table_covers_at_least_forty_bad_inputs_across_the_forms() -> None:
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_web_form_and_the_api_refuse_a_bad_input_with_the_same_field_and_code(
    world: World, case: Case
) -> None:
    from_the_web = _web_problems(world, case)
    from_the_api = _api_problems(world, case)

    assert case.expected in from_the_api
    assert from_the_web == from_the_api


def test_nothing_was_written_by_the_refused_requests(world: World) -> None:
    patients = world.client.get(f"{API}/patients").json()["items"]
    chart = world.client.get(f"{API}/sessions/{world.session_id}/chart").json()["items"]
    clearances = world.client.get(f"{API}/patients/{world.patient_id}/clearances").json()

    assert len(patients) == 1
    assert chart == []
    assert clearances["items"] == []
