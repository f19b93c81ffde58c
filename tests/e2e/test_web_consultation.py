"""The new-consultation flow in the web app: intake, screening result, plan, face-map scores."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

import pytest

from api_support import PATIENT, TestClient
from needlepoint.domain.records import ConsultationStatus
from needlepoint.entrypoints.web import intake_form
from needlepoint.services.audit import AuthMethod, RequestContext
from needlepoint.services.treatment.series import NewSeries, NotTreatableError
from web_support import Clinic, page_token

pytest_plugins = ["web_fixtures"]

CONSULTED_ON = "2026-11-20"


def register(client: TestClient) -> str:
    form = {**PATIENT, "csrf_token": page_token(client, "/patients/new")}
    response = client.post("/patients", data=form)
    assert response.status_code == 303, response.text
    return str(response.headers["location"]).rsplit("/", 1)[-1]


def intake(**changes: str | None) -> dict[str, str]:
    """A complete intake form: clean history, acne scars on the cheeks, graded moderate."""
    form = {q.name: "false" for q in intake_form.SAFETY_QUESTIONS}
    form |= {
        "consulted_on": CONSULTED_ON,
        "device": "pen",
        "patient.fitzpatrick": "3",
        "history.diabetes": "none",
        "history.skin_cancer": "none",
        "history.isotretinoin.status": "never",
        "treatments.acne_scars.cheeks": "on",
        "scar_assessments.qualitative.contour_change": "true",
        "scar_assessments.qualitative.visible_at_social_distance": "true",
        "scar_assessments.qualitative.easily_concealed": "false",
        "scar_assessments.qualitative.flattens_on_stretch": "true",
    }
    for name, value in changes.items():
        if value is None:
            form.pop(name, None)
        else:
            form[name] = value
    return form


def submit_intake(client: TestClient, patient_id: str, form: dict[str, str]) -> Any:
    path = f"/patients/{patient_id}/consultations/new"
    token = page_token(client, path)
    return client.post(path, data={**form, "csrf_token": token})


def problem_beside(html: str, name: str) -> str:
    found = re.search(
        rf'<p class="field-problem" id="{re.escape(name)}-problem"[^>]*>(.*?)</p>', html, re.S
    )
    assert found, f"no problem shown beside {name}"
    return found.group(1)


def recorded(client: TestClient, patient_id: str, **changes: str | None) -> str:
    response = submit_intake(client, patient_id, intake(**changes))
    assert response.status_code == 303, response.text
    return str(response.headers["location"]).rsplit("/", 1)[-1]


def sign(client: TestClient, consultation_id: str) -> None:
    path = f"/consultations/{consultation_id}"
    response = client.post(f"{path}/sign", data={"csrf_token": page_token(client, path)})
    assert response.status_code == 303


def test_a_missing_safety_answer_is_shown_beside_its_question_and_nothing_is_saved(
    clinician: TestClient, clinic: Clinic
) -> None:
    patient_id = register(clinician)

    response = submit_intake(clinician, patient_id, intake(**{"history.pregnant": None}))

    assert response.status_code == 422
    assert "required" in problem_beside(response.text, "history.pregnant").lower()
    kept = 'name="history.breastfeeding" type="radio" value="false" checked'
    assert kept in response.text
    assert 'value="2026-11-20"' in response.text  # what was typed is kept
    page = clinician.get(f"/patients/{patient_id}").text
    assert "No consultation recorded yet." in page


def test_a_full_intake_is_saved_and_shows_the_decision_first(clinician: TestClient) -> None:
    patient_id = register(clinician)

    response = submit_intake(clinician, patient_id, intake())
    assert response.status_code == 303
    page = clinician.get(response.headers["location"])

    assert page.status_code == 200
    main = page.text.split('<main id="main"', 1)[1]
    assert main.index("Decision: Proceed") < main.index("Why: findings")
    assert "Earliest eligible date" in main
    assert "Sign the consultation" in main


def test_an_excluded_zone_and_its_reason_are_shown(clinician: TestClient) -> None:
    patient_id = register(clinician)
    consultation_id = recorded(clinician, patient_id, **{"treatments.fine_lines.eyelids": "on"})

    page = clinician.get(f"/consultations/{consultation_id}").text

    assert "Excluded zones" in page
    assert "Eyelids</strong>: never treated" in page
    assert "orbital rim" in page
    face = clinician.get(
        f"/patients/{patient_id}/assessments/new?consultation={consultation_id}"
    ).text
    assert 'data-zone="eyelids" class="zone zone-excluded' in face
    assert "orbital rim" in face.split("Zones not to treat")[1]


def test_the_plan_is_saved_as_a_series(clinician: TestClient, clinic: Clinic) -> None:
    patient_id = register(clinician)
    consultation_id = recorded(clinician, patient_id)
    sign(clinician, consultation_id)
    path = f"/consultations/{consultation_id}/plan"
    page = clinician.get(path).text
    assert "Depth per zone" in page and "Dated series" in page

    response = clinician.post(
        path,
        data={"csrf_token": page_token(clinician, path), "include.cheeks": "on", "sessions": "5",
              "reason.sessions": "patient prefers one more session"},
    )  # fmt: skip

    assert response.status_code == 303, response.text
    patient_page = clinician.get(f"/patients/{patient_id}").text
    assert "5 sessions" in patient_page


def test_a_deviation_without_a_reason_is_refused_beside_its_field(clinician: TestClient) -> None:
    patient_id = register(clinician)
    consultation_id = recorded(clinician, patient_id)
    sign(clinician, consultation_id)
    path = f"/consultations/{consultation_id}/plan"

    response = clinician.post(
        path,
        data={"csrf_token": page_token(clinician, path), "include.cheeks": "on",
              "depth_max.cheeks": "1.25", "depth_min.cheeks": "1.0"},
    )  # fmt: skip

    assert response.status_code == 422
    assert "no reason was given" in problem_beside(response.text, "zone:cheeks")
    assert "No treatment series yet." in clinician.get(f"/patients/{patient_id}").text


def test_bad_counts_and_reasons_are_refused_beside_their_rows_with_the_api_names(
    clinician: TestClient,
) -> None:
    patient_id = register(clinician)
    consultation_id = recorded(clinician, patient_id)
    sign(clinician, consultation_id)
    path = f"/consultations/{consultation_id}/plan"

    response = clinician.post(
        path,
        data={"csrf_token": page_token(clinician, path), "include.cheeks": "on",
              "sessions": "four", "interval_days": "5000",
              "reason.cheeks": "scars\x07", "depth_max.cheeks": "1.75"},
    )  # fmt: skip

    assert response.status_code == 422
    sessions = problem_beside(response.text, "sessions")
    assert 'data-field="plan.sessions"' in response.text
    assert "Is not a whole number. Give 1 or more." in sessions
    assert "Is out of range. Give 1 to 3650." in problem_beside(response.text, "interval_days")
    assert 'data-field="reasons.plan.zones[cheeks]" data-code="not-text"' in response.text
    assert "No treatment series yet." in clinician.get(f"/patients/{patient_id}").text


def test_a_contraindicated_consultation_cannot_be_saved_as_a_series(
    clinician: TestClient, clinic: Clinic
) -> None:
    patient_id = register(clinician)
    consultation_id = recorded(clinician, patient_id, **{"history.bleeding_disorder": "true"})
    sign(clinician, consultation_id)
    path = f"/consultations/{consultation_id}/plan"

    page = clinician.get(path).text
    assert "No series can be agreed" in page
    assert "Save as series" not in page
    response = clinician.post(path, data={"csrf_token": page_token(clinician, path)})
    assert response.status_code == 409
    assert "decline" in response.text

    # The hard stop is the service's, whatever the caller.
    services = clinic.services
    record = None
    with pytest.raises(NotTreatableError):
        member = services.accounts.resolve_session(clinician.cookies["needlepoint_session"])
        assert member is not None
        context = RequestContext(actor=member, request_id="test", auth=AuthMethod.SESSION)
        record = services.consultation.get_consultation(UUID(consultation_id), context=context)
        assert record.status is ConsultationStatus.SIGNED
        services.treatment.create_series(NewSeries(record.id), context=context)


def test_a_recent_isotretinoin_course_is_shown_as_the_start_not_as_a_deadline_to_clear_by(
    clinician: TestClient,
) -> None:
    patient_id = register(clinician)
    consultation_id = recorded(
        clinician,
        patient_id,
        **{
            "history.isotretinoin.status": "stopped",
            "history.isotretinoin.stopped_on": "2026-10-01",
            "history.anticoagulant": "true",
        },
    )

    page = clinician.get(f"/consultations/{consultation_id}").text
    plan = clinician.get(f"/consultations/{consultation_id}/plan").text

    assert "Decision: Needs clearance" in page
    assert "must clear anticoagulant before the first session (2027-04-01)" in page
    assert "isotretinoin-recent ends on 2027-04-01, so the series starts on or after" in page
    assert "Its waiting period ends on 2027-04-01, no later than the first session" in page
    assert "must clear the findings" not in page + plan
    assert "Before the first session:" in plan
    assert "A clinician must clear this before the first session (2027-04-01)." in plan


def test_a_suspicious_lesion_on_the_chin_defers_the_cheeks_too(clinician: TestClient) -> None:
    patient_id = register(clinician)
    consultation_id = recorded(
        clinician,
        patient_id,
        **{"treatments.acne_scars.chin": "on", "zone_states.chin.suspicious_lesion": "on"},
    )

    page = clinician.get(f"/consultations/{consultation_id}").text
    plan = clinician.get(f"/consultations/{consultation_id}/plan").text

    assert "Decision: Defer" in page
    assert "holds every zone" in page
    assert "Refer for a diagnosis" in page
    assert "no contraindication" not in page.lower()
    assert "No series can be agreed" in plan
    assert "Save as series" not in plan


def test_front_desk_may_not_open_the_consultation_pages(
    front_desk: TestClient, clinician: TestClient
) -> None:
    patient_id = register(clinician)
    consultation_id = recorded(clinician, patient_id)

    for path in (
        f"/patients/{patient_id}/consultations/new",
        f"/consultations/{consultation_id}",
        f"/consultations/{consultation_id}/plan",
        f"/patients/{patient_id}/assessments/new",
    ):
        assert front_desk.get(path).status_code == 403, path


def test_a_post_without_its_csrf_token_is_refused(clinician: TestClient) -> None:
    patient_id = register(clinician)

    response = clinician.post(f"/patients/{patient_id}/consultations/new", data=intake())

    assert response.status_code == 403
    assert "No consultation recorded yet." in clinician.get(f"/patients/{patient_id}").text


def test_the_score_preview_grades_the_counts(clinician: TestClient) -> None:
    patient_id = register(clinician)
    form = {
        "cheeks.open": "on",
        "cheeks.rolling": "14",
        "cheeks.boxcar_shallow": "6",
        "cheeks.macular": "4",
        "cheeks.qualitative.contour_change": "true",
        "cheeks.qualitative.visible_at_social_distance": "true",
        "cheeks.qualitative.easily_concealed": "false",
        "cheeks.qualitative.flattens_on_stretch": "true",
    }
    token = page_token(clinician, f"/patients/{patient_id}/assessments/new")

    response = clinician.post(
        f"/patients/{patient_id}/assessments/preview",
        data=form,
        headers={"X-CSRF-Token": token, "HX-Request": "true"},
    )

    assert response.status_code == 200
    text = re.sub(r"\s+", " ", response.text)
    assert '<dd id="score-gb-qualitative">grade 3 (moderate)</dd>' in text
    assert '<dd id="score-gb-quantitative">7 of 84' in text
    assert '<dd id="score-ecca">90 of 540' in text


def test_an_assessment_is_recorded_from_the_face_map(clinician: TestClient) -> None:
    patient_id = register(clinician)
    path = f"/patients/{patient_id}/assessments/new"
    zone = clinician.get(f"/patients/{patient_id}/assessments/zones/chin").text
    assert 'name="chin.rolling"' in zone

    response = clinician.post(
        path,
        data={"csrf_token": page_token(clinician, path), "assessed_on": CONSULTED_ON,
              "chin.open": "on", "chin.rolling": "5"},
    )  # fmt: skip

    assert response.status_code == 303, response.text
    assert "No scar assessment recorded yet." not in clinician.get(f"/patients/{patient_id}").text


def test_an_assessment_date_that_is_not_a_date_is_refused_as_the_api_refuses_it(
    clinician: TestClient,
) -> None:
    patient_id = register(clinician)
    path = f"/patients/{patient_id}/assessments/new"

    response = clinician.post(
        path,
        data={"csrf_token": page_token(clinician, path), "assessed_on": "20th of November",
              "chin.open": "on", "chin.rolling": "5"},
    )  # fmt: skip

    assert response.status_code == 422
    assert "Assessed on: is not a date." in re.sub(r"\s+", " ", response.text)
    assert "No scar assessment recorded yet." in clinician.get(f"/patients/{patient_id}").text


def test_counts_the_api_refuses_for_a_zone_are_shown_by_that_zone(clinician: TestClient) -> None:
    patient_id = register(clinician)
    path = f"/patients/{patient_id}/assessments/new"

    response = clinician.post(
        path,
        data={"csrf_token": page_token(clinician, path), "assessed_on": CONSULTED_ON,
              "cheeks.open": "on", "cheeks.boxcar_shallow": "6000",
              "cheeks.boxcar_deep": "6000"},
    )  # fmt: skip

    assert response.status_code == 422  # 12,000 U-shaped scars: past the ECCA's 10,000
    assert 'id="cheeks-problem"' in response.text
    assert "No scar assessment recorded yet." in clinician.get(f"/patients/{patient_id}").text
