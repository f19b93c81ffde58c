"""Encrypted backup files: chunked AES-256-GCM with a header, a counter and a final flag.

The format (docs/formats.md, ADR 0039) is the STREAM construction built from ``cryptography``'s
AES-GCM and HKDF, nothing hand-made below them:

* header, 53 bytes: ``NPBACKUP`` | format version (1 byte, 1) | chunk size (4 bytes, big
  endian) | key id (8 ASCII hex digits) | salt (32 random bytes);
* file key = HKDF-SHA256(backup key, salt, info ``needlepoint backup v1``): every file has its
  own key, so the nonces below never repeat under one key;
* then the chunks: the plaintext cut into ``chunk size`` pieces (the last may be shorter, or
  empty for an empty file), each sealed with nonce = chunk number (11 bytes, big endian) ‖
  final flag (1 byte: 1 on the last chunk, else 0), and the header as associated data.

A chunk moved, dropped, changed or added, a header changed, a file cut at a chunk boundary (its
new last chunk was not sealed as final) or a wrong key: the chunk does not open, and
``BackupCryptoError`` says which. Nothing is written to the target until a whole file has
opened (``decrypt_file`` writes a file the caller deletes on failure).
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Callable
from pathlib import Path
from typing import IO, Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC: Final = b"NPBACKUP"
VERSION: Final = 1
CHUNK_BYTES: Final = 1 << 20
MAX_CHUNK_BYTES: Final = 1 << 24
SALT_BYTES: Final = 32
TAG_BYTES: Final = 16
_HEADER: Final = struct.Struct(">8sBI8s32s")
HEADER_BYTES: Final = _HEADER.size
_INFO: Final = b"needlepoint backup v1"
_KEY_ID_LABEL: Final = b"needlepoint backup key id v1\x00"


class BackupError(RuntimeError):
    """A backup or restore failed its integrity check; nothing was replaced."""


class BackupCryptoError(BackupError):
    """An encrypted backup does not open: not one, wrong key, truncated or changed."""


def key_id(key: bytes) -> bytes:
    """A short public name of a backup key (8 hex digits of a labelled SHA-256)."""
    return hashlib.sha256(_KEY_ID_LABEL + key).hexdigest()[:8].encode("ascii")


def is_encrypted(path: Path) -> bool:
    """Whether a file starts like an encrypted backup."""
    with path.open("rb") as file:
        return file.read(len(MAGIC)) == MAGIC


def encrypt_file(
    source: Path,
    target: IO[bytes],
    key: bytes,
    *,
    chunk_bytes: int = CHUNK_BYTES,
    on_chunk: Callable[[int], None] | None = None,
) -> None:
    """Write ``source`` encrypted under ``key`` into ``target``; ``on_chunk`` told each size."""
    header = _HEADER.pack(MAGIC, VERSION, chunk_bytes, key_id(key), os.urandom(SALT_BYTES))
    cipher = AESGCM(_file_key(key, header))
    target.write(header)
    with source.open("rb") as plain:
        chunk = plain.read(chunk_bytes)
        number = 0
        while True:
            following = plain.read(chunk_bytes) if len(chunk) == chunk_bytes else b""
            final = not following
            target.write(cipher.encrypt(_nonce(number, final=final), chunk, header))
            if on_chunk is not None:
                on_chunk(len(chunk))
            if final:
                return
            chunk, number = following, number + 1


def decrypt_file(
    source: Path,
    target: IO[bytes],
    key: bytes,
    *,
    on_chunk: Callable[[int], None] | None = None,
) -> None:
    """Write the plaintext of the encrypted ``source`` into ``target``; refuses a bad file.

    ``on_chunk`` is told the size of each sealed chunk read.
    """
    name = source.name
    with source.open("rb") as sealed:
        header = sealed.read(HEADER_BYTES)
        if len(header) < HEADER_BYTES or not header.startswith(MAGIC):
            raise BackupCryptoError(f"{name} is not an encrypted needlepoint backup")
        _magic, version, chunk_bytes, wanted, _salt = _HEADER.unpack(header)
        if version != VERSION or not 0 < chunk_bytes <= MAX_CHUNK_BYTES:
            raise BackupCryptoError(f"{name} is in an unknown backup format (version {version})")
        if wanted != key_id(key):
            found, ours = wanted.decode("ascii", "replace"), key_id(key).decode("ascii")
            raise BackupCryptoError(
                f"{name} was encrypted with another backup key (key id {found}, this "
                f"installation's is {ours}); set NEEDLEPOINT_BACKUP_KEY to the key the backup "
                "was taken with"
            )
        cipher = AESGCM(_file_key(key, header))
        sealed_bytes = chunk_bytes + TAG_BYTES
        chunk = sealed.read(sealed_bytes)
        number = 0
        while True:
            following = sealed.read(sealed_bytes) if len(chunk) == sealed_bytes else b""
            final = not following
            try:
                target.write(cipher.decrypt(_nonce(number, final=final), chunk, header))
            except InvalidTag:
                raise BackupCryptoError(
                    f"{name} is cut short or was changed (chunk {number} does not open); "
                    "restore another backup"
                ) from None
            if on_chunk is not None:
                on_chunk(len(chunk))
            if final:
                return
            chunk, number = following, number + 1


def _file_key(key: bytes, header: bytes) -> bytes:
    salt = header[-SALT_BYTES:]
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=_INFO).derive(key)


def _nonce(number: int, *, final: bool) -> bytes:
    return number.to_bytes(11, "big") + (b"\x01" if final else b"\x00")
