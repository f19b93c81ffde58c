"""Who holds a data directory: running servers share it, a restore needs it alone (issue 14).

``needlepoint serve`` takes a shared ``flock`` on ``<data dir>/needlepoint.lock`` for its whole
life (the process that supervises ``--workers`` lives as long as they do; several servers may
share one data directory). A
restore asks for the exclusive lock without waiting: while any server holds the shared one it
is refused, instead of rolling the data back under a server that keeps serving from its own
caches and connections. The kernel drops the lock when the process ends, however it ends, so
a killed server leaves no stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

LOCK_FILE_NAME: Final = "needlepoint.lock"


class DataDirBusy(RuntimeError):
    """The data directory is held by another process in a way that excludes this one."""


def _open_lock(data_dir: Path) -> int:
    return os.open(data_dir / LOCK_FILE_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)


def hold_for_serving(data_dir: Path) -> int:
    """Take the shared lock for a server's lifetime; returns its descriptor (kept open).

    Raises ``DataDirBusy`` while a restore holds the data directory.
    """
    descriptor = _open_lock(data_dir)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        raise DataDirBusy(
            f"a restore is running in {data_dir}; start the server when it has finished"
        ) from None
    return descriptor


@contextmanager
def held_alone(data_dir: Path) -> Iterator[None]:
    """Hold the data directory exclusively for the block, or raise ``DataDirBusy`` at once."""
    data_dir.mkdir(parents=True, exist_ok=True)
    descriptor = _open_lock(data_dir)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DataDirBusy(
                f"a running needlepoint server holds {data_dir}; stop every server using it, "
                "then restore"
            ) from None
        yield
    finally:
        os.close(descriptor)
