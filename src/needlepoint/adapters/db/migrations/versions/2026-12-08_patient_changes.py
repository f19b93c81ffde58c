"""Patient edits and their recorded changes, and the search by email or birth date (issue 12).

* ``patient.version``: how many times the patient's details were saved (1 for every existing
  patient); an edit names the version it was based on, so a concurrent edit is refused, never
  overwritten.
* ``patient_change``: one row per detail an edit changed: the version it made, the field, the
  old and new value as text, who and when (``domain.patient_changes``).
* Two indexes per clinic for the patient search (``domain.patient_search``): by email and by
  birth date.

Revision ID: 20261208_patient_changes
Revises: 20261208_photos
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261208_patient_changes"
down_revision: str | Sequence[str] | None = "20261208_photos"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FIELDS = "('given_name', 'family_name', 'born_on', 'sex', 'email', 'phone')"


def upgrade() -> None:
    """Add the patient's version, the change record and the search indexes."""
    # A plain ADD COLUMN on both databases: rebuilding the patient table (SQLite's batch mode)
    # would have to carry every foreign key that names it.
    op.add_column(
        "patient", sa.Column("version", sa.Integer, nullable=False, server_default=sa.text("1"))
    )
    op.create_index("ix_patient_clinic_id_email", "patient", ["clinic_id", "email"])
    op.create_index("ix_patient_clinic_id_born_on", "patient", ["clinic_id", "born_on"])
    op.create_table(
        "patient_change",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("clinic_id", sa.Uuid, nullable=False),
        sa.Column("patient_id", sa.Uuid, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("field", sa.String(20), nullable=False),
        sa.Column("old_value", sa.Text, nullable=True),
        sa.Column("new_value", sa.Text, nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.Uuid, nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id", "clinic_id"],
            ["patient.id", "patient.clinic_id"],
            name="fk_patient_change_patient_id_clinic_id_patient",
        ),
        sa.ForeignKeyConstraint(
            ["changed_by"], ["staff_member.id"], name="fk_patient_change_changed_by_staff_member"
        ),
        sa.CheckConstraint(f"field IN {_FIELDS}", name="ck_patient_change_field"),
        sa.CheckConstraint("version >= 2", name="ck_patient_change_version_after_first"),
        sa.UniqueConstraint(
            "patient_id", "version", "field", name="uq_patient_change_patient_id_version_field"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_patient_change"),
    )
    op.create_index(
        "ix_patient_change_clinic_id_patient_id", "patient_change", ["clinic_id", "patient_id"]
    )


def downgrade() -> None:
    """Drop the change record, the search indexes and the patient's version."""
    op.drop_index("ix_patient_change_clinic_id_patient_id", table_name="patient_change")
    op.drop_table("patient_change")
    op.drop_index("ix_patient_clinic_id_born_on", table_name="patient")
    op.drop_index("ix_patient_clinic_id_email", table_name="patient")
    op.drop_column("patient", "version")
