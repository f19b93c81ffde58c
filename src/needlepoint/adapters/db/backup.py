"""Consistent online backups, and restores verified by an integrity check.

SQLite: the online backup API copies through SQLite's pager, so a backup taken while the
clinic is writing is a consistent snapshot (never copy a live file: the WAL holds committed
data). The copy is checked with ``PRAGMA integrity_check`` and ``foreign_key_check`` before it
is kept. PostgreSQL: ``pg_dump -Fc`` with a manifest of per-table row counts; a restore runs
``pg_restore --clean`` and is verified against the manifest.

Backups are encrypted with the backup key (``adapters/backup_crypto``, docs/formats.md, ADR
0039): the plain copy exists only in a private temporary folder beside the database (or the
backup folder, for PostgreSQL) while it is checked and encrypted, and a restore opens the whole
file into such a folder before the database is touched, so a wrong key, a cut or a changed
file replaces nothing.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, select, text
from sqlalchemy import func as sql_func
from sqlalchemy.engine import make_url

from needlepoint.adapters import backup_crypto
from needlepoint.adapters.backup_crypto import BackupError as BackupError  # noqa: PLC0414
from needlepoint.adapters.db.engine import make_engine
from needlepoint.adapters.db.tables import metadata
from needlepoint.adapters.private_files import private_dir, private_file, write_private_text


@dataclass(frozen=True, slots=True)
class BackupReport:
    """Where the backup went and what it holds."""

    path: Path
    row_counts: dict[str, int]


ENCRYPTED_SUFFIX = ".enc"
COPY_PAGES = 1024
"""SQLite pages copied between two progress reports (the copy is still one snapshot)."""

Progress = Callable[[str, int, int | None], None]
"""Told a step (``copying``, ``encrypting``, ``decrypting``, ``restoring``), how much of it is
done and its total (pages or bytes; None when unknown): the command's progress bar."""


def _no_progress(step: str, done: int, total: int | None) -> None:
    """Reports nothing."""


def _byte_counter(progress: Progress, step: str, total: int) -> Callable[[int], None]:
    done = 0

    def counted(size: int) -> None:
        nonlocal done
        done += size
        progress(step, min(done, total), total)

    return counted


def backup(
    url: str,
    directory: Path,
    *,
    at: datetime,
    key: bytes,
    progress: Progress = _no_progress,
) -> BackupReport:
    """Write a verified backup of the database into ``directory``, encrypted with ``key``."""
    if not directory.exists():
        private_dir(directory)  # a folder given that exists is the user's: left as it is
    stamp = at.strftime("%Y%m%dT%H%M%SZ")
    kind = "sqlite3" if _is_sqlite(url) else "pgdump"
    path = directory / f"needlepoint-{stamp}.{kind}{ENCRYPTED_SUFFIX}"
    with _scratch(url, directory) as scratch:
        plain = scratch / f"backup.{kind}"
        if _is_sqlite(url):
            _sqlite_copy(Path(_sqlite_path(url)), plain, progress)
            counts = _sqlite_counts(plain)
        else:
            counts = _pg_dump(url, plain)
        partial = private_file(path.with_name(path.name + ".partial"))
        counter = _byte_counter(progress, "encrypting", plain.stat().st_size)
        with partial.open("wb") as target:
            backup_crypto.encrypt_file(plain, target, key, on_chunk=counter)
        partial.replace(path)
    manifest = {"format": "needlepoint-backup-v1", "row_counts": counts}
    write_private_text(path.with_suffix(".json"), json.dumps(manifest, indent=1))
    return BackupReport(path=path, row_counts=counts)


def restore(
    url: str,
    source: Path,
    *,
    key: bytes,
    allow_unencrypted: bool = False,
    progress: Progress = _no_progress,
) -> BackupReport:
    """Replace the database's content with a backup, then verify it; refuses a bad backup.

    An encrypted backup is opened whole before the database is touched. A backup in clear
    (taken before backups were encrypted) is refused unless ``allow_unencrypted``.
    """
    expected = json.loads(source.with_suffix(".json").read_text())["row_counts"]
    with _scratch(url, source.parent) as scratch:
        plain = _opened(source, scratch, key, allow_unencrypted, progress)
        return _restore_plain(url, source, plain, expected, progress)


def _opened(
    source: Path, scratch: Path, key: bytes, allow_unencrypted: bool, progress: Progress
) -> Path:
    """The backup's plaintext: decrypted into ``scratch``, or ``source`` itself if in clear."""
    if not backup_crypto.is_encrypted(source):
        if allow_unencrypted:
            return source
        raise BackupError(
            f"{source.name} is not an encrypted needlepoint backup; a backup taken before "
            "backups were encrypted is restored with --unencrypted"
        )
    plain = private_file(scratch / "restore.plain")
    counter = _byte_counter(progress, "decrypting", source.stat().st_size)
    with plain.open("wb") as target:
        backup_crypto.decrypt_file(source, target, key, on_chunk=counter)
    return plain


@contextmanager
def _scratch(url: str, fallback: Path) -> Iterator[Path]:
    """A private temporary folder for a plain copy: beside a SQLite database, else ``fallback``.

    The plain copy stays on the disk that already holds the plain database; it is deleted
    when the backup or restore ends, whether it worked or not.
    """
    near = Path(_sqlite_path(url)).parent if _is_sqlite(url) else fallback
    with tempfile.TemporaryDirectory(prefix=".needlepoint-backup-", dir=near) as folder:
        yield Path(folder)


def _restore_plain(
    url: str, source: Path, plain: Path, expected: dict[str, int], progress: Progress
) -> BackupReport:
    if _is_sqlite(url):
        _sqlite_check(plain)
        _sqlite_restore(plain, Path(_sqlite_path(url)), progress)
        counts = _sqlite_counts(Path(_sqlite_path(url)))
    else:
        _pg_restore(url, plain)
        engine = make_engine(url)
        try:
            counts = _row_counts(engine)
        finally:
            engine.dispose()
    if counts != expected:
        raise BackupError(f"restored row counts {counts} differ from the backup's {expected}")
    return BackupReport(path=source, row_counts=counts)


def _is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_path(url: str) -> str:
    database = make_url(url).database
    if not database:
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return database


def _pages(progress: Progress, step: str) -> Callable[[int, int, int], None]:
    """SQLite's backup callback (status, pages remaining, pages in all) as a progress step."""

    def report(_status: int, remaining: int, total: int) -> None:
        progress(step, total - remaining, total)

    return report


def _sqlite_copy(source: Path, target: Path, progress: Progress = _no_progress) -> None:
    """Copy through the online backup API into a temporary file, check it, then move it."""
    partial = private_file(target.with_name(target.name + ".partial"))
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(partial)) as dst:
        src.backup(dst, pages=COPY_PAGES, progress=_pages(progress, "copying"))
    _sqlite_check(partial)
    partial.replace(target)


def _sqlite_restore(source: Path, live: Path, progress: Progress) -> None:
    """Write the backup into the live database through its pager (its WAL stays coherent)."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(live)) as dst:
        src.backup(dst, pages=COPY_PAGES, progress=_pages(progress, "restoring"))
    _sqlite_check(live)


def _sqlite_check(path: Path) -> None:
    try:
        with closing(sqlite3.connect(path)) as conn:
            integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
            orphans = conn.execute("PRAGMA foreign_key_check").fetchall()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path.name} is not a readable SQLite database: {error}") from None
    if integrity != "ok" or orphans:
        raise BackupError(f"{path.name}: integrity {integrity!r}, {len(orphans)} broken references")


def _sqlite_counts(path: Path) -> dict[str, int]:
    engine = make_engine(f"sqlite:///{path}")
    try:
        return _row_counts(engine)
    finally:
        engine.dispose()


def _row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return _counts_on(conn)


def _counts_on(conn: Connection) -> dict[str, int]:
    present = set(inspect(conn).get_table_names())
    return {
        table.name: int(conn.execute(select(sql_func.count()).select_from(table)).scalar_one())
        for table in metadata.sorted_tables
        if table.name in present
    }


def _libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_dump(url: str, path: Path) -> dict[str, int]:
    """Dump and count rows in one exported snapshot, so the manifest matches the dump."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            conn.execution_options(isolation_level="REPEATABLE READ")
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            counts = _counts_on(conn)
            private_file(path)  # pg_dump writes into it, keeping its mode
            command = ["pg_dump", "-Fc", "--no-owner", f"--snapshot={snapshot}", "-f", str(path)]
            _run([*command, _libpq_url(url)])
            conn.rollback()
        _run(["pg_restore", "--list", str(path)])
        return counts
    finally:
        engine.dispose()


def _pg_restore(url: str, source: Path) -> None:
    _run(["pg_restore", "--list", str(source)])
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "-d", _libpq_url(url), str(source)])


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, errors="replace", check=False)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[:500]}")
