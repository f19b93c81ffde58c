"""The patient portal: sign-in links, patient sessions, care acknowledgements, check-ins."""

from __future__ import annotations

from sqlalchemy import (
    CHAR,
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)

from needlepoint.adapters.db.tables.base import UtcDateTime, metadata

# --- patient portal (migration 2026-11-24_portal) ------------------------------------------
# One-time sign-in links and patient sessions are kept as the SHA-256 of their secret (ADR
# 0017). Every row names (clinic_id, patient_id), tied to the patient by a composite key, so a
# portal query scoped by the signed-in pair can never reach another patient's row.

portal_sign_in_link = Table(
    "portal_sign_in_link",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("clinic_id", Uuid, nullable=False),
    Column("patient_id", Uuid, nullable=False),
    Column("token_hash", CHAR(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
    ForeignKeyConstraint(["patient_id", "clinic_id"], ["patient.id", "patient.clinic_id"]),
    Index("ix_portal_sign_in_link_clinic_id_patient_id", "clinic_id", "patient_id"),
)

portal_sign_in_request = Table(
    "portal_sign_in_request",
    metadata,
    # Every request for a link, kept for throttling; the email only as its SHA-256.
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("email_hash", CHAR(64), nullable=False),
    Column("ip", String(64), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Index("ix_portal_sign_in_request_email_hash_at", "email_hash", "at"),
    Index("ix_portal_sign_in_request_ip_at", "ip", "at"),
)

patient_session = Table(
    "patient_session",
    metadata,
    Column("id_hash", CHAR(64), primary_key=True),
    Column("clinic_id", Uuid, nullable=False),
    Column("patient_id", Uuid, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_seen_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
    ForeignKeyConstraint(["patient_id", "clinic_id"], ["patient.id", "patient.clinic_id"]),
    Index("ix_patient_session_clinic_id_patient_id", "clinic_id", "patient_id"),
)

care_acknowledgement = Table(
    "care_acknowledgement",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("clinic_id", Uuid, nullable=False),
    Column("patient_id", Uuid, nullable=False),
    # The care template's id (care.yaml) and the clinic-local day it was read for.
    Column("item_id", String(100), nullable=False),
    Column("care_on", Date, nullable=False),
    Column("acknowledged_at", UtcDateTime, nullable=False),
    ForeignKeyConstraint(["patient_id", "clinic_id"], ["patient.id", "patient.clinic_id"]),
    UniqueConstraint("clinic_id", "patient_id", "care_on", "item_id"),
)

check_in = Table(
    "check_in",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("clinic_id", Uuid, nullable=False),
    Column("patient_id", Uuid, nullable=False),
    # The treatment it follows: a started session, else an attended appointment.
    Column("session_id", Uuid, nullable=True),
    Column("appointment_id", Uuid, ForeignKey("appointment.id"), nullable=True),
    Column("treated_at", UtcDateTime, nullable=False),
    Column("day", Integer, nullable=False),
    Column("redness", String(10), nullable=False),
    Column("swelling", String(10), nullable=False),
    Column("pain", Integer, nullable=False),
    Column("pus", Boolean, nullable=False),
    Column("fever", Boolean, nullable=False),
    Column("blisters", Boolean, nullable=False),
    Column("note", Text, nullable=False),
    Column("triage_level", String(10), nullable=False),
    # The reasons (rule ids, words, sources) and the triage table's version.
    Column("triage", JSON, nullable=False),
    Column("submitted_at", UtcDateTime, nullable=False),
    Column("reviewed_at", UtcDateTime, nullable=True),
    Column("reviewed_by", Uuid, ForeignKey("staff_member.id"), nullable=True),
    # What came of the review and the clinician's note (NULL on reviews recorded before).
    Column("review_outcome", String(20), nullable=True),
    Column("review_note", Text, nullable=True),
    ForeignKeyConstraint(["patient_id", "clinic_id"], ["patient.id", "patient.clinic_id"]),
    ForeignKeyConstraint(
        ["session_id", "clinic_id", "patient_id"],
        ["treatment_session.id", "treatment_session.clinic_id", "treatment_session.patient_id"],
        name="fk_check_in_session",
    ),
    UniqueConstraint("id", "clinic_id", "patient_id"),
    CheckConstraint(
        "session_id IS NOT NULL OR appointment_id IS NOT NULL", name="follows_a_treatment"
    ),
    CheckConstraint("redness IN ('none', 'mild', 'moderate', 'severe')", name="redness"),
    CheckConstraint("swelling IN ('none', 'mild', 'moderate', 'severe')", name="swelling"),
    CheckConstraint("pain BETWEEN 0 AND 10", name="pain"),
    CheckConstraint("day >= 0", name="day"),
    CheckConstraint("triage_level IN ('green', 'amber', 'red')", name="triage_level"),
    CheckConstraint(
        "(reviewed_at IS NULL AND reviewed_by IS NULL) "
        "OR (reviewed_at IS NOT NULL AND reviewed_by IS NOT NULL)",
        name="reviewed_has_reviewer",
    ),
    CheckConstraint(
        "review_outcome IS NULL "
        "OR review_outcome IN ('advice_given', 'seen_in_clinic', 'referred')",
        name="review_outcome",
    ),
    CheckConstraint(
        "(review_outcome IS NULL AND review_note IS NULL) "
        "OR (review_outcome IS NOT NULL AND review_note IS NOT NULL AND reviewed_at IS NOT NULL)",
        name="review_has_note",
    ),
    Index("ix_check_in_clinic_id_patient_id", "clinic_id", "patient_id"),
    Index("ix_check_in_clinic_id_reviewed_at", "clinic_id", "reviewed_at"),
)

check_in_photo = Table(
    "check_in_photo",
    metadata,
    # The photo as re-encoded by the server (JPEG, upright, no metadata), never the upload.
    Column("id", Uuid, primary_key=True),
    Column("check_in_id", Uuid, nullable=False, unique=True),
    Column("clinic_id", Uuid, nullable=False),
    Column("patient_id", Uuid, nullable=False),
    Column("content_type", String(30), nullable=False),
    Column("width_px", Integer, nullable=False),
    Column("height_px", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("sha256", CHAR(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    ForeignKeyConstraint(
        ["check_in_id", "clinic_id", "patient_id"],
        ["check_in.id", "check_in.clinic_id", "check_in.patient_id"],
        name="fk_check_in_photo_check_in",
    ),
    CheckConstraint("content_type = 'image/jpeg'", name="content_type"),
    Index("ix_check_in_photo_clinic_id_patient_id", "clinic_id", "patient_id"),
)
