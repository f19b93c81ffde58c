"""The audit trail in one keyed chain per writer, with no lock across appenders (ADR 0032).

* ``audit_event.writer_id``: the writer (one database connection of one process) whose chain
  the row is in; NULL for the rows written before this migration (the legacy, unkeyed chain,
  verified as before up to its last row).
* ``audit_event.writer_seq``: the row's place in its writer's chain, 1, 2, 3... without gaps.
* ``seq`` is now handed out by the database (PostgreSQL: a sequence; SQLite: the rowid), so a
  rolled-back append leaves a gap there, which no longer means anything: a chain's gaps are
  read from ``writer_seq``.

Revision ID: 20261209_audit_writers
Revises: 20261209_patient_search
Create Date: 2026-12-09
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261209_audit_writers"
down_revision: str | Sequence[str] | None = "20261209_patient_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SEQUENCE = "audit_event_seq_seq"


def upgrade() -> None:
    """Add the writer's id and sequence number, and let the database number ``seq``."""
    # Plain ADD COLUMNs: the append-only triggers stay as they are.
    op.add_column("audit_event", sa.Column("writer_id", sa.String(36), nullable=True))
    op.add_column("audit_event", sa.Column("writer_seq", sa.Integer, nullable=True))
    op.create_index(
        "uq_audit_event_writer_id_writer_seq",
        "audit_event",
        ["writer_id", "writer_seq"],
        unique=True,
    )
    if op.get_bind().dialect.name == "postgresql":
        # SQLite's INTEGER PRIMARY KEY numbers itself; PostgreSQL's seq may lack a default.
        op.execute(f"CREATE SEQUENCE IF NOT EXISTS {_SEQUENCE} OWNED BY audit_event.seq")
        op.execute(f"ALTER TABLE audit_event ALTER COLUMN seq SET DEFAULT nextval('{_SEQUENCE}')")
        op.execute(
            f"SELECT setval('{_SEQUENCE}', COALESCE((SELECT max(seq) FROM audit_event), 0) + 1,"
            " false)"
        )


def downgrade() -> None:
    """Drop the writer columns (rows written since lose their chain: downgrade before use)."""
    op.drop_index("uq_audit_event_writer_id_writer_seq", table_name="audit_event")
    # Plain DROP COLUMNs: SQLite's batch mode would rebuild the table without its triggers.
    op.drop_column("audit_event", "writer_seq")
    op.drop_column("audit_event", "writer_id")
