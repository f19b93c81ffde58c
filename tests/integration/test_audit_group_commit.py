"""Reads' audit events are group-committed: each caller returns once its own event is durable,
several callers share one commit, and an event of a read left without commit is dropped."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from uuid import uuid4

import pytest
from sqlalchemy import Engine, create_engine, event, func, select

from fakes import AUDIT_KEY
from needlepoint.adapters.db.engine import AUDIT_KEY_OPTION, make_engine
from needlepoint.adapters.db.shared.audit import verify_chain
from needlepoint.adapters.db.shared.audit_committer import (
    AuditCommitError,
    AuditCommitter,
    ReadingUnitOfWork,
)
from needlepoint.adapters.db.tables import audit_event
from needlepoint.domain.records import AuditEvent

CALLERS = 12


def read_event(n: int) -> AuditEvent:
    return AuditEvent(
        at=datetime(2026, 12, 9, 9, 0, n, tzinfo=UTC),
        actor_id=uuid4(),
        actor_role="clinician",
        action="chart.read",
        resource_type="treatment_session",
        resource_id=str(uuid4()),
        patient_id=uuid4(),
        outcome="success",
        request_id=f"read-{n}",
    )


def audit_rows(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(audit_event)).scalar_one())


def test_concurrent_reads_share_commits_and_each_event_is_there_on_return(
    fresh_engine: Engine,
) -> None:
    committer = AuditCommitter(fresh_engine)
    commits: list[int] = []
    event.listen(fresh_engine, "commit", lambda _connection: commits.append(1))
    start = threading.Barrier(CALLERS)
    present_on_return: list[bool] = []

    def reader(n: int) -> None:
        start.wait()
        request = read_event(n)
        committer.append_durably([request])
        with fresh_engine.connect() as connection:
            mine = select(func.count()).where(audit_event.c.request_id == request.request_id)
            present_on_return.append(connection.execute(mine).scalar_one() == 1)

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(CALLERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert present_on_return == [True] * CALLERS
    report = verify_chain(fresh_engine)
    assert (report.ok, report.checked) == (True, CALLERS)
    assert len(commits) < CALLERS  # at least two callers shared a commit


def test_a_reading_unit_of_work_appends_its_event_at_commit(fresh_engine: Engine) -> None:
    uow = ReadingUnitOfWork(fresh_engine, AuditCommitter(fresh_engine))
    with uow:
        uow.audit.append(read_event(1))
        assert audit_rows(fresh_engine) == 0
        uow.commit()

    assert audit_rows(fresh_engine) == 1


def test_a_read_left_without_commit_records_nothing(fresh_engine: Engine) -> None:
    uow = ReadingUnitOfWork(fresh_engine, AuditCommitter(fresh_engine))
    with uow:
        uow.audit.append(read_event(1))
    with uow:
        uow.commit()

    assert audit_rows(fresh_engine) == 0


def test_a_failed_group_commit_fails_every_read_in_it(fresh_engine: Engine) -> None:
    keyless = make_engine(fresh_engine.url.render_as_string(hide_password=False))
    try:
        with pytest.raises(AuditCommitError):
            AuditCommitter(keyless).append_durably([read_event(1)])
    finally:
        keyless.dispose()

    assert audit_rows(fresh_engine) == 0


def test_readers_waiting_for_a_commit_never_starve_it_of_connections(fresh_engine: Engine) -> None:
    """More readers than the pool has connections: the one who leads still gets one."""
    url = fresh_engine.url.render_as_string(hide_password=False)
    options = {AUDIT_KEY_OPTION: AUDIT_KEY}
    small = create_engine(
        url, pool_size=2, max_overflow=0, pool_timeout=5, execution_options=options
    )
    committer = AuditCommitter(small)
    errors: list[BaseException] = []

    def reader(n: int) -> None:
        try:
            with ReadingUnitOfWork(small, committer) as uow:
                assert uow.clinics.get(uuid4()) is None  # the read holds a connection
                uow.audit.append(read_event(n))
                uow.commit()
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    small.dispose()

    assert errors == []
    assert audit_rows(fresh_engine) == 8
