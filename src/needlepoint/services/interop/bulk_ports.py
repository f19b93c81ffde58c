"""The bulk export's ports: its jobs' store, the records it reads, the mapping, the files.

The resources come from the FHIR mapping (``adapters/fhir``), one JSON object per resource;
the services never see ``fhir.resources`` (an import contract).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Protocol
from uuid import UUID

from needlepoint.domain.bulk_export import BulkJob
from needlepoint.services.interop.ports import ClinicExport, ClinicRecords, PatientExport
from needlepoint.services.ports import HasAudit, HasConsents, HasPatients, HasPhotos, Transaction
from needlepoint.services.records.ports import ProgrammeRows


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

    def patient_ids(self, clinic_id: UUID, *, after: UUID | None, limit: int) -> list[UUID]:
        """Up to ``limit`` of the clinic's patient ids, in id order, after ``after``."""
        ...

    def patient_count(self, clinic_id: UUID) -> int:
        """How many patients the clinic has."""
        ...

    def page_records(self, clinic_id: UUID, patient_ids: Sequence[UUID]) -> PatientRows:
        """These patients' whole records, read at once (a few set-based queries, not audited).

        The repositories answer the page's patients from what was read; anything else they
        read from the database as usual, in the same transaction.
        """
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


class PatientRows(ProgrammeRows, HasPatients, HasConsents, HasPhotos, Protocol):
    """Read one patient's whole record inside the caller's transaction (not audited)."""


class BulkReads(PatientRows, ClinicRecords, HasBulkJobs, Transaction, Protocol):
    """Read a page of a clinic's patients with their whole records (the job audits once)."""


class FhirBulkMapper(Protocol):
    """Maps the neutral records to FHIR R4B resources, each as one line of JSON (``adapters/fhir``).

    Each resource comes as (its type, its JSON on one line without a newline).
    """

    def resource_types(self) -> Sequence[str]:
        """Every resource type, in the order the manifest lists their files."""
        ...

    def clinic_lines(self, clinic: ClinicExport) -> Iterator[tuple[str, str]]:
        """The clinic's own resources (Organization, Practitioner, Location)."""
        ...

    def patient_lines(self, export: PatientExport) -> Iterator[tuple[str, str]]:
        """Every resource of one patient's record (the clinic's not included)."""
        ...


class ClinicResources(Protocol):
    """A clinic's resources, each once (``bulk_reads.ClinicWalk`` over the mapping)."""

    def resource_types(self) -> Sequence[str]:
        """Every resource type, in the order the manifest lists their files."""
        ...

    def patient_count(self, clinic_id: UUID) -> int:
        """How many patients the clinic has (a progress bar's total)."""
        ...

    def resources(self, clinic_id: UUID) -> Iterator[tuple[str, str]]:
        """Each resource: its type and its JSON on one line (no newline)."""
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
