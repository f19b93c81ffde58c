"""Field encryption: the most sensitive free text is stored sealed with AES-256-GCM (ADR 0039).

A sealed value is the text ``np1:<key id>:<base64 of nonce ‖ ciphertext ‖ tag>``: a version
tag, the id of the key that sealed it, a random 96-bit nonce and the AEAD output. The
associated data is ``needlepoint/<table>.<column>/<row id>``, so a ciphertext copied into
another row, another column or another table fails to open (``InvalidTag``) instead of showing
one patient's words on another patient's record.

The keyring holds the current key, which seals, and retired keys, which only open (key
rotation, docs/keys.md). A key id is the first 8 hex digits of the key's SHA-256 under a
label; it names a key without revealing it.

Text stored before field encryption (no ``np1:`` prefix) is read as it is, so an upgrade never
leaves data unreadable; ``needlepoint keys reencrypt-fields`` seals it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES: Final = 32
NONCE_BYTES: Final = 12
ENVELOPE_VERSION: Final = "np1"
_PREFIX: Final = ENVELOPE_VERSION + ":"
_KEY_ID_LABEL: Final = b"needlepoint field key id v1\x00"


class FieldKeyError(ValueError):
    """A field key is missing or unusable; the message names the setting and the fix."""


class SealedFieldError(RuntimeError):
    """A sealed value does not open: wrong row, tampered, or sealed under an unknown key."""

    code: Final = "sealed-field-unreadable"


def key_id(key: bytes) -> str:
    """A short public name for a key (8 hex digits of a labelled SHA-256)."""
    return hashlib.sha256(_KEY_ID_LABEL + key).hexdigest()[:8]


def parse_key(text: str, *, name: str) -> bytes:
    """A 32-byte key from its base64 text (or 64 hex digits, as the key files hold)."""
    stripped = text.strip()
    raw: bytes | None = None
    if len(stripped) == 2 * KEY_BYTES:
        try:
            raw = bytes.fromhex(stripped)
        except ValueError:
            raw = None
    if raw is None:
        try:
            raw = base64.b64decode(stripped, validate=True)
        except (binascii.Error, ValueError):
            raw = b""
    if len(raw) != KEY_BYTES:
        raise FieldKeyError(
            f"{name} is not a key of {KEY_BYTES} bytes; set it to 32 random bytes in base64, e.g. "
            "python -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())'."
        )
    return raw


def aad(table: str, column: str, row_id: UUID | int | str) -> bytes:
    """The associated data binding a sealed value to its table, column and row."""
    return f"needlepoint/{table}.{column}/{row_id}".encode()


def is_sealed(value: str) -> bool:
    """Whether a stored value is a sealed envelope (else text stored before encryption)."""
    return value.startswith(_PREFIX)


def sealed_key_id(value: str) -> str | None:
    """The id of the key a stored value is sealed under; None for text stored in clear."""
    if not is_sealed(value):
        return None
    parts = value.split(":", 2)
    return parts[1] if len(parts) == 3 else None  # noqa: PLR2004 - version, key id, payload


@dataclass(frozen=True)
class FieldKeyring:
    """The current field key (seals and opens) and retired ones (open only)."""

    current: bytes
    retired: tuple[bytes, ...] = ()
    _ciphers: dict[str, AESGCM] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for key in (self.current, *self.retired):
            if len(key) != KEY_BYTES:
                raise FieldKeyError(f"a field key must be {KEY_BYTES} bytes, not {len(key)}")
        ciphers = {key_id(key): AESGCM(key) for key in (*reversed(self.retired), self.current)}
        object.__setattr__(self, "_ciphers", ciphers)

    def __repr__(self) -> str:
        return f"FieldKeyring(current={self.current_id!r}, retired={len(self.retired)})"

    @property
    def current_id(self) -> str:
        """The id of the key that seals."""
        return key_id(self.current)

    @property
    def key_ids(self) -> Iterable[str]:
        """The ids of every key that opens."""
        return tuple(self._ciphers)

    def seal(self, plaintext: str, associated: bytes) -> str:
        """The envelope of ``plaintext`` under the current key, bound to ``associated``."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._ciphers[self.current_id].encrypt(nonce, plaintext.encode(), associated)
        payload = base64.b64encode(nonce + sealed).decode("ascii")
        return f"{_PREFIX}{self.current_id}:{payload}"

    def open(self, stored: str, associated: bytes) -> str:
        """The plaintext of an envelope (text stored in clear comes back as it is).

        Raises ``SealedFieldError`` when the envelope was sealed for another row or column,
        was changed, or names a key this keyring does not hold.
        """
        if not is_sealed(stored):
            return stored
        return self.open_sealed(stored, associated)

    def open_sealed(self, stored: str, associated: bytes) -> str:
        """The plaintext of an envelope; ``InvalidTag`` (inside ``SealedFieldError``) if wrong."""
        parts = stored.split(":", 2)
        if len(parts) != 3:  # noqa: PLR2004 - version, key id, payload
            raise SealedFieldError("a sealed field is malformed")
        _version, wanted, payload = parts
        cipher = self._ciphers.get(wanted)
        if cipher is None:
            raise SealedFieldError(
                f"a field is sealed under key {wanted}, which is neither NEEDLEPOINT_FIELD_KEY nor "
                "one of NEEDLEPOINT_FIELD_KEYS_RETIRED; add that key back to the retired keys"
            )
        try:
            raw = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            raise SealedFieldError("a sealed field is malformed") from None
        try:
            plain = cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], associated)
        except InvalidTag as error:
            raise SealedFieldError(
                "a sealed field does not open for its row (changed, or copied from another row)"
            ) from error
        return plain.decode()

    def needs_resealing(self, stored: str | None) -> bool:
        """Whether a stored value is in clear or sealed under a key other than the current."""
        return stored is not None and sealed_key_id(stored) != self.current_id
