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
from dataclasses import dataclass
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

    def rendition(self, data: bytes, max_edge_px: int) -> bytes:
        """A smaller JPEG copy of a stored photo (the portal's photo pages)."""
        return rendition(data, max_edge_px)


@dataclass(frozen=True, slots=True)
class JpegSettings:
    """How a kept JPEG is written: its long side, quality and chroma subsampling."""

    max_edge_px: int = MAX_EDGE_PX
    quality: int = JPEG_QUALITY
    subsampling: int = -1
    """-1: the encoder's default (4:2:0); 0: 4:4:4, every pixel keeps its own colour."""


CHECK_IN_JPEG: Final = JpegSettings()
"""Check-in photos: at most ``MAX_EDGE_PX`` on the long side, quality ``JPEG_QUALITY``."""


def reencode(data: bytes, settings: JpegSettings = CHECK_IN_JPEG) -> tuple[bytes, int, int]:
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
    clean.thumbnail((settings.max_edge_px, settings.max_edge_px), Image.Resampling.LANCZOS)
    clean.info.clear()  # nothing of the upload's metadata (EXIF, comments, ICC) is written
    out = io.BytesIO()
    clean.save(
        out,
        format="JPEG",
        quality=settings.quality,
        subsampling=settings.subsampling,
        optimize=True,
    )
    return out.getvalue(), clean.width, clean.height


def rendition(data: bytes, max_edge_px: int, quality: int = JPEG_QUALITY) -> bytes:
    """A smaller JPEG copy of a stored (already clean) JPEG: long side at most ``max_edge_px``.

    The decoder is asked for a reduced size first (JPEG's own 1/2, 1/4, 1/8 scaling), so a
    thumbnail of a 12-megapixel photo never decodes every pixel.
    """
    with Image.open(io.BytesIO(data), formats=["JPEG"]) as image:
        image.draft("RGB", (max_edge_px, max_edge_px))
        small = image.convert("RGB")
    small.thumbnail((max_edge_px, max_edge_px), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    small.save(out, format="JPEG", quality=quality)
    return out.getvalue()


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
