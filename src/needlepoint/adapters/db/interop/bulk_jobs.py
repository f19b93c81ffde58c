"""FHIR Bulk Data export jobs: their state, read and written by clinic."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping, func, insert, select, update

from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.interop.page_reads import PageRecords
from needlepoint.adapters.db.repository import SqlRepository
from needlepoint.domain.bulk_export import BulkJob, ExportedFile, JobStatus


class SqlBulkJobRepository(SqlRepository):
    """Export jobs, one row each, scoped by clinic."""

    def add(self, job: BulkJob) -> None:
        """Store a new job."""
        self._connection().execute(insert(t.fhir_bulk_job), _values_of(job))

    def get(self, clinic_id: UUID, job_id: UUID) -> BulkJob | None:
        """One job of the clinic, or None (another clinic's job is None too)."""
        c = t.fhir_bulk_job.c
        query = select(t.fhir_bulk_job).where(c.clinic_id == clinic_id, c.id == job_id)
        row = self._connection().execute(query).mappings().one_or_none()
        return None if row is None else _job_of(row)

    def save(self, job: BulkJob) -> None:
        """Write the job's progress, files and ending over its row."""
        values = _values_of(job)
        c = t.fhir_bulk_job.c
        statement = update(t.fhir_bulk_job).where(c.id == job.id, c.clinic_id == job.clinic_id)
        self._connection().execute(statement, values)

    def page_records(self, clinic_id: UUID, patient_ids: Sequence[UUID]) -> PageRecords:
        """These patients' whole records, one query per table (``page_reads``)."""
        return PageRecords(self._connection, clinic_id, patient_ids)

    def patient_ids(self, clinic_id: UUID, *, after: UUID | None, limit: int) -> list[UUID]:
        """Up to ``limit`` of the clinic's patient ids, in id order, after ``after`` (keyset)."""
        c = t.patient.c
        query = select(c.id).where(c.clinic_id == clinic_id).order_by(c.id).limit(limit)
        if after is not None:
            query = query.where(c.id > after)
        return list(self._connection().execute(query).scalars())

    def patient_count(self, clinic_id: UUID) -> int:
        """How many patients the clinic has."""
        query = select(func.count()).where(t.patient.c.clinic_id == clinic_id)
        return int(self._connection().execute(query).scalar_one())

    def has_clinic(self, clinic_id: UUID) -> bool:
        """Whether a clinic has that id."""
        query = select(t.clinic.c.id).where(t.clinic.c.id == clinic_id)
        return self._connection().execute(query).first() is not None

    def clinic_ids_named(self, name: str) -> list[UUID]:
        """The ids of the clinics called ``name`` (the operator names a clinic to export)."""
        c = t.clinic.c
        query = select(c.id).where(c.name == name).order_by(c.id)
        return list(self._connection().execute(query).scalars())

    def delete(self, clinic_id: UUID, job_id: UUID) -> None:
        """Forget a job (its files are deleted by the caller)."""
        c = t.fhir_bulk_job.c
        statement = t.fhir_bulk_job.delete().where(c.clinic_id == clinic_id, c.id == job_id)
        self._connection().execute(statement)


def _values_of(job: BulkJob) -> dict[str, Any]:
    return {
        "id": job.id,
        "clinic_id": job.clinic_id,
        "requested_by": job.requested_by,
        "request_url": job.request_url,
        "transaction_at": job.transaction_at,
        "status": job.status.value,
        "resources_done": job.resources_done,
        "files": [{"type": f.resource_type, "count": f.resource_count} for f in job.files],
        "finished_at": job.finished_at,
        "error": job.error,
    }


def _job_of(row: RowMapping) -> BulkJob:
    return BulkJob(
        id=row["id"],
        clinic_id=row["clinic_id"],
        requested_by=row["requested_by"],
        request_url=row["request_url"],
        transaction_at=row["transaction_at"],
        status=JobStatus(row["status"]),
        resources_done=row["resources_done"],
        files=tuple(ExportedFile(f["type"], int(f["count"])) for f in row["files"]),
        finished_at=row["finished_at"],
        error=row["error"],
    )
