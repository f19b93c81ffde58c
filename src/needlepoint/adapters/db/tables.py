"""The schema as SQLAlchemy Core tables, on one MetaData with a naming convention.

Portable types only: the same tables (and the same migrations) serve SQLite and PostgreSQL.
Names are singular snake_case; instants end in ``_at`` (stored in UTC), dates in ``_on``.
Migrations live in ``migrations/versions``; a test checks that they build exactly this schema.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from sqlalchemy import (
    CHAR,
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
    text,
)

NAMING_CONVENTION: Final = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator[datetime]):
    """An aware instant, stored in UTC and always read back aware (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:  # noqa: ARG002
        """Refuse naive datetimes; store the UTC instant."""
        if value is None:
            return None
        if value.utcoffset() is None:
            raise ValueError("naive datetime: give instants with a time zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:  # noqa: ARG002
        """Read back as an aware UTC datetime."""
        if value is None:
            return None
        if value.utcoffset() is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


_NOW = text("CURRENT_TIMESTAMP")

clinic = Table(
    "clinic",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("time_zone", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False, server_default=_NOW),
)

staff_member = Table(
    "staff_member",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("clinic_id", Uuid, ForeignKey("clinic.id"), nullable=False),
    Column("email", String(320), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("licence_max_depth_mm", Numeric(4, 2), nullable=True),
    Column("password_hash", String(255), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False, server_default=_NOW),
    CheckConstraint("role IN ('admin', 'clinician', 'front_desk')", name="role"),
)

patient = Table(
    "patient",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("clinic_id", Uuid, ForeignKey("clinic.id"), nullable=False),
    Column("given_name", String(200), nullable=False),
    Column("family_name", String(200), nullable=False),
    Column("born_on", Date, nullable=False),
    Column("sex", String(20), nullable=False),
    Column("email", String(320), nullable=True),
    Column("phone", String(50), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    # Lets a consultation's (patient_id, clinic_id) reference the patient in its own clinic.
    UniqueConstraint("id", "clinic_id"),
    Index("ix_patient_clinic_id_family_name_given_name", "clinic_id", "family_name", "given_name"),
)

consultation = Table(
    "consultation",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("clinic_id", Uuid, nullable=False),
    Column("patient_id", Uuid, nullable=False),
    Column("consulted_on", Date, nullable=False),
    Column("intake", JSON, nullable=False),
    Column("report", JSON, nullable=False),
    Column("decision", String(40), nullable=False),
    Column("knowledge_versions", JSON, nullable=False),
    Column("status", String(10), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", Uuid, ForeignKey("staff_member.id"), nullable=False),
    Column("signed_at", UtcDateTime, nullable=True),
    Column("signed_by", Uuid, ForeignKey("staff_member.id"), nullable=True),
    Column("supersedes_id", Uuid, ForeignKey("consultation.id"), nullable=True),
    # The patient must belong to the consultation's clinic.
    ForeignKeyConstraint(["patient_id", "clinic_id"], ["patient.id", "patient.clinic_id"]),
    CheckConstraint("status IN ('draft', 'signed')", name="status"),
    CheckConstraint(
        "status = 'draft' OR (signed_at IS NOT NULL AND signed_by IS NOT NULL)",
        name="signed_has_signer",
    ),
    Index("ix_consultation_clinic_id_patient_id", "clinic_id", "patient_id"),
)

audit_event = Table(
    "audit_event",
    metadata,
    # Assigned by the audit log as the previous seq + 1 under its lock, so that a gap can only
    # mean a deleted row (a PostgreSQL sequence would leave gaps on every rollback).
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False),
    Column("actor_id", Uuid, nullable=True),
    Column("actor_role", String(40), nullable=False),
    Column("action", String(80), nullable=False),
    Column("resource_type", String(80), nullable=False),
    Column("resource_id", String(200), nullable=False),
    Column("patient_id", Uuid, nullable=True),
    Column("outcome", String(40), nullable=False),
    Column("request_id", String(200), nullable=False),
    Column("prev_hash", CHAR(64), nullable=False),
    Column("hash", CHAR(64), nullable=False, unique=True),
    Index("ix_audit_event_patient_id", "patient_id"),
)

# --- treatment records (migration 2026-11-23_treatment) ------------------------------------
# Composite foreign keys carry (clinic_id, patient_id) down the chain patient → series →
# session → chart version, so a row can never name another clinic's or patient's parent.
# Names past PostgreSQL's 63-character limit are given explicitly.

treatment_series = Table(
    "treatment_series",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("clinic_id", Uuid, nullable=False),
    Column("patient_id", Uuid, nullable=False),
    Column("consultation_id", Uuid, ForeignKey("consultation.id"), nullable=False),
    Column("proposal", JSON, nullable=False),
    Column("plan", JSON, nullable=False),
    Column("deviations", JSON, nullable=False),
    Column("status", String(20), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", Uuid, ForeignKey("staff_member.id"), nullable=False),
    Column("version", Integer, nullable=False),
    # the safety gate (migration 2026-12-06_safety_gate, ADR 0022)
    Column("cancelled_at", UtcDateTime, nullable=True),
    Column("cancelled_by", Uuid, ForeignKey("staff_member.id"), nullable=True),
    Column("cancel_reason", Text, nullable=True),
    Column("superseded_by", Uuid, nullable=True),
    ForeignKeyConstraint(["patient_id", "clinic_id"], ["patient.id", "patient.clinic_id"]),
    UniqueConstraint("id", "clinic_id", "patient_id"),
    CheckConstraint(
        "status IN ('planned', 'in_progress', 'completed', 'cancelled')", name="status"
    ),
    CheckConstraint("version >= 1", name="version_positive"),
    Index("ix_treatment_series_clinic_id_patient_id", "clinic_id", "patient_id"),
    # the dashboard's worklists (ADR 0019)
    Index("ix_treatment_series_clinic_id_status", "clinic_id", "status"),
    # one active series per consultation: saving a plan twice can never land twice
    Index(
        "uq_treatment_series_consultation_id_active",
        "consultation_id",
        unique=True,
        sqlite_where=text("status <> 'cancelled'"),
        postgresql_where=text("status <> 'cancelled'"),
    ),
)

treatment_session = Table(
    "treatment_session",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("series_id", Uuid, nullable=False),
    Column("clinic_id", Uuid, nullable=False),
    Column("patient_id", Uuid, nullable=False),
    Column("number", Integer, nullable=False),
    Column("status", String(10), nullable=False),
    Column("started_at", UtcDateTime, nullable=True),
    Column("started_by", Uuid, ForeignKey("staff_member.id"), nullable=True),
    Column("rescreen", JSON, nullable=True),
    Column("excluded_zones", JSON, nullable=False),
    ForeignKeyConstraint(
        ["series_id", "clinic_id", "patient_id"],
        ["treatment_series.id", "treatment_series.clinic_id", "treatment_series.patient_id"],
        name="fk_treatment_session_series",
    ),
    UniqueConstraint("series_id", "number"),
    UniqueConstraint("id", "clinic_id", "patient_id"),
    CheckConstraint("status IN ('scheduled', 'started', 'signed')", name="status"),
    CheckConstraint("number >= 1", name="number_positive"),
    # the dashboard's worklists (ADR 0019)
    Index("ix_treatment_session_clinic_id_status", "clinic_id", "status"),
)

chart_version = Table(
    "chart_version",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("session_id", Uuid, nullable=False),
    Column("clinic_id", Uuid, nullable=False),
    Column("patient_id", Uuid, nullable=False),
    Column("version", Integer, nullable=False),
    Column("chart", JSON, nullable=False),
    Column("rescreen", JSON, nullable=False),
    Column("notes", Text, nullable=False),
    # Copied out of ``chart`` so that a lot recall is an indexed query, not a JSON scan.
    Column("cartridge_lot", String(100), nullable=False),
    Column("cartridge_expires_on", Date, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", Uuid, ForeignKey("staff_member.id"), nullable=False),
    Column("signed_at", UtcDateTime, nullable=True),
    Column("signed_by", Uuid, ForeignKey("staff_member.id"), nullable=True),
    ForeignKeyConstraint(
        ["session_id", "clinic_id", "patient_id"],
        ["treatment_session.id", "treatment_session.clinic_id", "treatment_session.patient_id"],
        name="fk_chart_version_session",
    ),
    # Two writers of the same version: the second insert fails, the first stays intact.
    UniqueConstraint("session_id", "version"),
    CheckConstraint("version >= 1", name="version_positive"),
    CheckConstraint(
        "(signed_at IS NULL AND signed_by IS NULL) "
        "OR (signed_at IS NOT NULL AND signed_by IS NOT NULL)",
        name="signed_has_signer",
    ),
    Index("ix_chart_version_clinic_id_cartridge_lot", "clinic_id", "cartridge_lot"),
)

outcome_measurement = Table(
    "outcome_measurement",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("clinic_id", Uuid, nullable=False),
    Column("patient_id", Uuid, nullable=False),
    Column("series_id", Uuid, ForeignKey("treatment_series.id"), nullable=True),
    Column("measured_on", Date, nullable=False),
    Column("scale", String(20), nullable=False),
    Column("value", Numeric(7, 2), nullable=False),
    Column("note", Text, nullable=True),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("recorded_by", Uuid, ForeignKey("staff_member.id"), nullable=False),
    ForeignKeyConstraint(["patient_id", "clinic_id"], ["patient.id", "patient.clinic_id"]),
    CheckConstraint(
        "scale IN ('gb_quantitative', 'gb_qualitative', 'ecca', 'gais', 'satisfaction')",
        name="scale",
    ),
    Index("ix_outcome_measurement_clinic_id_patient_id", "clinic_id", "patient_id"),
)

care_document = Table(
    "care_document",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("clinic_id", Uuid, nullable=False),
    Column("patient_id", Uuid, nullable=False),
    Column("series_id", Uuid, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("issued_by", Uuid, ForeignKey("staff_member.id"), nullable=False),
    Column("content", JSON, nullable=False),
    ForeignKeyConstraint(
        ["series_id", "clinic_id", "patient_id"],
        ["treatment_series.id", "treatment_series.clinic_id", "treatment_series.patient_id"],
        name="fk_care_document_series",
    ),
    CheckConstraint("kind IN ('pre_care', 'aftercare')", name="kind"),
    Index("ix_care_document_clinic_id_patient_id", "clinic_id", "patient_id"),
)

scar_assessment = Table(
    "scar_assessment",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("clinic_id", Uuid, nullable=False),
    Column("patient_id", Uuid, nullable=False),
    Column("assessed_on", Date, nullable=False),
    Column("assessed_by", Uuid, ForeignKey("staff_member.id"), nullable=False),
    # The raw inputs per zone, as recorded.
    Column("zones", JSON, nullable=False),
    # The computed scores with their explanations and the scales version used.
    Column("grading", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    ForeignKeyConstraint(["patient_id", "clinic_id"], ["patient.id", "patient.clinic_id"]),
    Index("ix_scar_assessment_clinic_id_patient_id", "clinic_id", "patient_id"),
)

# --- scheduling (migration 2026-11-24_scheduling) ------------------------------------------
# The database refuses a double booking whatever the code does (ADR 0015): on PostgreSQL an
# exclusion constraint per practitioner and per room over tstzrange(starts_at, ends_at, '[)')
# for every appointment not cancelled; on SQLite, BEFORE INSERT/UPDATE triggers that abort on
# an overlap (writers are serialised by BEGIN IMMEDIATE). Both live in the migration only.

room = Table(
    "room",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("clinic_id", Uuid, ForeignKey("clinic.id"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("active", Boolean, nullable=False),
    UniqueConstraint("clinic_id", "name"),
)

opening_hours = Table(
    "opening_hours",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("clinic_id", Uuid, ForeignKey("clinic.id"), nullable=False),
    Column("weekday", Integer, nullable=False),
    # Local wall-clock times as "HH:MM" (portable, and what a clinic types).
    Column("opens", String(5), nullable=False),
    Column("closes", String(5), nullable=False),
    CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
    CheckConstraint("opens < closes", name="opens_before_closes"),
    Index("ix_opening_hours_clinic_id_weekday", "clinic_id", "weekday"),
)

appointment = Table(
    "appointment",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("clinic_id", Uuid, nullable=False),
    Column("patient_id", Uuid, nullable=False),
    Column("series_id", Uuid, ForeignKey("treatment_series.id"), nullable=True),
    Column("session_number", Integer, nullable=True),
    Column("practitioner_id", Uuid, ForeignKey("staff_member.id"), nullable=False),
    Column("room_id", Uuid, ForeignKey("room.id"), nullable=False),
    Column("starts_at", UtcDateTime, nullable=False),
    Column("ends_at", UtcDateTime, nullable=False),
    Column("status", String(10), nullable=False),
    Column("status_reason", Text, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", Uuid, ForeignKey("staff_member.id"), nullable=False),
    Column("version", Integer, nullable=False),
    # the session held at this visit, once started (migration 2026-12-06_safety_gate)
    Column("session_id", Uuid, ForeignKey("treatment_session.id"), nullable=True),
    ForeignKeyConstraint(["patient_id", "clinic_id"], ["patient.id", "patient.clinic_id"]),
    CheckConstraint("starts_at < ends_at", name="starts_before_ends"),
    CheckConstraint("status IN ('booked', 'attended', 'no_show', 'cancelled')", name="status"),
    CheckConstraint("version >= 1", name="version_positive"),
    Index("ix_appointment_clinic_id_starts_at", "clinic_id", "starts_at"),
    Index("ix_appointment_practitioner_id_starts_at", "practitioner_id", "starts_at"),
    Index("ix_appointment_room_id_starts_at", "room_id", "starts_at"),
    Index("ix_appointment_clinic_id_patient_id", "clinic_id", "patient_id"),
    # the dashboard's worklists (ADR 0019)
    Index("ix_appointment_series_id_session_number", "series_id", "session_number"),
)

# --- clearances (migration 2026-12-06_safety_gate, ADR 0021) -------------------------------
# A clinician's record that one finding needing clearance (a rule id, perhaps confined to some
# zones) of a signed consultation is cleared for this patient, why, and until which day.

clearance = Table(
    "clearance",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("clinic_id", Uuid, nullable=False),
    Column("patient_id", Uuid, nullable=False),
    Column("consultation_id", Uuid, ForeignKey("consultation.id"), nullable=False),
    Column("rule_id", String(80), nullable=False),
    Column("zones", JSON, nullable=False),
    Column("reason", Text, nullable=False),
    Column("cleared_by", Uuid, ForeignKey("staff_member.id"), nullable=False),
    Column("cleared_at", UtcDateTime, nullable=False),
    Column("valid_until", Date, nullable=False),
    ForeignKeyConstraint(
        ["patient_id", "clinic_id"],
        ["patient.id", "patient.clinic_id"],
        name="fk_clearance_patient_id_clinic_id_patient",
    ),
    Index("ix_clearance_clinic_id_patient_id", "clinic_id", "patient_id"),
)

# --- outbox (migration 2026-11-24_scheduling) ----------------------------------------------
# Messages to deliver, written in the same transaction as the change that caused them; the
# worker claims due rows under a lease. One message per idempotency key.

outbox_message = Table(
    "outbox_message",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("clinic_id", Uuid, ForeignKey("clinic.id"), nullable=False),
    Column("patient_id", Uuid, nullable=True),
    Column("appointment_id", Uuid, ForeignKey("appointment.id"), nullable=True),
    Column("kind", String(30), nullable=False),
    Column("channel", String(10), nullable=False),
    Column("recipient", String(320), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("due_at", UtcDateTime, nullable=False),
    Column("idempotency_key", String(200), nullable=False, unique=True),
    Column("status", String(15), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("lease_owner", String(100), nullable=True),
    Column("lease_until", UtcDateTime, nullable=True),
    Column("sent_at", UtcDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    CheckConstraint("channel IN ('email', 'sms')", name="channel"),
    CheckConstraint(
        "status IN ('pending', 'sending', 'handing_over', 'sent', 'cancelled', 'failed', "
        "'uncertain')",
        name="status",
    ),
    Index("ix_outbox_message_status_due_at", "status", "due_at"),
    Index("ix_outbox_message_appointment_id", "appointment_id"),
    Index("ix_outbox_message_clinic_id_patient_id", "clinic_id", "patient_id"),
)

# --- calendar feeds (migration 2026-11-24_calendar) ----------------------------------------
# A patient's calendar feed is reached by a secret URL; only the token's SHA-256 is stored, and
# a feed is revoked by stamping revoked_at (a new one can then be issued).

calendar_feed = Table(
    "calendar_feed",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("clinic_id", Uuid, nullable=False),
    Column("patient_id", Uuid, nullable=False),
    Column("token_hash", CHAR(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
    ForeignKeyConstraint(["patient_id", "clinic_id"], ["patient.id", "patient.clinic_id"]),
    Index("ix_calendar_feed_clinic_id_patient_id", "clinic_id", "patient_id"),
)

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
