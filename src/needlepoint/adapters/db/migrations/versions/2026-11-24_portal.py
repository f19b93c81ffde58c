"""Patient portal: sign-in links, patient sessions, care read receipts, check-ins, photos.

See ADR 0017.

Links and sessions are stored as the SHA-256 of their secret. Every row carries (clinic_id,
patient_id) under a composite key to the patient; a check-in's session and a photo's check-in
are reached through (id, clinic_id, patient_id), so no row can name another patient's parent.
Photos are kept as re-encoded JPEG bytes in the database (in backups, inside transactions).

Revision ID: 20261124_portal
Revises: 20261124_calendar
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261124_portal"
down_revision: str | Sequence[str] | None = "20261124_calendar"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = (
    "check_in_photo",
    "check_in",
    "care_acknowledgement",
    "patient_session",
    "portal_sign_in_request",
    "portal_sign_in_link",
)
_DEGREES = "('none', 'mild', 'moderate', 'severe')"


def upgrade() -> None:
    """Create the portal's tables."""
    _create_sign_in_link()
    _create_sign_in_request()
    _create_patient_session()
    _create_care_acknowledgement()
    _create_check_in()
    _create_check_in_photo()


def downgrade() -> None:
    """Drop the portal's tables (their indexes go with them)."""
    for table in _TABLES:
        op.drop_table(table)


def _patient_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["patient_id", "clinic_id"],
        ["patient.id", "patient.clinic_id"],
        name=f"fk_{table}_patient_id_clinic_id_patient",
    )


def _patient_index(table: str) -> None:
    op.create_index(f"ix_{table}_clinic_id_patient_id", table, ["clinic_id", "patient_id"])


def _create_sign_in_link() -> None:
    op.create_table(
        "portal_sign_in_link",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.CHAR(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        _patient_fk("portal_sign_in_link"),
        sa.PrimaryKeyConstraint("id", name="pk_portal_sign_in_link"),
        sa.UniqueConstraint("token_hash", name="uq_portal_sign_in_link_token_hash"),
    )
    _patient_index("portal_sign_in_link")


def _create_sign_in_request() -> None:
    op.create_table(
        "portal_sign_in_request",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("email_hash", sa.CHAR(length=64), nullable=False),
        sa.Column("ip", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_portal_sign_in_request"),
    )
    op.create_index(
        "ix_portal_sign_in_request_email_hash_at", "portal_sign_in_request", ["email_hash", "at"]
    )
    op.create_index("ix_portal_sign_in_request_ip_at", "portal_sign_in_request", ["ip", "at"])


def _create_patient_session() -> None:
    op.create_table(
        "patient_session",
        sa.Column("id_hash", sa.CHAR(length=64), nullable=False),
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        _patient_fk("patient_session"),
        sa.PrimaryKeyConstraint("id_hash", name="pk_patient_session"),
    )
    _patient_index("patient_session")


def _create_care_acknowledgement() -> None:
    op.create_table(
        "care_acknowledgement",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("item_id", sa.String(100), nullable=False),
        sa.Column("care_on", sa.Date(), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=False),
        _patient_fk("care_acknowledgement"),
        sa.PrimaryKeyConstraint("id", name="pk_care_acknowledgement"),
        sa.UniqueConstraint(
            "clinic_id",
            "patient_id",
            "care_on",
            "item_id",
            name="uq_care_acknowledgement_clinic_id_patient_id_care_on_item_id",
        ),
    )


def _create_check_in() -> None:
    op.create_table(
        "check_in",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=True),
        sa.Column("appointment_id", sa.Uuid(), nullable=True),
        sa.Column("treated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("redness", sa.String(10), nullable=False),
        sa.Column("swelling", sa.String(10), nullable=False),
        sa.Column("pain", sa.Integer(), nullable=False),
        sa.Column("pus", sa.Boolean(), nullable=False),
        sa.Column("fever", sa.Boolean(), nullable=False),
        sa.Column("blisters", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("triage_level", sa.String(10), nullable=False),
        sa.Column("triage", sa.JSON(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by", sa.Uuid(), nullable=True),
        *_check_in_checks(),
        _patient_fk("check_in"),
        sa.ForeignKeyConstraint(
            ["session_id", "clinic_id", "patient_id"],
            ["treatment_session.id", "treatment_session.clinic_id", "treatment_session.patient_id"],
            name="fk_check_in_session",
        ),
        sa.ForeignKeyConstraint(
            ["appointment_id"], ["appointment.id"], name="fk_check_in_appointment_id_appointment"
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by"], ["staff_member.id"], name="fk_check_in_reviewed_by_staff_member"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_check_in"),
        sa.UniqueConstraint(
            "id", "clinic_id", "patient_id", name="uq_check_in_id_clinic_id_patient_id"
        ),
    )
    _patient_index("check_in")
    op.create_index("ix_check_in_clinic_id_reviewed_at", "check_in", ["clinic_id", "reviewed_at"])


def _check_in_checks() -> tuple[sa.CheckConstraint, ...]:
    return (
        sa.CheckConstraint(
            "session_id IS NOT NULL OR appointment_id IS NOT NULL",
            name="ck_check_in_follows_a_treatment",
        ),
        sa.CheckConstraint(f"redness IN {_DEGREES}", name="ck_check_in_redness"),
        sa.CheckConstraint(f"swelling IN {_DEGREES}", name="ck_check_in_swelling"),
        sa.CheckConstraint("pain BETWEEN 0 AND 10", name="ck_check_in_pain"),
        sa.CheckConstraint("day >= 0", name="ck_check_in_day"),
        sa.CheckConstraint(
            "triage_level IN ('green', 'amber', 'red')", name="ck_check_in_triage_level"
        ),
        sa.CheckConstraint(
            "(reviewed_at IS NULL AND reviewed_by IS NULL) "
            "OR (reviewed_at IS NOT NULL AND reviewed_by IS NOT NULL)",
            name="ck_check_in_reviewed_has_reviewer",
        ),
    )


def _create_check_in_photo() -> None:
    op.create_table(
        "check_in_photo",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("check_in_id", sa.Uuid(), nullable=False),
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("content_type", sa.String(30), nullable=False),
        sa.Column("width_px", sa.Integer(), nullable=False),
        sa.Column("height_px", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.CHAR(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("content_type = 'image/jpeg'", name="ck_check_in_photo_content_type"),
        sa.ForeignKeyConstraint(
            ["check_in_id", "clinic_id", "patient_id"],
            ["check_in.id", "check_in.clinic_id", "check_in.patient_id"],
            name="fk_check_in_photo_check_in",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_check_in_photo"),
        sa.UniqueConstraint("check_in_id", name="uq_check_in_photo_check_in_id"),
    )
    _patient_index("check_in_photo")
