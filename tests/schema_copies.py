"""Migrated databases for tests, fast: a new SQLite file gets a copy of a migrated schema.

Alembic runs the 32 revisions in about half a second on SQLite, and most tests start from an
empty database. So each test process migrates one SQLite database once, and a new, empty
database file gets a copy of it through SQLite's backup API. Any other database (PostgreSQL,
in memory, or a file that already holds something) is migrated as usual: replaying a
``pg_dump`` of the schema through ``psql`` measured 0.5 s against alembic's 0.75 s, not worth
a second path. The migrations' own tests call ``migrate.upgrade`` themselves.
"""

from __future__ import annotations

import functools
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import make_url

from needlepoint.adapters.db.migrate import upgrade
from needlepoint.adapters.private_files import private_sqlite


def migrate_url(url: str) -> None:
    """Bring the database at ``url`` to the newest schema, as ``migrate.upgrade`` does."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and _is_new_file(parsed.database):
        _copy_sqlite(Path(str(parsed.database)))
    else:
        upgrade(url)


def _is_new_file(database: str | None) -> bool:
    if not database or database == ":memory:":
        return False
    path = Path(database)
    return not path.exists() or path.stat().st_size == 0


def _copy_sqlite(path: Path) -> None:
    private_sqlite(path)
    template = _sqlite_template()
    with closing(sqlite3.connect(template)) as source, closing(sqlite3.connect(path)) as target:
        source.backup(target)


@functools.cache
def _sqlite_template() -> Path:
    """An empty SQLite database at the newest schema, made once per test process."""
    template = Path(tempfile.mkdtemp(prefix="needlepoint-schema-")) / "migrated.sqlite3"
    upgrade(f"sqlite:///{template}")
    return template
