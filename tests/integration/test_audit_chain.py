"""The audit trail: append-only in the database, hash-chained, and verified row by row."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import IntegrityError

from needlepoint.adapters.db.shared.audit import (
    GENESIS_HASH,
    ChainProblem,
    canonical_json,
    chain_hash,
    verify_chain,
)
from needlepoint.adapters.db.unit_of_work import SqlAlchemyUnitOfWork
from needlepoint.domain.records import AuditEvent

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def make_event(n: int, **overrides: object) -> AuditEvent:
    values: dict[str, object] = {
        "at": START + timedelta(seconds=n, microseconds=n),
        "actor_id": uuid4(),
        "actor_role": "clinician",
        "action": "patient.read",
        "resource_type": "patient",
        "resource_id": str(uuid4()),
        "patient_id": uuid4(),
        "outcome": "success",
        "request_id": f"req-{n:04d}",
    }
    values.update(overrides)
    return AuditEvent(**values)  # type: ignore[arg-type]


def append_events(engine: Engine, count: int, per_unit: int = 3) -> None:
    uow = SqlAlchemyUnitOfWork(engine)
    for start in range(0, count, per_unit):
        with uow:
            for n in range(start, min(start + per_unit, count)):
                uow.audit.append(make_event(n))
            uow.commit()


@contextmanager
def triggers_off(connection: Connection) -> Iterator[None]:
    """Go behind the database's back, as an attacker with file or owner access could."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
        yield
        connection.execute(text("ALTER TABLE audit_event ENABLE TRIGGER USER"))
        return
    saved = connection.execute(
        text("SELECT name, sql FROM sqlite_master WHERE type='trigger' AND tbl_name='audit_event'")
    ).all()
    for name, _ in saved:
        connection.execute(text(f"DROP TRIGGER {name}"))
    yield
    for _, sql in saved:
        connection.execute(text(sql))


def tamper(engine: Engine, statement: str) -> None:
    with engine.begin() as connection, triggers_off(connection):
        connection.execute(text(statement))


def test_an_empty_trail_verifies(fresh_engine: Engine) -> None:
    report = verify_chain(fresh_engine)

    assert report.ok
    assert report.checked == 0
    assert report.head_hash == GENESIS_HASH


def test_appended_events_form_a_chain_that_verifies(fresh_engine: Engine) -> None:
    append_events(fresh_engine, 12)

    report = verify_chain(fresh_engine)

    assert report.ok, report.detail
    assert report.checked == 12
    assert report.first_bad_seq is None


def test_events_without_actor_or_patient_chain_too(fresh_engine: Engine) -> None:
    uow = SqlAlchemyUnitOfWork(fresh_engine)
    with uow:
        uow.audit.append(make_event(1, actor_id=None, patient_id=None, outcome="denied"))
        uow.commit()

    assert verify_chain(fresh_engine).ok


def test_the_first_row_links_to_the_genesis_hash(fresh_engine: Engine) -> None:
    event = make_event(0)
    uow = SqlAlchemyUnitOfWork(fresh_engine)
    with uow:
        uow.audit.append(event)
        uow.commit()

    with fresh_engine.connect() as connection:
        row = connection.execute(text("SELECT seq, prev_hash, hash FROM audit_event")).one()

    assert row.seq == 1
    assert row.prev_hash == GENESIS_HASH
    assert row.hash == chain_hash(GENESIS_HASH, event)


def test_canonical_json_is_sorted_compact_and_utc() -> None:
    event = make_event(0, at=datetime(2026, 11, 23, 10, 0, tzinfo=UTC) + timedelta(hours=0))

    encoded = canonical_json(event)

    assert encoded.startswith('{"action":"patient.read","actor_id":"')
    assert '"at":"2026-11-23T10:00:00.000000Z"' in encoded
    assert " " not in encoded


def test_a_rolled_back_append_leaves_no_gap(fresh_engine: Engine) -> None:
    uow = SqlAlchemyUnitOfWork(fresh_engine)
    append_events(fresh_engine, 2)
    with uow:
        uow.audit.append(make_event(99))
    append_events(fresh_engine, 2)

    report = verify_chain(fresh_engine)

    assert report.ok, report.detail
    assert report.checked == 4


def test_concurrent_appenders_never_fork_the_chain(fresh_engine: Engine) -> None:
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            append_events(fresh_engine, 10, per_unit=1)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    report = verify_chain(fresh_engine)
    assert report.ok, report.detail
    assert report.checked == 30


def test_a_changed_row_is_named_as_the_first_bad_one(fresh_engine: Engine) -> None:
    append_events(fresh_engine, 10)

    tamper(fresh_engine, "UPDATE audit_event SET outcome = 'denied' WHERE seq = 6")
    report = verify_chain(fresh_engine)

    assert not report.ok
    assert report.first_bad_seq == 6
    assert report.problem is ChainProblem.CHANGED
    assert report.checked == 5


def test_a_changed_timestamp_is_caught(fresh_engine: Engine) -> None:
    append_events(fresh_engine, 5)
    with fresh_engine.connect() as connection:
        at = connection.execute(text("SELECT at FROM audit_event WHERE seq = 2")).scalar_one()
    shifted = "2027-01-01 00:00:00.000000" if isinstance(at, str) else "2027-01-01T00:00:00Z"

    tamper(fresh_engine, f"UPDATE audit_event SET at = '{shifted}' WHERE seq = 2")
    report = verify_chain(fresh_engine)

    assert (report.first_bad_seq, report.problem) == (2, ChainProblem.CHANGED)


def test_a_deleted_row_is_reported(fresh_engine: Engine) -> None:
    append_events(fresh_engine, 10)

    tamper(fresh_engine, "DELETE FROM audit_event WHERE seq = 4")
    report = verify_chain(fresh_engine)

    assert not report.ok
    assert report.first_bad_seq == 4
    assert report.problem is ChainProblem.DELETED


def test_deleting_the_first_row_is_reported(fresh_engine: Engine) -> None:
    append_events(fresh_engine, 3)

    tamper(fresh_engine, "DELETE FROM audit_event WHERE seq = 1")
    report = verify_chain(fresh_engine)

    assert (report.first_bad_seq, report.problem) == (1, ChainProblem.DELETED)


def test_a_deleted_and_renumbered_row_is_reported(fresh_engine: Engine) -> None:
    append_events(fresh_engine, 6)

    tamper(fresh_engine, "DELETE FROM audit_event WHERE seq = 3")
    tamper(fresh_engine, "UPDATE audit_event SET seq = seq - 1 WHERE seq > 3")
    report = verify_chain(fresh_engine)

    assert (report.first_bad_seq, report.problem) == (3, ChainProblem.DELETED_OR_INSERTED)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET outcome = 'denied' WHERE seq = 1",
        "DELETE FROM audit_event WHERE seq = 1",
        "DELETE FROM audit_event",
    ],
)
def test_the_database_refuses_to_change_or_delete_audit_rows(
    fresh_engine: Engine, statement: str
) -> None:
    append_events(fresh_engine, 2)

    with pytest.raises(IntegrityError, match="append-only"), fresh_engine.begin() as connection:
        connection.execute(text(statement))

    assert verify_chain(fresh_engine).checked == 2


def test_triggers_are_back_after_a_tamper_test(fresh_engine: Engine) -> None:
    append_events(fresh_engine, 2)
    tamper(fresh_engine, "UPDATE audit_event SET outcome = 'denied' WHERE seq = 2")

    with pytest.raises(IntegrityError), fresh_engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_event WHERE seq = 1"))
