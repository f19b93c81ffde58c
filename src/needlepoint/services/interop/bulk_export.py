"""FHIR Bulk Data ``$export`` of a clinic (HL7 Bulk Data Access IG): admins only, audited.

An admin asks for an export (``start_export``): a job is stored, audited, and handed to the
runner, which writes one NDJSON file per resource type into the job's private folder
(``run_export``), saving its progress as it goes. The admin polls the job (``job_status``),
downloads each file (``export_file``, audited) and may cancel it (``cancel_export``, which
also deletes its files). Another clinic's job answers exactly like an unknown one.

The machine's operator exports a clinic into a folder of their choosing with the same job
(``export_for_operator``: ``needlepoint export fhir``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final
from uuid import UUID, uuid4

from needlepoint.domain.bulk_export import (
    BulkJob,
    BulkJobNotFoundError,
    ExportedFile,
    JobStatus,
)
from needlepoint.domain.errors import InvalidInputError
from needlepoint.services import audit, permissions
from needlepoint.services.interop.bulk_ports import (
    BulkJobsRead,
    BulkJobsTransaction,
    ClinicResources,
    ExportFiles,
    HasBulkJobs,
)
from needlepoint.services.permissions import Action
from needlepoint.services.ports import Clock

PROGRESS_EVERY: Final = 2000
"""Lines written between two saves of the job's progress (and checks for a cancellation)."""

Progress = Callable[[str, int], None]
"""Told the type of each resource written and how many of that type are written so far."""


@dataclass(frozen=True, slots=True)
class ExportRun:
    """What a job's run needs: where it reads, where it writes, and its own transactions."""

    unit_of_work: Callable[[], BulkJobsTransaction]
    resources: ClinicResources
    files: ExportFiles
    clock: Clock


def start_export(
    *, request_url: str, context: audit.RequestContext, uow: BulkJobsTransaction, clock: Clock
) -> BulkJob:
    """Store a new export job of the actor's clinic, audited (admins); the caller runs it."""
    permissions.require(context, Action.FHIR_BULK_EXPORT)
    job = BulkJob(
        id=uuid4(),
        clinic_id=context.actor.clinic_id,
        requested_by=context.actor.id,
        request_url=request_url,
        transaction_at=clock.now(),
    )
    with uow:
        uow.bulk_jobs.add(job)
        access = audit.Access("fhir.bulk_export", "fhir_bulk_job", str(job.id), None)
        audit.record(uow, context, access, at=job.transaction_at)
        uow.commit()
    return job


def job_status(job_id: UUID, *, context: audit.RequestContext, uow: BulkJobsRead) -> BulkJob:
    """The job of the actor's clinic (admins); another clinic's answers as unknown."""
    permissions.require(context, Action.FHIR_BULK_EXPORT)
    with uow:
        return _job_of(uow, context.actor.clinic_id, job_id)


def export_file(
    job_id: UUID,
    file_name: str,
    *,
    context: audit.RequestContext,
    uow: BulkJobsTransaction,
    files: ExportFiles,
    clock: Clock,
) -> Path:
    """A completed job's NDJSON file (admins), its download audited."""
    permissions.require(context, Action.FHIR_BULK_EXPORT)
    with uow:
        job = _job_of(uow, context.actor.clinic_id, job_id)
        exported = job.file_named(file_name)
        path = files.path(job.id, exported.file_name)
        if path is None:
            raise BulkJobNotFoundError("no such file in this export")
        access = audit.Access("fhir.bulk_export.download", "fhir_bulk_job", str(job.id), None)
        audit.record(uow, context, access, at=clock.now())
        uow.commit()
    return path


def cancel_export(
    job_id: UUID,
    *,
    context: audit.RequestContext,
    uow: BulkJobsTransaction,
    files: ExportFiles,
    clock: Clock,
) -> None:
    """Cancel a running job, or delete a finished one; its files go either way (admins)."""
    permissions.require(context, Action.FHIR_BULK_EXPORT)
    with uow:
        job = _job_of(uow, context.actor.clinic_id, job_id)
        if job.status is JobStatus.RUNNING:
            uow.bulk_jobs.save(job.finished(JobStatus.CANCELLED, at=clock.now()))
        else:
            uow.bulk_jobs.delete(job.clinic_id, job.id)
        access = audit.Access("fhir.bulk_export.cancel", "fhir_bulk_job", str(job.id), None)
        audit.record(uow, context, access, at=clock.now())
        uow.commit()
    files.remove(job.id)


def find_clinic(clinic: str, *, uow: BulkJobsRead) -> UUID:
    """The clinic the operator named, by its id or its (unique) name."""
    with uow:
        found = _clinics_called(uow, clinic)
    if len(found) != 1:
        said = "no clinic has that id or name" if not found else "several clinics have that name"
        raise InvalidInputError.single(
            "--clinic", said, "give the clinic's id (from `needlepoint clinic add`) or its name"
        )
    return found[0]


def _clinics_called(uow: HasBulkJobs, clinic: str) -> list[UUID]:
    try:
        clinic_id = UUID(clinic)
    except ValueError:
        return uow.bulk_jobs.clinic_ids_named(clinic)
    return [clinic_id] if uow.bulk_jobs.has_clinic(clinic_id) else []


def export_for_operator(
    clinic_id: UUID,
    *,
    context: audit.OperatorContext,
    run: ExportRun,
    on_progress: Progress | None = None,
) -> BulkJob:
    """Export a clinic for the machine's operator, here and now (audited, the operator's role)."""
    job = BulkJob(
        id=uuid4(),
        clinic_id=clinic_id,
        requested_by=None,
        request_url=f"needlepoint export fhir --clinic {clinic_id}",
        transaction_at=run.clock.now(),
    )
    uow = run.unit_of_work()
    with uow:
        uow.bulk_jobs.add(job)
        access = audit.Access("fhir.bulk_export", "fhir_bulk_job", str(job.id), None)
        audit.record(uow, context, access, at=job.transaction_at)
        uow.commit()
    return run_export(job, run=run, on_progress=on_progress)


def run_export(job: BulkJob, *, run: ExportRun, on_progress: Progress | None = None) -> BulkJob:
    """Write the job's files, one per resource type, saving its progress; its final state.

    Stops, leaving the job ``cancelled`` and its files deleted, when it was cancelled
    meanwhile; a failure leaves it ``failed`` with the error's kind (never its text: it could
    hold patient data) and is raised again.
    """
    state = job
    written = 0

    def after_line(resource_type: str, count: int) -> bool:
        nonlocal state, written
        written += 1
        if on_progress is not None:
            on_progress(resource_type, count)
        if written % PROGRESS_EVERY:
            return True
        state = _save_unless_cancelled(run, replace(job, resources_done=written))
        return state.status is JobStatus.RUNNING

    try:
        counts = run.files.write(job.id, run.resources.resources(job.clinic_id), after_line)
    except Exception as error:  # the job must end whatever the mapping raised
        failed = job.finished(JobStatus.FAILED, at=run.clock.now(), error=type(error).__name__)
        _save_unless_cancelled(run, replace(failed, resources_done=written))
        raise
    if state.status is not JobStatus.RUNNING:
        run.files.remove(job.id)  # what was written after the cancel goes too
        return state
    files = tuple(
        ExportedFile(t, counts[t]) for t in run.resources.resource_types() if counts.get(t)
    )
    done = replace(job, resources_done=sum(counts.values()), files=files)
    ended = _save_unless_cancelled(run, done.finished(JobStatus.COMPLETED, at=run.clock.now()))
    if ended.status is JobStatus.CANCELLED:
        run.files.remove(job.id)  # cancelled while its last lines were written
    return ended


def _save_unless_cancelled(run: ExportRun, job: BulkJob) -> BulkJob:
    """Save the job, its progress or its ending, unless it was cancelled meanwhile.

    Returns the job as it now stands (``cancelled`` when it was).
    """
    uow = run.unit_of_work()
    with uow:
        stored = uow.bulk_jobs.get(job.clinic_id, job.id)
        if stored is None or stored.status is not JobStatus.RUNNING:
            uow.commit()
            return job.finished(JobStatus.CANCELLED, at=run.clock.now())
        uow.bulk_jobs.save(job)
        uow.commit()
    return job


def _job_of(uow: HasBulkJobs, clinic_id: UUID, job_id: UUID) -> BulkJob:
    job = uow.bulk_jobs.get(clinic_id, job_id)
    if job is None:
        raise BulkJobNotFoundError("no such export job")
    return job
