"""Argon2id password hashing (pwdlib over argon2-cffi, RFC 9106 low-memory defaults).

pwdlib is imported on first use, so commands that never check a password never load it.
"""

from __future__ import annotations

from typing import Any


class Argon2PasswordHasher:
    """Hashes with Argon2id; a malformed stored hash simply fails to verify."""

    def __init__(self) -> None:
        self._hash: Any = None

    def _hasher(self) -> Any:
        if self._hash is None:
            from pwdlib import PasswordHash  # noqa: PLC0415 - deferred on purpose
            from pwdlib.hashers.argon2 import Argon2Hasher  # noqa: PLC0415

            self._hash = PasswordHash((Argon2Hasher(),))
        return self._hash

    def hash(self, password: str) -> str:
        """A salted Argon2id hash."""
        return str(self._hasher().hash(password))

    def verify(self, password: str, hashed: str) -> bool:
        """Whether the password matches (False for a malformed hash, never an exception)."""
        from pwdlib.exceptions import UnknownHashError  # noqa: PLC0415 - deferred on purpose

        try:
            return bool(self._hasher().verify(password, hashed))
        except (UnknownHashError, ValueError):
            return False
