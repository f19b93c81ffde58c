"""Apply and revert schema migrations from code, from any working directory.

``upgrade(url)`` brings a database to the newest schema; it is safe to call on every start.
Each run happens in one transaction (both databases have transactional DDL here), so a failed
migration leaves the schema as it was. On SQLite, foreign-key enforcement is paused for the
run, as SQLite's documented procedure for table rebuilds requires, and the foreign keys are
checked before the commit. On PostgreSQL concurrent runs are serialised by an advisory lock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, func, select, text

from needlepoint.adapters.db.engine import make_engine

ALEMBIC_INI: Final = Path(__file__).with_name("alembic.ini")
MIGRATION_LOCK_KEY: Final = 0x6E656564_6D696772  # "needmigr"


def alembic_config(connection: Connection | None = None) -> Config:
    """The Alembic configuration (paths relative to this package), optionally bound."""
    config = Config(str(ALEMBIC_INI))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at ``url`` up to ``revision`` (the newest by default)."""
    with migration_transaction(url) as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(url: str, revision: str) -> None:
    """Migrate the database at ``url`` down to ``revision`` (``"base"``: an empty schema)."""
    with migration_transaction(url) as connection:
        command.downgrade(alembic_config(connection), revision)


def current_revision(url: str) -> str | None:
    """The revision the database at ``url`` is at (None: never migrated)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def head_revision() -> str | None:
    """The newest revision this code knows."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@contextmanager
def migration_transaction(url: str) -> Iterator[Connection]:
    """A connection inside the one transaction a migration run uses; commits on success."""
    engine = make_engine(url)
    try:
        with (
            engine.connect() as connection,
            _sqlite_foreign_keys_paused(connection),
            connection.begin(),
        ):
            _take_migration_lock(connection)
            yield connection
            _check_foreign_keys(connection)
    finally:
        engine.dispose()


@contextmanager
def _sqlite_foreign_keys_paused(connection: Connection) -> Iterator[None]:
    if connection.dialect.name != "sqlite":
        yield
        return
    # The pragma is a no-op inside a transaction, so it goes to the driver before BEGIN.
    driver = connection.connection.driver_connection
    if driver is None:
        raise RuntimeError("the SQLite connection is closed")
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        driver.execute("PRAGMA foreign_keys=ON")


def _take_migration_lock(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(MIGRATION_LOCK_KEY)))


def _check_foreign_keys(connection: Connection) -> None:
    if connection.dialect.name != "sqlite":
        return
    broken = connection.execute(text("PRAGMA foreign_key_check")).all()
    if broken:
        tables = sorted({str(row[0]) for row in broken})
        raise RuntimeError(f"migration left rows breaking foreign keys in: {', '.join(tables)}")
