"""`needlepoint db/clinic/user/audit` commands against a real SQLite database file."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import pytest
from typer.testing import CliRunner

from needlepoint.entrypoints.cli import main as cli

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NEEDLEPOINT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("NEEDLEPOINT_DATABASE_URL", raising=False)
    result = runner.invoke(cli.app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    return tmp_path


def _clinic() -> str:
    result = runner.invoke(
        cli.app, ["clinic", "add", "Harbour Skin Clinic", "--time-zone", "Europe/London"]
    )
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def test_db_upgrade_creates_the_sqlite_file_in_the_data_directory(data_dir: Path) -> None:
    assert (data_dir / "needlepoint.sqlite3").exists()


def test_a_clinic_and_a_clinician_can_be_created(data_dir: Path) -> None:
    clinic_id = _clinic()

    result = runner.invoke(
        cli.app,
        [
            "user",
            "add",
            "--clinic",
            clinic_id,
            "--email",
            "rowan@harbour.test",
            "--name",
            "Dr Rowan Hale",
            "--role",
            "clinician",
            "--licence-mm",
            "1.5",
            "--password-stdin",
        ],
        input="a long enough passphrase\n",
    )

    assert result.exit_code == 0, result.output
    assert UUID(result.stdout.strip())


def test_a_short_password_is_refused_naming_the_field(data_dir: Path) -> None:
    clinic_id = _clinic()

    result = runner.invoke(
        cli.app,
        [
            "user",
            "add",
            "--clinic",
            clinic_id,
            "--email",
            "a@b.test",
            "--name",
            "A",
            "--role",
            "admin",
            "--password-stdin",
        ],
        input="short\n",
    )

    assert result.exit_code == 2
    assert "password" in result.stderr


def test_an_unknown_time_zone_is_refused(data_dir: Path) -> None:
    result = runner.invoke(cli.app, ["clinic", "add", "Nowhere", "--time-zone", "Mars/Olympus"])

    assert result.exit_code == 2
    assert "time_zone" in result.stderr


def test_an_empty_audit_trail_verifies(data_dir: Path) -> None:
    result = runner.invoke(cli.app, ["audit", "verify"])

    assert result.exit_code == 0, result.output
    assert "intact" in result.stdout
