"""Indexes for the dashboard's worklist queries (ADR 0019).

Charts waiting for sign-off read a clinic's started sessions; series to book read a clinic's
active series, then ask whether an appointment exists for each one's next session. Without
these, each of those is a scan of the clinic's (or every clinic's) rows.

Revision ID: 20261124_worklist_indexes
Revises: 20261124_portal
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "20261124_worklist_indexes"
down_revision: str | Sequence[str] | None = "20261124_portal"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEXES = (
    ("ix_treatment_session_clinic_id_status", "treatment_session", ["clinic_id", "status"]),
    ("ix_treatment_series_clinic_id_status", "treatment_series", ["clinic_id", "status"]),
    (
        "ix_appointment_series_id_session_number",
        "appointment",
        ["series_id", "session_number"],
    ),
)


def upgrade() -> None:
    """Create the worklist indexes."""
    for name, table, columns in _INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    """Drop the worklist indexes."""
    for name, table, _ in reversed(_INDEXES):
        op.drop_index(name, table_name=table)
