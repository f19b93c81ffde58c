"""Indexes for queries that do not grow with the clinic (issue 13, ADR 0034).

* ``patient.search_name``: the given and family name case folded with accents taken off
  (``domain.patient_search.search_name``), written by the patient repository on every insert
  and edit, filled here for the patients already stored.
* PostgreSQL: the ``pg_trgm`` extension and a trigram GIN index on it, which
  ``search_name LIKE '%word%'`` uses.
* SQLite: an index on (clinic, search name, family name, given name, id), which a name search
  reads whole, without the rows, to pick a page's ids (ADR 0034).
* ``treatment_session (series_id, started_at)``: the dashboard's series to book count each
  series' sessions and find its last start from the index alone.
* ``chart_version (clinic_id, created_at) WHERE signed_at IS NULL``: the charts waiting for
  sign-off, oldest first, without reading the signed ones.

Revision ID: 20261209_patient_search
Revises: 20261208_patient_changes
Create Date: 2026-12-09
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261209_patient_search"
down_revision: str | Sequence[str] | None = "20261208_patient_changes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH_ROWS = 5000


def upgrade() -> None:
    """Add the search name, fill it, and index it."""
    # A plain ADD COLUMN (as 2026-12-08_patient_changes): a batch rebuild of the patient table
    # would have to carry every foreign key that names it.
    op.add_column(
        "patient",
        sa.Column("search_name", sa.Text, nullable=False, server_default=sa.text("''")),
    )
    _fill_search_names(op.get_bind())
    op.create_index(
        "ix_treatment_session_series_id_started_at",
        "treatment_session",
        ["series_id", "started_at"],
    )
    op.create_index(
        "ix_chart_version_clinic_id_created_at_unsigned",
        "chart_version",
        ["clinic_id", "created_at"],
        postgresql_where=sa.text("signed_at IS NULL"),
        sqlite_where=sa.text("signed_at IS NULL"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.create_index(
            "ix_patient_search_name_trgm",
            "patient",
            ["search_name"],
            postgresql_using="gin",
            postgresql_ops={"search_name": "gin_trgm_ops"},
        )
    else:
        op.create_index(
            "ix_patient_clinic_id_search_name",
            "patient",
            ["clinic_id", "search_name", "family_name", "given_name", "id"],
        )


def downgrade() -> None:
    """Drop the indexes and the search name (the extension stays: others may use it)."""
    op.drop_index("ix_chart_version_clinic_id_created_at_unsigned", table_name="chart_version")
    op.drop_index("ix_treatment_session_series_id_started_at", table_name="treatment_session")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_patient_search_name_trgm", table_name="patient")
    else:
        op.drop_index("ix_patient_clinic_id_search_name", table_name="patient")
    op.drop_column("patient", "search_name")


def _fill_search_names(connection: sa.Connection) -> None:
    patient = sa.table(
        "patient",
        sa.column("id", sa.Uuid),
        sa.column("given_name", sa.String),
        sa.column("family_name", sa.String),
        sa.column("search_name", sa.Text),
    )
    update = (
        sa.update(patient)
        .where(patient.c.id == sa.bindparam("patient_id"))
        .values(search_name=sa.bindparam("name"))
    )
    batches = (
        sa.select(patient.c.id, patient.c.given_name, patient.c.family_name)
        .where(patient.c.id > sa.bindparam("after"))
        .order_by(patient.c.id)
        .limit(_BATCH_ROWS)
    )
    after = uuid.UUID(int=0)
    while batch := connection.execute(batches, {"after": after}).all():
        names = [{"patient_id": i, "name": _search_name(g, f)} for i, g, f in batch]
        connection.execute(update, names)
        after = batch[-1][0]


def _search_name(given_name: str, family_name: str) -> str:
    """``domain.patient_search.search_name`` as of this revision (a migration keeps its own)."""
    return f"{_folded(given_name)} {_folded(family_name)}"


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
