"""The clinic's contact details: an admin edits them on the page and through the API (one use
case, one validation, audited); the handout prints them with the red flags.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest

from api_support import TestClient, signed_in
from web_support import ADMIN, FRONT_DESK, Clinic, page_token, signed_in_browser

pytest_plugins = ["web_fixtures"]

GOOD = {
    "phone": "020 7946 0321",
    "address": "14 Harbour Street, London SE1 9XY",
    "phone_hours": "Monday to Friday 9:00 to 18:00",
}


@pytest.fixture
def admin(clinic: Clinic) -> Iterator[TestClient]:
    with signed_in_browser(clinic.services, ADMIN) as client:
        yield client


def save(client: TestClient, **given: str) -> Any:
    data = {"csrf_token": page_token(client, "/settings/clinic"), **given}
    return client.post("/settings/clinic/contact", data=data)


def test_an_admin_sets_the_details_on_the_page_and_the_api_reads_them(
    clinic: Clinic, admin: TestClient
) -> None:
    response = save(admin, **GOOD)
    api = signed_in(clinic.services, FRONT_DESK)

    assert response.status_code == 303
    page = admin.get(response.headers["location"]).text
    assert 'value="020 7946 0321"' in page and "Saved." in page
    read = api.get("/api/v1/clinic").json()
    assert read["contact"] == {**GOOD, "phone_uri": "tel:02079460321"}


def test_the_change_is_audited_as_a_clinic_event(clinic: Clinic) -> None:
    api = signed_in(clinic.services, ADMIN)

    assert api.put("/api/v1/clinic/contact", json=GOOD).status_code == 200

    database = clinic.services.settings.data_dir / "needlepoint.sqlite3"
    with sqlite3.connect(database) as raw:
        events = raw.execute(
            "SELECT actor_role, resource_type, resource_id FROM audit_event WHERE action = ?",
            ("clinic.contact.update",),
        ).fetchall()
    assert events == [("admin", "clinic", str(clinic.clinic_id))]


BAD: list[dict[str, str]] = [
    {"phone": ""},
    {"phone": "call me"},
    {"phone": "020 7946 0321", "address": "x" * 301},
    {"phone": "020 7946 0321", "phone_hours": "9\x07to 5"},
    {"phone": "020 7946 0321", "address": "14 Harbour\u202eStreet"},
    {"phone": "020 7946 0321", "phone_hours": "9 \u2066to 5"},
]


@pytest.mark.parametrize("given", BAD, ids=range(len(BAD)))
def test_bad_details_get_the_same_field_and_code_on_the_page_and_the_api(
    clinic: Clinic, admin: TestClient, given: dict[str, str]
) -> None:
    api = signed_in(clinic.services, ADMIN)

    page = save(admin, **given)
    answer = api.put("/api/v1/clinic/contact", json=given)

    assert (page.status_code, answer.status_code) == (422, 422)
    shown = set(re.findall(r'data-field="([^"]+)" data-code="([^"]+)"', page.text))
    assert shown == {(e["field"], e["code"]) for e in answer.json()["errors"]} != set()
    assert api.get("/api/v1/clinic").json()["contact"] is None


def test_only_an_admin_may_change_the_details(clinic: Clinic, front_desk: TestClient) -> None:
    api = signed_in(clinic.services, FRONT_DESK)

    assert api.put("/api/v1/clinic/contact", json=GOOD).status_code == 403
    assert front_desk.get("/settings/clinic").status_code == 403
    assert api.get("/api/v1/clinic").json()["contact"] is None


@pytest.mark.parametrize(
    ("field", "value"), [("address", "14\u202eteertS"), ("phone_hours", "9\u2067")]
)
def test_a_direction_override_is_not_text_on_the_page_and_the_api_and_nothing_is_saved(
    clinic: Clinic, admin: TestClient, field: str, value: str
) -> None:
    api = signed_in(clinic.services, ADMIN)
    given = {**GOOD, field: value}

    page = save(admin, **given)
    answer = api.put("/api/v1/clinic/contact", json=given)

    assert (page.status_code, answer.status_code) == (422, 422)
    assert [(e["field"], e["code"]) for e in answer.json()["errors"]] == [(field, "not-text")]
    assert f'data-field="{field}" data-code="not-text"' in page.text
    assert "U+202A" in answer.json()["errors"][0]["fix"]
    assert api.get("/api/v1/clinic").json()["contact"] is None
