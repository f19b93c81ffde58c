r"""The plans and timings behind docs/index-review.md: each hot-path query as the app sends it.

Runs the repositories' own methods against a PostgreSQL database that already holds a large
clinic (the review used a scratch database seeded with ``INSERT ... SELECT generate_series``;
``bench/scale.py`` seeds one with histories), catches the statement each sends, and prints
its ``EXPLAIN (ANALYZE, BUFFERS)`` plan and its median and p95 over ``--runs`` runs::

    .venv/bin/python tools/index_review.py postgresql+psycopg://postgres@127.0.0.1/scratch \\
        --clinic 00000000-0000-0000-0000-000000000001 --day 2026-12-07

Read-only: it opens transactions and rolls them back.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Engine, event, text

from needlepoint.adapters.db.engine import make_engine
from needlepoint.adapters.db.treatment.charts import _LATEST_CHART
from needlepoint.adapters.db.unit_of_work import SqlAlchemyUnitOfWork
from needlepoint.domain.patient_search import PatientKey, read_search
from needlepoint.services.scheduling.ports import DueListKey

Call = Callable[[SqlAlchemyUnitOfWork], object]


@dataclass(frozen=True, slots=True)
class Query:
    """One hot-path read, as a call on the unit of work's repositories."""

    name: str
    call: Call


def main() -> None:
    """Print each query's plan and timing."""
    arguments = _arguments()
    engine = make_engine(arguments.url)
    queries = hot_path(engine, UUID(arguments.clinic), date.fromisoformat(arguments.day))
    for query in queries:
        statements, timings_ms = measure(engine, query.call, arguments.runs)
        p95 = statistics.quantiles(timings_ms, n=20)[-1]
        out = [f"## {query.name}\n", f"median {statistics.median(timings_ms):.2f} ms,"]
        out.append(f" p95 {p95:.2f} ms\n\n")
        for statement, parameters in statements:
            plan = explain(engine, statement, parameters)
            out.append(f"```sql\n{statement}\n```\n```\n{plan}\n```\n\n")
        sys.stdout.write("".join(out))


def hot_path(engine: Engine, clinic_id: UUID, day: date) -> list[Query]:
    """The queries the review covers (the clinic's rows picked from the database)."""
    found = _samples(engine, clinic_id)
    start = datetime.combine(day, clock_time(), tzinfo=UTC)
    deep = PatientKey(found["deep_family"], found["deep_given"], found["deep_id"])
    return [
        Query("day calendar: a day's appointments (dashboard)", _day(clinic_id, start)),
        Query("week calendar: appointments overlapping a week", _week(clinic_id, start)),
        Query("dashboard: series to book, first page", _to_book(clinic_id, start, None)),
        Query(
            "dashboard: series to book, a later page",
            _to_book(clinic_id, start, DueListKey(day, UUID(int=0))),
        ),
        Query("dashboard: charts awaiting sign-off", _awaiting(clinic_id)),
        Query("search: a prefix (smi)", _search(clinic_id, "smi")),
        Query("search: a common surname (smith)", _search(clinic_id, "smith")),
        Query("search: a full name (helen marsh)", _search(clinic_id, "helen marsh")),
        Query("search: a word nobody has (qxjv)", _search(clinic_id, "qxjv")),
        Query("search: initials (h m)", _search(clinic_id, "h m")),
        Query("search: an email", _search(clinic_id, found["email"])),
        Query("search: a date of birth", _search(clinic_id, found["born_on"])),
        Query("patient list: first page", _page(clinic_id, None, 0)),
        Query("patient list: a deep page by keyset", _page(clinic_id, deep, 0)),
        Query("patient list: a deep page by offset (deprecated)", _page(clinic_id, None, 150_000)),
        Query("patient page: the patient", _patient(clinic_id, found["patient_id"])),
        Query("patient page: the patient's series", _series(clinic_id, found["patient_id"])),
        Query("chart read: a session's chart versions", _chart(clinic_id, found["session_id"])),
    ]


def _day(clinic_id: UUID, start: datetime) -> Call:
    end = start + timedelta(days=1)
    return lambda uow: uow.worklists.appointments_between(clinic_id, start, end)


def _week(clinic_id: UUID, start: datetime) -> Call:
    end = start + timedelta(days=7)
    return lambda uow: uow.appointments.between(clinic_id, start, end)


def _to_book(clinic_id: UUID, start: datetime, after: DueListKey | None) -> Call:
    return lambda uow: uow.worklists.series_to_book(
        clinic_id, booked_from=start, limit=51, after=after
    )


def _awaiting(clinic_id: UUID) -> Call:
    return lambda uow: uow.worklists.charts_awaiting_signoff(clinic_id, limit=51)


def _search(clinic_id: UUID, text_: str) -> Call:
    wanted = read_search(text_)
    return lambda uow: uow.patients.list(clinic_id, search=wanted, offset=0, limit=21)


def _page(clinic_id: UUID, after: PatientKey | None, offset: int) -> Call:
    return lambda uow: uow.patients.list(
        clinic_id, search=None, offset=offset, limit=21, after=after
    )


def _patient(clinic_id: UUID, patient_id: UUID) -> Call:
    return lambda uow: uow.patients.get(clinic_id, patient_id)


def _series(clinic_id: UUID, patient_id: UUID) -> Call:
    return lambda uow: uow.series.for_patient(clinic_id, patient_id, offset=0, limit=100)


def _chart(clinic_id: UUID, session_id: UUID) -> Call:
    values = {"clinic_id": clinic_id, "session_id": session_id}

    def read(uow: SqlAlchemyUnitOfWork) -> object:
        # The repository's statement, its rows unread: scratch chart documents are not charts.
        return uow.charts._connection().execute(_LATEST_CHART, values).all()

    return read


def measure(engine: Engine, call: Call, runs: int) -> tuple[list[tuple[str, Any]], list[float]]:
    """The statements one call sends, and the milliseconds of each of ``runs`` calls."""
    timings_ms: list[float] = []
    with _caught(engine) as statements:
        _run(engine, call)
    for _ in range(runs):
        began = time.perf_counter()
        _run(engine, call)
        timings_ms.append((time.perf_counter() - began) * 1000)
    return statements, timings_ms


def explain(engine: Engine, statement: str, parameters: Any) -> str:
    """PostgreSQL's plan for the statement, run (ANALYZE) with its buffers."""
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(
            f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {statement}", parameters
        )
        return "\n".join(str(row[0]) for row in rows)


def _run(engine: Engine, call: Call) -> None:
    uow = SqlAlchemyUnitOfWork(engine)
    with uow, suppress(KeyError):  # seeded chart documents are no charts: rows read, unparsed
        call(uow)


@contextmanager
def _caught(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    statements: list[tuple[str, Any]] = []

    def keep(_: Connection, __: Any, statement: str, parameters: Any, *___: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", keep)


def _samples(engine: Engine, clinic_id: UUID) -> dict[str, Any]:
    with engine.connect() as connection:
        patient = connection.execute(
            text(
                "SELECT id, email, born_on FROM patient WHERE clinic_id = :c"
                " ORDER BY family_name, given_name, id OFFSET 1000 LIMIT 1"
            ),
            {"c": clinic_id},
        ).one()
        deep = connection.execute(
            text(
                "SELECT id, family_name, given_name FROM patient WHERE clinic_id = :c"
                " ORDER BY family_name, given_name, id OFFSET 300000 LIMIT 1"
            ),
            {"c": clinic_id},
        ).one()
        session_id = connection.execute(
            text("SELECT id FROM treatment_session WHERE clinic_id = :c LIMIT 1"),
            {"c": clinic_id},
        ).scalar_one()
    return {
        "patient_id": patient.id,
        "email": patient.email,
        "born_on": patient.born_on.isoformat(),
        "deep_id": deep.id,
        "deep_family": deep.family_name,
        "deep_given": deep.given_name,
        "session_id": session_id,
    }


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="SQLAlchemy URL of a PostgreSQL database holding a clinic")
    parser.add_argument("--clinic", required=True, help="the clinic's id")
    parser.add_argument("--day", required=True, help="the calendar day, YYYY-MM-DD")
    parser.add_argument("--runs", type=int, default=40, help="timed runs of each query")
    return parser.parse_args()


if __name__ == "__main__":
    main()
