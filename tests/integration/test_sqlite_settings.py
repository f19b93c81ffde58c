"""Durability: every SQLite connection is WAL + FULL + foreign keys; PostgreSQL syncs commits."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy import Engine, create_engine, text

from needlepoint.adapters.db.engine import DurabilityError, check_durability, make_engine
from needlepoint.adapters.db.migrate import upgrade
from needlepoint.adapters.db.unit_of_work import SqlAlchemyUnitOfWork


def pragma(engine: Engine, name: str) -> str:
    with engine.connect() as connection:
        return str(connection.execute(text(f"PRAGMA {name}")).scalar_one())


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'needlepoint.db'}")
    yield engine
    engine.dispose()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("journal_mode", "wal"),
        ("synchronous", "2"),
        ("foreign_keys", "1"),
        ("busy_timeout", "5000"),
    ],
)
def test_every_sqlite_connection_is_durable(
    sqlite_engine: Engine, name: str, expected: str
) -> None:
    sqlite_engine.dispose()  # a brand-new connection

    assert pragma(sqlite_engine, name) == expected


def test_make_engine_creates_the_data_directory(tmp_path: Path, sqlite_engine: Engine) -> None:
    pragma(sqlite_engine, "journal_mode")

    assert (tmp_path / "data" / "needlepoint.db").is_file()


def test_check_durability_passes_on_sqlite(sqlite_engine: Engine) -> None:
    assert check_durability(sqlite_engine) == {
        "journal_mode": "wal",
        "synchronous": "2",
        "foreign_keys": "1",
    }


def test_check_durability_names_what_is_unsafe(tmp_path: Path) -> None:
    plain = create_engine(f"sqlite:///{tmp_path / 'plain.db'}")

    with pytest.raises(DurabilityError) as raised:
        check_durability(plain)

    assert raised.value.wrong.keys() >= {"journal_mode", "foreign_keys"}
    assert "journal_mode='delete'" in str(raised.value)
    plain.dispose()


def test_a_transaction_takes_the_write_lock_when_it_begins(
    tmp_path: Path, sqlite_engine: Engine
) -> None:
    database = tmp_path / "data" / "needlepoint.db"
    with sqlite_engine.connect() as connection:
        connection.execute(text("SELECT 1"))  # BEGIN IMMEDIATE, then a read
        other = sqlite3.connect(database, timeout=0, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()


def test_a_unit_of_work_holds_the_write_lock_from_its_first_statement(
    tmp_path: Path, sqlite_engine: Engine
) -> None:
    database = tmp_path / "data" / "needlepoint.db"
    upgrade(f"sqlite:///{database}")
    uow = SqlAlchemyUnitOfWork(sqlite_engine)
    with uow:
        uow.clinics.get(uuid4())
        other = sqlite3.connect(database, timeout=0, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()


def test_a_deferred_reader_does_not_block_writers(tmp_path: Path, sqlite_engine: Engine) -> None:
    database = tmp_path / "data" / "needlepoint.db"
    reader = sqlite_engine.execution_options(sqlite_begin="DEFERRED")
    with reader.connect() as connection:
        connection.execute(text("SELECT 1"))
        other = sqlite3.connect(database, timeout=0, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        other.close()


def test_an_unknown_begin_mode_is_refused(sqlite_engine: Engine) -> None:
    odd = sqlite_engine.execution_options(sqlite_begin="; DROP TABLE x")

    with pytest.raises(ValueError, match="sqlite_begin"), odd.connect() as connection:
        connection.execute(text("SELECT 1"))


def test_names_are_lowered_beyond_ascii(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as connection:
        lowered = connection.execute(text("SELECT lower('ÉAMONN Ó')")).scalar_one()

    assert lowered == "éamonn ó"


@pytest.mark.postgres
@pytest.mark.parametrize("empty_db_url", ["postgres"], indirect=True)
def test_postgres_commits_are_synchronous(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)

    settings = check_durability(engine)

    assert settings == {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}
    engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("empty_db_url", ["postgres"], indirect=True)
def test_postgres_url_without_driver_uses_psycopg(empty_db_url: str) -> None:
    bare = empty_db_url.replace("postgresql+psycopg://", "postgresql://")

    engine = make_engine(bare)

    assert engine.dialect.driver == "psycopg"
    engine.dispose()


def test_writers_of_one_process_queue_for_the_write_lock_and_all_land(
    sqlite_engine: Engine,
) -> None:
    """Twelve threads writing at once: no "database is locked", every row present."""
    with sqlite_engine.begin() as connection:
        connection.execute(text("CREATE TABLE tally (thread INTEGER, n INTEGER)"))
    failures: list[BaseException] = []

    def write(thread: int) -> None:
        try:
            for n in range(20):
                with sqlite_engine.begin() as connection:
                    connection.execute(
                        text("INSERT INTO tally VALUES (:t, :n)"), {"t": thread, "n": n}
                    )
        except BaseException as error:  # collected, asserted below
            failures.append(error)

    threads = [threading.Thread(target=write, args=(t,)) for t in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert pragma_count(sqlite_engine) == 12 * 20


def test_a_rolled_back_writer_opens_the_gate_for_the_next(sqlite_engine: Engine) -> None:
    with sqlite_engine.begin() as connection:
        connection.execute(text("CREATE TABLE tally (thread INTEGER, n INTEGER)"))
    with pytest.raises(ZeroDivisionError), sqlite_engine.begin() as connection:
        connection.execute(text("INSERT INTO tally VALUES (1, 1)"))
        _ = 1 / 0
    done = threading.Event()

    def write_from_another_thread() -> None:
        with sqlite_engine.begin() as connection:
            connection.execute(text("INSERT INTO tally VALUES (2, 2)"))
        done.set()

    threading.Thread(target=write_from_another_thread).start()
    assert done.wait(timeout=3), "the gate stayed shut after a rollback"
    assert pragma_count(sqlite_engine) == 1


def pragma_count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM tally")).scalar_one())
