"""Cohort analytics (ADR 0045) through the web app and the API: the page, its charts, its CSV.

The clinic's series facts are put in the analytics cache under the database's current data
version (what a read of the clinic's series would have cached), so the page shows a known
cohort: 30 patients with 4 sessions and 30 with 3 (4 improve 2.0 points more), and 3 patients
with 5 sessions, a group too small to show.
"""

from __future__ import annotations

import csv
import io
from uuid import UUID

from api_support import TestClient, signed_in
from cohort_support import series, simulated_clinic
from needlepoint.bootstrap import Services
from web_support import CLINICIAN, FRONT_DESK, Clinic, signed_in_browser

pytest_plugins = ["web_fixtures"]

SMALL_GROUP = 5


def _known_cohort(services: Services, clinic_id: UUID) -> None:
    facts = simulated_clinic(7) + [
        series(900 + n, sessions=SMALL_GROUP, baseline=40.0, three_months=30.0 + n)
        for n in range(3)
    ]
    with services.database.reading_unit_of_work() as uow:
        version = uow.cohorts.data_version(clinic_id)
    services.analytics.cache.keep_facts(clinic_id, version, tuple(facts))


def test_an_empty_clinic_shows_nothing_and_says_why(clinic: Clinic) -> None:
    with signed_in_browser(clinic.services, CLINICIAN) as browser:
        page = browser.get("/analytics")

    assert page.status_code == 200
    assert "Fewer than 5 patients match" in page.text
    assert "associations, not effects" in page.text


def test_the_page_shows_the_table_the_estimates_and_the_charts_in_words(clinic: Clinic) -> None:
    _known_cohort(clinic.services, clinic.clinic_id)
    query = "indication=acne_scars&scale=gb_quantitative&reference_sessions=3"
    with signed_in_browser(clinic.services, CLINICIAN) as browser:
        page = browser.get(f"/analytics?{query}")
        forest = browser.get(f"/analytics/forest.svg?{query}")
        curves = browser.get(f"/analytics/curves.svg?{query}")

    assert page.status_code == 200, page.text
    html = page.text
    assert "63 patients" in html
    assert "4 vs 3 sessions" in html
    assert "95 % interval" in html
    assert "Fewer than 5 patients: not shown" in html  # the 5-session group
    assert "Published band" in html
    assert '<img src="/analytics/forest.svg?' in html
    assert "<figcaption>" in html
    assert "cdn" not in html.lower()
    assert forest.status_code == 200
    assert forest.headers["content-type"].startswith("image/svg+xml")
    assert "4 vs 3 sessions, 3 months" in forest.text
    assert "5 vs 3" not in forest.text
    assert curves.status_code == 200
    assert "5 sessions" not in curves.text
    assert "4 sessions" in curves.text


def test_the_csv_holds_no_suppressed_value(clinic: Clinic) -> None:
    _known_cohort(clinic.services, clinic.clinic_id)
    with signed_in_browser(clinic.services, CLINICIAN) as browser:
        response = browser.get("/analytics/cohorts.csv")

    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    suppressed = [r for r in rows if r["note"].startswith("suppressed")]
    assert suppressed
    for row in suppressed:
        assert row["patients"] == row["mean_improvement"] == row["ci95_low"] == ""
    shown = [r for r in rows if r["row"] == "cell" and not r["note"]]
    assert all(int(r["patients"]) >= SMALL_GROUP for r in shown)
    assert {r["sessions"] for r in shown} == {"3", "4"}


def test_the_api_serves_suppressed_cells_without_numbers(clinic: Clinic) -> None:
    _known_cohort(clinic.services, clinic.clinic_id)
    api: TestClient = signed_in(clinic.services, CLINICIAN)

    body = api.get("/api/v1/analytics/cohorts", params={"reference_sessions": "3"}).json()

    assert body["patients"] == 63
    small = [c for c in body["cells"] if c["sessions"] == SMALL_GROUP]
    assert small
    assert all(c["suppressed"] and c["patients"] is None for c in small)
    (four,) = [e for e in body["estimates"] if e["sessions"] == 4 and e["horizon"] == "3_months"]
    assert four["ci95_low"] < four["difference"] < four["ci95_high"]
    assert four["adjusted_for_baseline_grade_and_fitzpatrick"] is True


def test_a_bad_filter_names_the_field_and_the_fix(clinic: Clinic) -> None:
    api: TestClient = signed_in(clinic.services, CLINICIAN)
    with signed_in_browser(clinic.services, CLINICIAN) as browser:
        page = browser.get("/analytics?fitzpatrick=VII&sessions=many")

    response = api.get("/api/v1/analytics/cohorts", params={"depth_band": "deep"})

    assert page.status_code == 422
    assert 'data-field="fitzpatrick"' in page.text
    assert response.status_code == 422
    assert "depth_band" in response.text
    assert "up_to_0.5_mm" in response.text


def test_front_desk_is_refused(clinic: Clinic) -> None:
    with signed_in_browser(clinic.services, FRONT_DESK) as browser:
        assert browser.get("/analytics").status_code == 403
        assert browser.get("/analytics/cohorts.csv").status_code == 403
    api: TestClient = signed_in(clinic.services, FRONT_DESK)
    assert api.get("/api/v1/analytics/cohorts").status_code == 403


def test_a_new_outcome_changes_the_data_version(clinic: Clinic) -> None:
    _known_cohort(clinic.services, clinic.clinic_id)
    with clinic.services.database.reading_unit_of_work() as uow:
        before = uow.cohorts.data_version(clinic.clinic_id)
        assert uow.cohorts.series_facts(clinic.clinic_id, limit=10) == []
    with signed_in_browser(clinic.services, CLINICIAN) as browser:
        shown = browser.get("/analytics").text
    assert "63 patients" in shown
    from web_charts import new_series  # noqa: PLC0415

    new_series(clinic)
    with clinic.services.database.reading_unit_of_work() as uow:
        assert uow.cohorts.data_version(clinic.clinic_id) != before
    with signed_in_browser(clinic.services, CLINICIAN) as browser:
        assert "Fewer than 5 patients match" in browser.get("/analytics").text
