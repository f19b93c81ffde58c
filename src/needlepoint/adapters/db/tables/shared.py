"""The tables every area reads: clinics, staff, patients and the audit trail."""

from __future__ import annotations

from typing import Final

from sqlalchemy import (
    CHAR,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    false,
    text,
)

from needlepoint.adapters.db.tables.base import UtcDateTime, metadata

_NOW = text("CURRENT_TIMESTAMP")

clinic = Table(
    "clinic",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("time_zone", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False, server_default=_NOW),
    # How patients reach the clinic (domain.contact.ClinicContact): none until the phone is set.
    Column("phone", String(50), nullable=True),
    Column("address", String(300), nullable=True),
    Column("phone_hours", String(300), nullable=True),
    # Every member of staff signs in with a code too (AU-5; admins always do).
    Column("require_staff_mfa", Boolean, nullable=False, server_default=false()),
    CheckConstraint(
        "phone IS NOT NULL OR (address IS NULL AND phone_hours IS NULL)",
        name="contact_has_phone",
    ),
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
    # edits and the search by email or birth date (migration 2026-12-08_patient_changes)
    Column("version", Integer, nullable=False, server_default=text("1")),
    Index("ix_patient_clinic_id_email", "clinic_id", "email"),
    Index("ix_patient_clinic_id_born_on", "clinic_id", "born_on"),
    # the name search (domain.patient_search.search_name; migration 2026-12-09_patient_search):
    # trigram GIN on PostgreSQL, which LIKE '%word%' uses; on SQLite, (clinic, search name)
    # with the list's order, which the search reads whole instead of the table's rows.
    Column("search_name", Text, nullable=False, server_default=text("''")),
    Index(
        "ix_patient_search_name_trgm",
        "search_name",
        postgresql_using="gin",
        postgresql_ops={"search_name": "gin_trgm_ops"},
    ).ddl_if(dialect="postgresql"),
    Index(
        "ix_patient_clinic_id_search_name",
        "clinic_id",
        "search_name",
        "family_name",
        "given_name",
        "id",
    ).ddl_if(dialect="sqlite"),
)

ONE_DIALECT_INDEXES: Final = {
    "ix_patient_search_name_trgm": "postgresql",
    "ix_patient_clinic_id_search_name": "sqlite",
}
"""Indexes that exist on one database only, by name: schema comparisons skip them elsewhere."""


def exists_on(index_name: str | None, dialect_name: str) -> bool:
    """Whether the index is part of the schema on this database (``ONE_DIALECT_INDEXES``)."""
    return ONE_DIALECT_INDEXES.get(index_name or "", dialect_name) == dialect_name


audit_event = Table(
    "audit_event",
    metadata,
    # Numbered by the database (ADR 0032); gaps mean nothing: each writer's chain is numbered
    # by writer_seq. The legacy rows (writer_id NULL) are numbered 1, 2, 3... by seq.
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
    # one chain per writer (migration 2026-12-09_audit_writers)
    Column("writer_id", String(36), nullable=True),
    Column("writer_seq", Integer, nullable=True),
    Index("uq_audit_event_writer_id_writer_seq", "writer_id", "writer_seq", unique=True),
    # severity and break-glass grant (migration 2026-12-11_break_glass, ADR 0038)
    Column("severity", String(10), nullable=False, server_default="normal"),
    Column("break_glass_id", Uuid, nullable=True),
)

break_glass_grant = Table(
    "break_glass_grant",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("clinic_id", Uuid, ForeignKey("clinic.id"), nullable=False),
    Column("actor_id", Uuid, ForeignKey("staff_member.id"), nullable=False),
    Column("patient_id", Uuid, ForeignKey("patient.id"), nullable=False),
    Column("reason", String(500), nullable=False),
    Column("granted_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    CheckConstraint("expires_at > granted_at", name="expires_after"),
    Index("ix_break_glass_grant_clinic_granted", "clinic_id", "granted_at"),
)
