"""Errors are problem+json with stable codes; limits hold; nothing internal leaks."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from api_support import (
    PATIENT,
    TestClient,
    add_clinic,
    add_member,
    intake_document,
    signed_in,
)
from needlepoint.bootstrap import Database, Services, bootstrap
from needlepoint.domain.records import Role
from needlepoint.entrypoints.api import errors
from needlepoint.entrypoints.api.app import create_app
from needlepoint.entrypoints.api.middleware import MAX_BODY_BYTES

pytest_plugins = ["api_fixtures"]

PROBLEM_KEYS = {"type", "title", "status", "detail", "code", "errors"}
CANARY = "Zenobia Quillfeather"


@pytest.fixture
def clinician(api: Services) -> TestClient:
    add_member(api, add_clinic(api), Role.CLINICIAN, "rowan@harbour.test")
    return signed_in(api, "rowan@harbour.test")


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"] == errors.PROBLEM_JSON
    body: dict[str, Any] = response.json()
    assert set(body) == PROBLEM_KEYS
    assert (body["status"], body["code"]) == (status, code)
    assert body["type"] == f"urn:needlepoint:problem:{code}"
    return body


def test_an_unknown_patient_is_a_404_problem(clinician: TestClient) -> None:
    response = clinician.get("/api/v1/patients/00000000-0000-4000-8000-000000000000")

    assert_problem(response, 404, "patient-not-found")


def test_an_unknown_path_is_a_404_problem(clinician: TestClient) -> None:
    assert_problem(clinician.get("/api/v1/nowhere"), 404, "not-found")


def test_signing_twice_is_a_409_already_signed_problem(clinician: TestClient) -> None:
    patient = clinician.post("/api/v1/patients", json=PATIENT).json()
    consultation = clinician.post(
        f"/api/v1/patients/{patient['id']}/consultations", json={"document": intake_document()}
    ).json()
    assert clinician.post(f"/api/v1/consultations/{consultation['id']}/sign").status_code == 200

    response = clinician.post(f"/api/v1/consultations/{consultation['id']}/sign")

    assert_problem(response, 409, "already-signed")


def test_a_body_declared_over_1_mib_is_a_413_problem(clinician: TestClient) -> None:
    response = clinician.post(
        "/api/v1/patients",
        content=b" " * (MAX_BODY_BYTES + 1),
        headers={"content-type": "application/json"},
    )

    assert_problem(response, 413, "body-too-large")


def test_a_streamed_body_over_1_mib_is_a_413_problem(clinician: TestClient) -> None:
    chunk = b" " * 65536

    def chunks() -> Any:
        for _ in range(MAX_BODY_BYTES // len(chunk) + 2):
            yield chunk

    response = clinician.post(
        "/api/v1/patients", content=chunks(), headers={"content-type": "application/json"}
    )

    assert "content-length" not in response.request.headers
    assert_problem(response, 413, "body-too-large")


def test_an_unknown_field_is_a_422_problem_naming_it(clinician: TestClient) -> None:
    response = clinician.post("/api/v1/patients", json={**PATIENT, "owner_id": "x"})

    body = assert_problem(response, 422, "invalid-input")
    assert [e["field"] for e in body["errors"]] == ["owner_id"]
    assert all(e["fix"] for e in body["errors"])


def test_an_unknown_query_parameter_is_a_422_problem_naming_it(clinician: TestClient) -> None:
    response = clinician.get("/api/v1/patients", params={"sort": "family_name; DROP TABLE"})

    body = assert_problem(response, 422, "invalid-input")
    assert [e["field"] for e in body["errors"]] == ["sort"]
    assert "DROP" not in response.text


@pytest.mark.parametrize(
    ("field", "value"),
    [("given_name", "A" * 201), ("family_name", "Okafor\r\nInjected: yes"), ("given_name", "  ")],
)
def test_overlong_blank_or_control_character_names_are_refused(
    clinician: TestClient, field: str, value: str
) -> None:
    response = clinician.post("/api/v1/patients", json={**PATIENT, field: value})

    body = assert_problem(response, 422, "invalid-input")
    assert [e["field"] for e in body["errors"]] == [field]


def test_a_page_larger_than_100_is_refused(clinician: TestClient) -> None:
    response = clinician.get("/api/v1/patients", params={"limit": 101})

    assert_problem(response, 422, "invalid-input")


def test_lists_are_paginated_with_a_next_offset(clinician: TestClient) -> None:
    for given in ("Amira", "Ben", "Cleo"):
        assert clinician.post("/api/v1/patients", json={**PATIENT, "given_name": given}).is_success

    first = clinician.get("/api/v1/patients", params={"limit": 2}).json()
    second = clinician.get("/api/v1/patients", params={"offset": first["next_offset"]}).json()

    assert [p["given_name"] for p in first["items"]] == ["Amira", "Ben"]
    assert (first["offset"], first["limit"], first["next_offset"]) == (0, 2, 2)
    assert [p["given_name"] for p in second["items"]] == ["Cleo"]
    assert second["next_offset"] is None


def test_the_request_id_is_echoed_or_made_and_responses_are_not_cached(
    clinician: TestClient,
) -> None:
    given = clinician.get("/api/v1/auth/me", headers={"X-Request-ID": "desk-42"})
    made = clinician.get("/api/v1/auth/me", headers={"X-Request-ID": "bad id\twith tab"})

    assert given.headers["x-request-id"] == "desk-42"
    assert made.headers["x-request-id"] not in {"", "bad id\twith tab"}
    assert given.headers["cache-control"] == "no-store"


class _FailingDatabase(Database):
    """A database whose record transactions fail with a message quoting patient data."""

    def unit_of_work(self) -> Any:
        raise RuntimeError(f"constraint failed for patient {CANARY}")


def test_an_unexpected_error_is_a_bare_500_and_nothing_of_it_is_logged(
    api: Services, caplog: pytest.LogCaptureFixture
) -> None:
    add_member(api, add_clinic(api), Role.CLINICIAN, "rowan@harbour.test")
    failing = bootstrap(api.settings, clock=api.clock, database=_FailingDatabase(api.database.url))
    client = TestClient(create_app(failing), base_url="https://testserver")
    client.cookies.update(signed_in(api, "rowan@harbour.test").cookies)
    caplog.set_level(logging.DEBUG)

    response = client.get(
        "/api/v1/patients", params={"search": CANARY}, headers={"X-Request-ID": "req-500"}
    )

    body = assert_problem(response, 500, "internal-error")
    assert CANARY not in response.text
    assert "Traceback" not in body["detail"]
    assert CANARY not in caplog.text
    assert "req-500" in caplog.text
    assert "RuntimeError" in caplog.text


def test_the_openapi_document_is_served_and_every_request_body_refuses_unknown_fields(
    client: TestClient,
) -> None:
    document = client.get("/api/v1/openapi.json").json()

    schemas = document["components"]["schemas"]
    contents = [
        op["requestBody"]["content"]
        for path in document["paths"].values()
        for op in path.values()
        if "requestBody" in op
    ]
    bodies = [
        c["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        for c in contents
        if "application/json" in c
    ]
    assert bodies
    assert all(schemas[name]["additionalProperties"] is False for name in bodies)
    # the one other kind of body is an image (a clinical photo's upload): it has no fields
    others = {kind for c in contents if "application/json" not in c for kind in c}
    assert others <= {"image/jpeg", "image/png"}


def test_a_birth_date_given_as_a_number_is_refused_by_name(clinician: TestClient) -> None:
    body = {"given_name": "A", "family_name": "B", "born_on": 0, "sex": "female"}

    response = clinician.post("/api/v1/patients", json=body)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "born_on"


def test_the_staff_password_rule_is_in_the_openapi_document(clinician: TestClient) -> None:
    schema = clinician.get("/api/v1/openapi.json").json()

    password = schema["components"]["schemas"]["StaffIn"]["properties"]["password"]
    assert password["minLength"] == 12
