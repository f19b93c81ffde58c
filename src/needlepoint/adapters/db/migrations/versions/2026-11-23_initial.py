"""Initial schema: clinics, staff, patients, consultations and the append-only audit trail.

The audit table refuses UPDATE and DELETE, and a signed consultation refuses UPDATE and
DELETE, in the database itself (triggers), whatever the application does.

Revision ID: 20261123_initial
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261123_initial"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NOW = sa.text("CURRENT_TIMESTAMP")

_SQLITE_GUARDS = (
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
    BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
    BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""",
    """CREATE TRIGGER consultation_signed_no_update BEFORE UPDATE ON consultation
    WHEN OLD.status = 'signed'
    BEGIN SELECT RAISE(ABORT, 'a signed consultation cannot be changed'); END""",
    """CREATE TRIGGER consultation_signed_no_delete BEFORE DELETE ON consultation
    WHEN OLD.status = 'signed'
    BEGIN SELECT RAISE(ABORT, 'a signed consultation cannot be deleted'); END""",
)
_SQLITE_GUARD_NAMES = (
    "audit_event_no_update",
    "audit_event_no_delete",
    "consultation_signed_no_update",
    "consultation_signed_no_delete",
)

_POSTGRES_GUARDS = (
    """CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_event is append-only' USING ERRCODE = 'restrict_violation';
    END
    $$""",
    """CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""",
    """CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()""",
    """CREATE FUNCTION consultation_signed_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF OLD.status = 'signed' THEN
            RAISE EXCEPTION 'a signed consultation cannot be changed'
                USING ERRCODE = 'restrict_violation';
        END IF;
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END
    $$""",
    """CREATE TRIGGER consultation_signed_immutable BEFORE UPDATE OR DELETE ON consultation
    FOR EACH ROW EXECUTE FUNCTION consultation_signed_immutable()""",
)
_POSTGRES_UNGUARDS = (
    "DROP TRIGGER IF EXISTS consultation_signed_immutable ON consultation",
    "DROP FUNCTION IF EXISTS consultation_signed_immutable()",
    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event",
    "DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event",
    "DROP FUNCTION IF EXISTS audit_event_append_only()",
)


def upgrade() -> None:
    """Create the tables, then the guards."""
    _create_clinic()
    _create_staff_member()
    _create_patient()
    _create_consultation()
    _create_audit_event()
    for statement in _guards():
        op.execute(statement)


def downgrade() -> None:
    """Drop the guards, then the tables."""
    for statement in _unguards():
        op.execute(statement)
    for table in ("audit_event", "consultation", "patient", "staff_member", "clinic"):
        op.drop_table(table)


def _guards() -> Sequence[str]:
    return _POSTGRES_GUARDS if op.get_bind().dialect.name == "postgresql" else _SQLITE_GUARDS


def _unguards() -> Sequence[str]:
    if op.get_bind().dialect.name == "postgresql":
        return _POSTGRES_UNGUARDS
    return tuple(f"DROP TRIGGER IF EXISTS {name}" for name in _SQLITE_GUARD_NAMES)


def _create_clinic() -> None:
    op.create_table(
        "clinic",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("time_zone", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=_NOW, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_clinic"),
    )


def _create_staff_member() -> None:
    op.create_table(
        "staff_member",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("licence_max_depth_mm", sa.Numeric(4, 2), nullable=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=_NOW, nullable=False),
        sa.CheckConstraint(
            "role IN ('admin', 'clinician', 'front_desk')", name="ck_staff_member_role"
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name="fk_staff_member_clinic_id_clinic"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_staff_member"),
        sa.UniqueConstraint("email", name="uq_staff_member_email"),
    )


def _create_patient() -> None:
    op.create_table(
        "patient",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("given_name", sa.String(200), nullable=False),
        sa.Column("family_name", sa.String(200), nullable=False),
        sa.Column("born_on", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(20), nullable=False),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("phone", sa.String(50), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["clinic_id"], ["clinic.id"], name="fk_patient_clinic_id_clinic"),
        sa.PrimaryKeyConstraint("id", name="pk_patient"),
        sa.UniqueConstraint("id", "clinic_id", name="uq_patient_id_clinic_id"),
    )
    op.create_index(
        "ix_patient_clinic_id_family_name_given_name",
        "patient",
        ["clinic_id", "family_name", "given_name"],
    )


def _create_consultation() -> None:
    op.create_table(
        "consultation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("consulted_on", sa.Date(), nullable=False),
        sa.Column("intake", sa.JSON(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("decision", sa.String(40), nullable=False),
        sa.Column("knowledge_versions", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_by", sa.Uuid(), nullable=True),
        sa.Column("supersedes_id", sa.Uuid(), nullable=True),
        *_consultation_constraints(),
    )
    op.create_index(
        "ix_consultation_clinic_id_patient_id", "consultation", ["clinic_id", "patient_id"]
    )


def _consultation_constraints() -> tuple[sa.Constraint, ...]:
    return (
        sa.CheckConstraint("status IN ('draft', 'signed')", name="ck_consultation_status"),
        sa.CheckConstraint(
            "status = 'draft' OR (signed_at IS NOT NULL AND signed_by IS NOT NULL)",
            name="ck_consultation_signed_has_signer",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id", "clinic_id"],
            ["patient.id", "patient.clinic_id"],
            name="fk_consultation_patient_id_clinic_id_patient",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["staff_member.id"], name="fk_consultation_created_by_staff_member"
        ),
        sa.ForeignKeyConstraint(
            ["signed_by"], ["staff_member.id"], name="fk_consultation_signed_by_staff_member"
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["consultation.id"],
            name="fk_consultation_supersedes_id_consultation",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_consultation"),
    )


def _create_audit_event() -> None:
    op.create_table(
        "audit_event",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor_role", sa.String(40), nullable=False),
        sa.Column("action", sa.String(80), nullable=False),
        sa.Column("resource_type", sa.String(80), nullable=False),
        sa.Column("resource_id", sa.String(200), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=True),
        sa.Column("outcome", sa.String(40), nullable=False),
        sa.Column("request_id", sa.String(200), nullable=False),
        sa.Column("prev_hash", sa.CHAR(64), nullable=False),
        sa.Column("hash", sa.CHAR(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_event"),
        sa.UniqueConstraint("hash", name="uq_audit_event_hash"),
    )
    op.create_index("ix_audit_event_patient_id", "audit_event", ["patient_id"])
