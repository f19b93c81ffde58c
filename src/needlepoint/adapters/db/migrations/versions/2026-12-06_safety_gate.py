"""The safety gate (issue 10): clearances, one active series per consultation, attended visits.

* ``clearance``: a clinician's record that a finding needing clearance has been cleared for a
  patient: which finding (rule id and zones) of which signed consultation, why, by whom, when,
  and the last day it holds (ADR 0021).
* ``treatment_series`` gains who cancelled it, when and why, and the series that superseded it.
  At most one series per consultation is active: a partial unique index, so two saves of one
  consultation's plan can never both land (ADR 0022). Existing duplicates are cancelled first,
  keeping the one with the most sessions (the oldest on a tie), each with its reason.
* ``appointment.session_id``: the session held at that appointment, once it starts.

Revision ID: 20261206_safety_gate
Revises: 20261124_worklist_indexes
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision: str = "20261206_safety_gate"
down_revision: str | Sequence[str] | None = "20261124_worklist_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE_SERIES = "status <> 'cancelled'"
DUPLICATE_REASON = (
    "Cancelled when one active series per consultation became the rule: another series from "
    "the same consultation was kept."
)


def upgrade() -> None:
    """Create the clearance table, record series cancellations, link sessions to visits."""
    _create_clearance()
    with op.batch_alter_table("treatment_series") as batch:
        batch.add_column(sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("cancelled_by", sa.Uuid, nullable=True))
        batch.add_column(sa.Column("cancel_reason", sa.Text, nullable=True))
        batch.add_column(sa.Column("superseded_by", sa.Uuid, nullable=True))
        batch.create_foreign_key(
            "fk_treatment_series_cancelled_by_staff_member",
            "staff_member",
            ["cancelled_by"],
            ["id"],
        )
    _cancel_duplicate_series()
    op.create_index(
        "uq_treatment_series_consultation_id_active",
        "treatment_series",
        ["consultation_id"],
        unique=True,
        sqlite_where=sa.text(ACTIVE_SERIES),
        postgresql_where=sa.text(ACTIVE_SERIES),
    )
    with _keeping_sqlite_triggers("appointment"), op.batch_alter_table("appointment") as batch:
        batch.add_column(sa.Column("session_id", sa.Uuid, nullable=True))
        batch.create_foreign_key(
            "fk_appointment_session_id_treatment_session",
            "treatment_session",
            ["session_id"],
            ["id"],
        )


def downgrade() -> None:
    """Drop what upgrade added (cancellation reasons of duplicates stay cancelled)."""
    with _keeping_sqlite_triggers("appointment"), op.batch_alter_table("appointment") as batch:
        batch.drop_constraint("fk_appointment_session_id_treatment_session", type_="foreignkey")
        batch.drop_column("session_id")
    op.drop_index("uq_treatment_series_consultation_id_active", table_name="treatment_series")
    with op.batch_alter_table("treatment_series") as batch:
        batch.drop_constraint("fk_treatment_series_cancelled_by_staff_member", type_="foreignkey")
        for column in ("superseded_by", "cancel_reason", "cancelled_by", "cancelled_at"):
            batch.drop_column(column)
    op.drop_table("clearance")


@contextmanager
def _keeping_sqlite_triggers(table: str) -> Iterator[None]:
    """Re-create a table's triggers after SQLite's batch mode has rebuilt the table.

    Batch mode copies the table into a new one and drops the old, and its triggers with it
    (here: the appointment table's no-overlap guards, ADR 0015).
    """
    connection = op.get_bind()
    saved: list[str] = []
    if connection.dialect.name == "sqlite":
        saved = list(
            connection.execute(
                sa.text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"),
                {"t": table},
            ).scalars()
        )
    yield
    for statement in saved:
        op.execute(statement)


def _create_clearance() -> None:
    op.create_table(
        "clearance",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("clinic_id", sa.Uuid, nullable=False),
        sa.Column("patient_id", sa.Uuid, nullable=False),
        sa.Column("consultation_id", sa.Uuid, nullable=False),
        sa.Column("rule_id", sa.String(80), nullable=False),
        sa.Column("zones", sa.JSON, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("cleared_by", sa.Uuid, nullable=False),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.Date, nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id", "clinic_id"],
            ["patient.id", "patient.clinic_id"],
            name="fk_clearance_patient_id_clinic_id_patient",
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultation.id"],
            name="fk_clearance_consultation_id_consultation",
        ),
        sa.ForeignKeyConstraint(
            ["cleared_by"], ["staff_member.id"], name="fk_clearance_cleared_by_staff_member"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_clearance"),
    )
    op.create_index("ix_clearance_clinic_id_patient_id", "clearance", ["clinic_id", "patient_id"])


def _cancel_duplicate_series() -> None:
    """Cancel all but one active series of each consultation (most sessions, then oldest)."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT s.id, s.consultation_id, s.created_at, "
            "(SELECT count(*) FROM treatment_session t WHERE t.series_id = s.id) AS held "
            f"FROM treatment_series s WHERE {ACTIVE_SERIES}"
        )
    ).all()
    by_consultation: dict[object, list[tuple[object, object, int]]] = {}
    for series_id, consultation_id, created_at, held in rows:
        by_consultation.setdefault(consultation_id, []).append((series_id, created_at, held))
    for found in by_consultation.values():
        kept = sorted(found, key=lambda row: (-row[2], row[1]))[0]
        for series_id, _created_at, _held in found:
            if series_id != kept[0]:
                connection.execute(
                    sa.text(
                        "UPDATE treatment_series SET status = 'cancelled', "
                        "cancel_reason = :reason, superseded_by = :kept, version = version + 1 "
                        "WHERE id = :id"
                    ),
                    {"reason": DUPLICATE_REASON, "kept": kept[0], "id": series_id},
                )
