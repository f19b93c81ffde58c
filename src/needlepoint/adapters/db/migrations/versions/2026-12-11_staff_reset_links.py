"""One-time links by email that let a member of staff set a new password (AU-6, ADR 0037).

* ``staff_reset_link``: one row per link asked for on the sign-in page; the SHA-256 of its
  secret (made when the email is sent), when it expires (60 minutes) and when it was used.

Revision ID: 20261211_staff_reset_links
Revises: 20261211_outbox_without_secrets
Create Date: 2026-12-11
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261211_staff_reset_links"
down_revision: str | Sequence[str] | None = "20261211_outbox_without_secrets"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the table of password-reset links."""
    op.create_table(
        "staff_reset_link",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.CHAR(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_member.id"], name="fk_staff_reset_link_staff_id_staff_member"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_staff_reset_link"),
        sa.UniqueConstraint("token_hash", name="uq_staff_reset_link_token_hash"),
    )
    op.create_index("ix_staff_reset_link_staff_id", "staff_reset_link", ["staff_id"])


def downgrade() -> None:
    """Drop the table."""
    op.drop_index("ix_staff_reset_link_staff_id", table_name="staff_reset_link")
    op.drop_table("staff_reset_link")
