"""Outbox bodies hold no live sign-in link; every link sent before this stops working (ADR 0037).

Before, a portal sign-in email's body kept its link, token and all, in plain text, in the
database and in every backup taken since. From now on the body holds a placeholder and the
worker makes the link's secret when it sends the email (``services.portal.sign_in``).

* Every ``portal_sign_in`` message's body is replaced by the new text with the placeholder.
  A message still waiting is sent with a fresh link by the worker; a sent one keeps no link.
* Every portal sign-in link gets a new random ``token_hash`` (the hash of no token anyone
  has), so the tokens in old bodies and old backups stop working at once. A patient whose
  link was sent in the last minutes before the upgrade asks for a new one; links lived 15
  minutes by default anyway.

Nothing is restored on downgrade: the old tokens are gone for good (only their hashes were
kept), and the bodies keep the placeholder.

Revision ID: 20261211_outbox_without_secrets
Revises: 20261211_api_token_expiry
Create Date: 2026-12-11
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261211_outbox_without_secrets"
down_revision: str | Sequence[str] | None = "20261211_api_token_expiry"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BODY = (
    "Here is your link to sign in to your clinic's patient portal. It works once:\n\n"
    "{secret-link}\n\n"
    "If you did not ask for it, you can ignore this email."
)
"""The body of a sign-in email from now on (``domain.messages.LINK_PLACEHOLDER`` in it)."""

_RANDOM_HASH = {
    # 64 hex characters nobody knows a preimage of; not a token, only a dead lock.
    "postgresql": (
        "md5(random()::text || id::text) || md5(random()::text || clock_timestamp()::text)"
    ),
    "sqlite": "lower(hex(randomblob(32)))",
}


def upgrade() -> None:
    """Replace the sign-in emails' bodies and every sign-in link's token hash."""
    op.get_bind().execute(
        sa.text("UPDATE outbox_message SET body = :body WHERE kind = 'portal_sign_in'"),
        {"body": BODY},
    )
    random_hash = _RANDOM_HASH[op.get_bind().dialect.name]
    op.execute(f"UPDATE portal_sign_in_link SET token_hash = {random_hash}")


def downgrade() -> None:
    """Nothing to undo: the old tokens cannot come back."""
