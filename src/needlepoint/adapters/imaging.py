"""The image maths of clinical photos: Pillow for files, scikit-image for geometry and colour.

* **Upload**: the check-in photo's checks and re-encoding (``adapters.photos``), kept larger
  and truer in colour: up to ``CLINICAL_MAX_EDGE_PX`` on the long side (a 12-megapixel photo
  is kept whole), JPEG quality 95 without chroma subsampling (the redness index reads colour).
* **Alignment**: ``skimage.transform.SimilarityTransform.from_estimate`` from the two pairs of
  landmarks (exactly determined by two points), and ``skimage.transform.warp`` to resample the
  later photo into the earlier photo's frame at display size.
* **Redness**: ``skimage.color.rgb2lab`` (sRGB, D65) over the region's pixels, the region
  rasterised by ``skimage.draw.polygon2mask``; rows are taken in bands so a region as large as
  the photo never needs the whole photo in floating point at once.

Coordinates: the domain's points are continuous, ``0`` at the photo's left (top) edge and
``width_px`` (``height_px``) at its right (bottom) edge. scikit-image puts pixel centres on
whole numbers, so a point ``x`` on an image scaled by ``s`` is at ``x * s - 0.5`` there.

scikit-image and NumPy are imported on first use: a server that never compares photos never
loads them.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Final, cast

from PIL import Image

from needlepoint.adapters import photos as files
from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.photo_geometry import Landmarks, Region, Similarity
from needlepoint.domain.photos import ClinicalPhoto

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

CLINICAL_MAX_EDGE_PX: Final = 4096
"""The long side a clinical photo is kept at, at most: 4000 × 3000 (12 MP) fits whole."""

CLINICAL_JPEG: Final = files.JpegSettings(
    max_edge_px=CLINICAL_MAX_EDGE_PX, quality=95, subsampling=0
)
ALIGNED_QUALITY: Final = 90
OUTSIDE_GREY: Final = 0.5
"""What the aligned image shows where the later photo has no pixels (mid grey)."""
BAND_ROWS: Final = 256
"""Rows of a region converted to CIELAB at a time."""


class SkimageImaging:
    """The ``ClinicalImaging`` port, with Pillow and scikit-image."""

    def reencode(self, data: bytes) -> tuple[bytes, int, int]:
        """Check an upload; write it again upright, without metadata, at clinical quality."""
        return files.reencode(data, CLINICAL_JPEG)

    def rendition(self, data: bytes, max_edge_px: int) -> bytes:
        """A smaller JPEG copy for pages and thumbnails."""
        return files.rendition(data, max_edge_px)

    def similarity(self, earlier: ClinicalPhoto, later: ClinicalPhoto) -> Similarity:
        """The transform mapping the later photo's landmarks onto the earlier's (full size)."""
        transform = _estimate(_points(later.landmarks, 1.0, 1.0), _points(earlier.landmarks))
        shift_x, shift_y = (float(v) for v in transform.translation)
        return Similarity(
            scale=float(transform.scale),
            rotation_deg=float(_degrees(transform.rotation)),
            shift_x_px=shift_x,
            shift_y_px=shift_y,
        )

    def aligned(
        self, later_data: bytes, earlier: ClinicalPhoto, later: ClinicalPhoto, max_edge_px: int
    ) -> bytes:
        """The later photo resampled into the earlier's frame, at the earlier's display size."""
        from skimage import transform as geometry  # noqa: PLC0415 - loaded on first use
        from skimage import util  # noqa: PLC0415

        display = _fit(earlier.width_px, earlier.height_px, max_edge_px)
        scale = self.similarity(earlier, later).scale * display
        image = _decoded(later_data, min(1.0, scale))
        height, width = image.shape[:2]
        transform = _estimate(
            _points(later.landmarks, width / later.width_px, height / later.height_px),
            _points(earlier.landmarks, display, display),
        )
        shape = (round(earlier.height_px * display), round(earlier.width_px * display))
        warp = cast("Callable[..., NDArray[np.float64]]", geometry.warp)
        warped = warp(image, transform.inverse, output_shape=shape, order=1, cval=OUTSIDE_GREY)
        as_bytes = cast("Callable[[NDArray[np.float64]], NDArray[np.uint8]]", util.img_as_ubyte)
        return _jpeg(as_bytes(warped), ALIGNED_QUALITY)

    def mean_a_star(self, data: bytes, region: Region) -> float:
        """The mean CIELAB a* of the pixels whose centres lie inside the region."""
        import numpy as np  # noqa: PLC0415 - loaded on first use

        with Image.open(io.BytesIO(data)) as image:
            pixels = np.asarray(image.convert("RGB"))
        total, count = 0.0, 0
        for band, mask in _bands(pixels, region):
            if mask.any():
                total += float(_a_star(band)[mask].sum())
                count += int(mask.sum())
        if not count:
            raise InvalidInputError.single(
                "points", "holds no whole pixel of the photo.", "draw a larger region."
            )
        return total / count


def _fit(width_px: int, height_px: int, max_edge_px: int) -> float:
    """The scale that brings the long side down to ``max_edge_px`` (never up)."""
    return min(1.0, max_edge_px / max(width_px, height_px))


def _points(
    landmarks: Landmarks | None, scale_x: float = 1.0, scale_y: float | None = None
) -> NDArray[np.float64]:
    """The two landmarks as scikit-image (x, y) coordinates on an image scaled so."""
    import numpy as np  # noqa: PLC0415

    assert landmarks is not None, "only photos with landmarks are aligned"
    across = scale_x if scale_y is None else scale_y
    return np.array(
        [
            [point.x_px * scale_x - 0.5, point.y_px * across - 0.5]
            for point in (landmarks.first, landmarks.second)
        ]
    )


def _estimate(source: NDArray[np.float64], target: NDArray[np.float64]) -> Any:
    from skimage.transform import SimilarityTransform  # noqa: PLC0415

    transform = SimilarityTransform.from_estimate(source, target)
    if not transform:  # two distinct points always determine one; the domain keeps them apart
        raise ValueError(f"no similarity transform: {transform}")
    return transform


def _degrees(radians: float) -> float:
    import numpy as np  # noqa: PLC0415

    return float(np.degrees(radians))


def _decoded(data: bytes, scale: float) -> NDArray[np.uint8]:
    """A stored JPEG decoded as RGB at ``scale`` (the decoder's own reduction first)."""
    import numpy as np  # noqa: PLC0415

    with Image.open(io.BytesIO(data), formats=["JPEG"]) as image:
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image.draft("RGB", size)
        rgb = image.convert("RGB")
    if rgb.size != size:
        rgb = rgb.resize(size, Image.Resampling.LANCZOS)
    return np.asarray(rgb)


def _jpeg(pixels: NDArray[np.uint8], quality: int) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels, mode="RGB").save(out, format="JPEG", quality=quality)
    return out.getvalue()


def _bands(
    pixels: NDArray[np.uint8], region: Region
) -> Iterator[tuple[NDArray[np.uint8], NDArray[np.bool_]]]:
    """Bands of rows around the region, each with the mask of the pixels inside it."""
    from skimage import draw  # noqa: PLC0415

    polygon2mask = cast("Callable[..., NDArray[np.bool_]]", draw.polygon2mask)

    height, width = pixels.shape[:2]
    xs = [p.x_px for p in region.vertices]
    ys = [p.y_px for p in region.vertices]
    left, right = max(0, int(min(xs))), min(width, int(max(xs)) + 1)
    top, bottom = max(0, int(min(ys))), min(height, int(max(ys)) + 1)
    for start in range(top, bottom, BAND_ROWS):
        stop = min(bottom, start + BAND_ROWS)
        corners = [(y - 0.5 - start, x - 0.5 - left) for x, y in zip(xs, ys, strict=True)]
        mask = polygon2mask((stop - start, right - left), corners)
        yield pixels[start:stop, left:right], mask


def _a_star(rgb: NDArray[np.uint8]) -> NDArray[np.float64]:
    from skimage.color import rgb2lab  # noqa: PLC0415

    lab: NDArray[np.float64] = rgb2lab(rgb)
    return lab[..., 1]
