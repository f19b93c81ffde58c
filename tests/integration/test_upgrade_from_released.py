"""DU-5: ``alembic upgrade head`` from every released schema, with data, on both databases.

There are no release tags and the CHANGELOG has only its "Unreleased" section, so every
revision is treated as released (ADR 0040): a clinic may run any of them. For each one a
database is built at that revision and filled with the demo clinic (seeded once at head, each
row cut down to the columns that revision has, and rows that revision's constraints refuse
left out); then it is upgraded to head. Each table whose columns the later migrations left as
they were must hold exactly the same data (row count and a hash of every row, in primary-key
order, read raw from the database); every table keeps its row count; and a table rebuilt by
SQLite's batch mode keeps the data of the columns it had.

``make test`` takes a sample of revisions (the first, which runs every migration over data,
and the last before head); ``make test-deep`` takes all of them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Engine, MetaData, Table, create_engine, inspect, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from depth import DEEP
from fakes import AUDIT_KEY
from integration.conftest import BACKENDS, scratch_database
from needlepoint.adapters.db.migrate import alembic_config, current_revision, head_revision, upgrade
from needlepoint.adapters.db.tables import metadata
from needlepoint.bootstrap import bootstrap
from needlepoint.config import Settings
from needlepoint.entrypoints.cli import demo

pytestmark = pytest.mark.slow

Rows = dict[str, list[dict[str, Any]]]
Digest = tuple[int, str]


def released_revisions() -> list[str]:
    """Every revision but head, oldest first (all are released: see the module's text)."""
    script = ScriptDirectory.from_config(alembic_config())
    newest_first = [r.revision for r in script.walk_revisions()]
    return list(reversed(newest_first))[:-1]


def _sample(revisions: list[str]) -> list[str]:
    if DEEP:
        return revisions
    return list(dict.fromkeys([revisions[0], revisions[-1]]))


REVISIONS = _sample(released_revisions())


@pytest.fixture(scope="module")
def demo_rows(tmp_path_factory: pytest.TempPathFactory) -> Rows:
    """The demo clinic's rows at head, table by table, in the application's own types."""
    folder = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{folder / 'demo.sqlite3'}"
    services = bootstrap(Settings(data_dir=folder, database_url=url, audit_key=AUDIT_KEY))
    try:
        services.database.upgrade()
        demo.seed(services)
    finally:
        services.database.close()
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return {
                table.name: [dict(row._mapping) for row in connection.execute(select(table))]
                for table in metadata.sorted_tables
            }
    finally:
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with scratch_database(request, tmp_path) as url:
        yield url


def fill(engine: Engine, rows: Rows) -> dict[str, int]:
    """Insert the demo rows the schema at hand accepts; returns how many went in per table."""
    schema = MetaData()
    schema.reflect(engine)
    inserted: dict[str, int] = {}
    with engine.begin() as connection:
        for head_table in metadata.sorted_tables:
            if head_table.name not in schema.tables or not rows.get(head_table.name):
                continue
            present = {c.name for c in schema.tables[head_table.name].columns}
            cut = Table(
                head_table.name,
                MetaData(),
                *(Column(c.name, c.type) for c in head_table.columns if c.name in present),
            )
            count = 0
            for row in rows[head_table.name]:
                values = {k: v for k, v in row.items() if k in present}
                savepoint = connection.begin_nested()
                try:
                    connection.execute(cut.insert().values(values))
                except DBAPIError:
                    savepoint.rollback()
                else:
                    savepoint.commit()
                    count += 1
            inserted[head_table.name] = count
    return inserted


def columns(engine: Engine) -> dict[str, dict[str, str]]:
    """Each table's columns and their types as the database reports them."""
    inspector = inspect(engine)
    return {
        table: {c["name"]: str(c["type"]) for c in inspector.get_columns(table)}
        for table in inspector.get_table_names()
        if table != "alembic_version"
    }


def digest(engine: Engine, table: str, names: list[str]) -> Digest:
    """The row count and a SHA-256 of ``names``' raw values, rows in primary-key order."""
    keys = inspect(engine).get_pk_constraint(table)["constrained_columns"] or names
    listed = ", ".join(f'"{n}"' for n in sorted(names))
    order = ", ".join(f'"{k}"' for k in keys)
    hashed = hashlib.sha256()
    count = 0
    with engine.connect() as connection:
        for row in connection.execute(text(f'SELECT {listed} FROM "{table}" ORDER BY {order}')):
            hashed.update(repr(tuple(row)).encode() + b"\n")
            count += 1
    return count, hashed.hexdigest()


@pytest.mark.parametrize("revision", REVISIONS)
def test_du5_upgrade_from_a_released_schema_keeps_the_data(
    empty_url: str, revision: str, demo_rows: Rows
) -> None:
    upgrade(empty_url, revision)
    engine = create_engine(empty_url, poolclass=NullPool)
    try:
        inserted = fill(engine, demo_rows)
        shape_before = columns(engine)
        before = {t: digest(engine, t, list(cols)) for t, cols in shape_before.items()}
        upgrade(empty_url)
        shape_after = columns(engine)
        untouched = [t for t in shape_before if shape_after.get(t) == shape_before[t]]
        after = {t: digest(engine, t, list(shape_before[t])) for t in untouched}
        counts_after = {
            t: digest(engine, t, list(shape_after[t]))[0] for t in shape_before if t in shape_after
        }
    finally:
        engine.dispose()

    assert current_revision(empty_url) == head_revision()
    assert sum(inserted.values()) > 0 and inserted.get("patient", 0) > 0, inserted
    assert untouched, "every table changed: nothing was compared"
    assert after == {t: before[t] for t in untouched}
    assert counts_after == {t: before[t][0] for t in counts_after}
