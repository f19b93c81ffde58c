"""Consent templates, signed consents and stored documents (issue 12, ADR 0029).

* ``consent_template_version``: a clinic's consent form for a procedure and an indication
  (``any`` for all), one row per version; a draft until published, then never written again:
  the database refuses UPDATE and DELETE of a published version (triggers), whatever the
  application does. One draft per template at a time (a partial unique index).
* ``stored_document``: a document kept as bytes with the SHA-256 they had when it was made
  (the signed consent's PDF); never updated or deleted (triggers).
* ``signed_consent``: a patient's consent to a series: the template version and its hash as
  signed, the typed name, the drawing (re-encoded), when and where it was signed, its witness
  and signed PDF, and its withdrawal. At most one consent per series is not withdrawn.

Revision ID: 20261208_consent
Revises: 20261208_clinic_contact
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261208_consent"
down_revision: str | Sequence[str] | None = "20261208_clinic_contact"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_GUARDS = (
    """CREATE TRIGGER consent_template_published_no_update
    BEFORE UPDATE ON consent_template_version WHEN OLD.published_at IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'a published consent template version never changes'); END""",
    """CREATE TRIGGER consent_template_published_no_delete
    BEFORE DELETE ON consent_template_version WHEN OLD.published_at IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'a published consent template version is never deleted'); END""",
    """CREATE TRIGGER stored_document_no_update BEFORE UPDATE ON stored_document
    BEGIN SELECT RAISE(ABORT, 'a stored document never changes'); END""",
    """CREATE TRIGGER stored_document_no_delete BEFORE DELETE ON stored_document
    BEGIN SELECT RAISE(ABORT, 'a stored document is never deleted'); END""",
)
_SQLITE_GUARD_NAMES = (
    "consent_template_published_no_update",
    "consent_template_published_no_delete",
    "stored_document_no_update",
    "stored_document_no_delete",
)

_POSTGRES_GUARDS = (
    """CREATE FUNCTION consent_template_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF OLD.published_at IS NOT NULL THEN
            RAISE EXCEPTION 'a published consent template version never changes'
                USING ERRCODE = 'restrict_violation';
        END IF;
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END
    $$""",
    """CREATE TRIGGER consent_template_guard BEFORE UPDATE OR DELETE ON consent_template_version
    FOR EACH ROW EXECUTE FUNCTION consent_template_guard()""",
    """CREATE FUNCTION stored_document_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'a stored document never changes' USING ERRCODE = 'restrict_violation';
    END
    $$""",
    """CREATE TRIGGER stored_document_guard BEFORE UPDATE OR DELETE ON stored_document
    FOR EACH ROW EXECUTE FUNCTION stored_document_guard()""",
)
_POSTGRES_UNGUARDS = (
    "DROP TRIGGER IF EXISTS stored_document_guard ON stored_document",
    "DROP FUNCTION IF EXISTS stored_document_guard()",
    "DROP TRIGGER IF EXISTS consent_template_guard ON consent_template_version",
    "DROP FUNCTION IF EXISTS consent_template_guard()",
)


def upgrade() -> None:
    """Create the three tables, then the guards."""
    _create_consent_template_version()
    _create_stored_document()
    _create_signed_consent()
    for statement in _guards():
        op.execute(statement)


def downgrade() -> None:
    """Drop the guards, then the tables."""
    for statement in _unguards():
        op.execute(statement)
    for table in ("signed_consent", "stored_document", "consent_template_version"):
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


def _create_consent_template_version() -> None:
    table = "consent_template_version"
    op.create_table(
        table,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("procedure", sa.String(30), nullable=False),
        sa.Column("indication", sa.String(30), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by", sa.Uuid(), nullable=True),
        sa.Column("published_sha256", sa.CHAR(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_consent_template_version"),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name="fk_consent_template_version_clinic_id_clinic"
        ),
        _staff_fk(table, "created_by"),
        _staff_fk(table, "published_by"),
        sa.UniqueConstraint(
            "clinic_id",
            "procedure",
            "indication",
            "version",
            name="uq_consent_template_version_number",
        ),
        sa.UniqueConstraint("id", "clinic_id", name="uq_consent_template_version_id_clinic_id"),
        sa.CheckConstraint("version >= 1", name="ck_consent_template_version_version_positive"),
        sa.CheckConstraint(
            "(published_at IS NULL AND published_by IS NULL AND published_sha256 IS NULL) "
            "OR (published_at IS NOT NULL AND published_by IS NOT NULL "
            "AND published_sha256 IS NOT NULL)",
            name="ck_consent_template_version_published_whole",
        ),
    )
    op.create_index(
        "uq_consent_template_version_draft",
        table,
        ["clinic_id", "procedure", "indication"],
        unique=True,
        sqlite_where=sa.text("published_at IS NULL"),
        postgresql_where=sa.text("published_at IS NULL"),
    )


def _create_stored_document() -> None:
    op.create_table(
        "stored_document",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("content_type", sa.String(50), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.CHAR(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_stored_document"),
        sa.ForeignKeyConstraint(
            ["patient_id", "clinic_id"],
            ["patient.id", "patient.clinic_id"],
            name="fk_stored_document_patient_id_clinic_id_patient",
        ),
        sa.UniqueConstraint(
            "id", "clinic_id", "patient_id", name="uq_stored_document_id_clinic_id_patient_id"
        ),
        sa.CheckConstraint("kind IN ('signed_consent')", name="ck_stored_document_kind"),
    )
    op.create_index(
        "ix_stored_document_clinic_id_patient_id", "stored_document", ["clinic_id", "patient_id"]
    )


def _create_signed_consent() -> None:
    table = "signed_consent"
    op.create_table(
        table,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("series_id", sa.Uuid(), nullable=False),
        sa.Column("template_id", sa.Uuid(), nullable=False),
        sa.Column("template_version", sa.Integer(), nullable=False),
        sa.Column("template_sha256", sa.CHAR(64), nullable=False),
        sa.Column("typed_name", sa.String(200), nullable=False),
        sa.Column("drawing", sa.LargeBinary(), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signed_via", sa.String(10), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.Column("witnessed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("witnessed_by", sa.Uuid(), nullable=True),
        sa.Column("document_id", sa.Uuid(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by", sa.Uuid(), nullable=True),
        sa.Column("withdrawal_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_signed_consent"),
        sa.ForeignKeyConstraint(
            ["series_id", "clinic_id", "patient_id"],
            ["treatment_series.id", "treatment_series.clinic_id", "treatment_series.patient_id"],
            name="fk_signed_consent_series",
        ),
        sa.ForeignKeyConstraint(
            ["template_id", "clinic_id"],
            ["consent_template_version.id", "consent_template_version.clinic_id"],
            name="fk_signed_consent_template",
        ),
        sa.ForeignKeyConstraint(
            ["document_id", "clinic_id", "patient_id"],
            ["stored_document.id", "stored_document.clinic_id", "stored_document.patient_id"],
            name="fk_signed_consent_document",
        ),
        _staff_fk(table, "recorded_by"),
        _staff_fk(table, "witnessed_by"),
        _staff_fk(table, "withdrawn_by"),
        sa.CheckConstraint(
            "signed_via IN ('portal', 'clinic')", name="ck_signed_consent_signed_via"
        ),
        sa.CheckConstraint(
            "(witnessed_at IS NULL AND witnessed_by IS NULL AND document_id IS NULL) "
            "OR (witnessed_at IS NOT NULL AND witnessed_by IS NOT NULL "
            "AND document_id IS NOT NULL)",
            name="ck_signed_consent_witnessed_whole",
        ),
        sa.CheckConstraint(
            "(withdrawn_at IS NULL AND withdrawal_reason IS NULL) "
            "OR (withdrawn_at IS NOT NULL AND withdrawal_reason IS NOT NULL)",
            name="ck_signed_consent_withdrawn_whole",
        ),
    )
    op.create_index("ix_signed_consent_clinic_id_series_id", table, ["clinic_id", "series_id"])
    op.create_index(
        "uq_signed_consent_series_id_live",
        table,
        ["series_id"],
        unique=True,
        sqlite_where=sa.text("withdrawn_at IS NULL"),
        postgresql_where=sa.text("withdrawn_at IS NULL"),
    )
