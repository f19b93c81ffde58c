"""A bulk export's NDJSON files in private folders, and the thread that runs an export.

Each job writes into ``<root>/<job id>/`` (0700), one ``<Type>.ndjson`` file per resource
type (0600), a resource a line (``application/fhir+ndjson``). The command line's export
writes straight into the folder the operator named (``flat``).
"""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Callable, Iterable, Mapping
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Final
from uuid import UUID

from needlepoint.adapters.private_files import private_dir, private_file

log = logging.getLogger("needlepoint.bulk_export")

NDJSON: Final = ".ndjson"


class NdjsonFiles:
    """The export folders under ``root``: one per job, or ``root`` itself when ``flat``."""

    def __init__(self, root: Path, *, flat: bool = False) -> None:
        """Files go into ``root/<job id>/``, or into ``root`` itself when ``flat``."""
        self._root = root
        self._flat = flat

    def folder(self, job_id: UUID) -> Path:
        """The job's folder (not made)."""
        return self._root if self._flat else self._root / str(job_id)

    def write(
        self,
        job_id: UUID,
        resources: Iterable[tuple[str, str]],
        on_line: Callable[[str, int], bool],
    ) -> Mapping[str, int]:
        """Append each resource to its type's file; the counts by type (see ``ExportFiles``)."""
        if not self._flat:
            private_dir(self._root)  # mkdir's mode reaches the last folder only
        folder = private_dir(self.folder(job_id))
        counts: dict[str, int] = {}
        with ExitStack() as files:
            opened: dict[str, IO[str]] = {}
            for resource_type, line in resources:
                target = opened.get(resource_type)
                if target is None:
                    target = files.enter_context(_opened(folder, resource_type))
                    opened[resource_type] = target
                target.write(line)
                target.write("\n")
                counts[resource_type] = counts.get(resource_type, 0) + 1
                if not on_line(resource_type, counts[resource_type]):
                    break
        return counts

    def path(self, job_id: UUID, file_name: str) -> Path | None:
        """The written file, or None (a name that is not a plain file name is never found)."""
        if "/" in file_name or "\\" in file_name or not file_name.endswith(NDJSON):
            return None
        path = self.folder(job_id) / file_name
        return path if path.is_file() else None

    def remove(self, job_id: UUID) -> None:
        """Delete the job's folder and its files (a flat folder is the operator's: kept)."""
        if not self._flat:
            shutil.rmtree(self.folder(job_id), ignore_errors=True)


def _opened(folder: Path, resource_type: str) -> IO[str]:
    path = private_file(folder / f"{resource_type}{NDJSON}")
    return path.open("w", encoding="utf-8", newline="\n")


class ThreadRunner:
    """Runs each job in its own daemon thread; a failure is logged by its kind only."""

    def start(self, work: Callable[[], object]) -> None:
        """Begin ``work`` in a new thread and return at once."""
        threading.Thread(target=_logged(work), name="fhir-bulk-export", daemon=True).start()


def _logged(work: Callable[[], object]) -> Callable[[], None]:
    def run() -> None:
        try:
            work()
        except Exception as error:
            # The kind only: a mapping error's text could quote patient data.
            log.error("a FHIR bulk export failed: %s", type(error).__name__)

    return run
