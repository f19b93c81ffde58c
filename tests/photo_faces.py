"""Synthetic photos for the clinical photo tests: a face-like image, moved by a known transform.

The face has two dark eyes (found again by ``eyes``), so that a test can say where they are
after alignment without trusting the code under test; ``moved`` scales, rotates and shifts it
about its centre, as a later photo taken a little closer, tilted and off-centre would be.
Points follow the domain's convention: pixel edges at whole numbers (a pixel's centre at +0.5).
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw
from skimage import measure, transform

# scikit-image ships no annotations for these: typed once here
label = cast("Callable[[NDArray[np.bool_]], NDArray[np.int64]]", measure.label)
regionprops = cast("Callable[[NDArray[np.int64]], list[Any]]", measure.regionprops)
SimilarityTransform = cast("Callable[..., Any]", transform.SimilarityTransform)
warp = cast("Callable[..., NDArray[np.float64]]", transform.warp)

SKIN = (222, 178, 152)
EYE = (25, 25, 35)
DARK = 60
"""Grey level under which a pixel is an eye (the skin, lips and the grey outside are lighter)."""


def face(width: int, height: int) -> NDArray[np.uint8]:
    """A face-like image: skin, a face oval, two dark eyes, a nose shadow and red lips."""
    image = Image.new("RGB", (width, height), (200, 200, 205))
    draw = ImageDraw.Draw(image)
    cx, cy, unit = width / 2, height / 2, min(width, height) / 10
    draw.ellipse((cx - 3 * unit, cy - 4 * unit, cx + 3 * unit, cy + 4.2 * unit), fill=SKIN)
    for side in (-1, 1):
        ex, ey = cx + side * 1.2 * unit, cy - 1.0 * unit
        draw.ellipse((ex - 0.3 * unit, ey - 0.3 * unit, ex + 0.3 * unit, ey + 0.3 * unit), fill=EYE)
    draw.polygon(
        [
            (cx, cy - 0.3 * unit),
            (cx - 0.4 * unit, cy + 0.9 * unit),
            (cx + 0.4 * unit, cy + 0.9 * unit),
        ],
        fill=(190, 140, 120),
    )
    draw.ellipse(
        (cx - 1.1 * unit, cy + 1.6 * unit, cx + 1.1 * unit, cy + 2.2 * unit), fill=(175, 60, 70)
    )
    return np.asarray(image)


def eyes(pixels: NDArray[np.uint8]) -> list[tuple[float, float]]:
    """The centres of the two dark blobs, left first, as points (pixel edges at whole numbers)."""
    grey = np.asarray(Image.fromarray(pixels).convert("L"))
    blobs = sorted(regionprops(label(grey < DARK)), key=lambda r: r.area, reverse=True)[:2]
    assert len(blobs) == 2, "both eyes are in the frame"
    centres = [(float(b.centroid[1]) + 0.5, float(b.centroid[0]) + 0.5) for b in blobs]
    return sorted(centres)


def moved(
    pixels: NDArray[np.uint8], scale: float, rotation_deg: float, shift: tuple[float, float]
) -> tuple[NDArray[np.uint8], Any]:
    """The image as the later photo: its content scaled, rotated and shifted (about the centre)."""
    height, width = pixels.shape[:2]
    centre = np.array([width / 2 - 0.5, height / 2 - 0.5])
    to_centre = SimilarityTransform(translation=-centre)
    turn = SimilarityTransform(scale=scale, rotation=math.radians(rotation_deg))
    back = SimilarityTransform(translation=centre + np.array(shift))
    forward = SimilarityTransform(back.params @ turn.params @ to_centre.params)
    later = warp(pixels, forward.inverse, order=1, cval=0.8, preserve_range=True)
    return later.round().astype(np.uint8), forward


def on_later(forward: Any, point: tuple[float, float]) -> tuple[float, float]:
    """Where a point of the earlier photo is on the later one."""
    x, y = forward(np.array([[point[0] - 0.5, point[1] - 0.5]]))[0]
    return float(x) + 0.5, float(y) + 0.5


def jpeg(pixels: NDArray[np.uint8]) -> bytes:
    """The pixels as a camera-quality JPEG."""
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="JPEG", quality=95, subsampling=0)
    return out.getvalue()


def png(pixels: NDArray[np.uint8]) -> bytes:
    """The pixels as a (lossless) PNG."""
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


@dataclass(frozen=True)
class FacePair:
    """Two photos of one face as uploaded (JPEG), and where their eyes are."""

    earlier: bytes
    later: bytes
    earlier_eyes: list[tuple[float, float]]
    later_eyes: list[tuple[float, float]]


def face_pair(
    width: int,
    height: int,
    *,
    scale: float = 1.1,
    rotation_deg: float = 8.0,
    shift: tuple[float, float] = (40.0, -25.0),
) -> FacePair:
    """An earlier photo of the face and a later one moved by a known similarity transform."""
    earlier = face(width, height)
    marks = eyes(earlier)
    later, forward = moved(earlier, scale, rotation_deg, shift)
    return FacePair(jpeg(earlier), jpeg(later), marks, [on_later(forward, m) for m in marks])


def cie_a_star(rgb: tuple[int, int, int]) -> float:
    """CIELAB a* of an sRGB colour (D65, 2°), by the published formulas (IEC 61966-2-1, CIE)."""
    linear = [
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (v / 255 for v in rgb)
    ]
    r, g, b = linear
    x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    return 500 * (f(x) - f(y))


def patch_image(colour: tuple[int, int, int]) -> NDArray[np.uint8]:
    """A pale green background with a patch of ``colour`` from (100, 60) to (300, 200)."""
    pixels = np.zeros((260, 400, 3), dtype=np.uint8)
    pixels[...] = (120, 200, 120)
    pixels[60:200, 100:300] = colour
    return pixels
