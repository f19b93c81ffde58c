"""Time-based one-time codes for staff sign-in (RFC 6238, scenario AU-5), and recovery codes.

Pure: the time is always passed in. ``pyotp`` computes the codes; this module decides which
time steps are accepted: the current one and one either side (``VALID_WINDOW`` = 1, 30 s
each), never one at or before the last step accepted for the account, so a code, once used,
is refused even while it is still current (a replay), and so is any older one.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Final

import pyotp

STEP_SECONDS: Final = 30
"""The length of one time step (RFC 6238's default, what every authenticator app uses)."""

VALID_WINDOW: Final = 1
"""Steps accepted either side of the current one: ±1 accepted, ±2 refused (AU-5)."""

DIGITS: Final = 6
SECRET_BYTES: Final = 20
"""160 bits, the length RFC 4226 recommends for the shared secret."""

ISSUER: Final = "needlepoint"

RECOVERY_CODE_COUNT: Final = 10
RECOVERY_CODE_GROUPS: Final = 4
RECOVERY_CODE_GROUP_CHARS: Final = 4
"""Four groups of four base32 characters: 80 random bits, so a plain SHA-256 keeps it safe."""
_BASE32: Final = "abcdefghijklmnopqrstuvwxyz234567"


def new_secret() -> str:
    """A new shared secret, base32 (32 characters, 160 bits from ``secrets``)."""
    return pyotp.random_base32(length=32)


def time_step(at: datetime) -> int:
    """The RFC 6238 time step ``at`` falls in."""
    return int(at.timestamp()) // STEP_SECONDS


def code_at(secret: str, at: datetime) -> str:
    """The code an authenticator app shows at ``at`` (for tests and for nothing else)."""
    return pyotp.TOTP(secret).at(at)


def accepted_step(secret: str, code: str, *, at: datetime, last_step: int | None) -> int | None:
    """The time step a code matches, if it is accepted at ``at``; else None.

    Accepted: a code of ``DIGITS`` digits (spaces ignored) matching the step of ``at`` or one
    step either side, and later than ``last_step`` (the last step accepted for this account).
    """
    typed = "".join(code.split())
    if len(typed) != DIGITS or not typed.isascii() or not typed.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now_step = time_step(at)
    for step in range(now_step - VALID_WINDOW, now_step + VALID_WINDOW + 1):
        if last_step is not None and step <= last_step:
            continue
        expected = totp.generate_otp(step)
        if hmac.compare_digest(expected, typed):
            return step
    return None


def provisioning_uri(secret: str, account: str) -> str:
    """The ``otpauth://`` address an authenticator app reads (from the QR code or a link)."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=ISSUER)


def manual_key(secret: str) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def new_recovery_codes() -> Sequence[str]:
    """``RECOVERY_CODE_COUNT`` new single-use recovery codes, as shown to the member of staff."""
    return tuple(_recovery_code() for _ in range(RECOVERY_CODE_COUNT))


def _recovery_code() -> str:
    groups = (
        "".join(secrets.choice(_BASE32) for _ in range(RECOVERY_CODE_GROUP_CHARS))
        for _ in range(RECOVERY_CODE_GROUPS)
    )
    return "-".join(groups)


def normal_recovery_code(typed: str) -> str | None:
    """A typed recovery code as it was issued (case, spaces and dashes forgiven), else None."""
    letters = "".join(ch for ch in typed.lower() if ch not in " -")
    if len(letters) != RECOVERY_CODE_GROUPS * RECOVERY_CODE_GROUP_CHARS:
        return None
    if any(ch not in _BASE32 for ch in letters):
        return None
    size = RECOVERY_CODE_GROUP_CHARS
    return "-".join(letters[i : i + size] for i in range(0, len(letters), size))
