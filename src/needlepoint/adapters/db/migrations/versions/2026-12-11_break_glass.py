"""Break-glass grants and the severity of audit events (ADR 0038, scenarios AC-5 and AC-6).

* ``audit_event.severity``: ``normal`` (every event written before, and most after) or
  ``high`` (a read under break-glass access). ``audit_event.break_glass_id``: the grant such a
  read was made under. Both are hashed only when set (``domain.audit_chain``), so every row
  written before still verifies.
* ``break_glass_grant``: who opened which patient's clinical record, why, and until when.

Revision ID: 20261211_break_glass
Revises: 20261210_series_next_due
Create Date: 2026-12-11
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261211_break_glass"
down_revision: str | Sequence[str] | None = "20261210_series_next_due"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the two audit columns (existing events are ``normal``) and the grants table."""
    # Plain ADD COLUMNs: SQLite's batch mode would rebuild audit_event without its triggers.
    op.add_column(
        "audit_event",
        sa.Column("severity", sa.String(10), nullable=False, server_default="normal"),
    )
    op.add_column("audit_event", sa.Column("break_glass_id", sa.Uuid, nullable=True))
    op.create_table(
        "break_glass_grant",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("clinic_id", sa.Uuid, sa.ForeignKey("clinic.id"), nullable=False),
        sa.Column("actor_id", sa.Uuid, sa.ForeignKey("staff_member.id"), nullable=False),
        sa.Column("patient_id", sa.Uuid, sa.ForeignKey("patient.id"), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("expires_at > granted_at", name="ck_break_glass_grant_expires_after"),
    )
    op.create_index(
        "ix_break_glass_grant_clinic_granted", "break_glass_grant", ["clinic_id", "granted_at"]
    )


def downgrade() -> None:
    """Drop the grants table and the two audit columns."""
    op.drop_index("ix_break_glass_grant_clinic_granted", table_name="break_glass_grant")
    op.drop_table("break_glass_grant")
    op.drop_column("audit_event", "break_glass_id")
    op.drop_column("audit_event", "severity")
