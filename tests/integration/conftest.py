"""Real-database fixtures: every test here runs on SQLite and, when reachable, on PostgreSQL.

PostgreSQL comes from NEEDLEPOINT_TEST_POSTGRES_URL (default: local server, user postgres).
Each test module (or test, for the fresh_* fixtures) gets its own database, named with a random
suffix so parallel workers never collide, dropped afterwards. An unreachable server skips the
PostgreSQL tests, unless NEEDLEPOINT_REQUIRE_POSTGRES=1 (CI), which fails them instead.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from fakes import AUDIT_KEY, FIELD_KEYS
from needlepoint.adapters.db.engine import make_engine
from needlepoint.adapters.db.unit_of_work import SqlAlchemyUnitOfWork
from schema_copies import migrate_url

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    url = os.environ.get("NEEDLEPOINT_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    admin = _admin_engine(url)
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        reason = f"PostgreSQL unreachable at {make_url(url)!r}: {error.orig}"
        if os.environ.get("NEEDLEPOINT_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    finally:
        admin.dispose()
    return url


def _admin_engine(url: str) -> Engine:
    return create_engine(
        url, isolation_level="AUTOCOMMIT", poolclass=NullPool, connect_args={"connect_timeout": 3}
    )


@contextmanager
def scratch_database(request: pytest.FixtureRequest, directory: Path) -> Iterator[str]:
    """The URL of a new, empty database of the requested backend; removed afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{directory / 'needlepoint.db'}"
        return
    admin_url = request.getfixturevalue("postgres_admin_url")
    name = f"needlepoint_test_{secrets.token_hex(6)}"
    admin = _admin_engine(admin_url)
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def migrated_engine(url: str) -> Iterator[Engine]:
    migrate_url(url)
    engine = make_engine(url, audit_key=AUDIT_KEY, field_keys=FIELD_KEYS)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated database shared by one test module (tests use their own clinics)."""
    with scratch_database(request, tmp_path_factory.mktemp("db")) as url:
        migrate_url(url)
        yield url


@pytest.fixture(scope="module")
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url, audit_key=AUDIT_KEY, field_keys=FIELD_KEYS)
    yield engine
    engine.dispose()


@pytest.fixture
def uow(engine: Engine) -> SqlAlchemyUnitOfWork:
    return SqlAlchemyUnitOfWork(engine)


@pytest.fixture(params=BACKENDS)
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new database with no schema, for one test."""
    with scratch_database(request, tmp_path) as url:
        yield url


@pytest.fixture
def fresh_engine(empty_db_url: str) -> Iterator[Engine]:
    """An engine on a newly migrated database of its own, for one test."""
    with migrated_engine(empty_db_url) as engine:
        yield engine
