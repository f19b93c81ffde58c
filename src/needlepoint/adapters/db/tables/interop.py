"""Interoperability: FHIR Bulk Data export jobs (migration 2026-12-13_fhir_bulk_jobs)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Uuid,
)

from needlepoint.adapters.db.tables.base import UtcDateTime, metadata

fhir_bulk_job = Table(
    "fhir_bulk_job",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("clinic_id", Uuid, ForeignKey("clinic.id"), nullable=False),
    # None when the machine's operator exported (``needlepoint export fhir``).
    Column("requested_by", Uuid, ForeignKey("staff_member.id"), nullable=True),
    Column("request_url", String(2000), nullable=False),
    Column("transaction_at", UtcDateTime, nullable=False),
    Column("status", String(10), nullable=False),
    Column("resources_done", Integer, nullable=False),
    # [{"type": "Patient", "count": 12}, ...] in the order the files were written.
    Column("files", JSON, nullable=False),
    Column("finished_at", UtcDateTime, nullable=True),
    Column("error", String(500), nullable=True),
    CheckConstraint(
        "status IN ('running', 'completed', 'failed', 'cancelled')", name="known_status"
    ),
    Index("ix_fhir_bulk_job_clinic_transaction", "clinic_id", "transaction_at"),
)
