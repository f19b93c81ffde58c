"""Backup and restore on both databases: consistent, verified, and a bad backup is refused."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
import time
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy import Engine

from api_support import MovingClock, make_services
from depth import scaled
from fakes import BACKUP_KEY
from needlepoint.adapters import backup_crypto
from needlepoint.adapters.db import backup
from needlepoint.adapters.db.engine import make_engine
from needlepoint.adapters.db.migrate import upgrade
from needlepoint.adapters.db.unit_of_work import SqlAlchemyUnitOfWork
from needlepoint.domain.patient_search import read_search
from needlepoint.domain.records import Clinic, PatientRecord
from needlepoint.domain.vocabulary import Sex

AT = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def _add_patients(engine: Engine, clinic_id, count: int) -> None:  # type: ignore[no-untyped-def]
    with SqlAlchemyUnitOfWork(engine) as uow:
        for index in range(count):
            uow.patients.add(
                PatientRecord(
                    uuid4(),
                    clinic_id,
                    f"P{index}",
                    "Backup",
                    date(1990, 1, 1),
                    Sex.FEMALE,
                    None,
                    None,
                    AT,
                )
            )
        uow.commit()


def _patients(engine: Engine, clinic_id) -> int:  # type: ignore[no-untyped-def]
    with SqlAlchemyUnitOfWork(engine) as uow:
        return len(uow.patients.list(clinic_id, search=None, offset=0, limit=100))


def test_a_restore_brings_back_exactly_the_backed_up_state(
    empty_db_url: str, fresh_engine: Engine, tmp_path: Path
) -> None:
    clinic = Clinic(uuid4(), "Backup Clinic", "UTC")
    with SqlAlchemyUnitOfWork(fresh_engine) as uow:
        uow.clinics.add(clinic)
        uow.commit()
    _add_patients(fresh_engine, clinic.id, 5)

    previous_umask = os.umask(0o022)  # the usual umask: the backup's own modes must hold
    try:
        report = backup.backup(empty_db_url, tmp_path / "backups", at=AT, key=BACKUP_KEY)
    finally:
        os.umask(previous_umask)
    assert stat.S_IMODE((tmp_path / "backups").stat().st_mode) == 0o700
    for written in (report.path, report.path.with_suffix(".json")):
        assert stat.S_IMODE(written.stat().st_mode) == 0o600, written.name
    _add_patients(fresh_engine, clinic.id, 3)
    assert _patients(fresh_engine, clinic.id) == 8
    fresh_engine.dispose()

    restored = backup.restore(empty_db_url, report.path, key=BACKUP_KEY)

    assert restored.row_counts["patient"] == 5 == report.row_counts["patient"]
    assert _patients(fresh_engine, clinic.id) == 5


def test_a_corrupt_backup_is_refused_and_nothing_is_replaced(
    empty_db_url: str, fresh_engine: Engine, tmp_path: Path
) -> None:
    clinic = Clinic(uuid4(), "Backup Clinic", "UTC")
    with SqlAlchemyUnitOfWork(fresh_engine) as uow:
        uow.clinics.add(clinic)
        uow.commit()
    _add_patients(fresh_engine, clinic.id, 2)
    report = backup.backup(empty_db_url, tmp_path / "backups", at=AT, key=BACKUP_KEY)
    data = bytearray(report.path.read_bytes())
    start = len(data) // 2  # inside a chunk of the encrypted file
    data[start : start + 64] = b"\xff" * 64
    report.path.write_bytes(bytes(data))

    with pytest.raises(backup.BackupError):
        backup.restore(empty_db_url, report.path, key=BACKUP_KEY)

    assert _patients(fresh_engine, clinic.id) == 2


def test_a_corrupt_backup_in_clear_fails_its_integrity_check_and_nothing_is_replaced(
    empty_db_url: str, fresh_engine: Engine, tmp_path: Path
) -> None:
    """A backup taken before encryption (restored with --unencrypted) is still checked."""
    clinic = Clinic(uuid4(), "Backup Clinic", "UTC")
    with SqlAlchemyUnitOfWork(fresh_engine) as uow:
        uow.clinics.add(clinic)
        uow.commit()
    _add_patients(fresh_engine, clinic.id, 2)
    report = backup.backup(empty_db_url, tmp_path / "backups", at=AT, key=BACKUP_KEY)
    sqlite = empty_db_url.startswith("sqlite")
    legacy = tmp_path / ("legacy.sqlite3" if sqlite else "legacy.pgdump")
    with legacy.open("wb") as plain:
        backup_crypto.decrypt_file(report.path, plain, BACKUP_KEY)
    legacy.with_suffix(".json").write_bytes(report.path.with_suffix(".json").read_bytes())
    data = bytearray(legacy.read_bytes())
    # SQLite: overwrite the header of the patient table's root page, a page in use whatever
    # the schema's size (the middle of the file may be unused space of an empty table).
    start = _page_offset(legacy, "patient") if sqlite else len(data) // 2
    data[start : start + 64] = b"\xff" * 64
    legacy.write_bytes(bytes(data))

    with pytest.raises(backup.BackupError):
        backup.restore(empty_db_url, legacy, key=BACKUP_KEY)  # in clear: refused outright
    with pytest.raises(backup.BackupError):
        backup.restore(empty_db_url, legacy, key=BACKUP_KEY, allow_unencrypted=True)

    assert _patients(fresh_engine, clinic.id) == 2


def _page_offset(path: Path, table: str) -> int:
    """Where a table's root page starts in an SQLite file."""
    with closing(sqlite3.connect(path)) as connection:
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        query = "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = ?"
        rootpage = connection.execute(query, (table,)).fetchone()[0]
    return int((rootpage - 1) * page_size)


def test_the_backup_file_holds_no_patient_name_in_clear(
    empty_db_url: str, fresh_engine: Engine, tmp_path: Path
) -> None:
    clinic = Clinic(uuid4(), "Backup Clinic", "UTC")
    with SqlAlchemyUnitOfWork(fresh_engine) as uow:
        uow.clinics.add(clinic)
        uow.patients.add(
            PatientRecord(
                uuid4(), clinic.id, "Canary", CANARY, date(1990, 1, 1), Sex.FEMALE, None, None, AT
            )
        )
        uow.commit()

    report = backup.backup(empty_db_url, tmp_path / "backups", at=AT, key=BACKUP_KEY)

    assert report.path.name.endswith(".enc")
    assert CANARY.encode() not in report.path.read_bytes()
    assert CANARY.encode() not in report.path.with_suffix(".json").read_bytes()
    assert sorted(p.name for p in (tmp_path / "backups").iterdir()) == sorted(
        [report.path.name, report.path.with_suffix(".json").name]
    )  # no plain copy left behind
    fresh_engine.dispose()
    assert backup.restore(empty_db_url, report.path, key=BACKUP_KEY).row_counts["patient"] == 1


@pytest.mark.parametrize("damage", ["wrong key", "cut short", "cut at a chunk"])
def test_a_backup_that_does_not_open_is_refused_and_nothing_is_replaced(
    empty_db_url: str, fresh_engine: Engine, tmp_path: Path, damage: str
) -> None:
    clinic = Clinic(uuid4(), "Backup Clinic", "UTC")
    with SqlAlchemyUnitOfWork(fresh_engine) as uow:
        uow.clinics.add(clinic)
        uow.commit()
    _add_patients(fresh_engine, clinic.id, 2)
    report = backup.backup(empty_db_url, tmp_path / "backups", at=AT, key=BACKUP_KEY)
    _add_patients(fresh_engine, clinic.id, 1)
    key, data = BACKUP_KEY, report.path.read_bytes()
    if damage == "wrong key":
        key = bytes(32)
    elif damage == "cut short":
        report.path.write_bytes(data[: len(data) - 100])
    else:  # every chunk gone, the header left (cuts between chunks: test_backup_crypto)
        report.path.write_bytes(data[: backup_crypto.HEADER_BYTES])

    with pytest.raises(backup.BackupError) as refused:
        backup.restore(empty_db_url, report.path, key=key)

    expected = "another backup key" if damage == "wrong key" else "cut short or was changed"
    assert expected in str(refused.value)
    assert _patients(fresh_engine, clinic.id) == 3
    assert not list(tmp_path.glob("**/restore.plain"))


CANARY = "Canaryfamily7d3e"


def test_du2_an_online_backup_under_200_rows_a_second_is_consistent(tmp_path: Path) -> None:
    """DU-2: SQLite's online backup taken while a writer commits pairs of patients sharing
    one family name, aiming at 200 rows/s (the rate reached depends on the machine): the copy's
    integrity_check is ok, its foreign_key_check is empty, every transaction in it is whole."""
    url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    clinic = Clinic(uuid4(), "Busy Clinic", "UTC")
    with SqlAlchemyUnitOfWork(engine) as uow:
        uow.clinics.add(clinic)
        uow.commit()
    stop = threading.Event()
    committed: list[int] = []

    def write() -> None:
        number = 0
        while not stop.is_set():
            with SqlAlchemyUnitOfWork(engine) as uow:
                for half in ("A", "B"):
                    uow.patients.add(
                        PatientRecord(
                            uuid4(),
                            clinic.id,
                            half,
                            f"Tx{number:06d}",
                            date(1990, 1, 1),
                            Sex.FEMALE,
                            None,
                            None,
                            AT,
                        )
                    )
                uow.commit()
            committed.append(number)
            number += 1
            time.sleep(0.01)  # 2 rows per transaction, about 100 transactions a second

    writer = threading.Thread(target=write)
    writer.start()
    try:
        _wait_for(lambda: len(committed) >= 20)
        started = len(committed)
        report = backup.backup(url, tmp_path / "backups", at=AT, key=BACKUP_KEY)
        _wait_for(lambda: len(committed) >= started + 5)  # the writer kept on during the copy
    finally:
        stop.set()
        writer.join(timeout=30)
    engine.dispose()

    opened = tmp_path / "opened.sqlite3"
    with opened.open("wb") as plain:
        backup_crypto.decrypt_file(report.path, plain, BACKUP_KEY)
    with closing(sqlite3.connect(opened)) as copy:
        integrity = copy.execute("PRAGMA integrity_check").fetchall()
        dangling = copy.execute("PRAGMA foreign_key_check").fetchall()
        per_transaction = copy.execute(
            "SELECT family_name, count(*) FROM patient WHERE clinic_id = ? GROUP BY family_name",
            (clinic.id.hex,),
        ).fetchall()
    assert integrity == [("ok",)]
    assert dangling == []
    assert len(per_transaction) >= 20  # the writer was busy when the copy was taken
    assert len(committed) > len(per_transaction)  # and went on writing after it
    assert {count for _, count in per_transaction} == {2}


def _wait_for(condition: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the writer stalled"
        time.sleep(0.01)


@pytest.mark.slow
def test_du3_a_restore_into_an_empty_directory_boots_and_is_quick(tmp_path: Path) -> None:
    """DU-3: a backup of a synthetic clinic (100,000 patients deep, 2,000 quick) restored into
    an empty directory passes its integrity check in < 5 min; the app boots on it (migrations
    at head, services built) and a smoke read finds every patient and one by name."""
    patients = scaled(deep=100_000, quick=2_000)
    url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    clinic = Clinic(uuid4(), "Synthetic Clinic", "UTC")
    with SqlAlchemyUnitOfWork(engine) as uow:
        uow.clinics.add(clinic)
        uow.commit()
    for first in range(0, patients, 10_000):
        _add_patients_from(engine, clinic.id, first, min(patients, first + 10_000))
    engine.dispose()
    report = backup.backup(url, tmp_path / "backups", at=AT, key=BACKUP_KEY)
    empty = tmp_path / "restored"
    empty.mkdir()
    assert list(empty.iterdir()) == []
    restored_url = f"sqlite:///{empty / 'needlepoint.sqlite3'}"

    started = time.monotonic()
    restored = backup.restore(restored_url, report.path, key=BACKUP_KEY)
    seconds = time.monotonic() - started

    print(f"\nDU-3 restore of {patients} patients: {seconds:.1f} s")  # noqa: T201
    assert seconds < 300
    assert restored.row_counts == report.row_counts
    assert restored.row_counts["patient"] == patients
    services = make_services(restored_url, MovingClock())  # boots: migrations, composition
    try:
        with services.database.unit_of_work() as uow:
            found = uow.patients.list(clinic.id, search=read_search("P1999"), offset=0, limit=20)
        assert "P1999" in [p.given_name for p in found]
    finally:
        services.database.close()


def _add_patients_from(engine: Engine, clinic_id, first: int, last: int) -> None:  # type: ignore[no-untyped-def]
    with SqlAlchemyUnitOfWork(engine) as uow:
        for index in range(first, last):
            uow.patients.add(
                PatientRecord(
                    uuid4(),
                    clinic_id,
                    f"P{index}",
                    "Synthetic",
                    date(1990, 1, 1),
                    Sex.FEMALE,
                    None,
                    None,
                    AT,
                )
            )
        uow.commit()
