"""Consent (the treatment area, ADR 0029): template versions, signed consents, stored documents.

Kept apart from ``treatment.py`` because they are one subject with their own guards. Composite
foreign keys carry (clinic_id, patient_id) from the series and the document to the consent,
so a consent can never name another clinic's or another patient's series or PDF.
"""

from __future__ import annotations

from sqlalchemy import (
    CHAR,
    CheckConstraint,
    Column,
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
    text,
)

from needlepoint.adapters.db.tables.base import UtcDateTime, metadata

ALL_INDICATIONS = "any"
"""The ``indication`` of a template for every indication of its procedure."""

consent_template_version = Table(
    "consent_template_version",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("clinic_id", Uuid, ForeignKey("clinic.id"), nullable=False),
    Column("procedure", String(30), nullable=False),
    Column("indication", String(30), nullable=False),
    Column("version", Integer, nullable=False),
    Column("title", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", Uuid, ForeignKey("staff_member.id"), nullable=False),
    Column("published_at", UtcDateTime, nullable=True),
    Column("published_by", Uuid, ForeignKey("staff_member.id"), nullable=True),
    Column("published_sha256", CHAR(64), nullable=True),
    UniqueConstraint(
        "clinic_id", "procedure", "indication", "version", name="uq_consent_template_version_number"
    ),
    UniqueConstraint("id", "clinic_id"),
    CheckConstraint("version >= 1", name="version_positive"),
    CheckConstraint(
        "(published_at IS NULL AND published_by IS NULL AND published_sha256 IS NULL) "
        "OR (published_at IS NOT NULL AND published_by IS NOT NULL "
        "AND published_sha256 IS NOT NULL)",
        name="published_whole",
    ),
    # one draft per template at a time
    Index(
        "uq_consent_template_version_draft",
        "clinic_id",
        "procedure",
        "indication",
        unique=True,
        sqlite_where=text("published_at IS NULL"),
        postgresql_where=text("published_at IS NULL"),
    ),
)

stored_document = Table(
    "stored_document",
    metadata,
    # Written once; every read checks ``data`` against ``sha256`` (domain.documents).
    Column("id", Uuid, primary_key=True),
    Column("clinic_id", Uuid, nullable=False),
    Column("patient_id", Uuid, nullable=False),
    Column("kind", String(30), nullable=False),
    Column("content_type", String(50), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("sha256", CHAR(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    ForeignKeyConstraint(["patient_id", "clinic_id"], ["patient.id", "patient.clinic_id"]),
    UniqueConstraint("id", "clinic_id", "patient_id"),
    CheckConstraint("kind IN ('signed_consent')", name="kind"),
    Index("ix_stored_document_clinic_id_patient_id", "clinic_id", "patient_id"),
)

signed_consent = Table(
    "signed_consent",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("clinic_id", Uuid, nullable=False),
    Column("patient_id", Uuid, nullable=False),
    Column("series_id", Uuid, nullable=False),
    Column("template_id", Uuid, nullable=False),
    Column("template_version", Integer, nullable=False),
    Column("template_sha256", CHAR(64), nullable=False),
    Column("typed_name", String(200), nullable=False),
    # the drawing as the server re-encoded it (a JPEG), never the upload; none if typed only
    Column("drawing", LargeBinary, nullable=True),
    Column("signed_at", UtcDateTime, nullable=False),
    Column("signed_via", String(10), nullable=False),
    Column("recorded_by", Uuid, ForeignKey("staff_member.id"), nullable=True),
    Column("witnessed_at", UtcDateTime, nullable=True),
    Column("witnessed_by", Uuid, ForeignKey("staff_member.id"), nullable=True),
    Column("document_id", Uuid, nullable=True),
    Column("withdrawn_at", UtcDateTime, nullable=True),
    Column("withdrawn_by", Uuid, ForeignKey("staff_member.id"), nullable=True),
    Column("withdrawal_reason", Text, nullable=True),
    ForeignKeyConstraint(
        ["series_id", "clinic_id", "patient_id"],
        ["treatment_series.id", "treatment_series.clinic_id", "treatment_series.patient_id"],
        name="fk_signed_consent_series",
    ),
    ForeignKeyConstraint(
        ["template_id", "clinic_id"],
        ["consent_template_version.id", "consent_template_version.clinic_id"],
        name="fk_signed_consent_template",
    ),
    ForeignKeyConstraint(
        ["document_id", "clinic_id", "patient_id"],
        ["stored_document.id", "stored_document.clinic_id", "stored_document.patient_id"],
        name="fk_signed_consent_document",
    ),
    CheckConstraint("signed_via IN ('portal', 'clinic')", name="signed_via"),
    CheckConstraint(
        "(witnessed_at IS NULL AND witnessed_by IS NULL AND document_id IS NULL) "
        "OR (witnessed_at IS NOT NULL AND witnessed_by IS NOT NULL AND document_id IS NOT NULL)",
        name="witnessed_whole",
    ),
    CheckConstraint(
        "(withdrawn_at IS NULL AND withdrawal_reason IS NULL) "
        "OR (withdrawn_at IS NOT NULL AND withdrawal_reason IS NOT NULL)",
        name="withdrawn_whole",
    ),
    Index("ix_signed_consent_clinic_id_series_id", "clinic_id", "series_id"),
    # a series has at most one consent that is not withdrawn
    Index(
        "uq_signed_consent_series_id_live",
        "series_id",
        unique=True,
        sqlite_where=text("withdrawn_at IS NULL"),
        postgresql_where=text("withdrawn_at IS NULL"),
    ),
)
