"""The patient search and list pages on a real database (ADR 0034): the search name is filled
by the migration and kept by the repository, the statements can use their indexes, and keyset
pages neither repeat nor skip a patient while others are registered."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, Uuid, column, event, insert, table, text

from needlepoint.adapters.db.engine import make_engine
from needlepoint.adapters.db.migrate import downgrade, upgrade
from needlepoint.adapters.db.tables import UtcDateTime
from needlepoint.adapters.db.unit_of_work import SqlAlchemyUnitOfWork
from needlepoint.domain.patient_search import PatientKey, read_search
from needlepoint.domain.records import Clinic, PatientRecord
from needlepoint.domain.vocabulary import Sex
from needlepoint.services.records.patients import key_of

AT = datetime(2026, 12, 9, 9, 0, tzinfo=UTC)
REVISION = "20261209_patient_search"


def new_clinic(uow: SqlAlchemyUnitOfWork) -> Clinic:
    clinic = Clinic(id=uuid4(), name="Harbour Skin", time_zone="Europe/London")
    with uow:
        uow.clinics.add(clinic)
        uow.commit()
    return clinic


def patient(clinic_id: UUID, given: str, family: str) -> PatientRecord:
    return PatientRecord(
        uuid4(), clinic_id, given, family, date(1990, 3, 14), Sex.FEMALE, None, None, AT
    )


def test_the_migration_fills_the_search_name_of_patients_already_stored(
    empty_db_url: str,
) -> None:
    upgrade(empty_db_url, f"{REVISION}-1")
    engine = make_engine(empty_db_url)
    uow = SqlAlchemyUnitOfWork(engine)
    try:
        clinic = new_clinic(uow)
        before = table(  # the patient table as the revision before wrote it
            "patient",
            *(column(name) for name in ("given_name", "family_name", "sex", "born_on")),
            column("id", Uuid),
            column("clinic_id", Uuid),
            column("created_at", UtcDateTime),
        )
        with engine.begin() as connection:
            connection.execute(
                insert(before).values(
                    id=uuid4(),
                    clinic_id=clinic.id,
                    given_name="Zoë",
                    family_name="Ní Bhriain",
                    sex="female",
                    born_on=date(1990, 3, 14),
                    created_at=AT,
                )
            )
    finally:
        engine.dispose()

    upgrade(empty_db_url)

    engine = make_engine(empty_db_url)
    try:
        with engine.connect() as connection:
            names = connection.execute(text("SELECT search_name FROM patient")).scalars().all()
    finally:
        engine.dispose()
    assert names == ["zoe ni bhriain"]
    downgrade(empty_db_url, f"{REVISION}-1")
    upgrade(empty_db_url)


def statements_of(engine: Engine, uow: SqlAlchemyUnitOfWork, clinic_id: UUID, search: str) -> str:
    """The SQL the repository sends for ``search``, with its parameters inlined (for EXPLAIN)."""
    sent: list[tuple[str, Any]] = []

    def keep(*args: object) -> None:
        if "FROM patient" in str(args[2]):
            sent.append((str(args[2]), args[3]))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        with uow:
            uow.patients.list(clinic_id, search=read_search(search), offset=0, limit=21)
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    ((statement, parameters),) = sent
    return plan_of(engine, statement, parameters)


def plan_of(engine: Engine, statement: str, parameters: Any) -> str:
    """SQLite's plan for the statement."""
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        return " | ".join(str(row[-1]) for row in rows)


def test_a_name_search_reads_the_search_name_index(
    engine: Engine, uow: SqlAlchemyUnitOfWork
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL picks by statistics: docs/index-review.md has its plans at scale")
    clinic = new_clinic(uow)

    plan = statements_of(engine, uow, clinic.id, "helen marsh")

    assert "COVERING INDEX ix_patient_clinic_id_search_name (clinic_id=?)" in plan


def test_an_email_or_birth_date_search_reads_its_clinic_index(
    engine: Engine, uow: SqlAlchemyUnitOfWork
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL picks by statistics: docs/index-review.md has its plans at scale")
    clinic = new_clinic(uow)

    by_email = statements_of(engine, uow, clinic.id, "helen@example.org")
    by_birth = statements_of(engine, uow, clinic.id, "1990-03-14")

    assert "ix_patient_clinic_id_email" in by_email
    assert "ix_patient_clinic_id_born_on" in by_birth


NAMES = st.sampled_from(["Ann", "Anne", "Nolan", "Byrne", "Ó Sé", "Zoë", "zoe"])


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    first=st.lists(st.tuples(NAMES, NAMES), min_size=1, max_size=12),
    arriving=st.lists(st.tuples(NAMES, NAMES), max_size=6),
    limit=st.integers(1, 4),
)
def test_keyset_pages_neither_repeat_nor_skip_while_patients_arrive(
    uow: SqlAlchemyUnitOfWork,
    first: list[tuple[str, str]],
    arriving: list[tuple[str, str]],
    limit: int,
) -> None:
    clinic = new_clinic(uow)
    before = [patient(clinic.id, g, f) for g, f in first]
    later = [patient(clinic.id, g, f) for g, f in arriving]
    with uow:
        for one in before:
            uow.patients.add(one)
        uow.commit()

    listed: list[PatientRecord] = []
    after: PatientKey | None = None
    while True:
        with uow:
            page = uow.patients.list(clinic.id, search=None, offset=0, limit=limit, after=after)
            if later:  # someone is registered between two pages
                uow.patients.add(later.pop())
            uow.commit()
        listed.extend(page)
        if len(page) < limit:
            break
        after = key_of(page[-1])

    ids = [p.id for p in listed]
    assert len(ids) == len(set(ids))  # no patient twice
    assert {p.id for p in before} <= set(ids)  # nobody who was there all along is skipped
    keys = [key_of(p) for p in listed]
    with uow:
        stored = uow.patients.list(clinic.id, search=None, offset=0, limit=100)
    assert [key_of(p) for p in stored if p.id in set(ids)] == keys  # in the database's order
