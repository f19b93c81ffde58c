"""Re-encoding a patient's check-in photo with Pillow (scenario IV-2, ecosystem.md; ADR 0017).

An upload is never stored as it came. It is accepted only when its first bytes say JPEG or
PNG (the file name and the browser's content type are not trusted), it is at most
``MAX_PHOTO_BYTES`` long and at most ``MAX_PHOTO_PIXELS`` pixels, counted from the header
before anything is decoded (a decompression bomb is refused, never expanded). It is then
decoded by the matching decoder only, turned upright from its EXIF orientation, flattened to
RGB, shrunk to at most ``MAX_EDGE_PX`` on its long side, and written as a new JPEG without
EXIF (so no GPS position, camera serial or time), ICC profile or comments.
"""

from __future__ import annotations

import io
import warnings
from typing import Final

from PIL import Image, ImageOps, UnidentifiedImageError

from needlepoint.domain.checkins import (
    MAX_PHOTO_BYTES,
    MAX_PHOTO_PIXELS,
    PhotoTooLargeError,
    PhotoTooManyPixelsError,
    PhotoTypeError,
    PhotoUnreadableError,
)

MAX_EDGE_PX: Final = 2560
"""The long side of the stored photo: enough to see a treated area, small enough to keep."""

JPEG_QUALITY: Final = 85

_SIGNATURES: Final = {
    b"\xff\xd8\xff": "JPEG",
    b"\x89PNG\r\n\x1a\n": "PNG",
}


class JpegReencoder:
    """The ``PhotoEncoder`` port: any accepted upload becomes a clean, upright JPEG."""

    def reencode(self, data: bytes) -> tuple[bytes, int, int]:
        """The re-encoded JPEG and its width and height in pixels."""
        return reencode(data)


def reencode(data: bytes) -> tuple[bytes, int, int]:
    """Check an upload and write it again as a JPEG without metadata, upright.

    Raises:
        PhotoTooLargeError: More than ``MAX_PHOTO_BYTES``.
        PhotoTypeError: Not a JPEG or PNG by its first bytes.
        PhotoTooManyPixelsError: More than ``MAX_PHOTO_PIXELS`` (checked before decoding).
        PhotoUnreadableError: It cannot be decoded.
    """
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoTooLargeError(MAX_PHOTO_BYTES)
    kind = sniff(data)
    if kind is None:
        raise PhotoTypeError
    with _opened(data, kind) as image:
        width, height = image.size
        if width * height > MAX_PHOTO_PIXELS:
            raise PhotoTooManyPixelsError(MAX_PHOTO_PIXELS)
        clean = _upright_rgb(image)
    clean.thumbnail((MAX_EDGE_PX, MAX_EDGE_PX), Image.Resampling.LANCZOS)
    clean.info.clear()  # nothing of the upload's metadata (EXIF, comments, ICC) is written
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue(), clean.width, clean.height


def sniff(data: bytes) -> str | None:
    """The image format the file's first bytes name (JPEG or PNG), else None."""
    return next((kind for magic, kind in _SIGNATURES.items() if data.startswith(magic)), None)


def _opened(data: bytes, kind: str) -> Image.Image:
    """The image with only its header read, by the one decoder its signature names.

    Pillow's own bomb guard (a warning, then an error, past its default limit) is turned into
    our refusal; the limit checked in ``reencode`` is far below Pillow's.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data), formats=[kind])
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise PhotoTooManyPixelsError(MAX_PHOTO_PIXELS) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise PhotoUnreadableError from None


def _upright_rgb(image: Image.Image) -> Image.Image:
    """Decode, apply the EXIF orientation, and flatten transparency onto white."""
    try:
        image.load()
        upright = ImageOps.exif_transpose(image)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise PhotoUnreadableError from None
    if upright.mode in {"RGBA", "LA"} or (upright.mode == "P" and "transparency" in upright.info):
        rgba = upright.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return upright.convert("RGB")
