"""A server secret kept in a file: made once with 256 random bits, readable by its owner only.

Two servers starting at once over the same data directory get the same secret: the file is
written whole beside its place and linked in, so the one that loses the race reads the
winner's, never a half-written file.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Final

from needlepoint.adapters.private_files import private_dir

SECRET_BYTES: Final = 32
OWNER_ONLY: Final = 0o600


def load_or_create(path: Path) -> bytes:
    """The secret in ``path``, creating the file (and its directory) on first use."""
    if not path.exists():
        _create(path)
    return _read(path)


def _create(path: Path) -> None:
    """Write a new secret beside ``path``, then link it into place unless another won."""
    if not path.parent.exists():
        private_dir(path.parent)
    draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(secrets.token_hex(SECRET_BYTES) + "\n")
        os.link(draft, path)
    except FileExistsError:
        pass  # another server made it first: theirs is the secret
    finally:
        draft.unlink(missing_ok=True)


def _read(path: Path) -> bytes:
    text = path.read_text(encoding="ascii").strip()
    if len(text) < SECRET_BYTES:
        raise ValueError(f"{path} holds no usable secret; delete it to have a new one made.")
    return text.encode("ascii")
