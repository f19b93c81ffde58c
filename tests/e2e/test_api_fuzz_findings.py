"""Defects schemathesis found, pinned down so they stay fixed.

1. Decimal fields (depths, the licence depth, outcome values) documented ``number | string``
   with no constraint on the string: ``""`` and other non-numbers were schema-valid but refused
   (422 with a generic fix). Each now documents exactly what it accepts (a bounded JSON number,
   or plain decimal text that the pattern bounds the same way) and refuses anything else with
   a 422 naming the field and the fix.
2. A 405 carried an ``Allow`` header listing only the methods of the one route that matched
   first, not every method the path supports (GET and POST of a path are separate routes).
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal
from typing import Any

import jsonschema_rs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from api_support import (
    PATIENT,
    MovingClock,
    TestClient,
    add_clinic,
    add_member,
    intake_document,
    make_services,
    signed_in,
)
from needlepoint.bootstrap import Services
from needlepoint.domain.records import Role
from needlepoint.entrypoints.api import errors
from needlepoint.entrypoints.api.app import create_app
from needlepoint.entrypoints.api.schemas import accounts, common, records

pytest_plugins = ["api_fixtures"]

API = "/api/v1"
NOBODY = "00000000-0000-4000-8000-000000000000"
PROBLEM_KEYS = {"type", "title", "status", "detail", "code", "errors"}

NOT_DECIMAL_TEXT = ["", " ", "abc", " 1.5", "1.5 ", "1e1", "1_0", "NaN", "Infinity", "0x1", "+1"]
"""Strings pydantic would read as a number (or fail on with a generic message): all refused."""


@pytest.fixture
def admin(api: Services) -> TestClient:
    add_member(api, add_clinic(api), Role.ADMIN, "ada@harbour.test")
    return signed_in(api, "ada@harbour.test")


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == errors.PROBLEM_JSON
    body: dict[str, Any] = response.json()
    assert set(body) == PROBLEM_KEYS
    assert (body["status"], body["code"]) == (status, code)
    return body


def assert_names_decimal_field(response: Any, field: str, code: str = "not-a-depth") -> None:
    body = assert_problem(response, 422, "invalid-input")
    [problem] = body["errors"]
    assert (problem["field"], problem["code"]) == (field, code)
    assert "decimal places" in problem["problem"]
    assert "such as" in problem["fix"]
    assert problem["fix"] != errors._DEFAULT_FIX


def _chart(depth: object) -> dict[str, Any]:
    zone = {"zone": "cheeks", "planned_depth_mm": "1.0", "delivered_depth_mm": depth, "passes": 1}
    cartridge = {"lot": "LOT-1", "expires_on": "2027-01-01"}
    return {
        "expected_version": 0,
        "chart": {"device": "pen", "cartridge": cartridge, "zones": [zone]},
    }


def _plan(depth: object) -> dict[str, Any]:
    zone = {"zone": "cheeks", "depth_mm": {"min": "0.5", "max": depth}}
    return {"plan": {"zones": [zone], "sessions": 3, "interval_days": 28}}


@pytest.mark.parametrize("text", NOT_DECIMAL_TEXT)
def test_a_chart_depth_that_is_not_decimal_text_is_a_422_naming_it(
    admin: TestClient, text: str
) -> None:
    response = admin.post(f"{API}/sessions/{NOBODY}/chart", json=_chart(text))

    assert_names_decimal_field(response, "chart.zones[cheeks].delivered_depth_mm")


@pytest.mark.parametrize("depth", ["", "100", "1.234", 100, -0.5, 1.234])
def test_a_plan_depth_out_of_bounds_or_empty_is_a_422_naming_it(
    admin: TestClient, depth: object
) -> None:
    response = admin.post(f"{API}/consultations/{NOBODY}/series", json=_plan(depth))

    assert_names_decimal_field(response, "plan.zones[cheeks].depth_mm.max")


@pytest.mark.parametrize("value", ["", "0", "0.00", "100", "1.5e0", 0, 100])
def test_a_licence_depth_that_is_empty_zero_or_too_deep_is_a_422_naming_it(
    admin: TestClient, value: object
) -> None:
    member = {
        "email": "new@harbour.test",
        "display_name": "New",
        "role": "clinician",
        "licence_max_depth_mm": value,
        "password": "a long enough password",
    }

    assert_names_decimal_field(admin.post(f"{API}/staff", json=member), "licence_max_depth_mm")


@pytest.mark.parametrize("value", ["", "1000.01", "-1000.5", "2.", ".5", 1000.01])
def test_an_outcome_value_that_is_empty_or_out_of_bounds_is_a_422_naming_it(
    admin: TestClient, value: object
) -> None:
    outcome = {"scale": "gais", "value": value, "measured_on": "2026-11-20"}

    response = admin.post(f"{API}/patients/{NOBODY}/outcomes", json=outcome)

    assert_names_decimal_field(response, "value", "not-a-score")


@pytest.mark.parametrize("value", [2, 2.0, "2", "2.00", "10"])
def test_an_outcome_value_as_a_number_or_decimal_text_is_accepted(
    admin: TestClient, value: object
) -> None:
    patient = admin.post(f"{API}/patients", json=PATIENT).json()
    consultation = {"document": intake_document()}  # consulted on 2026-11-16
    assert admin.post(f"{API}/patients/{patient['id']}/consultations", json=consultation).is_success
    outcome = {"scale": "satisfaction", "value": value, "measured_on": "2026-11-20"}

    response = admin.post(f"{API}/patients/{patient['id']}/outcomes", json=outcome)

    assert response.status_code == 201, response.text
    assert Decimal(response.json()["value"]) == Decimal(str(value))


# --- The document agrees with what is accepted ----------------------------------------------

DECIMAL_TYPES: dict[str, Any] = {
    "DepthMm": common.DepthMm,
    "LicenceDepth": accounts.LicenceDepth,
    "OutcomeValue": records.OutcomeValue,
}
"""The Decimal types of the API's models, by name."""
DECIMALS = tuple(DECIMAL_TYPES)

DOCUMENTED_DECIMALS = [
    ("ZoneTreatmentBody-Input", "planned_depth_mm", "DepthMm"),
    ("ZoneTreatmentBody-Input", "delivered_depth_mm", "DepthMm"),
    ("DepthRange-Input", "min", "DepthMm"),
    ("DepthRange-Input", "max", "DepthMm"),
    ("StaffIn", "licence_max_depth_mm", "LicenceDepth"),
    ("OutcomeIn", "value", "OutcomeValue"),
]

PROBES: list[object] = [
    *NOT_DECIMAL_TEXT,
    *["0", "0.00", "-0", "0.5", "0.05", "0.10", "1", "1.5", "9.99", "10", "10.0", "10.00"],
    *["10.01", "11", "01", "1.", ".5", "1.500", "99.99", "100", "-1", "-1000", "-1000.00"],
    *["1000", "1000.01", "999.99", "-999.99", "-1000.01"],
    *[0, 0.5, 1, 1.5, 10, 10.0, 10.01, -0.0, -0.5, 0.01, 99.99, 100, 999.99, 1000, -1000.5],
    *[1.234, 1e-7, 1e300, None, True, [], {}],
]
"""Strings and JSON values near every documented bound."""


def _property_schemas() -> dict[tuple[str, str], dict[str, Any]]:
    components = app_schema()["components"]["schemas"]
    return {
        (model, field): components[model]["properties"][field]
        for model, field, _ in DOCUMENTED_DECIMALS
    }


@functools.cache
def app_schema() -> dict[str, Any]:
    services = make_services("sqlite://", MovingClock())
    try:
        return create_app(services).openapi()
    finally:
        services.database.close()


@functools.cache
def _adapter(kind: str) -> TypeAdapter[Any]:
    return TypeAdapter(DECIMAL_TYPES[kind])


def _accepts(kind: str, value: object) -> bool:
    try:
        _adapter(kind).validate_python(value)
    except ValidationError:
        return False
    return True


def test_every_documented_decimal_accepts_exactly_what_the_api_accepts() -> None:
    documented = _property_schemas()

    for model, field, kind in DOCUMENTED_DECIMALS:
        validator = jsonschema_rs.validator_for(documented[model, field])
        nullable = model == "StaffIn"
        for value in PROBES:
            expected = _accepts(kind, value) or (nullable and value is None)
            assert validator.is_valid(value) == expected, (model, field, value)


def test_no_documented_decimal_accepts_the_empty_string() -> None:
    for (model, field), schema in _property_schemas().items():
        assert not jsonschema_rs.is_valid(schema, ""), (model, field)


@pytest.mark.parametrize("kind", sorted(DECIMALS))
def test_every_string_the_documented_pattern_allows_is_accepted(kind: str) -> None:
    pattern = _string_pattern(kind)

    @settings(max_examples=200, deadline=None)
    @given(st.from_regex(re.compile(pattern.replace("$", r"\Z")), fullmatch=True))
    def accepted(text: str) -> None:
        assert _accepts(kind, text), text

    accepted()


@pytest.mark.parametrize("kind", sorted(DECIMALS))
def test_every_hundredth_in_bounds_is_accepted_as_a_number_and_as_text(kind: str) -> None:
    number = _number_schema(kind)
    documented = jsonschema_rs.validator_for({"anyOf": _branches(kind)})
    low = round(Decimal(str(number.get("minimum", number.get("exclusiveMinimum")))) * 100)
    high = round(Decimal(str(number["maximum"])) * 100)
    if "exclusiveMinimum" in number:
        low += 1

    stride = max(1, (high - low) // 5000)  # every hundredth of a depth; a sample of outcomes
    for hundredths in {*range(low, high + 1, stride), low, low + 1, high - 1, high}:
        value = Decimal(hundredths) / 100
        for form in (f"{value:f}", float(value)):
            assert _accepts(kind, form), form
            assert documented.is_valid(form), form
    assert not _accepts(kind, f"{Decimal(low - 1) / 100:f}")
    assert not _accepts(kind, f"{Decimal(high + 1) / 100:f}")


def _branches(kind: str) -> list[dict[str, Any]]:
    model, field, _ = next(d for d in DOCUMENTED_DECIMALS if d[2] == kind)
    schema = _property_schemas()[model, field]
    branches: list[dict[str, Any]] = schema["anyOf"]
    return branches


def _string_pattern(kind: str) -> str:
    pattern: str = next(b for b in _branches(kind) if b.get("type") == "string")["pattern"]
    return pattern


def _number_schema(kind: str) -> dict[str, Any]:
    return next(b for b in _branches(kind) if b.get("type") == "number")


# --- 405 carries Allow with every method of the path ----------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", f"{API}/patients", {"GET", "POST"}),
        ("PUT", f"{API}/patients", {"GET", "POST"}),
        ("OPTIONS", f"{API}/patients", {"GET", "POST"}),
        ("HEAD", f"{API}/patients", {"GET", "POST"}),
        ("PATCH", f"{API}/series/{NOBODY}/sessions", {"GET", "POST"}),
        ("DELETE", f"{API}/patients/{NOBODY}/outcomes", {"GET", "POST"}),
        ("GET", f"{API}/auth/login", {"POST"}),
        ("PATCH", f"{API}/patients/{NOBODY}", {"GET", "PUT"}),
        ("POST", f"{API}/openapi.json", {"GET", "HEAD"}),
    ],
)
def test_a_405_lists_every_method_of_the_path_in_allow(
    client: TestClient, method: str, path: str, allowed: set[str]
) -> None:
    response = client.request(method, path)

    assert response.status_code == 405
    assert response.headers["content-type"] == errors.PROBLEM_JSON
    assert _allow(response) == allowed
    if method != "HEAD":
        assert response.json()["code"] == "method-not-allowed"


def test_every_documented_path_answers_an_undocumented_method_with_its_methods(
    client: TestClient,
) -> None:
    samples = {"lot": "LOT-1", "version": "1"}

    for template, operations in app_schema()["paths"].items():
        path = re.sub(r"\{(\w+)\}", lambda m: samples.get(m[1], NOBODY), template)
        documented = {method.upper() for method in operations}
        # DELETE, unless the path takes it (a bulk export's status URL cancels the export)
        method = next(m for m in ("DELETE", "PATCH") if m not in documented)

        response = client.request(method, path)

        assert response.status_code == 405, template
        assert _allow(response) == documented, template


def _allow(response: Any) -> set[str]:
    return {method.strip() for method in response.headers["allow"].split(",")}


# --- an address longer than its column ------------------------------------------------------

TOO_LONG_EMAIL = f"{'a' * 160}@{'b' * 160}"
"""321 characters: the pattern allowed it, the column holds 320 (PostgreSQL answered 500)."""


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (
            f"{API}/staff",
            {
                "email": TOO_LONG_EMAIL,
                "display_name": "New",
                "role": "front_desk",
                "password": "a long enough password",
            },
        ),
        (
            f"{API}/patients",
            {
                "given_name": "Ann",
                "family_name": "Lee",
                "born_on": "1990-01-01",
                "sex": "female",
                "email": TOO_LONG_EMAIL,
            },
        ),
    ],
)
def test_an_email_longer_than_320_characters_is_a_422_naming_it(
    admin: TestClient, path: str, body: dict[str, Any]
) -> None:
    """Found by schemathesis on PostgreSQL (POST /staff as admin, POST /patients as clinician):
    a 321-character address matched the documented pattern and overflowed ``email``
    (``varchar(320)``): a 500 there, silently stored on SQLite."""
    body_out = assert_problem(admin.post(path, json=body), 422, "invalid-input")

    assert [problem["field"] for problem in body_out["errors"]] == ["email"]
