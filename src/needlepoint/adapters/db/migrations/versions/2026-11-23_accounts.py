"""Accounts: server-side sign-in sessions, API tokens and sign-in attempts.

Only hashes are stored: SHA-256 of session and token secrets, SHA-256 of attempted emails.

Revision ID: 20261123_accounts
Revises: 20261123_treatment
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261123_accounts"
down_revision: str | Sequence[str] | None = "20261123_treatment"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the three account tables."""
    _create_login_session()
    _create_api_token()
    _create_login_attempt()


def downgrade() -> None:
    """Drop the three account tables."""
    for table in ("login_attempt", "api_token", "login_session"):
        op.drop_table(table)


def _create_login_session() -> None:
    op.create_table(
        "login_session",
        sa.Column("id_hash", sa.CHAR(64), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_member.id"], name="fk_login_session_staff_id_staff_member"
        ),
        sa.PrimaryKeyConstraint("id_hash", name="pk_login_session"),
    )
    op.create_index("ix_login_session_staff_id", "login_session", ["staff_id"])


def _create_api_token() -> None:
    op.create_table(
        "api_token",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("token_hash", sa.CHAR(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_member.id"], name="fk_api_token_staff_id_staff_member"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_api_token"),
        sa.UniqueConstraint("token_hash", name="uq_api_token_token_hash"),
    )
    op.create_index("ix_api_token_staff_id", "api_token", ["staff_id"])


def _create_login_attempt() -> None:
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("email_hash", sa.CHAR(64), nullable=False),
        sa.Column("ip", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_login_attempt"),
    )
    op.create_index("ix_login_attempt_email_hash_at", "login_attempt", ["email_hash", "at"])
    op.create_index("ix_login_attempt_ip_at", "login_attempt", ["ip", "at"])
