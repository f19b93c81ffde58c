"""Files and folders readable by their owner only (issue 14): records are patient data.

The database, its WAL and shared-memory files, the backups, their manifests and the key files
are 0600; the data, backups and key folders are 0700. SQLite gives a new database file the
process's default mode (0644 under the usual umask) and its ``-wal`` and ``-shm`` files the
database file's mode, so the database file is made 0600 before SQLite first opens it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

OWNER_ONLY_FILE: Final = 0o600
OWNER_ONLY_DIR: Final = 0o700
PRIVATE_UMASK: Final = 0o077
"""The command's umask: files and folders it or its children (pg_dump) make are private."""
SQLITE_COMPANIONS: Final = ("", "-wal", "-shm", "-journal")


def private_dir(path: Path) -> Path:
    """Make ``path`` (and missing parents) a folder, and the folder itself 0700."""
    path.mkdir(parents=True, exist_ok=True, mode=OWNER_ONLY_DIR)
    path.chmod(OWNER_ONLY_DIR)
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty if it is missing, and make it 0600 either way."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, OWNER_ONLY_FILE)
    os.close(descriptor)
    path.chmod(OWNER_ONLY_FILE)
    return path


def write_private_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` (replacing it), the file 0600 before any byte is written."""
    private_file(path)
    path.write_text(text, encoding="utf-8")


def private_sqlite(database: Path) -> None:
    """Make a new SQLite database file 0600 before SQLite opens it; tighten existing ones.

    An existing database and its companions this process's user owns are made 0600 too (a
    database made before issue 14 was 0644); files of another user are left as they are.
    """
    if not database.exists():
        private_file(database)
    for suffix in SQLITE_COMPANIONS:
        _tighten(Path(f"{database}{suffix}"))


def _tighten(path: Path) -> None:
    try:
        status = path.stat()
    except FileNotFoundError:
        return
    if status.st_uid == os.getuid() and status.st_mode & 0o077:
        path.chmod(OWNER_ONLY_FILE)
