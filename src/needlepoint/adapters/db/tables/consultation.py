"""Consultations and the clearances of their findings."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Table,
    Text,
    Uuid,
)

from needlepoint.adapters.db.tables.base import UtcDateTime, metadata

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
