"""Break-glass access (AC-6), the admin-only audit view and export (AC-5), denials audited (AD-2).

ecosystem.md §2.7: AC-5 "audit log, exports … requested by non-admin roles → 100 % denied;
denial audited"; AC-6 "no reason → 400 (here 422 naming reason); access expires ≤ 60 min;
100 % of break-glass reads audited with severity=high"; AD-2 "1 audit event per denied
authorization". Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select

from api_support import (
    BASE_URL,
    PATIENT,
    MovingClock,
    TestClient,
    add_clinic,
    add_member,
    intake_document,
    make_services,
    signed_in,
)
from integration.conftest import BACKENDS, postgres_admin_url, scratch_database  # noqa: F401
from needlepoint.adapters.db.tables import audit_event, break_glass_grant
from needlepoint.bootstrap import Services
from needlepoint.domain.records import Role, StaffMember
from needlepoint.entrypoints.api.app import create_app
from needlepoint.services.audit import AuthMethod, RequestContext

API = "/api/v1"
REASON = "patient phoned with facial swelling after treatment; clinician unreachable"
ADMIN_ONLY_API = (f"{API}/audit/events", f"{API}/audit/export", f"{API}/break-glass")


@dataclass
class World:
    url: str
    services: Services
    clock: MovingClock
    clients: dict[str, TestClient]
    ids: dict[str, str]

    def rows(self, **where: Any) -> list[dict[str, Any]]:
        engine = create_engine(self.url)
        try:
            query = select(audit_event).order_by(audit_event.c.seq)
            for name, value in where.items():
                query = query.where(audit_event.c[name] == value)
            with engine.connect() as connection:
                return [dict(r) for r in connection.execute(query).mappings()]
        finally:
            engine.dispose()

    def grants(self) -> int:
        engine = create_engine(self.url)
        try:
            with engine.connect() as connection:
                return int(
                    connection.execute(
                        select(func.count()).select_from(break_glass_grant)
                    ).scalar_one()
                )
        finally:
            engine.dispose()

    def window(self) -> dict[str, str]:
        now = self.clock.now()
        return {
            "from_at": (now - timedelta(days=30)).isoformat(),
            "to_at": (now + timedelta(days=1)).isoformat(),
        }


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    with scratch_database(request, tmp_path_factory.mktemp("glass")) as url:
        clock = MovingClock()
        services = make_services(url, clock)
        home, other = add_clinic(services), add_clinic(services, "Northgate Clinic")
        members = {
            role.value: add_member(services, home, role, f"{role}@home.test") for role in Role
        }
        members["desk2"] = add_member(services, home, Role.FRONT_DESK, "desk2@home.test")
        stranger = add_member(services, other, Role.ADMIN, "admin@other.test")
        app = create_app(services)
        clients = {  # API tokens: a signed-in session would lapse while the clock moves an hour
            name: _token_client(services, app, member, members["admin"])
            for name, member in members.items()
        }
        clients["other_admin"] = _token_client(services, app, stranger, stranger)
        clinician = signed_in(services, "clinician@home.test")
        patient = clinician.post(f"{API}/patients", json=PATIENT).json()
        consultation = clinician.post(
            f"{API}/patients/{patient['id']}/consultations", json={"document": intake_document()}
        ).json()
        ids = {"patient_id": patient["id"], "consultation_id": consultation["id"]}
        yield World(url, services, clock, clients, ids)
        services.database.close()


def _token_client(
    services: Services, app: Any, member: StaffMember, issuer: StaffMember
) -> TestClient:
    context = RequestContext(actor=issuer, request_id="glass-setup", auth=AuthMethod.SESSION)
    issued = services.accounts.issue_api_token("glass", staff_id=member.id, context=context)
    return TestClient(app, base_url=BASE_URL, headers={"Authorization": f"Bearer {issued.token}"})


def _break_glass(world: World, who: str = "front_desk", **body: Any) -> Any:
    return world.clients[who].post(
        f"{API}/patients/{world.ids['patient_id']}/break-glass", json=body
    )


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}])
def test_ac6_no_reason_is_refused_naming_reason_and_changes_nothing(
    world: World, body: dict[str, str]
) -> None:
    before = world.grants()

    response = _break_glass(world, **body)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == ["reason"]
    assert response.json()["errors"][0]["code"] == "reason-required"
    assert world.grants() == before


def test_ac6_with_a_reason_front_desk_reads_the_record_every_read_audited_high(
    world: World,
) -> None:
    desk = world.clients["front_desk"]
    refused = desk.get(f"{API}/consultations/{world.ids['consultation_id']}")
    assert refused.status_code == 403  # what break-glass unlocks: front desk reads no clinical

    granted = _break_glass(world, reason=REASON)
    assert granted.status_code == 201, granted.text
    grant = granted.json()
    lasts = datetime.fromisoformat(grant["expires_at"]) - datetime.fromisoformat(
        grant["granted_at"]
    )
    read = desk.get(f"{API}/break-glass/{grant['id']}/record", headers={"X-Request-ID": "bg-1"})

    assert lasts <= timedelta(minutes=60)
    assert read.status_code == 200, read.text
    assert [c["id"] for c in read.json()["consultations"]] == [world.ids["consultation_id"]]
    reads = world.rows(request_id="bg-1")
    assert len(reads) == 8  # the schedule's three kinds of record and the clinical five
    assert {r["severity"] for r in reads} == {"high"}  # 100 % of break-glass reads
    assert {str(r["break_glass_id"]) for r in reads} == {grant["id"]}
    (opened,) = world.rows(action="break_glass.open", resource_id=grant["id"])
    assert opened["severity"] == "high"
    assert world.services.database.verify_audit().ok


def test_ac6_sixty_minutes_and_one_second_later_the_grant_is_refused(world: World) -> None:
    grant = _break_glass(world, reason=REASON).json()
    path = f"{API}/break-glass/{grant['id']}/record"
    desk = world.clients["front_desk"]
    world.clock.advance(timedelta(minutes=59, seconds=59))
    assert desk.get(path).status_code == 200

    world.clock.advance(timedelta(seconds=2))  # 60 min + 1 s after it was granted
    refused = desk.get(path, headers={"X-Request-ID": "bg-lapsed"})

    assert refused.status_code == 403
    assert refused.json()["code"] == "permission-denied"
    (denial,) = world.rows(request_id="bg-lapsed")
    assert (denial["outcome"], denial["severity"]) == ("denied", "high")


def test_ac6_a_grant_opens_nothing_for_anyone_else(world: World) -> None:
    grant = _break_glass(world, reason=REASON).json()

    other_desk = world.clients["desk2"].get(f"{API}/break-glass/{grant['id']}/record")
    other_clinic = world.clients["other_admin"].get(f"{API}/break-glass/{grant['id']}/record")

    assert other_desk.status_code == 404
    assert other_clinic.status_code == 404


def _admin_only_requests(world: World) -> list[str]:
    query = "&".join(f"{k}={v}" for k, v in world.window().items()).replace("+", "%2B")
    return [f"{ADMIN_ONLY_API[0]}?{query}", f"{ADMIN_ONLY_API[1]}?{query}", ADMIN_ONLY_API[2]]


@pytest.mark.parametrize("role", ["front_desk", "clinician"])
def test_ac5_every_non_admin_role_is_denied_each_admin_only_route_each_denial_audited_once(
    world: World, role: str
) -> None:
    client = world.clients[role]
    for n, path in enumerate(_admin_only_requests(world)):
        request_id = f"ac5-{role}-{n}"

        response = client.get(path, headers={"X-Request-ID": request_id})

        assert response.status_code == 403, path
        assert response.json()["code"] == "permission-denied"
        assert "seq" not in response.text
        events = world.rows(request_id=request_id)
        assert [(e["action"], e["outcome"], e["actor_role"]) for e in events] == [
            ("refused", "denied", role)
        ], path
        assert events[0]["resource_id"] == f"GET {path.split('?')[0]}"


def test_ad2_an_api_token_refused_on_an_admin_only_route_is_audited_once(world: World) -> None:
    admin = world.clients["admin"]
    staff = admin.get(f"{API}/staff").json()["items"]
    clinician_id = next(s["id"] for s in staff if s["role"] == "clinician")
    token = admin.post(f"{API}/auth/tokens", json={"name": "s", "staff_id": clinician_id}).json()
    script = TestClient(create_app(world.services), base_url=BASE_URL)
    headers = {"Authorization": f"Bearer {token['token']}", "X-Request-ID": "ad2-token"}

    response = script.get(f"{API}/break-glass", headers=headers)

    assert response.status_code == 403
    assert len(world.rows(request_id="ad2-token")) == 1


def test_ac5_admin_pages_the_clinics_audit_trail_by_keyset(world: World) -> None:
    admin = world.clients["admin"]
    params = {**world.window(), "limit": 5}
    seen: list[int] = []
    before: int | None = None
    for _ in range(50):
        page = admin.get(
            f"{API}/audit/events", params={**params, **({"before_seq": before} if before else {})}
        )
        assert page.status_code == 200, page.text
        seen += [e["seq"] for e in page.json()["items"]]
        before = page.json()["next_before_seq"]
        if before is None:
            break

    assert seen == sorted(seen, reverse=True)
    assert len(seen) == len(set(seen)) > 5
    other = world.clients["other_admin"].get(f"{API}/audit/events", params=params).json()
    assert not set(seen) & {e["seq"] for e in other["items"]}  # another clinic's trail apart


def test_ac5_the_view_filters_by_patient_and_action(world: World) -> None:
    admin = world.clients["admin"]
    params = {**world.window(), "patient_id": world.ids["patient_id"], "action": "break_glass.open"}

    found = admin.get(f"{API}/audit/events", params=params).json()["items"]

    assert found
    assert {(e["patient_id"], e["action"], e["severity"]) for e in found} == {
        (world.ids["patient_id"], "break_glass.open", "high")
    }


def test_ac5_admin_exports_csv_and_json_lines_and_the_export_is_audited(world: World) -> None:
    admin = world.clients["admin"]
    params = world.window()

    as_csv = admin.get(f"{API}/audit/export", params=params, headers={"X-Request-ID": "ex-csv"})
    as_jsonl = admin.get(f"{API}/audit/export", params={**params, "format": "jsonl"})

    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert rows and {"seq", "severity", "break_glass_id"} <= set(rows[0])
    lines = [json.loads(line) for line in as_jsonl.text.splitlines()]
    assert len(lines) >= len(rows)
    (exported,) = world.rows(request_id="ex-csv")
    assert (exported["action"], exported["outcome"]) == ("audit.export", "success")
    assert "Amira" not in as_csv.text and "Okafor" not in as_csv.text  # no patient data


def test_ac5_an_export_longer_than_92_days_is_refused_naming_from_at(world: World) -> None:
    now = world.clock.now()
    params = {"from_at": (now - timedelta(days=93)).isoformat(), "to_at": now.isoformat()}

    response = world.clients["admin"].get(f"{API}/audit/export", params=params)

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["from_at"]


def test_ac5_the_admin_sees_the_break_glass_grants(world: World) -> None:
    grants = world.clients["admin"].get(f"{API}/break-glass").json()["items"]

    assert grants
    assert {g["patient_id"] for g in grants} == {world.ids["patient_id"]}
    assert all(g["reason"] == REASON for g in grants)
    assert world.clients["other_admin"].get(f"{API}/break-glass").json()["items"] == []


def test_an_unknown_patient_cannot_be_broken_into(world: World) -> None:
    response = world.clients["front_desk"].post(
        f"{API}/patients/{uuid.uuid4()}/break-glass", json={"reason": REASON}
    )

    assert response.status_code == 404


def test_ad2_a_route_missing_from_the_permission_table_is_refused_and_audited_once(
    world: World,
) -> None:
    app = create_app(world.services)

    @app.get(f"{API}/unlisted")
    def unlisted() -> dict[str, str]:
        return {"leaked": "yes"}

    token = world.clients["admin"].headers["authorization"]
    headers = {"Authorization": token, "X-Request-ID": "ad2-unlisted"}
    response = TestClient(app, base_url=BASE_URL).get(f"{API}/unlisted", headers=headers)

    assert response.status_code == 403
    assert [(e["action"], e["resource_id"]) for e in world.rows(request_id="ad2-unlisted")] == [
        ("refused", f"GET {API}/unlisted")
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from_at": "2026-11-01T00:00", "to_at": "2026-11-02T00:00:00Z"}, "from_at"),
        ({"from_at": "2026-11-02T00:00:00Z", "to_at": "2026-11-01T00:00:00Z"}, "to_at"),
        ({"from_at": "2026-11-01T00:00:00Z", "to_at": "2026-11-02T00:00:00Z", "limit": 0}, "limit"),
    ],
)
def test_ac5_a_bad_query_is_refused_naming_its_field(
    world: World, params: dict[str, Any], field: str
) -> None:
    response = world.clients["admin"].get(f"{API}/audit/events", params=params)

    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]
