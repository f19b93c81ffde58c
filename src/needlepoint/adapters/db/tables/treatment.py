"""Treatment series, their sessions and the sessions' chart versions."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)

from needlepoint.adapters.db.tables.base import UtcDateTime, metadata

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
