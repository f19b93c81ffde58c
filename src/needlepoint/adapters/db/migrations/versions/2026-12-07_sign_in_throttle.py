"""Sign-in throttle and token issuers (issue 10, ADR 0023).

* ``login_throttle``: one row of failure counts per throttle key (the SHA-256 of an email, an
  address, or both), locked by the transaction that checks and charges a sign-in attempt
  before its password is hashed.
* ``login_attempt`` is dropped: it fed the old count-then-hash throttle, which parallel
  attempts could overtake. Its rows (email hashes and addresses) are not carried over; every
  sign-in and refusal is in the audit trail. Going down re-creates it empty.
* ``api_token.issued_by``: the admin who issued each token (empty for older tokens).

Revision ID: 20261207_sign_in_throttle
Revises: 20261206_safety_gate
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261207_sign_in_throttle"
down_revision: str | Sequence[str] | None = "20261206_safety_gate"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the throttle table, drop the attempts table, record token issuers."""
    op.create_table(
        "login_throttle",
        sa.Column("key_hash", sa.CHAR(64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key_hash", name="pk_login_throttle"),
    )
    op.drop_index("ix_login_attempt_ip_at", table_name="login_attempt")
    op.drop_index("ix_login_attempt_email_hash_at", table_name="login_attempt")
    op.drop_table("login_attempt")
    with op.batch_alter_table("api_token") as batch:  # no triggers on this table to keep
        batch.add_column(sa.Column("issued_by", sa.Uuid(), nullable=True))
        batch.create_foreign_key(
            "fk_api_token_issued_by_staff_member", "staff_member", ["issued_by"], ["id"]
        )


def downgrade() -> None:
    """Forget token issuers, re-create the (empty) attempts table, drop the throttle."""
    with op.batch_alter_table("api_token") as batch:
        batch.drop_constraint("fk_api_token_issued_by_staff_member", type_="foreignkey")
        batch.drop_column("issued_by")
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
    op.drop_table("login_throttle")
