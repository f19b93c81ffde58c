"""The FHIR bulk export of the demo clinic (`needlepoint demo`), over HTTP and the command line.

One NDJSON file per resource type the clinic has, each line a resource that ``fhir.resources``
R4B parses, and as many lines of each type as the database holds records of it. The export
runs as it does in production: in its own thread, polled until done.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID, uuid4

import pytest
from fhir.resources.R4B import get_fhir_model_class
from typer.testing import CliRunner

from api_support import MovingClock, TestClient, make_services
from builders import make_consultation
from fakes import AUDIT_KEY
from fhir_support import export_for
from needlepoint.bootstrap import Services
from needlepoint.domain.records import Role
from needlepoint.entrypoints.cli import demo
from needlepoint.entrypoints.cli import main as cli
from needlepoint.services.interop.bulk_reads import _patient_export, clinic_export

ADMIN = next(login for login in demo.LOGINS if login.role is Role.ADMIN)
COUNTS = {
    "Organization": "SELECT count(*) FROM clinic",
    "Practitioner": "SELECT count(*) FROM staff_member",
    "Location": "SELECT count(*) FROM room",
    "Patient": "SELECT count(*) FROM patient",
    "CarePlan": "SELECT count(*) FROM treatment_series",
    "Appointment": "SELECT count(*) FROM appointment",
    "Procedure": "SELECT count(*) FROM treatment_session WHERE started_at IS NOT NULL",
    "Consent": "SELECT count(*) FROM signed_consent",
    "Media": "SELECT count(*) FROM clinical_photo",
}
"""The database's count of the records behind each resource type (the demo has one clinic)."""
runner = CliRunner()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    data_dir = tmp_path_factory.mktemp("bulk-demo")
    services = make_services(
        f"sqlite:///{data_dir / 'needlepoint.sqlite3'}", MovingClock(), data_dir=data_dir
    )
    demo.seed(services)
    yield services
    services.database.close()


def _database_counts(services: Services) -> dict[str, int]:
    with services.database.engine().connect() as connection:
        return {
            kind: int(connection.exec_driver_sql(sql).scalar_one()) for kind, sql in COUNTS.items()
        }


def _exported(seeded: Services) -> tuple[dict[str, Any], dict[str, list[str]]]:
    client = TestClient(demo_app(seeded), base_url="https://testserver")
    signed = client.post(
        "/api/v1/auth/login", json={"email": ADMIN.email, "password": ADMIN.password}
    )
    assert signed.status_code == 200, signed.text
    kicked = client.get("/fhir/R4B/$export", headers={"Prefer": "respond-async"})
    assert kicked.status_code == 202, kicked.text
    status_path = kicked.headers["Content-Location"].split("testserver", 1)[1]
    deadline = time.monotonic() + 60
    status = client.get(status_path)
    while status.status_code == 202 and time.monotonic() < deadline:
        time.sleep(0.1)
        status = client.get(status_path)
    assert status.status_code == 200, status.text
    manifest: dict[str, Any] = status.json()
    files = {
        output["type"]: client.get(output["url"].split("testserver", 1)[1]).text.splitlines()
        for output in manifest["output"]
    }
    return manifest, files


def demo_app(services: Services) -> Any:
    from needlepoint.entrypoints.api.app import create_app  # noqa: PLC0415

    return create_app(services)


def test_the_demo_clinic_exports_one_file_per_type_each_line_a_valid_r4b_resource(
    seeded: Services,
) -> None:
    manifest, files = _exported(seeded)

    types = [output["type"] for output in manifest["output"]]
    assert len(types) == len(set(types))
    assert {"Organization", "Practitioner", "Patient", "CarePlan", "Procedure"} <= set(types)
    for output in manifest["output"]:
        lines = files[output["type"]]
        assert len(lines) == output["count"]
        model = get_fhir_model_class(output["type"])
        parsed = [model.model_validate_json(line) for line in lines]
        # each line is byte for byte the library's own JSON of the validated resource
        assert [p.model_dump_json(exclude_none=True, by_alias=True) for p in parsed] == lines
        ids = [getattr(resource, "id", None) for resource in parsed]
        assert len(ids) == len(set(ids)), output["type"]


def test_each_types_line_count_is_the_databases_count_of_its_records(seeded: Services) -> None:
    _manifest, files = _exported(seeded)

    exported = {kind: len(files.get(kind, [])) for kind in COUNTS}
    assert exported == _database_counts(seeded)


@pytest.fixture
def demo_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NEEDLEPOINT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("NEEDLEPOINT_AUDIT_KEY", AUDIT_KEY.decode())
    monkeypatch.delenv("NEEDLEPOINT_DATABASE_URL", raising=False)
    assert runner.invoke(cli.app, ["db", "upgrade"]).exit_code == 0
    seeded = runner.invoke(cli.app, ["demo"])
    assert seeded.exit_code == 0, seeded.output
    return tmp_path


def test_the_command_line_writes_the_same_files_and_a_manifest(demo_dir: Path) -> None:
    out = demo_dir / "export"

    result = runner.invoke(
        cli.app, ["export", "fhir", "--clinic", "Harbour Skin Clinic (demo)", "--out", str(out)]
    )

    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["requiresAccessToken"] is True
    assert result.stdout.splitlines()[-1] == str(out / "manifest.json")
    for output in manifest["output"]:
        written = (out / output["url"]).read_text(encoding="utf-8").splitlines()
        assert len(written) == output["count"]
        assert f"{output['url']}\t{output['count']}" in result.stdout
        assert (out / output["url"]).stat().st_mode & 0o777 == 0o600
    assert out.stat().st_mode & 0o777 == 0o700
    assert {o["type"] for o in manifest["output"]} >= {"Organization", "Patient"}


@pytest.mark.parametrize("clinic", ["No Such Clinic", "00000000-0000-4000-8000-000000000000"])
def test_an_unknown_clinic_exits_2_naming_the_option(demo_dir: Path, clinic: str) -> None:
    result = runner.invoke(
        cli.app, ["export", "fhir", "--clinic", clinic, "--out", str(demo_dir / "out")]
    )

    assert result.exit_code == 2
    assert "--clinic" in result.stderr
    assert "Traceback" not in result.output
    assert not (demo_dir / "out").exists()


def test_an_out_that_is_a_file_exits_2(demo_dir: Path) -> None:
    taken = demo_dir / "taken.txt"
    taken.write_text("mine", encoding="utf-8")

    result = runner.invoke(
        cli.app, ["export", "fhir", "--clinic", "Harbour Skin Clinic (demo)", "--out", str(taken)]
    )

    assert result.exit_code == 2
    assert "--out" in result.stderr
    assert taken.read_text(encoding="utf-8") == "mine"


def test_a_page_read_at_once_holds_the_same_records_as_reading_each_patient_alone(
    seeded: Services,
) -> None:
    uow = seeded.database.unit_of_work()
    with uow:
        (clinic_id,) = uow.bulk_jobs.clinic_ids_named("Harbour Skin Clinic (demo)")
        clinic = clinic_export(uow, clinic_id, {})
        ids = uow.bulk_jobs.patient_ids(clinic_id, after=None, limit=1000)
        page = uow.bulk_jobs.page_records(clinic_id, ids)
        at_once = [_patient_export(page, clinic, patient_id) for patient_id in ids]
        one_by_one = [_patient_export(uow, clinic, patient_id) for patient_id in ids]
        first_two = uow.bulk_jobs.page_records(clinic_id, ids[:2])
        outside = _patient_export(first_two, clinic, ids[-1])

    assert at_once == one_by_one
    assert outside == one_by_one[-1]  # a patient outside the page is read as usual
    exports = [e for e in at_once if e is not None]
    assert any(e.consents for e in exports)
    clinical = [e.programme.clinical for e in exports if e.programme.clinical is not None]
    assert any(record.charts for record in clinical)
    assert any(record.consultations for record in clinical)
    assert any(e.programme.appointments for e in exports)


if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Record = TypeVar("Record", bound="DataclassInstance")


def _copy(record: Record, **fields: Any) -> Record:
    """``record`` under a new id, with ``fields`` changed."""
    return replace(record, id=uuid4(), **fields)


def _with_every_kind_of_record(services: Services) -> tuple[UUID, list[UUID]]:
    """The demo clinic with a photo, a redness reading, an outcome, a care document and an
    assessment added to two patients who have sessions; its id and its patient ids."""
    sample = export_for(make_consultation())
    uow = services.database.unit_of_work()
    with uow:
        (clinic_id,) = uow.bulk_jobs.clinic_ids_named("Harbour Skin Clinic (demo)")
        ids = uow.bulk_jobs.patient_ids(clinic_id, after=None, limit=1000)
        staff_id = uow.staff.for_clinic(clinic_id)[0].id
        treated = [
            (patient_id, session)
            for patient_id in ids
            for series in uow.series.for_patient(clinic_id, patient_id, offset=0, limit=50)
            for session in uow.sessions.for_series(clinic_id, series.id)[:1]
        ][:2]
        for number, (patient_id, session) in enumerate(treated):
            owner = {"clinic_id": clinic_id, "patient_id": patient_id}
            photo = _copy(sample.photos[0], session_id=session.id, created_by=staff_id, **owner)
            uow.photos.add(photo, b"not an image")
            reading = _copy(sample.redness[0], photo_id=photo.id, recorded_by=staff_id, **owner)
            uow.photos.add_reading(reading)
            clinical = sample.programme.clinical
            assert clinical is not None
            in_series = {"series_id": session.series_id, **owner}
            uow.outcomes.add(_copy(clinical.outcomes[0], recorded_by=staff_id, **in_series))
            document = _copy(clinical.care_documents[0], issued_by=staff_id, **in_series)
            uow.care_documents.add(document)
            if number == 0:
                uow.assessments.add(_copy(clinical.assessments[0], assessed_by=staff_id, **owner))
        uow.commit()
    return clinic_id, ids


def test_a_page_read_at_once_holds_photos_readings_outcomes_documents_and_assessments_too(
    tmp_path: Path,
) -> None:
    services = make_services(
        f"sqlite:///{tmp_path / 'needlepoint.sqlite3'}", MovingClock(), data_dir=tmp_path
    )
    try:
        demo.seed(services)
        clinic_id, ids = _with_every_kind_of_record(services)
        uow = services.database.unit_of_work()
        with uow:
            clinic = clinic_export(uow, clinic_id, {})
            page = uow.bulk_jobs.page_records(clinic_id, ids)
            at_once = [_patient_export(page, clinic, patient_id) for patient_id in ids]
            one_by_one = [_patient_export(uow, clinic, patient_id) for patient_id in ids]
    finally:
        services.database.close()

    assert at_once == one_by_one
    exports = [e for e in at_once if e is not None]
    assert sum(len(e.photos) for e in exports) == 2
    assert sum(len(e.redness) for e in exports) == 2
    clinical = [e.programme.clinical for e in exports if e.programme.clinical is not None]
    assert sum(len(c.outcomes) for c in clinical) >= 2
    assert sum(len(c.care_documents) for c in clinical) >= 2
    assert sum(len(c.assessments) for c in clinical) >= 1
