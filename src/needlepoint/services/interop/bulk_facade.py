"""The bulk export's facade: FHIR Bulk Data ``$export`` jobs of a clinic (admins only).

Entrypoints call the use cases here (``services/interop/bulk_export.py`` explains them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from needlepoint.domain.bulk_export import BulkJob
from needlepoint.services import audit as audit_service
from needlepoint.services.interop import bulk_export
from needlepoint.services.interop.bulk_export import ExportRun, Progress
from needlepoint.services.interop.bulk_ports import (
    BulkJobsTransaction,
    ClinicResources,
    ExportFiles,
    JobRunner,
)
from needlepoint.services.ports import Clock


@dataclass(frozen=True, slots=True)
class BulkExport:
    """Export jobs: start, poll, download, cancel; and the operator's export to a folder."""

    unit_of_work: Callable[[], BulkJobsTransaction]
    clock: Clock
    resources: ClinicResources
    files: ExportFiles
    runner: JobRunner

    def start(self, request_url: str, *, context: audit_service.RequestContext) -> BulkJob:
        """Store and begin an export of the actor's clinic; it runs in the background."""
        job = bulk_export.start_export(
            request_url=request_url, context=context, uow=self.unit_of_work(), clock=self.clock
        )
        run = self._run(self.files)
        self.runner.start(lambda: bulk_export.run_export(job, run=run))
        return job

    def status(self, job_id: UUID, *, context: audit_service.RequestContext) -> BulkJob:
        """The job as it stands."""
        return bulk_export.job_status(job_id, context=context, uow=self.unit_of_work())

    def file(self, job_id: UUID, file_name: str, *, context: audit_service.RequestContext) -> Path:
        """A completed job's NDJSON file, its download audited."""
        return bulk_export.export_file(
            job_id,
            file_name,
            context=context,
            uow=self.unit_of_work(),
            files=self.files,
            clock=self.clock,
        )

    def cancel(self, job_id: UUID, *, context: audit_service.RequestContext) -> None:
        """Cancel (or delete) a job; its files are deleted."""
        bulk_export.cancel_export(
            job_id, context=context, uow=self.unit_of_work(), files=self.files, clock=self.clock
        )

    def find_clinic(self, clinic: str) -> UUID:
        """The clinic the operator named, by id or name."""
        return bulk_export.find_clinic(clinic, uow=self.unit_of_work())

    def export_to(
        self,
        clinic_id: UUID,
        files: ExportFiles,
        *,
        context: audit_service.OperatorContext,
        on_progress: Progress | None = None,
    ) -> BulkJob:
        """Export a clinic now into ``files`` (the operator's folder); the finished job."""
        return bulk_export.export_for_operator(
            clinic_id, context=context, run=self._run(files), on_progress=on_progress
        )

    def _run(self, files: ExportFiles) -> ExportRun:
        return ExportRun(self.unit_of_work, self.resources, files, self.clock)
