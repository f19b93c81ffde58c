"""A server secret kept in a file: made once with 256 random bits, readable by its owner only.

Two servers starting at once over the same data directory get the same secret: the file is
created exclusively, and the one that loses the race reads the winner's.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Final

SECRET_BYTES: Final = 32
OWNER_ONLY: Final = 0o600


def load_or_create(path: Path) -> bytes:
    """The secret in ``path``, creating the file (and its directory) on first use."""
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY)
    except FileExistsError:
        return _read(path)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(secrets.token_hex(SECRET_BYTES) + "\n")
    return _read(path)


def _read(path: Path) -> bytes:
    text = path.read_text(encoding="ascii").strip()
    if len(text) < SECRET_BYTES:
        raise ValueError(f"{path} holds no usable secret; delete it to have a new one made.")
    return text.encode("ascii")
