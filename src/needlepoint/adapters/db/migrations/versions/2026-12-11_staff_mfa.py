"""Two-step sign-in for staff (AU-5) and fresh re-authentication (SE-5), ADR 0036.

* ``staff_totp``: one authenticator secret per member of staff (its own column, to be encrypted
  at rest later), confirmed by a first code, and the last time step accepted (replays refused).
* ``staff_recovery_code``: single-use recovery codes, kept only as SHA-256.
* ``sign_in_challenge``: a pending sign-in (password right, code still asked for), short-lived
  and single use.
* ``login_session.authenticated_at``: when the password was last typed for the session.
* ``clinic.require_staff_mfa``: the clinic asks every member of staff for a code.

Revision ID: 20261211_staff_mfa
Revises: 20261211_break_glass
Create Date: 2026-12-11
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261211_staff_mfa"
down_revision: str | Sequence[str] | None = "20261211_break_glass"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the three tables and add the two columns."""
    op.create_table(
        "staff_totp",
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("secret", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_step", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_member.id"], name="fk_staff_totp_staff_id_staff_member"
        ),
        sa.PrimaryKeyConstraint("staff_id", name="pk_staff_totp"),
    )
    op.create_table(
        "staff_recovery_code",
        sa.Column("code_hash", sa.CHAR(64), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_member.id"], name="fk_staff_recovery_code_staff_id_staff_member"
        ),
        sa.PrimaryKeyConstraint("code_hash", name="pk_staff_recovery_code"),
    )
    op.create_index("ix_staff_recovery_code_staff_id", "staff_recovery_code", ["staff_id"])
    op.create_table(
        "sign_in_challenge",
        sa.Column("id_hash", sa.CHAR(64), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sa.String(10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_member.id"], name="fk_sign_in_challenge_staff_id_staff_member"
        ),
        sa.PrimaryKeyConstraint("id_hash", name="pk_sign_in_challenge"),
    )
    op.create_index("ix_sign_in_challenge_staff_id", "sign_in_challenge", ["staff_id"])
    op.add_column(
        "login_session", sa.Column("authenticated_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "clinic",
        sa.Column("require_staff_mfa", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    """Drop the two columns and the three tables."""
    with op.batch_alter_table("clinic") as batch:
        batch.drop_column("require_staff_mfa")
    with op.batch_alter_table("login_session") as batch:
        batch.drop_column("authenticated_at")
    op.drop_index("ix_sign_in_challenge_staff_id", table_name="sign_in_challenge")
    op.drop_table("sign_in_challenge")
    op.drop_index("ix_staff_recovery_code_staff_id", table_name="staff_recovery_code")
    op.drop_table("staff_recovery_code")
    op.drop_table("staff_totp")
