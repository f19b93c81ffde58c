"""The pages of break-glass access (AC-6) and of the admin's audit trail (AC-5), demo clinic.

Front desk, refused a patient's clinical record, breaks the glass with a reason and reads it;
admins alone see and download the audit trail; every refusal writes one audit event.
"""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from api_support import MovingClock, TestClient
from needlepoint.bootstrap import Services
from needlepoint.domain.records import Role
from needlepoint.entrypoints.cli import demo
from web_support import page_token, sign_in, web_client, web_services

LOGIN = {login.role: login for login in demo.LOGINS}
REASON = "patient phoned with facial swelling after treatment; clinician unreachable"
ADMIN_ONLY_PAGES = ("/audit", "/audit/export.csv", "/settings/messages")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("web-glass")


@pytest.fixture(scope="module")
def seeded(data_dir: Path) -> Iterator[Services]:
    services = web_services(data_dir, MovingClock())
    demo.seed(services)
    yield services
    services.database.close()


def _browser(services: Services, role: Role) -> TestClient:
    client = web_client(services)
    assert sign_in(client, LOGIN[role].email, LOGIN[role].password).status_code == 303
    return client


@pytest.fixture(scope="module")
def desk(seeded: Services) -> TestClient:
    return _browser(seeded, Role.FRONT_DESK)


@pytest.fixture(scope="module")
def admin(seeded: Services) -> TestClient:
    return _browser(seeded, Role.ADMIN)


def _events(data_dir: Path, request_id: str) -> list[tuple[str, ...]]:
    with sqlite3.connect(data_dir / "needlepoint.sqlite3") as raw:
        return raw.execute(
            "SELECT action, outcome, actor_role, severity FROM audit_event WHERE request_id = ?",
            (request_id,),
        ).fetchall()


def _patient_path(client: TestClient) -> str:
    html = client.get("/patients", params={"q": "Okafor"}).text
    found = re.search(r'href="(/patients/[0-9a-f-]{36})"', html)
    assert found
    return found.group(1)


def test_ac6_the_refusal_page_offers_to_break_the_glass(desk: TestClient) -> None:
    patient = _patient_path(desk)

    refused = desk.get(f"{patient}/outcomes")
    shown = desk.get(patient)

    assert refused.status_code == 403
    assert f'href="{patient}/break-glass"' in refused.text
    assert f'href="{patient}/break-glass"' in shown.text


def test_ac6_a_break_glass_form_without_a_reason_names_reason(desk: TestClient) -> None:
    patient = _patient_path(desk)
    token = page_token(desk, f"{patient}/break-glass")

    response = desk.post(f"{patient}/break-glass", data={"reason": " ", "csrf_token": token})

    assert response.status_code == 422
    assert 'data-field="reason"' in response.text
    assert 'data-code="reason-required"' in response.text


def test_ac6_with_a_reason_front_desk_reads_the_record_audited_high(
    desk: TestClient, data_dir: Path
) -> None:
    patient = _patient_path(desk)
    token = page_token(desk, f"{patient}/break-glass")

    opened = desk.post(f"{patient}/break-glass", data={"reason": REASON, "csrf_token": token})
    page = desk.get(opened.headers["location"], headers={"X-Request-ID": "web-glass-read"})

    assert opened.status_code == 303
    assert page.status_code == 200
    assert ">Consultations</h2>" in page.text
    assert "Emergency access until" in page.text
    reads = _events(data_dir, "web-glass-read")
    assert reads and {severity for *_, severity in reads} == {"high"}


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.CLINICIAN])
def test_ac5_admin_only_pages_are_refused_to_other_roles_each_refusal_audited_once(
    seeded: Services, data_dir: Path, role: Role
) -> None:
    client = _browser(seeded, role)
    for path in ADMIN_ONLY_PAGES:
        request_id = f"web-ac5-{role.value}-{path.strip('/').replace('/', '-')}"

        response = client.get(path, headers={"X-Request-ID": request_id})

        assert response.status_code == 403, path
        assert _events(data_dir, request_id) == [("refused", "denied", role.value, "normal")]


def test_ac5_the_admin_sees_the_trail_and_the_grants(admin: TestClient, desk: TestClient) -> None:
    patient = _patient_path(desk)
    token = page_token(desk, f"{patient}/break-glass")
    desk.post(f"{patient}/break-glass", data={"reason": REASON, "csrf_token": token})

    page = admin.get("/audit")
    filtered = admin.get("/audit", params={"action": "break_glass.open"})

    assert page.status_code == 200
    assert '<a href="/audit" aria-current="page">Audit trail</a>' in page.text
    assert "break_glass.open" in page.text
    assert REASON in page.text  # the grants, with their reasons
    assert filtered.text.count("<td>break_glass.open</td>") >= 1
    assert "<td>patient.read</td>" not in filtered.text


def test_ac5_the_admin_downloads_the_trail_as_csv_and_the_download_is_audited(
    admin: TestClient, data_dir: Path
) -> None:
    response = admin.get("/audit/export.csv", headers={"X-Request-ID": "web-export"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows and rows[0]["severity"] in {"normal", "high"}
    assert _events(data_dir, "web-export") == [("audit.export", "success", "admin", "normal")]


def test_ac5_a_bad_date_names_the_field(admin: TestClient) -> None:
    response = admin.get("/audit", params={"from_on": "yesterday"})

    assert response.status_code == 422
    assert "from_on" in response.text
