"""bench/scale_seed.py at a tiny N on PostgreSQL, so that the scale benchmark cannot rot.

The seeder writes straight into the schema with SQL; a migration that changes a table, or an
audit chain that changes how it hashes, would break it unnoticed until the next `make bench`.
Here 200 patients are seeded over the demo clinic and checked: the counts their histories imply,
no overlapping appointments, the indexes and constraints restored as they were, and an audit
trail that `needlepoint audit verify` accepts. No timing: the figures are the benchmark's.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

import series_due_support
from needlepoint.adapters.db.engine import make_engine
from needlepoint.adapters.db.migrate import upgrade
from needlepoint.domain.patient_search import search_name
from serving import NEEDLEPOINT

BENCH = Path(__file__).resolve().parents[2] / "bench"
PATIENTS = 200
CLINICS = 3
DEMO_PATIENTS = 11

pytestmark = pytest.mark.postgres


@dataclass(frozen=True, slots=True)
class Seeding:
    """The seeded database, what the seeder reported, and the schema's indexes before it."""

    engine: Engine
    seeded: Any
    indexes_before: set[tuple[str, str, str]]
    indexes_after: set[tuple[str, str, str]]


def _bench_module() -> ModuleType:
    """bench/scale_seed.py, imported by path (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location("bench_scale_seed", BENCH / "scale_seed.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """A new PostgreSQL database for this module, dropped afterwards."""
    name = f"needlepoint_test_{secrets.token_hex(6)}"
    admin = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgres_admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def seeding(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeding]:
    """The demo clinic, then 200 patients in three clinics, as bench/scale.py seeds them."""
    upgrade(postgres_url)
    demo = _needlepoint(["demo"], postgres_url, tmp_path_factory.mktemp("scale"))
    assert demo.returncode == 0, demo.stderr
    bench = _bench_module()
    engine = make_engine(postgres_url)
    try:
        before = bench.Indexes(engine).snapshot()
        seeded = bench.seed(engine, bench.Plan(PATIENTS, CLINICS, date.today()))
        yield Seeding(engine, seeded, before, bench.Indexes(engine).snapshot())
    finally:
        engine.dispose()


def _scalar(engine: Engine, sql: str) -> Any:
    with engine.connect() as connection:
        return connection.execute(text(sql)).scalar_one()


def test_every_patient_is_seeded_half_of_them_in_the_demo_clinic(seeding: Seeding) -> None:
    counts = seeding.seeded.counts

    assert counts["patient"] == PATIENTS + DEMO_PATIENTS
    assert counts["clinic"] == CLINICS
    assert seeding.seeded.home_patients == PATIENTS // 2
    home = _scalar(
        seeding.engine,
        f"SELECT count(*) FROM patient WHERE clinic_id = '{seeding.seeded.home_clinic_id}'",
    )
    assert home == PATIENTS // 2 + DEMO_PATIENTS


def test_every_seeded_patient_is_found_by_name_as_the_app_folds_it(seeding: Seeding) -> None:
    with seeding.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT given_name, family_name, search_name FROM patient")
        ).all()

    assert rows
    assert [r.search_name for r in rows] == [search_name(r.given_name, r.family_name) for r in rows]


def test_histories_hold_together(seeding: Seeding) -> None:
    engine = seeding.engine
    # every held session has one chart, and every series a signed consultation of its patient
    assert seeding.seeded.counts["chart_version"] == seeding.seeded.counts["treatment_session"]
    orphans = _scalar(
        engine,
        "SELECT count(*) FROM treatment_series s JOIN consultation c "
        "ON c.id = s.consultation_id WHERE c.patient_id <> s.patient_id OR c.status <> 'signed'",
    )
    assert orphans == 0
    # a completed series held every planned session, each at an attended appointment
    short = _scalar(
        engine,
        "SELECT count(*) FROM treatment_series s WHERE s.status = 'completed' AND "
        "(SELECT count(*) FROM appointment a WHERE a.series_id = s.id "
        " AND a.status = 'attended') <> (s.plan->>'sessions')::int",
    )
    assert short == 0
    assert _scalar(engine, "SELECT count(*) FROM treatment_series WHERE status = 'completed'") > 0


def test_the_seeded_series_store_their_next_session_due_as_the_application_would(
    seeding: Seeding,
) -> None:
    """The seeder's set-based fill of ``next_due_on`` and ``next_booked_at`` gives what the
    old computation and the migration's backfill give, in every clinic (ADR 0034)."""
    engine = seeding.engine
    now = datetime.now(UTC)
    instants = (now - timedelta(days=1), now, now + timedelta(days=30))
    clinic_ids = [row[0] for row in _rows(engine, "SELECT id FROM clinic")]
    for clinic_id in clinic_ids:
        assert series_due_support.mismatches(engine, clinic_id, instants) == []
    due = _scalar(engine, "SELECT count(*) FROM treatment_series WHERE next_due_on IS NOT NULL")
    booked = _scalar(
        engine, "SELECT count(*) FROM treatment_series WHERE next_booked_at IS NOT NULL"
    )
    assert due > booked > 0


def _rows(engine: Engine, sql: str) -> list[Any]:
    with engine.connect() as connection:
        return list(connection.execute(text(sql)))


def test_some_appointments_are_today_or_later_and_none_overlap(seeding: Seeding) -> None:
    engine = seeding.engine
    future = _scalar(engine, "SELECT count(*) FROM appointment WHERE starts_at >= current_date")
    clashes = _scalar(
        engine,
        "SELECT count(*) FROM appointment a JOIN appointment b ON a.id < b.id "
        "AND (a.practitioner_id = b.practitioner_id OR a.room_id = b.room_id) "
        "AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at "
        "AND a.status <> 'cancelled' AND b.status <> 'cancelled'",
    )

    assert future > 0
    assert clashes == 0


def test_indexes_and_constraints_are_restored_as_the_migrations_made_them(
    seeding: Seeding,
) -> None:
    assert seeding.indexes_before
    assert seeding.indexes_after == seeding.indexes_before


def test_the_audit_trail_verifies_with_an_event_per_seeded_record(
    seeding: Seeding, tmp_path: Path
) -> None:
    events = _scalar(
        seeding.engine, "SELECT count(*) FROM audit_event WHERE request_id = 'scale-seed'"
    )
    url = seeding.engine.url.render_as_string(hide_password=False)
    verified = _needlepoint(["audit", "verify"], url, tmp_path)

    assert events >= PATIENTS
    assert verified.returncode == 0, verified.stdout + verified.stderr


def _needlepoint(
    arguments: list[str], url: str, data_dir: Path
) -> subprocess.CompletedProcess[str]:
    """The CLI in its own process, as the benchmark runs it (it leaves its engine to exit)."""
    env = {
        **os.environ,
        "NEEDLEPOINT_DATABASE_URL": url,
        "NEEDLEPOINT_DATA_DIR": str(data_dir),
        "NEEDLEPOINT_AUDIT_KEY": _bench_module().AUDIT_KEY,
    }
    return subprocess.run(
        [str(NEEDLEPOINT), *arguments],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
