"""FHIR Bulk Data export jobs (issue 15): ``fhir_bulk_job``.

One row per ``$export`` of a clinic: who asked, the instant it reads the clinic as of, its
status and progress, and the NDJSON files it wrote (their resource type and line count).
The files themselves live in the data directory (``fhir-exports/<job id>/``, 0700/0600).

Revision ID: 20261213_fhir_bulk_jobs
Revises: 20261212_staff_invites
Create Date: 2026-12-13
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261213_fhir_bulk_jobs"
down_revision: str | Sequence[str] | None = "20261212_staff_invites"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the jobs' table."""
    op.create_table(
        "fhir_bulk_job",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("requested_by", sa.Uuid(), nullable=True),
        sa.Column("request_url", sa.String(2000), nullable=False),
        sa.Column("transaction_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("resources_done", sa.Integer(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(500), nullable=True),
        sa.CheckConstraint(
            "status IN ('running', 'completed', 'failed', 'cancelled')",
            name=op.f("ck_fhir_bulk_job_known_status"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name=op.f("fk_fhir_bulk_job_clinic_id_clinic")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"],
            ["staff_member.id"],
            name=op.f("fk_fhir_bulk_job_requested_by_staff_member"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fhir_bulk_job")),
    )
    op.create_index(
        "ix_fhir_bulk_job_clinic_transaction", "fhir_bulk_job", ["clinic_id", "transaction_at"]
    )


def downgrade() -> None:
    """Drop the jobs' table (the files in the data directory are left to delete by hand)."""
    op.drop_index("ix_fhir_bulk_job_clinic_transaction", table_name="fhir_bulk_job")
    op.drop_table("fhir_bulk_job")
