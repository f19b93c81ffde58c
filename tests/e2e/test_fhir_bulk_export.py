"""FHIR Bulk Data ``$export`` over HTTP (HL7 Bulk Data Access IG): the flow, its refusals.

The resources come from a scripted source here (the mapping's own export of the demo clinic is
``test_fhir_bulk_demo.py``): these tests are about the kick-off, the status, the files, the
cancel, who may do it, and that another clinic's job answers like an unknown one.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from api_support import MovingClock, TestClient, add_clinic, add_member, make_services, signed_in
from bulk_export_support import HeldRunner, ScriptedResources, with_bulk_export
from needlepoint.bootstrap import Services
from needlepoint.domain.bulk_export import JobStatus
from needlepoint.domain.records import Role
from needlepoint.services.interop.bulk_export import PROGRESS_EVERY

KICK_OFF = "/fhir/R4B/$export"
ASYNC = {"Prefer": "respond-async"}


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    url = f"sqlite:///{tmp_path / 'needlepoint.sqlite3'}"
    built = make_services(url, MovingClock(), data_dir=tmp_path)
    yield built
    built.database.close()


@pytest.fixture
def admin(services: Services) -> TestClient:
    add_member(services, add_clinic(services), Role.ADMIN, "ada@harbour.test")
    return signed_in(services, "ada@harbour.test")


def _status_path(kicked: Any) -> str:
    assert kicked.status_code == 202, kicked.text
    location = str(kicked.headers["Content-Location"])
    assert "/fhir/R4B/$export-status/" in location
    return location.split("testserver", 1)[1]


def _manifest(client: TestClient) -> dict[str, Any]:
    status = client.get(_status_path(client.get(KICK_OFF, headers=ASYNC)))
    assert status.status_code == 200, status.text
    manifest: dict[str, Any] = status.json()
    return manifest


def test_kick_off_poll_and_download_give_one_file_per_type_with_its_count(
    services: Services, admin: TestClient
) -> None:
    with_bulk_export(services, ScriptedResources(patients=5))

    manifest = _manifest(admin)

    assert manifest["requiresAccessToken"] is True
    assert manifest["request"].endswith(KICK_OFF)
    assert manifest["transactionTime"]
    assert [(o["type"], o["count"]) for o in manifest["output"]] == [
        ("Organization", 1),
        ("Patient", 5),
    ]
    for output in manifest["output"]:
        got = admin.get(output["url"].split("testserver", 1)[1])
        assert got.status_code == 200
        assert got.headers["content-type"].startswith("application/fhir+ndjson")
        assert len(got.text.splitlines()) == output["count"]


def test_the_files_are_private_to_the_owner(services: Services, admin: TestClient) -> None:
    with_bulk_export(services)
    _manifest(admin)

    exports = Path(services.settings.data_dir) / "fhir-exports"
    assert stat.S_IMODE(exports.stat().st_mode) == 0o700
    (job_folder,) = exports.iterdir()
    assert stat.S_IMODE(job_folder.stat().st_mode) == 0o700
    for written in job_folder.iterdir():
        assert stat.S_IMODE(written.stat().st_mode) == 0o600


def test_a_running_export_answers_202_with_its_progress_then_cancel_deletes_it(
    services: Services, admin: TestClient
) -> None:
    runner = HeldRunner()
    with_bulk_export(services, runner=runner)
    status_path = _status_path(admin.get(KICK_OFF, headers=ASYNC))

    running = admin.get(status_path)
    assert running.status_code == 202
    assert "resources written" in running.headers["X-Progress"]

    assert admin.delete(status_path).status_code == 202
    runner.release()  # the job sees the cancel and stops

    assert admin.get(status_path).status_code == 404
    assert not list((Path(services.settings.data_dir) / "fhir-exports").glob("*/*.ndjson"))


def test_a_completed_export_deleted_is_gone_with_its_files(
    services: Services, admin: TestClient
) -> None:
    with_bulk_export(services)
    status_path = _status_path(admin.get(KICK_OFF, headers=ASYNC))
    file_url = admin.get(status_path).json()["output"][0]["url"].split("testserver", 1)[1]

    assert admin.delete(status_path).status_code == 202

    assert admin.get(status_path).status_code == 404
    assert admin.get(file_url).status_code == 404


def test_a_failed_export_says_so_without_the_mappings_words(
    services: Services, admin: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with_bulk_export(services, ScriptedResources(patients=4, fail_at=2))

    status = admin.get(_status_path(admin.get(KICK_OFF, headers=ASYNC)))

    assert status.status_code == 500
    assert status.json()["resourceType"] == "OperationOutcome"
    assert "Amira" not in status.text
    assert "Amira" not in caplog.text


def test_kick_off_without_prefer_respond_async_is_refused_naming_the_header(
    services: Services, admin: TestClient
) -> None:
    with_bulk_export(services)

    refused = admin.get(KICK_OFF)

    assert refused.status_code in (400, 422)
    assert "Prefer" in refused.text
    assert "respond-async" in refused.text


def test_an_output_format_that_is_not_ndjson_is_refused_naming_it(
    services: Services, admin: TestClient
) -> None:
    with_bulk_export(services)

    refused = admin.get(KICK_OFF, params={"_outputFormat": "text/csv"}, headers=ASYNC)

    assert refused.status_code in (400, 422)
    assert "_outputFormat" in refused.text


@pytest.mark.parametrize("role", [Role.CLINICIAN, Role.FRONT_DESK])
def test_only_an_admin_may_export(services: Services, role: Role) -> None:
    with_bulk_export(services)
    add_member(services, add_clinic(services), role, "sam@harbour.test")
    client = signed_in(services, "sam@harbour.test")

    assert client.get(KICK_OFF, headers=ASYNC).status_code == 403


def test_a_file_before_the_export_completes_is_a_conflict(
    services: Services, admin: TestClient
) -> None:
    with_bulk_export(services, runner=HeldRunner())
    status_path = _status_path(admin.get(KICK_OFF, headers=ASYNC))
    job_id = status_path.rsplit("/", 1)[1]

    early = admin.get(f"/fhir/R4B/$export-files/{job_id}/Patient.ndjson")

    assert early.status_code == 409


def test_another_clinics_job_answers_exactly_like_an_unknown_one(
    services: Services, admin: TestClient
) -> None:
    with_bulk_export(services)
    status_path = _status_path(admin.get(KICK_OFF, headers=ASYNC))
    file_path = admin.get(status_path).json()["output"][0]["url"].split("testserver", 1)[1]
    add_member(services, add_clinic(services, "Other Clinic"), Role.ADMIN, "eve@other.test")
    other = signed_in(services, "eve@other.test")
    unknown = "/fhir/R4B/$export-status/00000000-0000-4000-8000-000000000000"
    unknown_file = file_path.replace(status_path.rsplit("/", 1)[1], unknown.rsplit("/", 1)[1])

    for theirs, nobodys in ((status_path, unknown), (file_path, unknown_file)):
        seen, never = other.get(theirs), other.get(nobodys)
        assert (seen.status_code, _without_ids(seen.json())) == (
            never.status_code,
            _without_ids(never.json()),
        )
        assert seen.status_code == 404
    assert other.delete(status_path).status_code == 404
    assert admin.get(status_path).status_code == 200  # untouched by the other clinic


def test_the_export_and_each_download_are_audited(services: Services, admin: TestClient) -> None:
    with_bulk_export(services)
    manifest = _manifest(admin)
    for output in manifest["output"]:
        admin.get(output["url"].split("testserver", 1)[1])

    with services.database.engine().connect() as connection:
        actions = [
            row[0]
            for row in connection.exec_driver_sql(
                "SELECT action FROM audit_event WHERE action LIKE 'fhir.%' ORDER BY seq"
            )
        ]
    assert actions == ["fhir.bulk_export"] + ["fhir.bulk_export.download"] * len(manifest["output"])


def _without_ids(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in ("instance", "request_id")}


def test_a_long_export_cancelled_stops_at_its_next_checkpoint(
    services: Services, admin: TestClient
) -> None:
    runner = HeldRunner()
    with_bulk_export(services, ScriptedResources(patients=3 * PROGRESS_EVERY), runner)
    status_path = _status_path(admin.get(KICK_OFF, headers=ASYNC))
    admin.delete(status_path)

    runner.release()

    job_id = UUID(status_path.rsplit("/", 1)[1])
    with services.database.unit_of_work() as uow:
        job = uow.bulk_jobs.get(_clinic_of(services), job_id)
    assert job is not None
    assert job.status is JobStatus.CANCELLED
    assert job.resources_done < PROGRESS_EVERY  # the run never saved past the cancel
    assert not (Path(services.settings.data_dir) / "fhir-exports" / str(job_id)).exists()


def _clinic_of(services: Services) -> UUID:
    with services.database.engine().connect() as connection:
        return UUID(str(connection.exec_driver_sql("SELECT id FROM clinic").scalar_one()))
