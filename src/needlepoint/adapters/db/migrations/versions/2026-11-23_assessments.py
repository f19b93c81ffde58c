"""Assessments: scar counts per zone, with their grades, over time.

Revision ID: 20261123_assessments
Revises: 20261123_accounts
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261123_assessments"
down_revision: str | Sequence[str] | None = "20261123_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the scar assessment table."""
    op.create_table(
        "scar_assessment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("assessed_by", sa.Uuid(), nullable=False),
        sa.Column("zones", sa.JSON(), nullable=False),
        sa.Column("grading", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id", "clinic_id"],
            ["patient.id", "patient.clinic_id"],
            name="fk_scar_assessment_patient_id_clinic_id_patient",
        ),
        sa.ForeignKeyConstraint(
            ["assessed_by"],
            ["staff_member.id"],
            name="fk_scar_assessment_assessed_by_staff_member",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_scar_assessment"),
    )
    op.create_index(
        "ix_scar_assessment_clinic_id_patient_id",
        "scar_assessment",
        ["clinic_id", "patient_id"],
    )


def downgrade() -> None:
    """Drop the scar assessment table."""
    op.drop_index("ix_scar_assessment_clinic_id_patient_id", table_name="scar_assessment")
    op.drop_table("scar_assessment")
