"""The patient page's "Export to FHIR" button downloads the patient's record as a FHIR R4B
Bundle (``.json``, an attachment): the same resources as the API's ``$everything``, closed to
the front desk, and another clinic's patient reads as a missing one.
"""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from fhir.resources.R4B.bundle import Bundle

from api_support import TestClient, add_member, signed_in
from needlepoint.domain.records import Role
from web_charts import held_session, new_series
from web_support import CLINICIAN, FRONT_DESK, Clinic, signed_in_browser

pytest_plugins = ["web_fixtures"]


def _resources(bundle: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted((e["resource"]["resourceType"], e["resource"]["id"]) for e in bundle["entry"])


def test_the_patient_page_offers_the_export_and_it_downloads_the_bundle(
    clinic: Clinic, clinician: TestClient
) -> None:
    series = new_series(clinic)
    held_session(clinician, series["id"])
    patient_id = series["patient_id"]
    download = f"/patients/{patient_id}/fhir.json"

    page = clinician.get(f"/patients/{patient_id}").text
    answer = clinician.get(download)
    api = signed_in(clinic.services, CLINICIAN).get(f"/fhir/R4B/Patient/{patient_id}/$everything")
    bundle = Bundle.model_validate(answer.json())

    assert f'href="{download}" download' in page
    assert "Export to FHIR" in page
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/fhir+json"
    assert answer.headers["content-disposition"] == (
        f'attachment; filename="patient-{patient_id}.fhir.json"'
    )
    assert bundle.type == "collection"
    assert _resources(answer.json()) == _resources(api.json())
    assert {kind for kind, _ in _resources(answer.json())} >= {"Patient", "CarePlan", "Procedure"}


def test_the_front_desk_sees_no_export_and_is_refused_it(clinic: Clinic) -> None:
    series = new_series(clinic)
    with signed_in_browser(clinic.services, FRONT_DESK) as desk:
        page = desk.get(f"/patients/{series['patient_id']}").text
        answer = desk.get(f"/patients/{series['patient_id']}/fhir.json")

    assert "Export to FHIR" not in page
    assert answer.status_code == 403


def test_another_clinics_patient_reads_like_a_missing_one(clinic: Clinic) -> None:
    series = new_series(clinic)
    other_id = clinic.services.accounts.add_clinic(name="Elsewhere", time_zone="Europe/London").id
    add_member(clinic.services, other_id, Role.CLINICIAN, "other@clinic.test")
    with signed_in_browser(clinic.services, "other@clinic.test") as other:
        theirs = other.get(f"/patients/{series['patient_id']}/fhir.json")
        missing = other.get(f"/patients/{uuid4()}/fhir.json")

    assert theirs.status_code == missing.status_code == 404
    assert theirs.text == missing.text
