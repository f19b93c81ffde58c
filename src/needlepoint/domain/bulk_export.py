"""A FHIR Bulk Data export of one clinic (HL7 Bulk Data Access IG, ``$export``): its job.

A job is asked for by an admin, runs in the background, and ends ``completed`` (its files
listed in the manifest), ``failed`` or ``cancelled``. Pure: the instants are passed in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Final
from uuid import UUID

from needlepoint.domain.errors import ConflictError, NotFoundError


class BulkJobNotFoundError(NotFoundError):
    """No such export job in the actor's clinic (another clinic's job answers the same)."""

    code = "bulk-export-not-found"


class BulkJobNotReadyError(ConflictError):
    """The job has not finished: its files are not there yet."""

    code = "bulk-export-not-ready"


class JobStatus(StrEnum):
    """Where a job stands."""

    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINISHED: Final = frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED})


@dataclass(frozen=True, slots=True)
class ExportedFile:
    """One NDJSON file of an export: every resource of one type, one a line."""

    resource_type: str
    resource_count: int

    @property
    def file_name(self) -> str:
        """The file's name in the job's folder, e.g. ``Patient.ndjson``."""
        return f"{self.resource_type}.ndjson"


@dataclass(frozen=True, slots=True)
class BulkJob:
    """One export of a clinic's records, asked for by a member of staff (or the operator)."""

    id: UUID
    clinic_id: UUID
    requested_by: UUID | None
    request_url: str
    transaction_at: datetime
    """The instant the export reads the clinic as of (the manifest's ``transactionTime``)."""
    status: JobStatus = JobStatus.RUNNING
    resources_done: int = 0
    files: tuple[ExportedFile, ...] = ()
    finished_at: datetime | None = None
    error: str | None = None

    @property
    def progress(self) -> str:
        """What the status poll says while the job runs (``X-Progress``)."""
        types = len(self.files)
        return f"{self.resources_done} resources written, {types} resource types done"

    def finished(self, status: JobStatus, *, at: datetime, error: str | None = None) -> BulkJob:
        """The job ended (completed, failed or cancelled)."""
        return replace(self, status=status, finished_at=at, error=error)

    def file_named(self, file_name: str) -> ExportedFile:
        """The completed job's file of that name (raises the unknown-job error otherwise)."""
        if self.status is not JobStatus.COMPLETED:
            raise BulkJobNotReadyError("the export has not completed; poll its status URL")
        for exported in self.files:
            if exported.file_name == file_name:
                return exported
        raise BulkJobNotFoundError("no such file in this export")


def manifest(job: BulkJob, *, url_of: Callable[[ExportedFile], str]) -> dict[str, object]:
    """The completed job's manifest (Bulk Data IG, "Response - Complete Status")."""
    return {
        "transactionTime": job.transaction_at.isoformat(),
        "request": job.request_url,
        "requiresAccessToken": True,
        "output": [
            {"type": f.resource_type, "url": url_of(f), "count": f.resource_count}
            for f in job.files
        ],
        "error": [],
    }
