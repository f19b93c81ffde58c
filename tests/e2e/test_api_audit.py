"""A scripted API flow leaves exactly one audit event per operation on patient data, each with
the caller's request id, and `needlepoint audit verify` passes afterwards.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from typer.testing import CliRunner

from api_support import (
    PASSWORD,
    PATIENT,
    MovingClock,
    TestClient,
    add_clinic,
    add_member,
    intake_document,
    make_services,
    signed_in,
)
from fakes import AUDIT_KEY
from needlepoint.bootstrap import Services
from needlepoint.domain.records import Role, StaffMember
from needlepoint.entrypoints.api.app import create_app
from needlepoint.entrypoints.cli import main as cli
from needlepoint.services.accounts.throttling import ACCOUNT_POLICY


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NEEDLEPOINT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("NEEDLEPOINT_AUDIT_KEY", AUDIT_KEY.decode())  # make_services' key
    monkeypatch.delenv("NEEDLEPOINT_DATABASE_URL", raising=False)
    return tmp_path


def _events(services: Services) -> int:
    report = services.database.verify_audit()
    assert report.ok
    return int(report.checked)


def _audit_rows(data_dir: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(data_dir / "needlepoint.sqlite3") as raw:
        return raw.execute(
            "SELECT action, actor_role, outcome, request_id FROM audit_event ORDER BY seq"
        ).fetchall()


def test_ad1_each_operation_on_patient_data_is_audited_exactly_once(data_dir: Path) -> None:
    url = f"sqlite:///{(data_dir / 'needlepoint.sqlite3').resolve()}"
    services = make_services(url, MovingClock())
    add_member(services, add_clinic(services), Role.CLINICIAN, "rowan@harbour.test")
    client = signed_in(services, "rowan@harbour.test")
    ids: dict[str, str] = {}

    def step(name: str, call: Callable[[dict[str, str]], Any]) -> int:
        before = _events(services)
        response = call({"X-Request-ID": name})
        assert response.is_success, response.text
        ids.setdefault(name, response.json().get("id", ""))
        return _events(services) - before

    added = {
        "who-am-i": step("who-am-i", lambda h: client.get("/api/v1/auth/me", headers=h)),
        "register": step(
            "register", lambda h: client.post("/api/v1/patients", json=PATIENT, headers=h)
        ),
        "read-patient": step(
            "read-patient", lambda h: client.get(f"/api/v1/patients/{ids['register']}", headers=h)
        ),
        "list": step("list", lambda h: client.get("/api/v1/patients", headers=h)),
        "consult": step(
            "consult",
            lambda h: client.post(
                f"/api/v1/patients/{ids['register']}/consultations",
                json={"document": intake_document()},
                headers=h,
            ),
        ),
        "read-consultation": step(
            "read-consultation",
            lambda h: client.get(f"/api/v1/consultations/{ids['consult']}", headers=h),
        ),
        "sign": step(
            "sign", lambda h: client.post(f"/api/v1/consultations/{ids['consult']}/sign", headers=h)
        ),
    }

    assert added == {
        "who-am-i": 0,  # not patient data
        "register": 1,
        "read-patient": 1,
        "list": 1,
        "consult": 1,
        "read-consultation": 1,
        "sign": 1,
    }
    setup, rows = _audit_rows(data_dir)[:2], _audit_rows(data_dir)[2:]
    assert [row[:3] for row in setup] == [
        ("staff.create", "operator", "success"),  # the account, by the machine's operator
        ("auth.login", "clinician", "success"),  # its sign-in
    ]
    assert rows == [
        ("patient.create", "clinician", "success", "register"),
        ("patient.read", "clinician", "success", "read-patient"),
        ("patient.list", "clinician", "success", "list"),
        ("consultation.create", "clinician", "success", "consult"),
        ("consultation.read", "clinician", "success", "read-consultation"),
        ("consultation.sign", "clinician", "success", "sign"),
    ]
    verified = CliRunner().invoke(cli.app, ["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    assert "8 events" in verified.stdout
    services.database.close()


def test_ad2_a_refused_request_reaches_no_patient_data_and_is_audited_once(data_dir: Path) -> None:
    """AD-2: one event per denied authorization, naming the operation and no patient."""
    url = f"sqlite:///{(data_dir / 'needlepoint.sqlite3').resolve()}"
    services = make_services(url, MovingClock())
    clinic_id = add_clinic(services)
    add_member(services, clinic_id, Role.FRONT_DESK, "desk@harbour.test")
    desk = signed_in(services, "desk@harbour.test")
    before = _events(services)

    response = desk.get(
        "/api/v1/consultations/00000000-0000-4000-8000-000000000000",
        headers={"X-Request-ID": "denied-1"},
    )
    anonymous = TestClient(desk.app, base_url=str(desk.base_url)).get("/api/v1/patients")

    assert (response.status_code, anonymous.status_code) == (403, 401)
    assert _events(services) == before + 1
    assert _refusals(data_dir) == [
        (
            "front_desk",
            "GET /api/v1/consultations/{consultation_id}",
            "denied",
            "denied-1",
            None,
        )
    ]
    services.database.close()


def test_ad2_each_failed_sign_in_is_audited_once_without_the_email(data_dir: Path) -> None:
    """AD-2: a wrong password and a throttled attempt each leave one event."""
    url = f"sqlite:///{(data_dir / 'needlepoint.sqlite3').resolve()}"
    services = make_services(url, MovingClock())
    add_member(services, add_clinic(services), Role.CLINICIAN, "rowan@harbour.test")
    client = TestClient(create_app(services), base_url="https://testserver")
    wrong = {"email": "rowan@harbour.test", "password": "not the passphrase"}

    statuses = [
        client.post(
            "/api/v1/auth/login", json=wrong, headers={"X-Request-ID": f"try-{n}"}
        ).status_code
        for n in range(ACCOUNT_POLICY.free_failures + 1)
    ]

    assert statuses == [401] * ACCOUNT_POLICY.free_failures + [429]
    refusals = _refusals(data_dir)
    assert [row[2] for row in refusals] == [
        "invalid-credentials"
    ] * ACCOUNT_POLICY.free_failures + ["too-many-attempts"]
    assert {row[:2] for row in refusals} == {("anonymous", "auth.login")}
    assert [row[3] for row in refusals] == [f"try-{n}" for n in range(len(statuses))]
    assert not any("rowan" in str(cell) for row in refusals for cell in row)
    services.database.close()


def _refusals(data_dir: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(data_dir / "needlepoint.sqlite3") as raw:
        return raw.execute(
            "SELECT actor_role, resource_id, outcome, request_id, patient_id FROM audit_event"
            " WHERE action = 'refused' ORDER BY seq"
        ).fetchall()


def _account_rows(data_dir: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(data_dir / "needlepoint.sqlite3") as raw:
        return raw.execute(
            "SELECT action, actor_id, actor_role, resource_type, resource_id, outcome, request_id,"
            " patient_id FROM audit_event ORDER BY seq"
        ).fetchall()


def test_every_account_event_is_audited_once_naming_ids_never_secrets(data_dir: Path) -> None:
    """AD-1 for accounts: staff created and deactivated, tokens issued and revoked, sign-in and
    sign-out; each names the actor, the action, the record and the outcome, and nothing else."""
    url = f"sqlite:///{(data_dir / 'needlepoint.sqlite3').resolve()}"
    services = make_services(url, MovingClock())
    admin = add_member(services, add_clinic(services), Role.ADMIN, "ada@harbour.test")
    client = signed_in(services, "ada@harbour.test")
    new = {
        "email": "sam@harbour.test",
        "display_name": "Sam Desk",
        "role": "front_desk",
        "password": "a long enough passphrase",
    }

    def call(method: str, path: str, name: str, body: Any = None) -> Any:
        response = client.request(method, path, json=body, headers={"X-Request-ID": name})
        assert response.is_success, response.text
        return response.json() if response.content else None

    sam = call("POST", "/api/v1/staff", "create", new)["id"]
    token = call("POST", "/api/v1/auth/tokens", "issue", {"name": "x", "staff_id": sam})
    call("POST", f"/api/v1/auth/tokens/{token['id']}/revoke", "revoke")
    call("POST", f"/api/v1/staff/{sam}/deactivate", "deactivate")
    call("POST", "/api/v1/auth/logout", "logout")

    rows = _account_rows(data_dir)
    events = [(r[0], r[2], r[3], r[4], r[5], r[6]) for r in rows[2:]]
    assert events == [
        ("staff.create", "admin", "staff_member", sam, "success", "create"),
        ("token.issue", "admin", "api_token", token["id"], "success", "issue"),
        ("token.revoke", "admin", "api_token", token["id"], "success", "revoke"),
        ("staff.deactivate", "admin", "staff_member", sam, "success", "deactivate"),
        ("auth.logout", "admin", "staff_member", str(admin.id), "success", "logout"),
    ]
    assert {UUID(r[1]) for r in rows[2:]} == {admin.id}
    assert {r[7] for r in rows} == {None}  # no patient in any account event
    assert token["issued_by"] == str(admin.id)
    text = repr(rows)
    for secret in ("harbour.test", token["token"], new["password"], PASSWORD):
        assert secret not in text
    services.database.close()


def _full_rows(data_dir: Path, after_seq: int) -> list[dict[str, Any]]:
    with sqlite3.connect(data_dir / "needlepoint.sqlite3") as raw:
        raw.row_factory = sqlite3.Row
        query = "SELECT * FROM audit_event WHERE seq > ? ORDER BY seq"
        return [dict(row) for row in raw.execute(query, (after_seq,))]


def _uuid(value: str | None) -> UUID | None:
    return None if value is None else UUID(value)


def _last_seq(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / "needlepoint.sqlite3") as raw:
        return int(raw.execute("SELECT max(seq) FROM audit_event").fetchone()[0])


def _assert_one_complete_row_each(
    rows: list[dict[str, Any]],
    expected: list[tuple[str, str, str, str | None]],
    actors: dict[str, StaffMember],
) -> None:
    """Each row: UTC time, actor id and role, action, resource type and id, patient, outcome,
    request id, in the order the requests were made."""
    assert len(rows) == 200
    assert [r["request_id"] for r in rows] == [e[0] for e in expected]
    assert [UUID(r["actor_id"]) for r in rows] == [UUID(e[1]) for e in expected]
    roles = {member.id: member.role.value for member in actors.values()}
    assert [r["actor_role"] for r in rows] == [roles[UUID(e[1])] for e in expected]
    assert [_uuid(r["patient_id"]) for r in rows] == [_uuid(e[3]) for e in expected]
    assert {r["outcome"] for r in rows} == {"success"}
    assert {r["resource_type"] for r in rows} == {"patient"}
    recorded: dict[str, set[str]] = {}
    for row, (_, _, step, patient_id) in zip(rows, expected, strict=True):
        recorded.setdefault(step, set()).add(row["action"])
        assert row["resource_id"], row
        if patient_id is not None:
            assert UUID(row["resource_id"]) == UUID(patient_id)
        stamped = datetime.fromisoformat(str(row["at"]))
        assert stamped.utcoffset() in (None, timedelta(0))  # UTC (SQLite keeps it naive)
    assert all(len(actions) == 1 for actions in recorded.values()), recorded
    assert len({action for actions in recorded.values() for action in actions}) == 4


def test_ad1_two_hundred_mixed_reads_and_writes_by_four_actors_leave_exactly_one_row_each(
    data_dir: Path,
) -> None:
    """200 requests on patient data (register, read, edit, list, read the changes) by an admin,
    two clinicians and the front desk, in turns: exactly 200 audit rows, each complete."""
    url = f"sqlite:///{(data_dir / 'needlepoint.sqlite3').resolve()}"
    services = make_services(url, MovingClock())
    clinic_id = add_clinic(services)
    actors = {
        "admin": add_member(services, clinic_id, Role.ADMIN, "ada@harbour.test"),
        "clinician": add_member(services, clinic_id, Role.CLINICIAN, "rowan@harbour.test"),
        "front_desk": add_member(services, clinic_id, Role.FRONT_DESK, "desk@harbour.test"),
        "locum": add_member(services, clinic_id, Role.CLINICIAN, "locum@harbour.test"),
    }
    clients = {name: signed_in(services, member.email) for name, member in actors.items()}
    first = clients["admin"].post("/api/v1/patients", json=PATIENT).json()
    patients = {first["id"]: first["version"]}
    start = _last_seq(data_dir)
    expected: list[tuple[str, str, str, str | None]] = []

    def register(client: TestClient, request_id: str) -> tuple[str, str | None]:
        made = client.post("/api/v1/patients", json=PATIENT, headers={"X-Request-ID": request_id})
        assert made.status_code == 201, made.text
        patients[made.json()["id"]] = made.json()["version"]
        return "patient.register", made.json()["id"]

    def read(client: TestClient, request_id: str) -> tuple[str, str | None]:
        patient_id = sorted(patients)[len(expected) % len(patients)]
        got = client.get(f"/api/v1/patients/{patient_id}", headers={"X-Request-ID": request_id})
        assert got.status_code == 200, got.text
        return "patient.read", patient_id

    def edit(client: TestClient, request_id: str) -> tuple[str, str | None]:
        patient_id = sorted(patients)[len(expected) % len(patients)]
        body = {
            **PATIENT,
            "phone": f"+44 {len(expected)}",
            "expected_version": patients[patient_id],
        }
        put = client.put(
            f"/api/v1/patients/{patient_id}", json=body, headers={"X-Request-ID": request_id}
        )
        assert put.status_code == 200, put.text
        patients[patient_id] = put.json()["version"]
        return "patient.edit", patient_id

    def listing(client: TestClient, request_id: str) -> tuple[str, str | None]:
        got = client.get("/api/v1/patients", headers={"X-Request-ID": request_id})
        assert got.status_code == 200, got.text
        return "patient.list", None

    steps = (register, read, edit, listing, read)
    for n in range(200):
        role = list(actors)[n % 4]
        request_id = f"ad1-{n:03d}"
        action, patient_id = steps[(n // 4 + n) % len(steps)](clients[role], request_id)
        expected.append((request_id, str(actors[role].id), action, patient_id))
    rows = _full_rows(data_dir, start)

    _assert_one_complete_row_each(rows, expected, actors)
    services.database.close()
