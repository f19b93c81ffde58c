"""API tokens expire, record their last use and keep a prefix to be told apart (ADR 0037).

* ``api_token.expires_at`` (required): when the token stops working. Tokens issued before
  this migration never expired; they are given ``created_at`` + 365 days, the longest a new
  token may be issued for, so no running script stops the day this ships, yet none works
  for ever. An admin revokes any of them one by one.
* ``api_token.last_used_at``: the last use, to the minute; empty until the next use.
* ``api_token.prefix``: ``npt_`` and the first 4 random characters, shown in lists; empty
  for older tokens (their secret is not kept, so their prefix cannot be known).

Revision ID: 20261211_api_token_expiry
Revises: 20261211_staff_mfa
Create Date: 2026-12-11
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261211_api_token_expiry"
down_revision: str | Sequence[str] | None = "20261211_staff_mfa"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_A_YEAR_ON = {
    "postgresql": "created_at + INTERVAL '365 days'",
    "sqlite": "datetime(created_at, '+365 days')",
}


def upgrade() -> None:
    """Add the columns, give older tokens a year from their issue, then require an expiry."""
    with op.batch_alter_table("api_token") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("prefix", sa.String(8), nullable=True))
    a_year_on = _A_YEAR_ON[op.get_bind().dialect.name]
    op.execute(f"UPDATE api_token SET expires_at = {a_year_on}")
    with op.batch_alter_table("api_token") as batch:
        batch.alter_column("expires_at", existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade() -> None:
    """Drop the columns (tokens stop expiring)."""
    with op.batch_alter_table("api_token") as batch:
        batch.drop_column("prefix")
        batch.drop_column("last_used_at")
        batch.drop_column("expires_at")
