"""The audit trail: append-only in the database, one keyed hash chain per writer (ADR 0032).

Each tampering of issue 13 is performed behind the database's back (triggers off) and
``verify`` must name the first bad event: a changed row, a deleted row, the newest rows
deleted (caught against an anchor), and rows rewritten with the chain recomputed without the
key (plain SHA-256, or another key).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from sqlalchemy import Connection, Engine, MetaData, RowMapping, Table, insert, select, text
from sqlalchemy.exc import DBAPIError

from fakes import AUDIT_KEY, FIELD_KEYS
from needlepoint.adapters.db.engine import make_engine
from needlepoint.adapters.db.migrate import upgrade
from needlepoint.adapters.db.shared.audit import (
    GENESIS_HASH,
    LEGACY_CHAIN,
    AuditKeyMissingError,
    ChainHead,
    ChainProblem,
    keyed_hash,
    verify_chain,
)
from needlepoint.adapters.db.tables import audit_event
from needlepoint.adapters.db.unit_of_work import SqlAlchemyUnitOfWork
from needlepoint.domain.audit_chain import Link, canonical_json, chain_hash
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


def rows(engine: Engine) -> list[RowMapping]:
    with engine.connect() as connection:
        query = select(audit_event).order_by(audit_event.c.seq)
        return list(connection.execute(query).mappings())


def event_of(row: RowMapping) -> AuditEvent:
    fields = ("at", "actor_id", "actor_role", "action", "resource_type", "resource_id")
    more = ("patient_id", "outcome", "request_id")
    return AuditEvent(**{name: row[name] for name in (*fields, *more)})


Digest = Callable[[str, RowMapping, AuditEvent], str]
"""How a tamperer rehashes a row: from the hash before it, the row and its event."""


def with_key(key: bytes) -> Digest:
    def digest(prev_hash: str, row: RowMapping, event: AuditEvent) -> str:
        return keyed_hash(key, Link(row["writer_id"], row["writer_seq"], prev_hash), event)

    return digest


def plain_sha256(prev_hash: str, row: RowMapping, event: AuditEvent) -> str:
    """The keyed message hashed with SHA-256 alone: what anyone without the key can compute."""
    message = "\0".join((str(row["writer_id"]), str(row["writer_seq"]), prev_hash))
    return hashlib.sha256((message + canonical_json(event)).encode()).hexdigest()


def rewrite(engine: Engine, seq: int, action: str, digest: Digest) -> None:
    """Change row ``seq``'s action, then recompute its chain from there on with ``digest``."""
    everything = rows(engine)
    target = next(row for row in everything if row["seq"] == seq)
    chain = [
        row
        for row in everything
        if row["writer_id"] == target["writer_id"] and row["writer_seq"] >= target["writer_seq"]
    ]
    prev_hash = target["prev_hash"]
    with engine.begin() as connection, triggers_off(connection):
        for row in sorted(chain, key=lambda r: r["writer_seq"]):
            event = event_of(row)
            if row["seq"] == seq:
                event = replace(event, action=action)
            new_hash = digest(prev_hash, row, event)
            connection.execute(
                text(
                    "UPDATE audit_event SET action = :a, prev_hash = :p, hash = :h WHERE seq = :s"
                ),
                {"a": event.action, "p": prev_hash, "h": new_hash, "s": row["seq"]},
            )
            prev_hash = new_hash


def one_chain(engine: Engine, count: int) -> list[RowMapping]:
    """``count`` events appended one unit of work after another: one writer's chain."""
    append_events(engine, count)
    appended = rows(engine)
    assert {row["writer_id"] for row in appended} != {None}
    assert len({row["writer_id"] for row in appended}) == 1
    return appended


def test_an_empty_trail_verifies(fresh_engine: Engine) -> None:
    report = verify_chain(fresh_engine)

    assert report.ok
    assert report.checked == 0
    assert report.heads == ()
    assert report.head_hash == GENESIS_HASH


def test_appended_events_form_a_chain_that_verifies(fresh_engine: Engine) -> None:
    appended = one_chain(fresh_engine, 12)

    report = verify_chain(fresh_engine)

    assert report.ok, report.detail
    assert report.checked == 12
    assert report.heads == (ChainHead(appended[0]["writer_id"], 12, appended[-1]["hash"]),)
    assert [row["writer_seq"] for row in appended] == list(range(1, 13))


def test_events_without_actor_or_patient_chain_too(fresh_engine: Engine) -> None:
    uow = SqlAlchemyUnitOfWork(fresh_engine)
    with uow:
        uow.audit.append(make_event(1, actor_id=None, patient_id=None, outcome="denied"))
        uow.commit()

    assert verify_chain(fresh_engine).ok


def test_a_writers_first_row_links_to_the_genesis_hash_under_the_key(fresh_engine: Engine) -> None:
    event = make_event(0)
    uow = SqlAlchemyUnitOfWork(fresh_engine)
    with uow:
        uow.audit.append(event)
        uow.commit()

    (row,) = rows(fresh_engine)

    assert (row["writer_seq"], row["prev_hash"]) == (1, GENESIS_HASH)
    assert row["hash"] == keyed_hash(AUDIT_KEY, Link(row["writer_id"], 1, GENESIS_HASH), event)
    assert row["hash"] != chain_hash(GENESIS_HASH, event)


def test_an_engine_without_the_key_neither_appends_nor_verifies(fresh_engine: Engine) -> None:
    keyless = make_engine(fresh_engine.url.render_as_string(hide_password=False))
    try:
        with pytest.raises(AuditKeyMissingError, match="NEEDLEPOINT_AUDIT_KEY"):
            append_events(keyless, 1)
        with pytest.raises(AuditKeyMissingError):
            verify_chain(keyless)
    finally:
        keyless.dispose()


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


def test_concurrent_appenders_each_keep_an_intact_chain(fresh_engine: Engine) -> None:
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
    assert sum(head.count for head in report.heads) == 30


@pytest.mark.postgres
def test_an_open_append_does_not_hold_up_another_writer(fresh_engine: Engine) -> None:
    if fresh_engine.dialect.name != "postgresql":
        pytest.skip("SQLite admits one writer at a time by design; PostgreSQL needs no lock")
    finished = threading.Event()

    def second_writer() -> None:
        append_events(fresh_engine, 1)
        finished.set()

    first = SqlAlchemyUnitOfWork(fresh_engine)
    with first:
        first.audit.append(make_event(1))
        writer = threading.Thread(target=second_writer)
        writer.start()
        landed = finished.wait(timeout=10)
        first.commit()
    writer.join()

    assert landed, "the second writer waited for the first one's transaction"
    report = verify_chain(fresh_engine)
    assert (report.ok, report.checked, len(report.heads)) == (True, 2, 2)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET outcome = 'denied' WHERE seq = {seq}",
        "DELETE FROM audit_event WHERE seq = {seq}",
        "DELETE FROM audit_event",
    ],
)
def test_ad4_the_app_cannot_update_or_delete_an_audit_row_and_the_chain_still_verifies(
    fresh_engine: Engine, statement: str
) -> None:
    """The application's own connection (triggers on) cannot change or remove an event."""
    appended = one_chain(fresh_engine, 4)

    with pytest.raises(DBAPIError, match="append-only"), fresh_engine.begin() as connection:
        connection.execute(text(statement.format(seq=appended[1]["seq"])))

    assert rows(fresh_engine) == appended
    report = verify_chain(fresh_engine)
    assert (report.ok, report.checked) == (True, 4)


def test_ad4_a_changed_row_is_named_as_the_first_bad_one(fresh_engine: Engine) -> None:
    appended = one_chain(fresh_engine, 10)

    tamper(
        fresh_engine, f"UPDATE audit_event SET outcome = 'denied' WHERE seq = {appended[5]['seq']}"
    )
    report = verify_chain(fresh_engine)

    assert not report.ok
    assert report.problem is ChainProblem.CHANGED
    assert report.first_bad_seq == appended[5]["seq"]
    assert (report.first_bad_chain, report.first_bad_chain_seq) == (appended[5]["writer_id"], 6)
    assert report.checked == 5


def test_a_changed_timestamp_is_caught(fresh_engine: Engine) -> None:
    appended = one_chain(fresh_engine, 5)
    at = appended[1]["at"]
    shifted = "2027-01-01 00:00:00.000000" if isinstance(at, str) else "2027-01-01T00:00:00Z"

    tamper(
        fresh_engine, f"UPDATE audit_event SET at = '{shifted}' WHERE seq = {appended[1]['seq']}"
    )
    report = verify_chain(fresh_engine)

    assert (report.first_bad_seq, report.problem) == (appended[1]["seq"], ChainProblem.CHANGED)


def test_a_deleted_row_is_reported(fresh_engine: Engine) -> None:
    appended = one_chain(fresh_engine, 10)

    tamper(fresh_engine, f"DELETE FROM audit_event WHERE seq = {appended[3]['seq']}")
    report = verify_chain(fresh_engine)

    assert not report.ok
    assert report.problem is ChainProblem.DELETED
    assert (report.first_bad_chain, report.first_bad_chain_seq) == (appended[3]["writer_id"], 4)
    assert "events 4..4" in report.detail


def test_deleting_the_first_row_is_reported(fresh_engine: Engine) -> None:
    appended = one_chain(fresh_engine, 3)

    tamper(fresh_engine, f"DELETE FROM audit_event WHERE seq = {appended[0]['seq']}")
    report = verify_chain(fresh_engine)

    assert (report.first_bad_chain_seq, report.problem) == (1, ChainProblem.DELETED)


def test_a_deleted_and_renumbered_row_is_reported(fresh_engine: Engine) -> None:
    appended = one_chain(fresh_engine, 6)

    tamper(fresh_engine, f"DELETE FROM audit_event WHERE seq = {appended[2]['seq']}")
    tamper(fresh_engine, "UPDATE audit_event SET writer_seq = writer_seq - 1 WHERE writer_seq > 3")
    report = verify_chain(fresh_engine)

    assert report.problem is ChainProblem.DELETED_OR_INSERTED
    assert (report.first_bad_seq, report.first_bad_chain_seq) == (appended[3]["seq"], 3)


@pytest.mark.parametrize("newest", [1, 4])
def test_the_newest_events_deleted_are_caught_against_an_anchor(
    fresh_engine: Engine, newest: int
) -> None:
    appended = one_chain(fresh_engine, 10)
    anchor = verify_chain(fresh_engine).heads

    tamper(fresh_engine, f"DELETE FROM audit_event WHERE seq > {appended[-1 - newest]['seq']}")
    alone = verify_chain(fresh_engine)
    report = verify_chain(fresh_engine, anchor=anchor)

    assert alone.ok  # a shorter chain is still a valid chain: only the anchor can tell
    assert not report.ok
    assert report.problem is ChainProblem.TRUNCATED
    assert report.first_bad_chain == appended[0]["writer_id"]
    assert report.first_bad_chain_seq == 10 - newest + 1
    assert f"the anchor saw 10, the database holds {10 - newest}" in report.detail


def test_a_chain_deleted_whole_is_caught_against_an_anchor(fresh_engine: Engine) -> None:
    appended = one_chain(fresh_engine, 3)
    anchor = verify_chain(fresh_engine).heads

    tamper(fresh_engine, "DELETE FROM audit_event")
    report = verify_chain(fresh_engine, anchor=anchor)

    assert (report.problem, report.first_bad_chain) == (
        ChainProblem.TRUNCATED,
        appended[0]["writer_id"],
    )
    assert report.first_bad_chain_seq == 1


def test_events_appended_after_the_anchor_still_verify_against_it(fresh_engine: Engine) -> None:
    one_chain(fresh_engine, 3)
    anchor = verify_chain(fresh_engine).heads
    append_events(fresh_engine, 3)

    report = verify_chain(fresh_engine, anchor=anchor)

    assert report.ok, report.detail
    assert report.checked == 6


def test_a_rewrite_with_the_right_key_would_pass(fresh_engine: Engine) -> None:
    """The tamperer's tool is faithful: only the key separates the next two tests from this."""
    appended = one_chain(fresh_engine, 6)

    rewrite(fresh_engine, appended[2]["seq"], "patient.delete", with_key(AUDIT_KEY))

    assert verify_chain(fresh_engine).ok


@pytest.mark.parametrize(
    "digest",
    [plain_sha256, with_key(b"a key that is not the audit key, guessed or old")],
    ids=["plain-sha256", "wrong-key"],
)
def test_a_rewrite_rehashed_without_the_key_is_named(fresh_engine: Engine, digest: Digest) -> None:
    appended = one_chain(fresh_engine, 6)

    rewrite(fresh_engine, appended[2]["seq"], "patient.delete", digest)
    report = verify_chain(fresh_engine)

    assert not report.ok
    assert report.problem is ChainProblem.CHANGED
    assert (report.first_bad_seq, report.first_bad_chain_seq) == (appended[2]["seq"], 3)
    assert "without the audit key" in report.detail


_ADDED_BY_0038 = {"severity", "break_glass_id"}
"""Columns of a later migration than the legacy rows' (ADR 0038)."""


def add_legacy_rows(engine: Engine, count: int, *, set_sequence: bool = True) -> str:
    """Rows as the unkeyed chain of before ADR 0032 wrote them; returns the legacy head."""
    prev_hash = GENESIS_HASH
    with engine.begin() as connection:
        for n in range(1, count + 1):
            event = make_event(n)
            row_hash = chain_hash(prev_hash, event)
            fields = {k: v for k, v in asdict(event).items() if k not in _ADDED_BY_0038}
            values = {**fields, "seq": n, "prev_hash": prev_hash, "hash": row_hash}
            connection.execute(insert(_BEFORE_WRITERS).values(values))
            prev_hash = row_hash
        if set_sequence and engine.dialect.name == "postgresql":  # as the migration does
            connection.execute(text("SELECT setval('audit_event_seq_seq', :n)"), {"n": count})
    return prev_hash


def test_keyed_chains_start_from_the_legacy_head(fresh_engine: Engine) -> None:
    legacy_head = add_legacy_rows(fresh_engine, 5)
    append_events(fresh_engine, 3)

    report = verify_chain(fresh_engine)
    keyed = [row for row in rows(fresh_engine) if row["writer_id"] is not None]

    assert report.ok, report.detail
    assert report.checked == 8
    assert ChainHead(LEGACY_CHAIN, 5, legacy_head) in report.heads
    assert keyed[0]["prev_hash"] == legacy_head
    assert min(row["seq"] for row in keyed) == 6  # numbered after the legacy rows


def test_a_changed_legacy_row_is_named(fresh_engine: Engine) -> None:
    add_legacy_rows(fresh_engine, 5)
    append_events(fresh_engine, 2)

    tamper(fresh_engine, "UPDATE audit_event SET outcome = 'denied' WHERE seq = 3")
    report = verify_chain(fresh_engine)

    assert (report.first_bad_seq, report.first_bad_chain) == (3, LEGACY_CHAIN)
    assert report.problem is ChainProblem.CHANGED


_BEFORE_WRITERS = Table(
    "audit_event",
    MetaData(),
    *(column._copy() for column in audit_event.c if column.name not in {"writer_id", "writer_seq"}),
)
"""The table as it was before the writer columns, for rows written by the old schema."""


def rehash_legacy(engine: Engine) -> None:
    """Recompute the unkeyed legacy chain over whatever rows now claim to be legacy."""
    prev_hash = GENESIS_HASH
    legacy = [row for row in rows(engine) if row["writer_id"] is None]
    with engine.begin() as connection, triggers_off(connection):
        for row in legacy:
            row_hash = chain_hash(prev_hash, event_of(row))
            connection.execute(
                text("UPDATE audit_event SET prev_hash = :p, hash = :h WHERE seq = :s"),
                {"p": prev_hash, "h": row_hash, "s": row["seq"]},
            )
            prev_hash = row_hash


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET action = 'patient.delete' WHERE seq = 2",
        "DELETE FROM audit_event WHERE writer_id IS NULL AND seq > 3",
    ],
    ids=["legacy-row-changed", "legacy-tail-deleted"],
)
def test_a_legacy_chain_rewritten_unkeyed_breaks_every_keyed_chain(
    fresh_engine: Engine, statement: str
) -> None:
    add_legacy_rows(fresh_engine, 5)
    append_events(fresh_engine, 2)
    first_keyed = next(row for row in rows(fresh_engine) if row["writer_id"] is not None)

    tamper(fresh_engine, statement)
    rehash_legacy(fresh_engine)  # the legacy chain alone verifies again
    report = verify_chain(fresh_engine)

    assert not report.ok
    assert report.first_bad_seq == first_keyed["seq"]
    assert (report.first_bad_chain, report.first_bad_chain_seq) == (first_keyed["writer_id"], 1)
    assert report.problem is ChainProblem.DELETED_OR_INSERTED
    assert "legacy chain" in report.detail


def test_keyed_rows_recast_as_legacy_are_caught_against_an_anchor(fresh_engine: Engine) -> None:
    add_legacy_rows(fresh_engine, 5)
    append_events(fresh_engine, 2)
    anchor = verify_chain(fresh_engine).heads
    writer = next(head.chain for head in anchor if head.chain != LEGACY_CHAIN)

    tamper(fresh_engine, "UPDATE audit_event SET writer_id = NULL, writer_seq = NULL")
    rehash_legacy(fresh_engine)
    report = verify_chain(fresh_engine, anchor=anchor)

    assert verify_chain(fresh_engine).ok  # a trail never upgraded looks just like this
    assert (report.problem, report.first_bad_chain) == (ChainProblem.TRUNCATED, writer)


def test_a_trail_written_before_the_upgrade_verifies_and_grows_keyed(empty_db_url: str) -> None:
    upgrade(empty_db_url, "20261208_patient_changes")
    engine = make_engine(empty_db_url, audit_key=AUDIT_KEY, field_keys=FIELD_KEYS)
    try:
        legacy_head = add_legacy_rows(engine, 4, set_sequence=False)
        engine.dispose()
        upgrade(empty_db_url)
        append_events(engine, 2)

        report = verify_chain(engine)
        keyed = rows(engine)[4:]
    finally:
        engine.dispose()

    assert report.ok, report.detail
    assert ChainHead(LEGACY_CHAIN, 4, legacy_head) in report.heads
    assert [row["seq"] for row in keyed] == [5, 6]  # the migration moved the numbering on
    assert keyed[0]["prev_hash"] == legacy_head
