"""Scheduling and the outbox: rooms, opening hours, appointments that cannot double-book, messages.

The database refuses overlapping appointments of one practitioner or one room (ADR 0015):
PostgreSQL with exclusion constraints over tstzrange(starts_at, ends_at, '[)') (btree_gist),
SQLite with triggers that abort the insert or update.

Revision ID: 20261124_scheduling
Revises: 20261123_assessments
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261124_scheduling"
down_revision: str | Sequence[str] | None = "20261123_assessments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OVERLAP = """
    EXISTS (
        SELECT 1 FROM appointment AS other
        WHERE other.status <> 'cancelled' AND other.id <> NEW.id
          AND (other.practitioner_id = NEW.practitioner_id OR other.room_id = NEW.room_id)
          AND other.starts_at < NEW.ends_at AND NEW.starts_at < other.ends_at
    )
"""

SQLITE_TRIGGERS = {
    "appointment_no_overlap_insert": "BEFORE INSERT",
    "appointment_no_overlap_update": (
        "BEFORE UPDATE OF starts_at, ends_at, practitioner_id, room_id, status"
    ),
}

OVERLAP_MESSAGE = "appointment overlaps another of the practitioner or room"

POSTGRES_EXCLUSIONS = {
    "ex_appointment_practitioner_overlap": "practitioner_id",
    "ex_appointment_room_overlap": "room_id",
}


def upgrade() -> None:
    """Create the scheduling and outbox tables and the double-booking guards."""
    op.create_table(
        "opening_hours",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("opens", sa.String(length=5), nullable=False),
        sa.Column("closes", sa.String(length=5), nullable=False),
        sa.CheckConstraint("opens < closes", name=op.f("ck_opening_hours_opens_before_closes")),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_opening_hours_weekday")),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name=op.f("fk_opening_hours_clinic_id_clinic")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opening_hours")),
    )
    op.create_index(
        "ix_opening_hours_clinic_id_weekday",
        "opening_hours",
        ["clinic_id", "weekday"],
        unique=False,
    )
    op.create_table(
        "room",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name=op.f("fk_room_clinic_id_clinic")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_room")),
        sa.UniqueConstraint("clinic_id", "name", name=op.f("uq_room_clinic_id_name")),
    )
    op.create_table(
        "appointment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("series_id", sa.Uuid(), nullable=True),
        sa.Column("session_number", sa.Integer(), nullable=True),
        sa.Column("practitioner_id", sa.Uuid(), nullable=False),
        sa.Column("room_id", sa.Uuid(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('booked', 'attended', 'no_show', 'cancelled')",
            name=op.f("ck_appointment_status"),
        ),
        sa.CheckConstraint("starts_at < ends_at", name=op.f("ck_appointment_starts_before_ends")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_appointment_version_positive")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["staff_member.id"], name=op.f("fk_appointment_created_by_staff_member")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id", "clinic_id"],
            ["patient.id", "patient.clinic_id"],
            name=op.f("fk_appointment_patient_id_clinic_id_patient"),
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"],
            ["staff_member.id"],
            name=op.f("fk_appointment_practitioner_id_staff_member"),
        ),
        sa.ForeignKeyConstraint(["room_id"], ["room.id"], name=op.f("fk_appointment_room_id_room")),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["treatment_series.id"],
            name=op.f("fk_appointment_series_id_treatment_series"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment")),
    )
    op.create_index(
        "ix_appointment_clinic_id_patient_id",
        "appointment",
        ["clinic_id", "patient_id"],
        unique=False,
    )
    op.create_index(
        "ix_appointment_clinic_id_starts_at",
        "appointment",
        ["clinic_id", "starts_at"],
        unique=False,
    )
    op.create_index(
        "ix_appointment_practitioner_id_starts_at",
        "appointment",
        ["practitioner_id", "starts_at"],
        unique=False,
    )
    op.create_index(
        "ix_appointment_room_id_starts_at", "appointment", ["room_id", "starts_at"], unique=False
    )
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=True),
        sa.Column("appointment_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=15), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(length=100), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("channel IN ('email', 'sms')", name=op.f("ck_outbox_message_channel")),
        sa.CheckConstraint(
            "status IN ('pending', 'sending', 'handing_over', 'sent', 'cancelled', 'failed', "
            "'uncertain')",
            name=op.f("ck_outbox_message_status"),
        ),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointment.id"],
            name=op.f("fk_outbox_message_appointment_id_appointment"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name=op.f("fk_outbox_message_clinic_id_clinic")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_outbox_message_idempotency_key")),
    )
    op.create_index(
        "ix_outbox_message_appointment_id", "outbox_message", ["appointment_id"], unique=False
    )
    op.create_index(
        "ix_outbox_message_clinic_id_patient_id",
        "outbox_message",
        ["clinic_id", "patient_id"],
        unique=False,
    )
    op.create_index(
        "ix_outbox_message_status_due_at", "outbox_message", ["status", "due_at"], unique=False
    )
    _guard_against_double_booking()


def _guard_against_double_booking() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        for name, column in POSTGRES_EXCLUSIONS.items():
            op.execute(
                f"ALTER TABLE appointment ADD CONSTRAINT {name} EXCLUDE USING gist "
                f"({column} WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
                "WHERE (status <> 'cancelled')"
            )
        return
    for name, when in SQLITE_TRIGGERS.items():
        op.execute(
            f"CREATE TRIGGER {name} {when} ON appointment "
            f"WHEN NEW.status <> 'cancelled' AND {_OVERLAP} "
            f"BEGIN SELECT RAISE(ABORT, '{OVERLAP_MESSAGE}'); END"
        )


def downgrade() -> None:
    """Drop the outbox and scheduling tables (their guards go with them)."""
    op.drop_index("ix_outbox_message_status_due_at", table_name="outbox_message")
    op.drop_index("ix_outbox_message_clinic_id_patient_id", table_name="outbox_message")
    op.drop_index("ix_outbox_message_appointment_id", table_name="outbox_message")
    op.drop_table("outbox_message")
    op.drop_index("ix_appointment_room_id_starts_at", table_name="appointment")
    op.drop_index("ix_appointment_practitioner_id_starts_at", table_name="appointment")
    op.drop_index("ix_appointment_clinic_id_starts_at", table_name="appointment")
    op.drop_index("ix_appointment_clinic_id_patient_id", table_name="appointment")
    op.drop_table("appointment")
    op.drop_table("room")
    op.drop_index("ix_opening_hours_clinic_id_weekday", table_name="opening_hours")
    op.drop_table("opening_hours")
