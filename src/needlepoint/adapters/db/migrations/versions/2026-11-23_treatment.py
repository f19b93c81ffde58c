"""Treatment records: series, sessions, versioned charts, outcome measurements, care documents.

A chart version is never overwritten: its content columns refuse UPDATE, and once signed it
refuses UPDATE and DELETE altogether, in the database itself (triggers), whatever the
application does. Two writers of the same chart version collide on UNIQUE(session_id,
version); the first write stays intact.

Revision ID: 20261123_treatment
Revises: 20261123_initial
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261123_treatment"
down_revision: str | Sequence[str] | None = "20261123_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CONTENT_COLUMNS = (
    "id",
    "session_id",
    "clinic_id",
    "patient_id",
    "version",
    "chart",
    "rescreen",
    "notes",
    "cartridge_lot",
    "cartridge_expires_on",
    "created_at",
    "created_by",
)
# JSON has no equality operator in PostgreSQL: every column is compared as text.
_PG_CONTENT_CHANGED = " OR ".join(
    f"NEW.{c}::text IS DISTINCT FROM OLD.{c}::text" for c in _CONTENT_COLUMNS
)

_SQLITE_GUARDS = (
    f"""CREATE TRIGGER chart_version_content_immutable
    BEFORE UPDATE OF {", ".join(_CONTENT_COLUMNS)} ON chart_version
    BEGIN SELECT RAISE(ABORT, 'a chart version is never overwritten; add a new version'); END""",
    """CREATE TRIGGER chart_version_signed_no_update BEFORE UPDATE ON chart_version
    WHEN OLD.signed_at IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'a signed chart version cannot be changed'); END""",
    """CREATE TRIGGER chart_version_signed_no_delete BEFORE DELETE ON chart_version
    WHEN OLD.signed_at IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'a signed chart version cannot be deleted'); END""",
)
_SQLITE_GUARD_NAMES = (
    "chart_version_content_immutable",
    "chart_version_signed_no_update",
    "chart_version_signed_no_delete",
)

_POSTGRES_GUARDS = (
    f"""CREATE FUNCTION chart_version_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF OLD.signed_at IS NOT NULL THEN
            RAISE EXCEPTION 'a signed chart version cannot be changed'
                USING ERRCODE = 'restrict_violation';
        END IF;
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        IF {_PG_CONTENT_CHANGED} THEN
            RAISE EXCEPTION 'a chart version is never overwritten; add a new version'
                USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
    END
    $$""",
    """CREATE TRIGGER chart_version_guard BEFORE UPDATE OR DELETE ON chart_version
    FOR EACH ROW EXECUTE FUNCTION chart_version_guard()""",
)
_POSTGRES_UNGUARDS = (
    "DROP TRIGGER IF EXISTS chart_version_guard ON chart_version",
    "DROP FUNCTION IF EXISTS chart_version_guard()",
)
_TABLES = (
    "care_document",
    "outcome_measurement",
    "chart_version",
    "treatment_session",
    "treatment_series",
)


def upgrade() -> None:
    """Create the tables, then the guards."""
    _create_treatment_series()
    _create_treatment_session()
    _create_chart_version()
    _create_outcome_measurement()
    _create_care_document()
    for statement in _guards():
        op.execute(statement)


def downgrade() -> None:
    """Drop the guards, then the tables."""
    for statement in _unguards():
        op.execute(statement)
    for table in _TABLES:
        op.drop_table(table)


def _guards() -> Sequence[str]:
    return _POSTGRES_GUARDS if op.get_bind().dialect.name == "postgresql" else _SQLITE_GUARDS


def _unguards() -> Sequence[str]:
    if op.get_bind().dialect.name == "postgresql":
        return _POSTGRES_UNGUARDS
    return tuple(f"DROP TRIGGER IF EXISTS {name}" for name in _SQLITE_GUARD_NAMES)


def _staff_fk(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["staff_member.id"], name=f"fk_{table}_{column}_staff_member"
    )


def _create_treatment_series() -> None:
    op.create_table(
        "treatment_series",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("consultation_id", sa.Uuid(), nullable=False),
        sa.Column("proposal", sa.JSON(), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("deviations", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('planned', 'in_progress', 'completed', 'cancelled')",
            name="ck_treatment_series_status",
        ),
        sa.CheckConstraint("version >= 1", name="ck_treatment_series_version_positive"),
        sa.ForeignKeyConstraint(
            ["patient_id", "clinic_id"],
            ["patient.id", "patient.clinic_id"],
            name="fk_treatment_series_patient_id_clinic_id_patient",
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultation.id"],
            name="fk_treatment_series_consultation_id_consultation",
        ),
        _staff_fk("treatment_series", "created_by"),
        sa.PrimaryKeyConstraint("id", name="pk_treatment_series"),
        sa.UniqueConstraint(
            "id", "clinic_id", "patient_id", name="uq_treatment_series_id_clinic_id_patient_id"
        ),
    )
    op.create_index(
        "ix_treatment_series_clinic_id_patient_id",
        "treatment_series",
        ["clinic_id", "patient_id"],
    )


def _create_treatment_session() -> None:
    op.create_table(
        "treatment_session",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("series_id", sa.Uuid(), nullable=False),
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_by", sa.Uuid(), nullable=True),
        sa.Column("rescreen", sa.JSON(), nullable=True),
        sa.Column("excluded_zones", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "status IN ('scheduled', 'started', 'signed')", name="ck_treatment_session_status"
        ),
        sa.CheckConstraint("number >= 1", name="ck_treatment_session_number_positive"),
        sa.ForeignKeyConstraint(
            ["series_id", "clinic_id", "patient_id"],
            ["treatment_series.id", "treatment_series.clinic_id", "treatment_series.patient_id"],
            name="fk_treatment_session_series",
        ),
        _staff_fk("treatment_session", "started_by"),
        sa.PrimaryKeyConstraint("id", name="pk_treatment_session"),
        sa.UniqueConstraint("series_id", "number", name="uq_treatment_session_series_id_number"),
        sa.UniqueConstraint(
            "id", "clinic_id", "patient_id", name="uq_treatment_session_id_clinic_id_patient_id"
        ),
    )


def _create_chart_version() -> None:
    op.create_table(
        "chart_version",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("chart", sa.JSON(), nullable=False),
        sa.Column("rescreen", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("cartridge_lot", sa.String(100), nullable=False),
        sa.Column("cartridge_expires_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_by", sa.Uuid(), nullable=True),
        *_chart_version_constraints(),
    )
    op.create_index(
        "ix_chart_version_clinic_id_cartridge_lot",
        "chart_version",
        ["clinic_id", "cartridge_lot"],
    )


def _chart_version_constraints() -> tuple[sa.Constraint, ...]:
    return (
        sa.CheckConstraint("version >= 1", name="ck_chart_version_version_positive"),
        sa.CheckConstraint(
            "(signed_at IS NULL AND signed_by IS NULL) "
            "OR (signed_at IS NOT NULL AND signed_by IS NOT NULL)",
            name="ck_chart_version_signed_has_signer",
        ),
        sa.ForeignKeyConstraint(
            ["session_id", "clinic_id", "patient_id"],
            [
                "treatment_session.id",
                "treatment_session.clinic_id",
                "treatment_session.patient_id",
            ],
            name="fk_chart_version_session",
        ),
        _staff_fk("chart_version", "created_by"),
        _staff_fk("chart_version", "signed_by"),
        sa.PrimaryKeyConstraint("id", name="pk_chart_version"),
        sa.UniqueConstraint("session_id", "version", name="uq_chart_version_session_id_version"),
    )


def _create_outcome_measurement() -> None:
    op.create_table(
        "outcome_measurement",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("series_id", sa.Uuid(), nullable=True),
        sa.Column("measured_on", sa.Date(), nullable=False),
        sa.Column("scale", sa.String(20), nullable=False),
        sa.Column("value", sa.Numeric(7, 2), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "scale IN ('gb_quantitative', 'gb_qualitative', 'ecca', 'gais', 'satisfaction')",
            name="ck_outcome_measurement_scale",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id", "clinic_id"],
            ["patient.id", "patient.clinic_id"],
            name="fk_outcome_measurement_patient_id_clinic_id_patient",
        ),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["treatment_series.id"],
            name="fk_outcome_measurement_series_id_treatment_series",
        ),
        _staff_fk("outcome_measurement", "recorded_by"),
        sa.PrimaryKeyConstraint("id", name="pk_outcome_measurement"),
    )
    op.create_index(
        "ix_outcome_measurement_clinic_id_patient_id",
        "outcome_measurement",
        ["clinic_id", "patient_id"],
    )


def _create_care_document() -> None:
    op.create_table(
        "care_document",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("series_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.Uuid(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.CheckConstraint("kind IN ('pre_care', 'aftercare')", name="ck_care_document_kind"),
        sa.ForeignKeyConstraint(
            ["series_id", "clinic_id", "patient_id"],
            ["treatment_series.id", "treatment_series.clinic_id", "treatment_series.patient_id"],
            name="fk_care_document_series",
        ),
        _staff_fk("care_document", "issued_by"),
        sa.PrimaryKeyConstraint("id", name="pk_care_document"),
    )
    op.create_index(
        "ix_care_document_clinic_id_patient_id", "care_document", ["clinic_id", "patient_id"]
    )
