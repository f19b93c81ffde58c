"""A drawn signature: how the signature pad sends it, and the photo checks it must pass.

The pad (``static/signature.js``) posts its drawing as a PNG data URL; ``drawing_from_data_url``
reads it back into bytes (or None when nothing was drawn). The bytes then pass the same checks
as a check-in photo (ADR 0017: size, type by content, pixels counted before decoding) through
the ``PhotoEncoder`` the services hold, and are kept as it re-encodes them, never as uploaded
(``cleaned_drawing``). The typed name, not the drawing, is the signature of record (ADR 0029).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Final

from needlepoint.domain.checkins import PhotoRejectedError
from needlepoint.domain.errors import FieldProblem, InputCode, InvalidInputError

MAX_DRAWING_BYTES: Final = 512 * 1024
"""The largest drawn signature accepted (a PNG of a signature pad is a few tens of kB)."""

DRAWING_PREFIX: Final = "data:image/png;base64,"
"""How the signature pad sends its drawing: a PNG data URL."""


def drawing_from_data_url(text: str) -> bytes | None:
    """The PNG bytes of a drawn signature sent as a data URL; None when nothing was drawn.

    Raises:
        InvalidInputError: Not a PNG data URL, not base64, or larger than ``MAX_DRAWING_BYTES``
            (field ``signature``).
    """
    if not text.strip():
        return None
    fix = "draw the signature again, or leave the drawing empty and sign with your typed name."
    if not text.startswith(DRAWING_PREFIX):
        raise InvalidInputError.single("signature", "is not a PNG drawing.", fix)
    encoded = text.removeprefix(DRAWING_PREFIX)
    if len(encoded) > (MAX_DRAWING_BYTES * 4) // 3 + 4:
        raise InvalidInputError.single(
            "signature", f"is larger than {MAX_DRAWING_BYTES // 1024} kB.", fix, InputCode.TOO_LONG
        )
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInputError.single("signature", "is not a readable drawing.", fix) from None


class SignatureRejectedError(InvalidInputError):
    """The drawn signature is not an image the server accepts (the photo checks, ADR 0017)."""

    code = "signature-rejected"


def cleaned_drawing(
    drawing_png: bytes | None, reencode: Callable[[bytes], tuple[bytes, int, int]]
) -> bytes | None:
    """The drawing re-encoded by the photo checks (size, type, pixels; written anew as JPEG).

    ``reencode`` is the ``PhotoEncoder``'s; what it refuses is refused here as the field
    ``signature``, with the photo check's code (``photo-type``, ``photo-too-many-pixels``…).

    Raises:
        SignatureRejectedError: The drawing failed a photo check.
    """
    if drawing_png is None:
        return None
    try:
        return reencode(drawing_png)[0]
    except PhotoRejectedError as error:
        fix = "draw the signature again, or leave the drawing empty and sign with your name."
        problem = error.problems[0].problem if error.problems else "is not an accepted image."
        raise SignatureRejectedError(
            [FieldProblem("signature", problem, fix, error.code)]
        ) from None
