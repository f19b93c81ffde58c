"""The outbox of messages to deliver."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    Uuid,
)

from needlepoint.adapters.db.tables.base import UtcDateTime, metadata

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
