"""Editing a patient on the web page and through the API: one service, one change record.

The patient page shows the record (field, old → new, who, when); a save based on a version
someone else has since saved comes back with both versions and changes nothing.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from api_support import PATIENT, TestClient, add_clinic, add_member, signed_in
from needlepoint.domain.records import Role
from web_support import ADMIN, FRONT_DESK, Clinic, csrf_token, page_token

pytest_plugins = ["web_fixtures"]


def register(client: TestClient) -> str:
    form = {**PATIENT, "email": "amira@example.org", "csrf_token": page_token(client)}
    response = client.post("/patients", data=form)
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def edit_form(client: TestClient, patient_path: str, **changes: str) -> dict[str, str]:
    page = client.get(f"{patient_path}/edit")
    assert page.status_code == 200, page.text
    version = page.text.split('name="expected_version" value="', 1)[1].split('"', 1)[0]
    form = {
        **PATIENT,
        "email": "amira@example.org",
        "phone": "",
        "expected_version": version,
        "csrf_token": csrf_token(page.text),
    }
    return form | changes


def test_an_edit_on_the_web_is_saved_and_shown_with_what_changed(front_desk: TestClient) -> None:
    path = register(front_desk)

    saved = front_desk.post(
        f"{path}/edit",
        data=edit_form(front_desk, path, family_name="Hale", phone="+44 20 7946 0000"),
    )
    page = front_desk.get(path).text

    assert saved.status_code == 303
    assert "<h1>Hale, Amira</h1>" in page
    changes = page.split('id="changes-title"', 1)[1].split("</details>", 1)[0]
    assert (
        "Family name</td>" in changes
        and "<td>Okafor</td>" in changes
        and "<td>Hale</td>" in changes
    )
    assert "Phone</td>" in changes and "+44 20 7946 0000" in changes
    assert "desk</td>" in changes  # who: the front desk's display name


def test_a_stale_web_edit_shows_both_versions_and_saves_nothing(
    front_desk: TestClient, clinic: Clinic
) -> None:
    path = register(front_desk)
    stale = edit_form(front_desk, path, given_name="Amina")
    front_desk.post(f"{path}/edit", data=edit_form(front_desk, path, family_name="Hale"))

    refused = front_desk.post(f"{path}/edit", data=stale)

    assert refused.status_code == 409
    assert 'id="edit-conflict"' in refused.text
    assert "Hale" in refused.text  # the details saved meanwhile
    assert 'value="Amina"' in refused.text  # the editor's own values, kept
    assert 'name="expected_version" value="2"' in refused.text
    assert "<h1>Hale, Amira</h1>" in front_desk.get(path).text


def test_a_web_edit_with_a_bad_email_names_the_field_as_the_api_does(
    front_desk: TestClient,
) -> None:
    path = register(front_desk)

    refused = front_desk.post(
        f"{path}/edit", data=edit_form(front_desk, path, email="not an email")
    )

    assert refused.status_code == 422
    assert 'data-field="email" data-code="not-an-email"' in refused.text


def test_the_api_edits_with_the_expected_version_and_lists_the_changes(clinic: Clinic) -> None:
    api = signed_in(clinic.services, FRONT_DESK)
    patient = api.post("/api/v1/patients", json=PATIENT).json()
    body: dict[str, Any] = {**PATIENT, "phone": "+44 1", "expected_version": patient["version"]}

    edited = api.put(f"/api/v1/patients/{patient['id']}", json=body)
    stale = api.put(f"/api/v1/patients/{patient['id']}", json={**body, "phone": "+44 2"})
    changes = api.get(f"/api/v1/patients/{patient['id']}/changes").json()["items"]

    assert edited.status_code == 200, edited.text
    assert (edited.json()["phone"], edited.json()["version"]) == ("+44 1", 2)
    assert (stale.status_code, stale.json()["code"]) == (409, "version-conflict")
    assert [(c["version"], c["changes"]) for c in changes] == [
        (2, [{"field": "phone", "old": None, "new": "+44 1"}])
    ]
    assert changes[0]["changed_by_name"] == "desk"


def test_another_clinics_patient_answers_as_missing(clinic: Clinic) -> None:
    api = signed_in(clinic.services, ADMIN)
    patient = api.post("/api/v1/patients", json=PATIENT).json()
    other = add_clinic(clinic.services, "Other Clinic")
    add_member(clinic.services, other, Role.ADMIN, "other-admin@clinic.test")
    stranger = signed_in(clinic.services, "other-admin@clinic.test")
    body = {**PATIENT, "expected_version": 1}

    edit = stranger.put(f"/api/v1/patients/{patient['id']}", json=body)
    changes = stranger.get(f"/api/v1/patients/{patient['id']}/changes")
    missing = stranger.get("/api/v1/patients/00000000-0000-4000-8000-000000000000/changes")

    for answer in (edit, changes, missing):
        assert (answer.status_code, answer.json()["code"]) == (404, "patient-not-found")


_PROBLEM = re.compile(r'class="field-problem"[^>]*data-field="([^"]*)" data-code="([^"]*)"')


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"email": "not an email"}, ("email", "not-an-email")),
        ({"phone": "call me"}, ("phone", "not-a-phone")),
        ({"born_on": "22/04/1997"}, ("born_on", "not-a-date")),
        ({"born_on": "2099-01-01"}, ("born_on", "in-the-future")),
        ({"given_name": "   "}, ("given_name", "not-text")),
        ({"sex": "unknown"}, ("sex", "not-a-choice")),
        ({"expected_version": "-1"}, ("expected_version", "out-of-range")),
    ],
)
def test_the_edit_form_and_the_api_refuse_a_bad_detail_with_the_same_field_and_code(
    clinic: Clinic, front_desk: TestClient, change: dict[str, str], expected: tuple[str, str]
) -> None:
    path = register(front_desk)
    form = edit_form(front_desk, path, **change)
    api = signed_in(clinic.services, FRONT_DESK)
    body: dict[str, Any] = {k: v for k, v in form.items() if k != "csrf_token" and v != ""}
    body["expected_version"] = int(body["expected_version"])

    web = front_desk.post(f"{path}/edit", data=form)
    answer = api.put(f"/api/v1{path}", json=body)

    from_the_web = set(_PROBLEM.findall(web.text))
    from_the_api = {(e["field"], e["code"]) for e in answer.json()["errors"]}
    assert (web.status_code, answer.status_code) == (422, 422)
    assert from_the_web == from_the_api
    assert expected in from_the_api
