"""`needlepoint db/clinic/user/audit` commands against a real SQLite database file."""

from __future__ import annotations

import base64
import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest
from typer.testing import CliRunner

from fakes import OPERATOR
from needlepoint.bootstrap import audit_key, bootstrap
from needlepoint.domain.records import Role
from needlepoint.domain.vocabulary import Sex
from needlepoint.entrypoints.cli import main as cli
from needlepoint.services.accounts import staff as accounts
from needlepoint.services.audit import AuthMethod, RequestContext
from needlepoint.services.records import patients

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


def test_a_licence_for_an_admin_is_refused_with_its_field_and_changes_nothing(
    data_dir: Path,
) -> None:
    clinic_id = _clinic()
    options = ["--clinic", clinic_id, "--email", "ada@b.test", "--name", "Ada", "--role", "admin"]

    refused = runner.invoke(
        cli.app,
        ["user", "add", *options, "--licence-mm", "1.5", "--password-stdin"],
        input="a long enough passphrase\n",
    )
    added = runner.invoke(
        cli.app, ["user", "add", *options, "--password-stdin"], input="a long enough passphrase\n"
    )

    assert refused.exit_code == 2
    assert "Nothing was changed" in refused.stderr
    assert "licence_max_depth_mm: an admin does not needle patients" in refused.stderr
    assert "consultation" not in refused.stderr
    assert added.exit_code == 0, added.output  # the email was not taken by the refused one


def test_an_unknown_time_zone_is_refused(data_dir: Path) -> None:
    result = runner.invoke(cli.app, ["clinic", "add", "Nowhere", "--time-zone", "Mars/Olympus"])

    assert result.exit_code == 2
    assert "time_zone" in result.stderr


def test_an_empty_audit_trail_verifies(data_dir: Path) -> None:
    audit_key(bootstrap().settings)  # the key a first server start makes

    result = runner.invoke(cli.app, ["audit", "verify"])

    assert result.exit_code == 0, result.output
    assert "intact" in result.stdout


def test_verify_without_the_audit_key_says_where_it_is_missing_and_makes_none(
    data_dir: Path,
) -> None:
    result = runner.invoke(cli.app, ["audit", "verify"])

    assert result.exit_code == 3
    message = " ".join(result.stderr.split())
    assert "NEEDLEPOINT_AUDIT_KEY is unset" in message
    assert not (data_dir / "audit-key").exists()


def _register_three_patients() -> None:
    services = bootstrap()
    clinic_id = UUID(_clinic())
    member = services.accounts.add_staff(
        accounts.NewStaff(
            clinic_id, "desk@harbour.test", "Desk", Role.FRONT_DESK, None, "plum heron tidy basalt"
        ),
        context=OPERATOR,
    )
    context = RequestContext(actor=member, request_id="req-1", auth=AuthMethod.SESSION)
    for given in ("Amira", "Ben", "Cleo"):
        new = patients.NewPatient(given, "Okafor", date(1990, 1, 1), Sex.FEMALE)
        patients.register_patient(
            new=new,
            context=context,
            uow=services.database.unit_of_work(),
            clock=services.clock,
            max_age_years=120,
        )
    services.database.close()


def _behind_the_database(data_dir: Path, statement: str) -> None:
    with sqlite3.connect(data_dir / "needlepoint.sqlite3") as raw:
        triggers = raw.execute(
            "SELECT name, sql FROM sqlite_master WHERE type='trigger' AND tbl_name='audit_event'"
        ).fetchall()
        for name, _ in triggers:
            raw.execute(f'DROP TRIGGER "{name}"')
        raw.execute(statement)
        for _, sql in triggers:
            raw.execute(sql)


def test_audit_verify_names_the_first_changed_event(data_dir: Path) -> None:
    _register_three_patients()
    assert runner.invoke(cli.app, ["audit", "verify"]).exit_code == 0

    _behind_the_database(data_dir, "UPDATE audit_event SET action = 'patient.delete' WHERE seq = 2")
    result = runner.invoke(cli.app, ["audit", "verify"])

    assert result.exit_code == 1
    assert "(changed) at row 2" in result.stderr


def test_audit_verify_prints_the_head_and_each_chain(data_dir: Path) -> None:
    _register_three_patients()

    result = runner.invoke(cli.app, ["audit", "verify"])

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("audit trail intact: ")
    assert lines[1].startswith("head ") and len(lines[1]) == len("head ") + 64
    assert any(line.startswith("  chain ") and " events, head " in line for line in lines[2:])
    assert (data_dir / "audit-key").stat().st_mode & 0o777 == 0o600


def test_the_newest_events_deleted_are_caught_against_an_anchor_file(data_dir: Path) -> None:
    _register_three_patients()
    anchor = data_dir / "anchor.json"
    anchored = runner.invoke(cli.app, ["audit", "anchor", "--to", str(anchor)])
    assert anchored.exit_code == 0, anchored.output

    _behind_the_database(
        data_dir, "DELETE FROM audit_event WHERE seq > (SELECT max(seq) - 2 FROM audit_event)"
    )
    alone = runner.invoke(cli.app, ["audit", "verify"])
    against = runner.invoke(cli.app, ["audit", "verify", "--anchor", str(anchor)])

    assert alone.exit_code == 0  # a shorter chain is a valid chain
    assert against.exit_code == 1
    assert "(truncated)" in against.stderr
    assert "the newest were deleted" in against.stderr


def test_an_edited_anchor_file_is_refused_with_the_reason(data_dir: Path) -> None:
    _register_three_patients()
    anchor = data_dir / "anchor.json"
    assert runner.invoke(cli.app, ["audit", "anchor", "--to", str(anchor)]).exit_code == 0
    anchor.write_text(anchor.read_text().replace('"count": ', '"count": 1'), encoding="utf-8")

    result = runner.invoke(cli.app, ["audit", "verify", "--anchor", str(anchor)])

    assert result.exit_code == 2
    assert "digest does not match" in result.stderr


def test_backup_then_restore_through_the_command_line(data_dir: Path) -> None:
    _clinic()
    taken = runner.invoke(cli.app, ["backup"])
    assert taken.exit_code == 0, taken.output
    path = Path(taken.stdout.strip())
    assert path.parent == data_dir / "backups"
    _clinic()

    restored = runner.invoke(cli.app, ["restore", str(path)])

    assert restored.exit_code == 0, restored.output
    assert "integrity verified" in restored.stdout
    with sqlite3.connect(data_dir / "needlepoint.sqlite3") as raw:
        assert raw.execute("SELECT count(*) FROM clinic").fetchone()[0] == 1


@pytest.mark.parametrize("damage", ["wrong key", "cut short", "in clear"])
def test_a_backup_that_does_not_open_exits_5_with_a_message_and_changes_nothing(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    _clinic()
    taken = runner.invoke(cli.app, ["backup"])
    assert taken.exit_code == 0, taken.output
    path = Path(taken.stdout.strip())
    _clinic()
    if damage == "wrong key":
        monkeypatch.setenv("NEEDLEPOINT_BACKUP_KEY", base64.b64encode(bytes(32)).decode())
    elif damage == "cut short":
        path.write_bytes(path.read_bytes()[:-1000])
    else:
        path.write_bytes(b"SQLite format 3\x00" + bytes(200))

    restored = runner.invoke(cli.app, ["restore", str(path)])

    assert restored.exit_code == 5, restored.output
    message = " ".join(restored.stderr.split())
    assert "Nothing was restored" in message
    assert "Traceback" not in restored.output
    expected = {
        "wrong key": "encrypted with another backup key",
        "cut short": "cut short or was changed",
        "in clear": "--unencrypted",
    }[damage]
    assert expected in message
    with sqlite3.connect(data_dir / "needlepoint.sqlite3") as raw:
        assert raw.execute("SELECT count(*) FROM clinic").fetchone()[0] == 2


def test_restore_without_any_backup_key_says_so_and_makes_none(data_dir: Path) -> None:
    _clinic()
    path = Path(runner.invoke(cli.app, ["backup"]).stdout.strip())
    (data_dir / "backup-key").unlink()

    restored = runner.invoke(cli.app, ["restore", str(path)])

    assert restored.exit_code == 3
    assert "NEEDLEPOINT_BACKUP_KEY is unset" in " ".join(restored.stderr.split())
    assert not (data_dir / "backup-key").exists()


def test_rotate_field_key_makes_a_new_key_keeps_the_old_for_reading_and_reencrypts(
    data_dir: Path,
) -> None:
    _clinic()
    first = runner.invoke(cli.app, ["keys", "reencrypt-fields"])
    assert first.exit_code == 0, first.output
    assert "re-encrypted 0" in first.stdout
    old = (data_dir / "field-key").read_text()

    rotated = runner.invoke(cli.app, ["keys", "rotate-field-key", "--batch-size", "10"])

    assert rotated.exit_code == 0, rotated.output
    assert (data_dir / "field-key").read_text() != old
    assert (data_dir / "field-keys-retired").read_text() == old
    assert (data_dir / "field-keys-retired").stat().st_mode & 0o777 == 0o600
    assert _reencryptions(data_dir) == [("operator", None, "success")] * 2


def _reencryptions(data_dir: Path) -> list[tuple[str, str | None, str]]:
    """The audit events of field re-encryptions: actor role, actor id, outcome."""
    with closing(sqlite3.connect(data_dir / "needlepoint.sqlite3")) as raw:
        rows = raw.execute(
            "SELECT actor_role, actor_id, outcome FROM audit_event "
            "WHERE action = 'keys.reencrypt_fields' ORDER BY seq"
        ).fetchall()
    return [(role, actor, outcome) for role, actor, outcome in rows]


def test_rotate_field_key_refuses_when_the_key_is_a_setting(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEEDLEPOINT_FIELD_KEY", base64.b64encode(bytes(range(32))).decode())

    refused = runner.invoke(cli.app, ["keys", "rotate-field-key"])

    assert refused.exit_code == 2
    assert "NEEDLEPOINT_FIELD_KEYS_RETIRED" in " ".join(refused.stderr.split())


def test_restoring_a_missing_backup_exits_2(data_dir: Path) -> None:
    result = runner.invoke(cli.app, ["restore", str(data_dir / "nope.sqlite3")])

    assert result.exit_code == 2


def test_demo_seeds_every_state_once_and_prints_the_logins(data_dir: Path) -> None:
    seeded = runner.invoke(cli.app, ["demo"])

    assert seeded.exit_code == 0, seeded.output
    assert "clinician@demo.needlepoint.test" in seeded.stdout
    with sqlite3.connect(data_dir / "needlepoint.sqlite3") as raw:
        assert raw.execute("SELECT count(*) FROM patient").fetchone()[0] == 11
        statuses = {row[0] for row in raw.execute("SELECT status FROM consultation")}
        assert statuses == {"draft", "signed"}
        assert raw.execute("SELECT count(*) FROM treatment_series").fetchone()[0] == 4
        assert raw.execute("SELECT count(*) FROM chart_version").fetchone()[0] == 2
    assert runner.invoke(cli.app, ["demo"]).exit_code == 2
    assert runner.invoke(cli.app, ["audit", "verify"]).exit_code == 0


def test_demo_cohort_adds_completed_series_and_the_audit_trail_still_verifies(
    data_dir: Path,
) -> None:
    seeded = runner.invoke(cli.app, ["demo", "--cohort", "--series", "12", "--seed", "4"])

    assert seeded.exit_code == 0, seeded.output
    assert "Cohort: 12 completed series" in seeded.stderr
    assert "clinician@demo.needlepoint.test" in seeded.stdout
    with sqlite3.connect(data_dir / "needlepoint.sqlite3") as raw:
        completed = "SELECT count(*) FROM treatment_series WHERE status = 'completed'"
        assert raw.execute(completed).fetchone()[0] == 12
        assert raw.execute("SELECT count(*) FROM patient").fetchone()[0] == 11 + 12
    assert runner.invoke(cli.app, ["audit", "verify"]).exit_code == 0


def test_demo_cohort_refuses_no_series_naming_the_option(data_dir: Path) -> None:
    refused = runner.invoke(cli.app, ["demo", "--cohort", "--series", "0"])

    assert refused.exit_code == 2
    assert "--series" in refused.output
    with sqlite3.connect(data_dir / "needlepoint.sqlite3") as raw:
        tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master")}
        if "clinic" in tables:
            assert raw.execute("SELECT count(*) FROM clinic").fetchone()[0] == 0
