"""Benchmark: booking throughput and slot search (issue 5).

Not a test: it prints JSON and writes bench/results/scheduling.json. Each figure comes with a
baseline measured in the same run, because these machines are noisy:

* booking throughput: sessions booked one after another through the booking service (hold the
  calendars, check intervals, opening hours and clashes, insert, plan the reminders into the
  outbox, append the audit event, commit), on SQLite (WAL, synchronous=FULL) and, when
  reachable, PostgreSQL. Baseline: the same database's raw durable commit rate (one small
  insert per commit), which caps any write transaction.
* slot search: a clinic of 20 practitioners and 20 rooms with a year of appointments (about
  6 a day each, ~30,000 rows); the time to list one day's free slots and to propose a whole
  six-session series, p50 and p95 over many days. Baseline: the bare SQL read of that day's
  appointments through the same driver.

Usage: python bench/scheduling.py [--bookings 200] [--searches 60]   (or: make bench)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import bindparam, create_engine, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from api_support import MovingClock, intake_document, make_services
from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.engine import make_engine
from needlepoint.bootstrap import Services
from needlepoint.domain.records import Role
from needlepoint.domain.vocabulary import Sex
from needlepoint.services.accounts import staff as accounts
from needlepoint.services.audit import AuthMethod, OperatorContext, RequestContext
from needlepoint.services.consultation import consultations as consultation_records
from needlepoint.services.records import patients
from needlepoint.services.scheduling.booking import SlotChoice
from needlepoint.services.treatment import series as treatment

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "scheduling.json"
POSTGRES = os.environ.get(
    "NEEDLEPOINT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
PRACTITIONERS = ROOMS = 20
PER_DAY = 6


def percentile(values: list[float], share: float) -> float:
    """The ``share`` quantile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def timed(action: Callable[[], Any]) -> float:
    """Milliseconds one call of ``action`` takes."""
    begun = time.perf_counter()
    action()
    return (time.perf_counter() - begun) * 1000


def clinic(services: Services, practitioners: int, rooms: int) -> RequestContext:
    """A clinic open 08:00-20:00 every day, with its clinicians and rooms; an admin context."""
    made = services.accounts.add_clinic(name="Bench clinic", time_zone="Europe/London")
    members = [
        services.accounts.add_staff(
            accounts.NewStaff(
                made.id,
                f"c{n}-{uuid4().hex[:6]}@bench.test",
                f"Clinician {n:02d}",
                Role.CLINICIAN,
                Decimal("1.5"),
                "a long enough passphrase",
            ),
            context=OperatorContext(request_id="bench"),
        )
        for n in range(practitioners)
    ]
    context = RequestContext(actor=members[0], request_id="bench", auth=AuthMethod.SESSION)
    week = [(d, clock_time(8), clock_time(20)) for d in range(7)]
    services.scheduling.set_opening_hours(week, context=context)
    for n in range(rooms):
        services.scheduling.add_room(f"Room {n:02d}", context=context)
    return context


def series_for(services: Services, context: RequestContext, count: int) -> list[Any]:
    """``count`` patients, each with a signed consultation and an agreed series."""
    made = []
    for n in range(count):
        facts = intake_document()
        new = patients.NewPatient(
            "Bench", f"Patient{n:04d}", date(1997, 4, 22), Sex.FEMALE, email=f"p{n}@bench.test"
        )
        patient = services.records.register_patient(new, context=context)
        request = consultation_records.ConsultationRequest(patient.id, facts)
        record = services.consultation.record_consultation(request, context=context)
        services.consultation.sign_consultation(record.id, context=context)
        made.append(
            services.treatment.create_series(treatment.NewSeries(record.id), context=context)
        )
    return made


def booking_rate(services: Services, context: RequestContext, series: list[Any]) -> float:
    """Sessions booked per second, one booking after another (session 1 of each series)."""
    setup = services.scheduling.clinic_setup(context=context)
    rooms = [r.id for r in setup.rooms]
    people = [p.id for p in setup.practitioners]
    first = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    begun = time.perf_counter()
    for n, one in enumerate(series):
        at = first + timedelta(days=n // 40, minutes=90 * ((n % 40) // len(people) % 6))
        choice = SlotChoice(1, at, people[n % len(people)], rooms[n % len(rooms)])
        services.scheduling.book_series(one.id, [choice], context=context)
    return len(series) / (time.perf_counter() - begun)


def raw_commit_rate(url: str, seconds: float = 2.0) -> float:
    """The database's durable commits per second: one small insert each."""
    engine = make_engine(url)  # the application's own settings (WAL, synchronous=FULL)
    with engine.connect() as connection:
        connection.execute(text("DROP TABLE IF EXISTS bench_probe"))
        connection.execute(text("CREATE TABLE bench_probe (id INTEGER PRIMARY KEY, v TEXT)"))
        connection.commit()
        begun, count = time.perf_counter(), 0
        while time.perf_counter() - begun < seconds:
            connection.execute(
                text("INSERT INTO bench_probe (id, v) VALUES (:i, :v)"),
                {"i": count, "v": "x" * 300},
            )
            connection.commit()
            count += 1
        connection.execute(text("DROP TABLE bench_probe"))
        connection.commit()
    engine.dispose()
    return count / (time.perf_counter() - begun)


def fill_a_year(services: Services, context: RequestContext) -> int:
    """About six appointments a day per practitioner for a year, inserted in bulk."""
    setup = services.scheduling.clinic_setup(context=context)
    zone_day = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)  # after the bookings timed above
    patient = patients.register_patient(
        new=patients.NewPatient("Year", "Filler", date(1980, 1, 1), Sex.FEMALE),
        context=context,
        uow=services.database.unit_of_work(),
        clock=services.clock,
        max_age_years=120,
    )
    rows = []
    for day in range(365):
        for index, person in enumerate(setup.practitioners):
            for slot in range(PER_DAY):
                starts = zone_day + timedelta(days=day, minutes=120 * slot)
                rows.append(_row(context, patient.id, person.id, setup.rooms[index].id, starts))
    engine = create_engine(services.database.url)
    with engine.begin() as connection:
        connection.execute(insert(t.appointment), rows)
    engine.dispose()
    return len(rows)


def _row(
    context: RequestContext, patient_id: UUID, person: UUID, room: UUID, starts: datetime
) -> dict[str, Any]:
    return {
        "id": uuid4(),
        "clinic_id": context.actor.clinic_id,
        "patient_id": patient_id,
        "series_id": None,
        "session_number": None,
        "practitioner_id": person,
        "room_id": room,
        "starts_at": starts,
        "ends_at": starts + timedelta(minutes=90),
        "status": "booked",
        "status_reason": None,
        "created_at": START,
        "created_by": context.actor.id,
        "version": 1,
    }


def search_times(
    services: Services, context: RequestContext, one: Any, searches: int
) -> dict[str, float]:
    """p50/p95 milliseconds: one day's free slots, a six-session proposal, the bare day read."""
    rng = random.Random(7)
    days = [date(2027, 3, 1) + timedelta(days=rng.randrange(0, 360)) for _ in range(searches)]
    slot_ms = [timed(lambda d=d: services.scheduling.free_slots(d, context=context)) for d in days]
    propose_ms = [
        timed(lambda: services.scheduling.propose_series_booking(one.id, context=context))
        for _ in range(max(5, searches // 6))
    ]
    engine = create_engine(services.database.url)
    with engine.connect() as connection:
        c = t.appointment.c
        query = select(t.appointment).where(
            c.clinic_id == context.actor.clinic_id,
            c.status != "cancelled",
            c.starts_at < bindparam("e"),
            c.ends_at > bindparam("s"),
        )

        def read(d: date) -> None:
            start = datetime.combine(d, clock_time(), tzinfo=UTC)
            connection.execute(query, {"s": start, "e": start + timedelta(days=1)}).all()

        raw_ms = [timed(lambda d=d: read(d)) for d in days]
    engine.dispose()
    return {
        "free_slots_p50_ms": round(percentile(slot_ms, 0.5), 2),
        "free_slots_p95_ms": round(percentile(slot_ms, 0.95), 2),
        "propose_series_p50_ms": round(percentile(propose_ms, 0.5), 2),
        "propose_series_p95_ms": round(percentile(propose_ms, 0.95), 2),
        "bare_day_read_p50_ms": round(percentile(raw_ms, 0.5), 3),
        "free_slots_vs_bare_read": round(
            percentile(slot_ms, 0.5) / max(percentile(raw_ms, 0.5), 1e-6), 1
        ),
    }


def run(url: str, bookings: int, searches: int) -> dict[str, Any]:
    """Every figure for one database."""
    services = make_services(url, MovingClock(START))
    context = clinic(services, PRACTITIONERS, ROOMS)
    series = series_for(services, context, bookings + 1)
    raw = raw_commit_rate(url)
    rate = booking_rate(services, context, series[:bookings])
    filled = fill_a_year(services, context)
    found = search_times(services, context, series[-1], searches)
    services.database.close()
    return {
        "bookings_per_s": round(rate, 1),
        "raw_commits_per_s": round(raw, 1),
        "bookings_vs_raw_commits": round(rate / raw, 3),
        "appointments_in_the_year": filled,
        **found,
    }


def postgres_url() -> str | None:
    """A fresh PostgreSQL database for the run, or None when the server is not reachable."""
    try:
        admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
        name = f"needlepoint_bench_{uuid4().hex[:8]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except Exception:
        return None
    return POSTGRES.rsplit("/", 1)[0] + f"/{name}"


def main() -> None:
    """Run, print and save the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, default=200)
    parser.add_argument("--searches", type=int, default=60)
    args = parser.parse_args()
    results: dict[str, Any] = {
        "layout": f"{PRACTITIONERS} practitioners, {ROOMS} rooms, {PER_DAY} a day each for a year"
    }
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = run(
            f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", args.bookings, args.searches
        )
    url = postgres_url()
    if url:
        results["postgresql"] = run(url, args.bookings, args.searches)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
