"""Staff invites by email reuse the reset links (AU-6, ADR 0037).

* ``staff_reset_link.purpose``: ``reset`` (a password reset asked for on the sign-in page,
  every existing row) or ``invite`` (an admin invited a new member of staff, who sets their
  first password through it).

Revision ID: 20261212_staff_invites
Revises: 20261211_staff_reset_links
Create Date: 2026-12-12
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261212_staff_invites"
down_revision: str | Sequence[str] | None = "20261211_staff_reset_links"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the purpose of each link; the existing ones are resets."""
    with op.batch_alter_table("staff_reset_link") as batch:
        batch.add_column(
            sa.Column("purpose", sa.String(10), nullable=False, server_default="reset")
        )
        batch.create_check_constraint(
            "ck_staff_reset_link_purpose", "purpose IN ('reset', 'invite')"
        )


def downgrade() -> None:
    """Drop the purpose (invite links would then read as reset links: drop them first)."""
    op.execute("DELETE FROM staff_reset_link WHERE purpose = 'invite'")
    with op.batch_alter_table("staff_reset_link") as batch:
        batch.drop_constraint("ck_staff_reset_link_purpose", type_="check")
        batch.drop_column("purpose")
