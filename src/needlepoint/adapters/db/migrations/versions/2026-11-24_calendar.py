"""Calendar feeds: a patient's secret feed URL, stored as the SHA-256 of its token.

Revision ID: 20261124_calendar
Revises: 20261124_scheduling
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261124_calendar"
down_revision: str | Sequence[str] | None = "20261124_scheduling"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the calendar feed table."""
    op.create_table(
        "calendar_feed",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.CHAR(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id", "clinic_id"],
            ["patient.id", "patient.clinic_id"],
            name=op.f("fk_calendar_feed_patient_id_clinic_id_patient"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feed")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feed_token_hash")),
    )
    op.create_index(
        "ix_calendar_feed_clinic_id_patient_id", "calendar_feed", ["clinic_id", "patient_id"]
    )


def downgrade() -> None:
    """Drop the calendar feed table."""
    op.drop_index("ix_calendar_feed_clinic_id_patient_id", table_name="calendar_feed")
    op.drop_table("calendar_feed")
