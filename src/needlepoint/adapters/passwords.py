"""Argon2id password hashing (pwdlib over argon2-cffi, RFC 9106 low-memory defaults)."""

from __future__ import annotations

from pwdlib import PasswordHash
from pwdlib.exceptions import UnknownHashError
from pwdlib.hashers.argon2 import Argon2Hasher


class Argon2PasswordHasher:
    """Hashes with Argon2id; verification tolerates any hash pwdlib's Argon2 hasher reads."""

    def __init__(self) -> None:
        self._hash = PasswordHash((Argon2Hasher(),))

    def hash(self, password: str) -> str:
        """A salted Argon2id hash."""
        return self._hash.hash(password)

    def verify(self, password: str, hashed: str) -> bool:
        """Whether the password matches (False for a malformed hash, never an exception)."""
        try:
            return self._hash.verify(password, hashed)
        except (UnknownHashError, ValueError):
            return False
