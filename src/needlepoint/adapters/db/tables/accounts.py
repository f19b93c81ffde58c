"""Staff accounts: server-side sessions, API tokens and the sign-in throttle.

Created by the ``accounts`` migration (the throttle by ``sign_in_throttle``). Secrets are never
stored: sessions and tokens are kept under the SHA-256 of their value, throttle counts under the
SHA-256 of their key.
"""

from __future__ import annotations

from sqlalchemy import (
    CHAR,
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Uuid,
)

from needlepoint.adapters.db.tables.base import UtcDateTime, metadata

login_session = Table(
    "login_session",
    metadata,
    Column("id_hash", CHAR(64), primary_key=True),
    Column("staff_id", Uuid, ForeignKey("staff_member.id"), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_seen_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
    # When the password was last typed for this session (sign-in or re-authentication,
    # migration 2026-12-11_staff_mfa): sensitive changes need it recent (SE-5).
    Column("authenticated_at", UtcDateTime, nullable=True),
    Index("ix_login_session_staff_id", "staff_id"),
)

api_token = Table(
    "api_token",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("staff_id", Uuid, ForeignKey("staff_member.id"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("token_hash", CHAR(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
    # Who issued the token (migration 2026-12-07_sign_in_throttle); None for older tokens.
    Column("issued_by", Uuid, ForeignKey("staff_member.id"), nullable=True),
    # Expiry, last use and the shown prefix (migration 2026-12-11_api_token_expiry); older
    # tokens were given created_at + 365 days and no prefix.
    Column("expires_at", UtcDateTime, nullable=False),
    Column("last_used_at", UtcDateTime, nullable=True),
    Column("prefix", String(8), nullable=True),
    Index("ix_api_token_staff_id", "staff_id"),
)

# One-time links that let a member of staff set their password: a reset asked for on the
# sign-in page (migration 2026-12-11_staff_reset_links). Only the hash of the secret is kept;
# the secret is made when the email is sent (ADR 0037).
staff_reset_link = Table(
    "staff_reset_link",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("staff_id", Uuid, ForeignKey("staff_member.id"), nullable=False),
    Column("token_hash", CHAR(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
    # reset | invite (migration 2026-12-12_staff_invites): an invite sets a first password.
    Column("purpose", String(10), nullable=False, server_default="reset"),
    Index("ix_staff_reset_link_staff_id", "staff_id"),
    CheckConstraint("purpose IN ('reset', 'invite')", name="purpose"),
)

login_throttle = Table(
    "login_throttle",
    metadata,
    Column("key_hash", CHAR(64), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_failure_at", UtcDateTime, nullable=True),
    Column("last_success_at", UtcDateTime, nullable=True),
)

staff_totp = Table(
    "staff_totp",
    metadata,
    Column("staff_id", Uuid, ForeignKey("staff_member.id"), primary_key=True),
    # The shared secret (base32), in its own column so it can be encrypted at rest (IN-3).
    Column("secret", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    # None until a first valid code confirms the enrolment; only then is it asked for.
    Column("confirmed_at", UtcDateTime, nullable=True),
    # The last time step a code was accepted for: that step and older are refused (AU-5).
    Column("last_step", BigInteger, nullable=True),
)

staff_recovery_code = Table(
    "staff_recovery_code",
    metadata,
    Column("code_hash", CHAR(64), primary_key=True),
    Column("staff_id", Uuid, ForeignKey("staff_member.id"), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
    Index("ix_staff_recovery_code_staff_id", "staff_id"),
)

sign_in_challenge = Table(
    "sign_in_challenge",
    metadata,
    # The SHA-256 of the pending sign-in's token: the password was right, a code is asked for.
    Column("id_hash", CHAR(64), primary_key=True),
    Column("staff_id", Uuid, ForeignKey("staff_member.id"), nullable=False),
    # "code" (answer with a code) or "enrol" (set up two-step sign-in first).
    Column("purpose", String(10), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
    Index("ix_sign_in_challenge_staff_id", "staff_id"),
)
