"""The bulk export's ports: its jobs' store, the clinic's resources, and the files.

The resources come from the FHIR mapping (``adapters/fhir``), one JSON text per resource;
the services never see ``fhir.resources`` (an import contract).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Protocol
from uuid import UUID

from needlepoint.domain.bulk_export import BulkJob
from needlepoint.services.ports import HasAudit, Transaction


class BulkJobRepository(Protocol):
    """Export jobs, scoped by clinic."""

    def add(self, job: BulkJob) -> None:
        """Store a new job."""
        ...

    def get(self, clinic_id: UUID, job_id: UUID) -> BulkJob | None:
        """One job of the clinic, or None."""
        ...

    def save(self, job: BulkJob) -> None:
        """Write the job's progress, files and ending."""
        ...

    def has_clinic(self, clinic_id: UUID) -> bool:
        """Whether a clinic has that id."""
        ...

    def clinic_ids_named(self, name: str) -> list[UUID]:
        """The ids of the clinics of that name."""
        ...

    def delete(self, clinic_id: UUID, job_id: UUID) -> None:
        """Forget a job."""
        ...


class HasBulkJobs(Protocol):
    """A unit of work holding BulkJobRepository."""

    @property
    def bulk_jobs(self) -> BulkJobRepository:
        """The export jobs, in this unit of work's transaction."""
        ...


class BulkJobsRead(HasBulkJobs, Transaction, Protocol):
    """The jobs alone, in one transaction (a status poll, the operator naming a clinic)."""


class BulkJobsTransaction(HasBulkJobs, HasAudit, Transaction, Protocol):
    """The jobs and the audit trail, in one transaction."""


class ClinicResources(Protocol):
    """The clinic's records as FHIR resources (the FHIR mapping, per patient, deduplicated)."""

    def resource_types(self) -> Sequence[str]:
        """Every resource type exported, in the order the manifest lists their files."""
        ...

    def patient_count(self, clinic_id: UUID) -> int:
        """How many patients the clinic has (a progress bar's total)."""
        ...

    def resources(self, clinic_id: UUID) -> Iterator[tuple[str, str]]:
        """Each resource of the clinic once: its type and its JSON on one line (no newline)."""
        ...


class ExportFiles(Protocol):
    """Where a job's NDJSON files go: a private folder per job."""

    def write(
        self,
        job_id: UUID,
        resources: Iterable[tuple[str, str]],
        on_line: Callable[[str, int], bool],
    ) -> Mapping[str, int]:
        """Append each resource to its type's file (``<type>.ndjson``); the counts by type.

        ``on_line`` is told the type and its count so far after each line; when it answers
        False the writing stops.
        """
        ...

    def path(self, job_id: UUID, file_name: str) -> Path | None:
        """The written file, or None when it is not there."""
        ...

    def remove(self, job_id: UUID) -> None:
        """Delete the job's files (a cancelled or deleted export)."""
        ...


class JobRunner(Protocol):
    """Runs a job's work away from the request that asked for it."""

    def start(self, work: Callable[[], object]) -> None:
        """Begin ``work`` in the background and return at once."""
        ...
