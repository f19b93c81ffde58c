"""Issue 14: one rule for free text, replayed over HTTP on both databases (IV-1, AD-5).

A room name or a cancel reason with NUL was a 500 on PostgreSQL (DataError) and stored as is on
SQLite; a room name took CR/LF, and a patient's name took U+202E (right-to-left override). Now
every free-text field refuses control characters (line breaks and tabs only where text runs
over several lines) and direction overrides, with a 422 naming the field (``not-text``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api_support import (
    PATIENT,
    MovingClock,
    TestClient,
    add_clinic,
    add_member,
    make_services,
    signed_in,
)
from integration.conftest import BACKENDS, postgres_admin_url, scratch_database  # noqa: F401
from needlepoint.bootstrap import Services
from needlepoint.domain.records import Role

API = "/api/v1"
NOBODY = "00000000-0000-4000-8000-000000000000"
HOSTILE = ["Room\u0000A", "Room\r\nB", "Room\nB", "Room\u202eC", "Room\u2066D", "Room\x1b[31mE"]


@pytest.fixture(params=BACKENDS)
def admin(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Services, TestClient]]:
    with scratch_database(request, tmp_path) as url:
        services = make_services(url, MovingClock())
        add_member(services, add_clinic(services), Role.ADMIN, "ada@harbour.test")
        yield services, signed_in(services, "ada@harbour.test")
        services.database.close()


def assert_not_text(response: Any, field: str) -> None:
    assert response.status_code == 422, response.text
    [problem] = response.json()["errors"]
    assert (problem["field"], problem["code"]) == (field, "not-text"), problem
    assert "U+202A" in problem["fix"]


@pytest.mark.parametrize("name", HOSTILE)
def test_iv1_a_room_name_with_a_control_or_direction_character_is_refused(
    admin: tuple[Services, TestClient], name: str
) -> None:
    _, client = admin

    assert_not_text(client.post(f"{API}/schedule/rooms", json={"name": name}), "name")

    assert client.get(f"{API}/schedule/setup").json()["rooms"] == []


@pytest.mark.parametrize("reason", ["ill\u0000", "ill\r\nagain", "\u202eill"])
def test_iv1_a_cancel_reason_with_a_control_or_direction_character_is_refused(
    admin: tuple[Services, TestClient], reason: str
) -> None:
    _, client = admin
    body = {"expected_version": 1, "status": "cancelled", "reason": reason}

    assert_not_text(client.post(f"{API}/appointments/{NOBODY}/status", json=body), "reason")


@pytest.mark.parametrize("field", ["given_name", "family_name"])
def test_iv1_a_patient_name_with_a_right_to_left_override_is_refused(
    admin: tuple[Services, TestClient], field: str
) -> None:
    _, client = admin

    response = client.post(f"{API}/patients", json={**PATIENT, field: "Ok\u202eafor"})

    assert_not_text(response, field)


def test_a_room_name_in_another_script_is_kept(admin: tuple[Services, TestClient]) -> None:
    _, client = admin

    response = client.post(f"{API}/schedule/rooms", json={"name": "غرفة ١ – Zoë"})

    assert response.status_code == 201, response.text
    assert response.json()["name"] == "غرفة ١ – Zoë"
