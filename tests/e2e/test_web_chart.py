"""The session chart, patient handout and outcome chart pages, through the web app's forms.

The clinical records are made through the API (a clinician signed in there too), then the
pages are driven as a browser drives them: forms with their CSRF token, redirects read back.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from api_support import PATIENT, TestClient, signed_in
from consent_support import consent_via_api
from web_charts import (
    EXPIRED,
    chart_form,
    depth,
    form_values,
    held_session,
    history,
    new_series,
    post_chart,
    start_session,
    started,
    zone_input,
)
from web_support import CLINICIAN, Clinic, csrf_token, signed_in_browser

pytest_plugins = ["web_fixtures"]

ROLLER_EXAMPLE = next((Path(__file__).resolve().parents[2] / "examples").glob("04-*.yaml"))


@pytest.fixture
def series(clinic: Clinic) -> dict[str, Any]:
    return new_series(clinic)


def test_the_chart_form_is_prefilled_from_the_plan_then_from_the_last_session(
    clinic: Clinic, clinician: TestClient, series: dict[str, Any]
) -> None:
    first = started(clinician, series["id"])
    values = chart_form(clinician, first)
    assert values[depth("cheeks")] == "1.5"  # where the plan starts
    assert values[depth("chin")] == "1.0"  # the start of 1.0–1.25 mm, not the top
    assert values["expected_version"] == "0"
    values[depth("chin")] = "1.25"
    values[zone_input("chin", "passes")] = "3"
    assert post_chart(clinician, first, values).status_code == 303
    signing = clinician.get(f"/sessions/{first}/chart").text
    sign = {"csrf_token": csrf_token(signing), "version": "1"}
    assert clinician.post(f"/sessions/{first}/chart/sign", data=sign).status_code == 303
    clinic.services.clock.advance(timedelta(days=14))  # type: ignore[attr-defined]
    clinician = signed_in_browser(clinic.services, CLINICIAN)  # the minimum interval later

    second = started(clinician, series["id"])
    page = clinician.get(f"/sessions/{second}/chart").text
    values = form_values(page)
    assert values[depth("chin")] == "1.25"  # carried forward from the last session
    assert values[zone_input("chin", "passes")] == "3"
    chin_row = page.split("Chin</th>", 1)[1].split("</tr>", 1)[0]
    assert "up to 1.25 mm" in chin_row  # the plan, shown beside
    assert "starts at 1.0 mm" in chin_row


def test_a_depth_deeper_than_the_plan_asks_for_a_reason_and_saves_it_when_given(
    clinician: TestClient, series: dict[str, Any]
) -> None:
    session = started(clinician, series["id"])
    values = chart_form(clinician, session)
    values[depth("chin")] = "1.5"  # the plan is 1.0–1.25 mm; the pen, zone and licence allow 1.5
    refused = post_chart(clinician, session, values)
    assert refused.status_code == 422
    assert "deeper than the plan" in refused.text
    assert 'data-code="deeper-than-plan"' in refused.text
    assert 'id="chart-zones-chin-delivered_depth_mm-problem"' in refused.text
    assert '<label for="chart-zones-chin-reason">' in refused.text
    assert "Not charted yet." in refused.text  # nothing was saved

    values = form_values(refused.text)
    values[zone_input("chin", "reason")] = (
        "deep rolling scars, patient consented to the deeper pass"
    )
    saved = post_chart(clinician, session, values)
    assert saved.status_code == 303, saved.text
    shown = history(clinician, session)
    assert "chin 1.5 mm" in shown
    assert "deeper than plan (<code>deeper-than-plan</code>): deep rolling scars" in shown


def test_a_depth_past_the_licence_or_the_pen_is_refused_even_with_a_reason(
    clinician: TestClient, series: dict[str, Any]
) -> None:
    session = started(clinician, series["id"])
    values = chart_form(clinician, session)
    values[depth("cheeks")] = "2.0"  # the pen's cap and the licence are both 1.5 mm
    values[zone_input("cheeks", "reason")] = "deep boxcar scars"
    refused = post_chart(clinician, session, values)
    assert refused.status_code == 422
    assert "no reason unlocks it" in refused.text
    assert (
        'data-code="device-depth-cap"' in refused.text
        or 'data-code="licence-depth"' in refused.text
    )
    assert "Not charted yet." in refused.text


def test_an_unsafe_product_needs_an_acknowledged_reason_and_shows_on_the_chart(
    clinician: TestClient, series: dict[str, Any]
) -> None:
    session = started(clinician, series["id"])
    values = chart_form(clinician, session)
    values["chart.products_applied"] = "Hyaluronic acid gel\nvitamin C 20% serum"
    refused = post_chart(clinician, session, values)
    assert refused.status_code == 422
    assert 'data-field="chart.products_applied[1]" data-code="unsafe-topical"' in refused.text
    assert "topical-vitamin-c" in refused.text

    values = form_values(refused.text)
    values["chart.products_applied[1].reason"] = "applied by the patient before arrival; removed"
    assert post_chart(clinician, session, values).status_code == 303
    shown = history(clinician, session)
    assert "<code>topical-vitamin-c</code>): applied by the patient before arrival" in shown


def test_an_expired_cartridge_is_refused_beside_its_field(
    clinician: TestClient, series: dict[str, Any]
) -> None:
    session = started(clinician, series["id"])
    values = chart_form(clinician, session, **{"chart.cartridge.expires_on": EXPIRED})
    refused = post_chart(clinician, session, values)
    assert refused.status_code == 422
    assert 'id="chart-cartridge-expires_on-problem"' in refused.text
    assert 'data-code="cartridge-expired"' in refused.text
    assert "expired on 2026-11-22" in refused.text
    assert "Not charted yet." in refused.text


def test_in1_a_signed_chart_stays_an_amendment_is_a_new_version_and_a_stale_write_is_409(
    clinician: TestClient, series: dict[str, Any]
) -> None:
    session = started(clinician, series["id"])
    assert post_chart(clinician, session, chart_form(clinician, session)).status_code == 303
    page = clinician.get(f"/sessions/{session}/chart").text
    assert "Sign version 1" in page
    sign = {"csrf_token": csrf_token(page), "version": "1"}
    assert clinician.post(f"/sessions/{session}/chart/sign", data=sign).status_code == 303

    stale = chart_form(clinician, session)
    assert stale["expected_version"] == "1"
    amended = dict(stale, notes="passes corrected after review")
    assert post_chart(clinician, session, amended).status_code == 303
    shown = history(clinician, session)
    rows = shown.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("<tr>")[1:]
    assert len(rows) == 2
    assert "signed " in rows[0] and "not signed" in rows[1]
    assert "you" in rows[1] and "passes corrected after review" in rows[1]
    for row in rows:  # IN-1: history shows both versions with their author and time
        assert re.search(r"<td>\d{1,2} \w{3} \d{4}, \d{2}:\d{2} [A-Z]{2,5}</td>", row), row
        assert "you" in row
    assert "passes corrected after review" not in rows[0]  # the signed version is unchanged

    conflict = post_chart(clinician, session, stale)  # still based on version 1
    assert conflict.status_code == 409
    assert "Someone else changed this chart" in conflict.text
    assert 'name="expected_version" value="2"' in conflict.text


def test_a_post_without_its_csrf_token_is_refused_and_saves_nothing(
    clinician: TestClient, series: dict[str, Any]
) -> None:
    session = started(clinician, series["id"])
    values = chart_form(clinician, session)
    del values["csrf_token"]
    assert post_chart(clinician, session, values).status_code == 403
    values["csrf_token"] = "0" * 64
    assert post_chart(clinician, session, values).status_code == 403
    refused = clinician.post(f"/series/{series['id']}/sessions/new", data={"pregnant": "no"})
    assert refused.status_code == 403
    assert "Not charted yet." in clinician.get(f"/sessions/{session}/chart").text


def test_an_absolute_contraindication_refuses_the_start_and_shows_the_findings(
    clinician: TestClient, series: dict[str, Any]
) -> None:
    refused = start_session(clinician, series["id"], pregnant="yes")
    assert refused.status_code == 409
    assert "The session cannot start today" in refused.text
    assert "Pregnancy" in refused.text
    patient = clinician.get(f"/patients/{series['patient_id']}").text
    assert "No session held yet." in patient


def test_a_rescreen_answer_not_offered_is_refused_beside_its_question(
    clinician: TestClient, series: dict[str, Any]
) -> None:
    refused = start_session(clinician, series["id"], pregnant="maybe", breastfeeding="no")
    assert refused.status_code == 422
    problem = refused.text.split('id="rescreen-history-pregnant-problem"', 1)[1]
    assert 'data-code="not-yes-or-no"' in problem.split(">", 1)[0]
    assert "Is not an answer. Choose unchanged, yes or no." in problem.split("</p>", 1)[0]


def test_a_multi_line_note_is_kept_as_one_line_as_the_api_takes_it(
    clinician: TestClient, series: dict[str, Any]
) -> None:
    session = started(clinician, series["id"])
    values = chart_form(clinician, session, notes="tolerated well\r\nreview in two weeks")
    assert post_chart(clinician, session, values).status_code == 303
    assert "Notes: tolerated well review in two weeks" in history(clinician, session)


def test_typed_markup_is_shown_as_text(clinician: TestClient, series: dict[str, Any]) -> None:
    session = started(clinician, series["id"])
    values = chart_form(clinician, session)
    values["chart.products_applied"] = "<script>alert(1)</script>"
    values["notes"] = "<img src=x onerror=alert(2)>"
    assert post_chart(clinician, session, values).status_code == 303
    page = clinician.get(f"/sessions/{session}/chart").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page


def test_the_handout_gives_the_booked_dates_instructions(
    clinician: TestClient, front_desk: TestClient, series: dict[str, Any]
) -> None:
    booked = series["proposal"]["series"]["dated"][1]["on"]  # session 2
    page = clinician.get(f"/series/{series['id']}/handout?session=2")
    assert page.status_code == 200, page.text
    assert "Your skin treatment on Mon 14 Dec 2026" in page.text
    assert booked == "2026-12-14"
    assert "Provisional date." in page.text  # not booked, no session held: the proposal's day
    assert "Before your treatment" in page.text and "After your treatment" in page.text
    assert "Dec 2026" in page.text.split("After your treatment", 1)[1]
    assert " mm" not in page.text.split('class="handout"', 1)[1]  # no clinical settings
    # Care documents are clinical records in the API's table: front desk may not read them.
    assert front_desk.get(f"/series/{series['id']}/handout?session=2").status_code == 403
    assert clinician.get(f"/series/{series['id']}/handout?session=x").status_code == 422


def record_outcome(client: TestClient, patient_id: str, value: str, on: str) -> Any:
    page = client.get(f"/patients/{patient_id}/outcomes").text
    form = {
        "csrf_token": csrf_token(page),
        "scale": "gb_quantitative",
        "value": value,
        "measured_on": on,
        "note": "",
    }
    return client.post(f"/patients/{patient_id}/outcomes", data=form)


def test_the_outcome_chart_plots_the_expected_band_and_flags_a_lagging_patient(
    clinician: TestClient, front_desk: TestClient, series: dict[str, Any]
) -> None:
    patient_id = series["patient_id"]
    empty = clinician.get(f"/patients/{patient_id}/outcomes")
    assert empty.status_code == 200
    assert "No scar score recorded yet" in empty.text
    assert record_outcome(clinician, patient_id, "40", "2026-11-20").status_code == 303
    started(clinician, series["id"])  # a session held on 23 Nov 2026
    assert record_outcome(clinician, patient_id, "40", "2026-11-23").status_code == 303

    page = clinician.get(f"/patients/{patient_id}/outcomes").text
    # a session on the 23rd but the score was measured that day: none held before it
    assert "Falling behind" not in page
    assert '<svg class="outcome-chart"' in page
    assert 'class="expected-band"' in page
    assert "Visit date" in page and "Scar score" in page
    assert "<caption>Scar scores and the expected range</caption>" in page


def test_a_score_worse_than_the_expected_range_is_flagged(
    clinic: Clinic, clinician: TestClient, series: dict[str, Any]
) -> None:
    patient_id = series["patient_id"]
    assert record_outcome(clinician, patient_id, "40", "2026-11-20").status_code == 303
    held_session(clinician, series["id"])  # sessions held on 23 Nov and 7 Dec 2026
    clinic.services.clock.advance(timedelta(days=14))  # type: ignore[attr-defined]
    held_session(signed_in_browser(clinic.services, CLINICIAN), series["id"])
    # A week later, two sessions held, the score has barely moved: worse than the band.
    clinic.services.clock.advance(timedelta(days=7))  # type: ignore[attr-defined]
    later = signed_in_browser(clinic.services, CLINICIAN)  # the old sign-in has lapsed
    assert record_outcome(later, patient_id, "39", "2026-12-14").status_code == 303
    page = later.get(f"/patients/{patient_id}/outcomes").text
    assert "Falling behind" in page
    assert 'class="flag-icon" aria-hidden="true"' in page
    assert "score score-behind" in page
    assert "behind</strong>" in page
    assert "<td>2</td>" in page  # sessions held by then, in the table


def test_an_invalid_outcome_names_its_field(clinician: TestClient, series: dict[str, Any]) -> None:
    response = record_outcome(clinician, series["patient_id"], "lots", "2026-11-20")
    assert response.status_code == 422
    assert 'id="value-problem"' in response.text


def test_front_desk_may_not_open_the_clinical_pages(
    front_desk: TestClient, series: dict[str, Any]
) -> None:
    assert front_desk.get(f"/patients/{series['patient_id']}/outcomes").status_code == 403
    assert front_desk.get(f"/series/{series['id']}/sessions/new").status_code == 403


def test_a_first_chart_starts_on_the_device_the_series_was_planned_for(
    clinic: Clinic, clinician: TestClient
) -> None:
    """Example 04 plans a roller (deeper caps than a pen): the chart must not default to a pen."""
    api = signed_in(clinic.services, CLINICIAN)
    document = json.loads(json.dumps(yaml.safe_load(ROLLER_EXAMPLE.read_text()), default=str))
    born = {k: document["patient"][k] for k in ("born_on", "sex")}
    patient = api.post("/api/v1/patients", json={**PATIENT, **born}).json()
    made = api.post(f"/api/v1/patients/{patient['id']}/consultations", json={"document": document})
    consultation = made.json()["id"]
    assert api.post(f"/api/v1/consultations/{consultation}/sign").status_code == 200
    clearance = {"rule_id": "anticoagulant", "reason": "GP letter", "valid_until": "2027-03-01"}
    assert api.post(f"/api/v1/consultations/{consultation}/clearances", json=clearance).is_success
    series = api.post(f"/api/v1/consultations/{consultation}/series", json={}).json()
    consent_via_api(api, series["id"])  # the patient's witnessed consent (ADR 0029)

    session = started(clinician, series["id"])

    assert chart_form(clinician, session)["chart.device"] == "roller"
