"""Rooms, opening hours, appointments and calendar feed links."""

from __future__ import annotations

from sqlalchemy import (
    CHAR,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)

from needlepoint.adapters.db.tables.base import UtcDateTime, metadata

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
