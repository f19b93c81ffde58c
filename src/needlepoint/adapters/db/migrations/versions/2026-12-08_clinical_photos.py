"""Clinical photos, landmarks and redness regions (issue 12).

* ``clinical_photo``: a photo taken by the clinic's staff, in a view (a close-up names its
  zone), on a day, perhaps at a session: the re-encoded JPEG bytes, their SHA-256 (checked on
  every read), the size, and the two landmarks a clinician marked on it (JSON, or null).
* ``redness_reading``: the mean CIELAB a* of a region (a polygon, JSON) drawn on a photo.
* ``photo_derivative``: copies made from photos (smaller copies, aligned images), each under a
  key naming the photos' ids, hashes and landmarks, with its own SHA-256 (ADR 0028).

Revision ID: 20261208_photos
Revises: 20261208_consent
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261208_photos"
down_revision: str | Sequence[str] | None = "20261208_consent"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_VIEWS = "('front', 'left_oblique', 'right_oblique', 'left_profile', 'right_profile', 'close_up')"


def upgrade() -> None:
    """Create the clinical photo, redness reading and photo derivative tables."""
    _create_clinical_photo()
    _create_redness_reading()
    _create_photo_derivative()


def downgrade() -> None:
    """Drop the three tables (their indexes go with them)."""
    for table in ("photo_derivative", "redness_reading", "clinical_photo"):
        op.drop_table(table)


def _create_clinical_photo() -> None:
    op.create_table(
        "clinical_photo",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=True),
        sa.Column("view", sa.String(20), nullable=False),
        sa.Column("zone", sa.String(20), nullable=True),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("width_px", sa.Integer(), nullable=False),
        sa.Column("height_px", sa.Integer(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(30), nullable=False),
        sa.Column("sha256", sa.CHAR(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("landmarks", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.CheckConstraint(f"view IN {_VIEWS}", name="ck_clinical_photo_view"),
        sa.CheckConstraint(
            "(view = 'close_up' AND zone IS NOT NULL) OR (view <> 'close_up' AND zone IS NULL)",
            name="ck_clinical_photo_zone_for_close_up",
        ),
        sa.CheckConstraint("content_type = 'image/jpeg'", name="ck_clinical_photo_content_type"),
        sa.CheckConstraint(
            "width_px > 0 AND height_px > 0 AND size_bytes > 0", name="ck_clinical_photo_sizes"
        ),
        sa.ForeignKeyConstraint(
            ["patient_id", "clinic_id"],
            ["patient.id", "patient.clinic_id"],
            name="fk_clinical_photo_patient_id_clinic_id_patient",
        ),
        sa.ForeignKeyConstraint(
            ["session_id", "clinic_id", "patient_id"],
            [
                "treatment_session.id",
                "treatment_session.clinic_id",
                "treatment_session.patient_id",
            ],
            name="fk_clinical_photo_session",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["staff_member.id"], name="fk_clinical_photo_created_by_staff_member"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_clinical_photo"),
        sa.UniqueConstraint(
            "id", "clinic_id", "patient_id", name="uq_clinical_photo_id_clinic_id_patient_id"
        ),
    )
    op.create_index(
        "ix_clinical_photo_clinic_id_patient_id", "clinical_photo", ["clinic_id", "patient_id"]
    )


def _create_redness_reading() -> None:
    op.create_table(
        "redness_reading",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("photo_id", sa.Uuid(), nullable=False),
        sa.Column("region", sa.JSON(), nullable=False),
        sa.Column("a_star", sa.Numeric(6, 2), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["photo_id", "clinic_id", "patient_id"],
            ["clinical_photo.id", "clinical_photo.clinic_id", "clinical_photo.patient_id"],
            name="fk_redness_reading_photo",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["staff_member.id"],
            name="fk_redness_reading_recorded_by_staff_member",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_redness_reading"),
    )
    op.create_index(
        "ix_redness_reading_clinic_id_patient_id", "redness_reading", ["clinic_id", "patient_id"]
    )


def _create_photo_derivative() -> None:
    op.create_table(
        "photo_derivative",
        sa.Column("key", sa.CHAR(length=64), nullable=False),
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("photo_id", sa.Uuid(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.CHAR(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["photo_id"], ["clinical_photo.id"], name="fk_photo_derivative_photo_id_clinical_photo"
        ),
        sa.PrimaryKeyConstraint("key", name="pk_photo_derivative"),
    )
    op.create_index("ix_photo_derivative_photo_id", "photo_derivative", ["photo_id"])
