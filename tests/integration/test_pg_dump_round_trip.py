"""DU-4: a PostgreSQL database survives ``pg_dump -Fc`` → ``pg_restore`` into a fresh database.

The demo clinic (staff, patients in every state, consultations, series, charts, bookings,
consent, outbox messages, the audit trail) is seeded through the services, dumped in the
custom format and restored into a new, empty database. Every table then has the same row
count, the same hash of its primary keys in order, and the same hash of its whole rows in
that order. The restore runs with ``--exit-on-error``: the append-only and signed-record
triggers, created after the data (post-data), must not refuse it.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from fakes import AUDIT_KEY
from needlepoint.bootstrap import bootstrap
from needlepoint.config import Settings
from needlepoint.entrypoints.cli import demo

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

TableDigest = tuple[int, str, str]
"""Row count, SHA-256 of the primary keys in order, SHA-256 of the rows in that order."""
MIN_FILLED_TABLES = 15


def _binaries() -> tuple[str, str]:
    found = shutil.which("pg_dump"), shutil.which("pg_restore")
    if None in found:
        reason = "pg_dump or pg_restore is not installed"
        if os.environ.get("NEEDLEPOINT_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    dump, restore = found
    assert dump is not None and restore is not None
    return dump, restore


@contextmanager
def _database(admin_url: str) -> Iterator[str]:
    name = f"needlepoint_du4_{secrets.token_hex(6)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _libpq(url: str) -> str:
    """The SQLAlchemy URL as pg_dump and pg_restore take it (no ``+psycopg``)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def digests(engine: Engine) -> dict[str, TableDigest]:
    """Every table's row count and ordered-primary-key and row hashes (``public`` schema)."""
    inspector = inspect(engine)
    result: dict[str, TableDigest] = {}
    with engine.connect() as connection:
        for table in sorted(inspector.get_table_names()):
            keys = inspector.get_pk_constraint(table)["constrained_columns"]
            assert keys, f"{table} has no primary key"
            order = ", ".join(f'"{k}"' for k in keys)
            key_text = " || '|' || ".join(f'"{k}"::text' for k in keys)
            rows = connection.execute(
                text(f'SELECT {key_text} AS k, t::text AS r FROM "{table}" t ORDER BY {order}')
            ).all()
            key_hash, row_hash = hashlib.sha256(), hashlib.sha256()
            for key, row in rows:
                key_hash.update(key.encode() + b"\n")
                row_hash.update(row.encode() + b"\n")
            result[table] = (len(rows), key_hash.hexdigest(), row_hash.hexdigest())
    return result


def test_du4_pg_dump_and_restore_keep_every_table_equal(
    postgres_admin_url: str, tmp_path: Path
) -> None:
    dump, restore = _binaries()
    archive = tmp_path / "needlepoint.dump"
    with _database(postgres_admin_url) as source_url, _database(postgres_admin_url) as copy_url:
        settings = Settings(data_dir=tmp_path, database_url=source_url, audit_key=AUDIT_KEY)
        services = bootstrap(settings)
        try:
            services.database.upgrade()
            demo.seed(services)
        finally:
            services.database.close()
        subprocess.run(
            [dump, "-Fc", "--no-owner", "-f", str(archive), _libpq(source_url)],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [restore, "--no-owner", "--exit-on-error", "-d", _libpq(copy_url), str(archive)],
            check=True,
            capture_output=True,
        )
        source = create_engine(source_url, poolclass=NullPool)
        copy = create_engine(copy_url, poolclass=NullPool)
        try:
            before, after = digests(source), digests(copy)
        finally:
            source.dispose()
            copy.dispose()

    filled = sorted(table for table, (count, _, _) in before.items() if count)
    assert len(filled) >= MIN_FILLED_TABLES, filled
    assert {"patient", "audit_event", "chart_version", "appointment"} <= set(filled)
    assert after == before
