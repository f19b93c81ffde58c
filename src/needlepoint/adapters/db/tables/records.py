"""Outcome measurements, care documents, scar assessments and patients' recorded changes."""

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
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)

from needlepoint.adapters.db.tables.base import UtcDateTime, metadata

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

# --- patients' recorded changes (migration 2026-12-08_patient_changes) ----------------------
# One row per detail an edit changed (domain.patient_changes): the patient's version the edit
# made, the field, its old and new value as text, who and when. Rows are only ever added.

patient_change = Table(
    "patient_change",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("clinic_id", Uuid, nullable=False),
    Column("patient_id", Uuid, nullable=False),
    Column("version", Integer, nullable=False),
    Column("field", String(20), nullable=False),
    Column("old_value", Text, nullable=True),
    Column("new_value", Text, nullable=True),
    Column("changed_at", UtcDateTime, nullable=False),
    Column("changed_by", Uuid, ForeignKey("staff_member.id"), nullable=False),
    ForeignKeyConstraint(["patient_id", "clinic_id"], ["patient.id", "patient.clinic_id"]),
    CheckConstraint(
        "field IN ('given_name', 'family_name', 'born_on', 'sex', 'email', 'phone')",
        name="field",
    ),
    CheckConstraint("version >= 2", name="version_after_first"),
    UniqueConstraint("patient_id", "version", "field"),
    Index("ix_patient_change_clinic_id_patient_id", "clinic_id", "patient_id"),
)
