"""Scenarios AC-3 and AC-4 (ecosystem.md §2.7): a request may only name what it is allowed to.

AC-3, mass assignment: fields a caller must never set (status, owner, clinician notes, signing
time, the record's own id, clinic and version) are refused by name and nothing is saved.
AC-4: sort and filter parameters outside what a list takes are refused by name, and SQL
metacharacters in a search are only ever text: no 5xx, no other patient's data.

The project answers bad input with 422 and its problem format, naming each field (ADR 0013),
where §2.7 says 400: the status differs, the refusal and "changes nothing" are what is tested.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

import pytest

from api_support import PATIENT, TestClient, add_clinic, add_member, signed_in
from needlepoint.bootstrap import Services
from needlepoint.domain.records import Role

pytest_plugins = ["api_fixtures"]

PATIENTS = "/api/v1/patients"
FORBIDDEN_FIELDS = {
    "status": "discharged",
    "owner_id": "00000000-0000-4000-8000-000000000001",
    "clinician_notes": "edited by someone else",
    "signed_at": "2026-01-01T00:00:00Z",
    "clinic_id": "00000000-0000-4000-8000-000000000002",
    "id": "00000000-0000-4000-8000-000000000003",
    "version": 99,
}


def _patient_rows(sqlite_url: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as raw:
        return raw.execute("SELECT * FROM patient ORDER BY id").fetchall()


@pytest.fixture
def desk(api: Services) -> TestClient:
    add_member(api, add_clinic(api), Role.FRONT_DESK, "desk@harbour.test")
    return signed_in(api, "desk@harbour.test")


def _refused_fields(response: Any) -> set[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return {error["field"] for error in response.json()["errors"]}


def test_ac3_an_edit_naming_a_field_it_may_not_set_is_refused_and_changes_nothing(
    desk: TestClient, sqlite_url: str
) -> None:
    patient = desk.post(PATIENTS, json=PATIENT).json()
    before = _patient_rows(sqlite_url)
    edit = {**PATIENT, "phone": "+44 1", "expected_version": 1}

    refused = {
        field: _refused_fields(desk.put(f"{PATIENTS}/{patient['id']}", json={**edit, field: value}))
        for field, value in FORBIDDEN_FIELDS.items()
    }

    assert refused == {field: {field} for field in FORBIDDEN_FIELDS}
    assert _patient_rows(sqlite_url) == before
    assert desk.get(f"{PATIENTS}/{patient['id']}/changes").json()["items"] == []


def test_ac3_a_registration_naming_all_of_them_is_refused_naming_each(
    desk: TestClient, sqlite_url: str
) -> None:
    response = desk.post(PATIENTS, json={**PATIENT, **FORBIDDEN_FIELDS})

    assert _refused_fields(response) >= set(FORBIDDEN_FIELDS)
    assert _patient_rows(sqlite_url) == []


def test_ac3_every_request_body_of_the_api_refuses_unknown_fields(client: TestClient) -> None:
    """Every request body the API documents says additionalProperties: false (extra="forbid")."""
    document = client.get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]
    bodies = set()
    for operations in document["paths"].values():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {})
            for media in content.values():
                ref = media["schema"].get("$ref", "")
                if ref:
                    bodies.add(ref.rsplit("/", 1)[-1])

    open_ended = sorted(
        name
        for name in bodies
        if schemas[name].get("type") == "object"
        and schemas[name].get("additionalProperties") is not False
    )
    assert bodies
    assert open_ended == []


UNLISTED = (
    {"sort": "born_on"},
    {"order_by": "family_name desc"},
    {"filter": "clinic_id=*"},
    {"clinic_id": "00000000-0000-4000-8000-000000000002"},
    {"sort": "1; DROP TABLE patient --"},
)
METACHARACTERS = (
    "' OR '1'='1",
    "Okafor'; DROP TABLE patient; --",
    '" OR 1=1 --',
    "%",
    "_",
    "\\",
    "Oka%",
    "1997-04-22' UNION SELECT * FROM staff_member --",
)


def test_ac4_a_sort_or_filter_the_list_does_not_take_is_refused_by_name(desk: TestClient) -> None:
    refused = [_refused_fields(desk.get(PATIENTS, params=query)) for query in UNLISTED]

    assert refused == [set(query) for query in UNLISTED]


def test_ac4_sql_metacharacters_in_a_search_are_only_text(api: Services, desk: TestClient) -> None:
    desk.post(PATIENTS, json=PATIENT)
    add_member(api, add_clinic(api), Role.FRONT_DESK, "other@clinic.test")
    signed_in(api, "other@clinic.test").post(
        PATIENTS, json={**PATIENT, "given_name": "Hidden", "family_name": "Elsewhere"}
    )

    answers = {search: desk.get(PATIENTS, params={"search": search}) for search in METACHARACTERS}

    assert {search: a.status_code for search, a in answers.items() if a.status_code >= 500} == {}
    for search, answer in answers.items():
        assert answer.status_code in {200, 422}, (search, answer.text)
        assert "Elsewhere" not in answer.text
        if answer.status_code == 200:
            assert answer.json()["items"] == [], search  # no name, email or date is this text
    assert [p["family_name"] for p in desk.get(PATIENTS).json()["items"]] == ["Okafor"]


def _fields_named(body: dict[str, Any]) -> set[str]:
    """The fields a problem names, or a FHIR OperationOutcome's issues (``/fhir/R4B``)."""
    if body.get("resourceType") == "OperationOutcome":
        return {field for issue in body["issue"] for field in issue.get("expression", ())}
    return {e["field"] for e in body.get("errors", [])}


def test_ac4_every_api_read_refuses_a_query_parameter_it_does_not_take(
    api: Services, client: TestClient
) -> None:
    """Every GET of the API, whatever its path values, refuses ``?sort=`` by name (routes with
    separate query parameters used to ignore it)."""
    add_member(api, add_clinic(api), Role.ADMIN, "ada@harbour.test")
    admin = signed_in(api, "ada@harbour.test")
    document = client.get("/api/v1/openapi.json").json()
    reads = [path for path, operations in document["paths"].items() if "get" in operations]
    ignored = []
    for path in reads:
        filled = re.sub(r"\{[^}]+\}", "00000000-0000-4000-8000-000000000000", path)
        answer = admin.get(filled, params={"sort": "born_on"})
        fields = _fields_named(answer.json()) if answer.status_code == 422 else set()
        if "sort" not in fields:
            ignored.append((path, answer.status_code))

    assert len(reads) > 30
    assert ignored == []


def test_ac4_the_parameters_a_route_takes_are_still_taken(desk: TestClient) -> None:
    desk.post(PATIENTS, json=PATIENT)

    found = desk.get(PATIENTS, params={"search": "Okafor", "limit": 5})
    day = desk.get("/api/v1/schedule/appointments", params={"on": "2026-12-07"})

    assert found.status_code == 200, found.text
    assert [p["family_name"] for p in found.json()["items"]] == ["Okafor"]
    assert day.status_code != 422, day.text
