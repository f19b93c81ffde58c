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
    MetaData,
    Numeric,
    String,
    Table,
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
