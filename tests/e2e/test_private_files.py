"""Files and folders on disk are their owner's only (issue 14): 0600 files, 0700 folders.

The probe found the database, its WAL and the backups at 0644. The commands run as real
processes under the usual umask (022), as a clinic's server would.
"""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from fakes import BACKUP_KEY
from needlepoint.adapters import secret_file
from needlepoint.adapters.db.backup import backup
from needlepoint.adapters.db.engine import make_engine
from serving import NEEDLEPOINT, environment


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _needlepoint(data_dir: Path, *args: str) -> str:
    done = subprocess.run(
        [str(NEEDLEPOINT), *args],
        env=environment(data_dir),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_data_folder_database_and_backups_are_owner_only(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    _needlepoint(data_dir, "db", "upgrade")
    written = Path(_needlepoint(data_dir, "backup").strip())
    assert _mode(data_dir) == 0o700
    assert _mode(data_dir / "backups") == 0o700
    files = [*data_dir.glob("needlepoint.sqlite3*"), written, written.with_suffix(".json")]
    assert data_dir / "needlepoint.sqlite3" in files
    assert {path.name: _mode(path) for path in files} == {path.name: 0o600 for path in files}


def test_sqlite_wal_and_shm_files_are_owner_only(tmp_path: Path) -> None:
    database = tmp_path / "records" / "clinic.sqlite3"
    engine = make_engine(f"sqlite:///{database}")
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE note (body TEXT)"))
            conn.execute(text("INSERT INTO note VALUES ('x')"))
        companions = [Path(f"{database}{suffix}") for suffix in ("", "-wal", "-shm")]
        assert all(path.exists() for path in companions)
        assert [_mode(path) for path in companions] == [0o600, 0o600, 0o600]
        assert _mode(database.parent) == 0o700
    finally:
        engine.dispose()


def test_an_existing_world_readable_database_is_tightened(tmp_path: Path) -> None:
    database = tmp_path / "old.sqlite3"
    database.touch(mode=0o644)
    make_engine(f"sqlite:///{database}").dispose()
    assert _mode(database) == 0o600


def test_a_backup_into_a_new_folder_is_owner_only(tmp_path: Path) -> None:
    database = tmp_path / "live.sqlite3"
    engine = make_engine(f"sqlite:///{database}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE note (body TEXT)"))
    engine.dispose()
    report = backup(
        f"sqlite:///{database}", tmp_path / "backups", at=datetime.now(UTC), key=BACKUP_KEY
    )
    assert _mode(tmp_path / "backups") == 0o700
    assert _mode(report.path) == 0o600
    assert _mode(report.path.with_suffix(".json")) == 0o600


def test_a_key_file_and_its_new_folder_are_owner_only(tmp_path: Path) -> None:
    key = tmp_path / "keys" / "web-secret"
    secret_file.load_or_create(key)
    assert _mode(key) == 0o600
    assert _mode(key.parent) == 0o700
