"""The image maths of clinical photos (adapters.imaging), on synthetic images of known geometry.

* Alignment recovers a known similarity transform: a face-like image is scaled, rotated and
  shifted by known amounts; once aligned, its eyes fall within 1 px of the original's, and the
  rotation found is the known one within 1°.
* The redness index of a synthetic patch of known CIELAB a* (computed here from the sRGB
  colour by the CIE formulas, not by scikit-image) is exact to within 0.5.
* An upload is kept as the check-in photos are (EXIF and GPS stripped, upright), but whole up
  to 12 megapixels, and smaller copies have the sizes the pages ask for.
"""

from __future__ import annotations

import io
import math
from datetime import UTC, date, datetime
from uuid import uuid4

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from needlepoint.adapters.imaging import CLINICAL_MAX_EDGE_PX, SkimageImaging
from needlepoint.domain.checkins import PhotoTooManyPixelsError
from needlepoint.domain.photo_geometry import Landmarks, Point, Region
from needlepoint.domain.photos import DISPLAY_EDGE_PX, THUMBNAIL_EDGE_PX, ClinicalPhoto, PhotoView
from photo_faces import cie_a_star, eyes, face, jpeg, moved, on_later, patch_image, png
from photo_samples import exif_of, jpeg_with_gps

IMAGING = SkimageImaging()


def photo(width: int, height: int, marks: list[tuple[float, float]]) -> ClinicalPhoto:
    return ClinicalPhoto(
        id=uuid4(),
        clinic_id=uuid4(),
        patient_id=uuid4(),
        session_id=None,
        view=PhotoView.FRONT,
        zone=None,
        taken_on=date(2026, 11, 1),
        width_px=width,
        height_px=height,
        size_bytes=1,
        sha256="0" * 64,
        created_at=datetime(2026, 11, 1, tzinfo=UTC),
        created_by=uuid4(),
        landmarks=Landmarks(Point(*marks[0]), Point(*marks[1])),
    )


def aligned_eyes(
    width: int, height: int, scale: float, rotation_deg: float, shift: tuple[float, float]
) -> tuple[list[tuple[float, float]], list[tuple[float, float]], float]:
    """Where the eyes are on the earlier photo (at display size) and on the aligned later one,
    and the rotation the adapter found."""
    earlier_pixels = face(width, height)
    marks = eyes(earlier_pixels)
    later_pixels, forward = moved(earlier_pixels, scale, rotation_deg, shift)
    earlier = photo(width, height, marks)
    later = photo(width, height, [on_later(forward, m) for m in marks])

    found = IMAGING.aligned(jpeg(later_pixels), earlier, later, DISPLAY_EDGE_PX)
    rotation = IMAGING.similarity(earlier, later).rotation_deg

    display = min(1.0, DISPLAY_EDGE_PX / max(width, height))
    expected = [(x * display, y * display) for x, y in marks]
    return expected, eyes(np.asarray(Image.open(io.BytesIO(found)).convert("RGB"))), rotation


@settings(max_examples=25)
@given(
    scale=st.floats(0.85, 1.2),
    rotation_deg=st.floats(-15, 15),
    shift_x=st.floats(-60, 60),
    shift_y=st.floats(-40, 40),
)
def test_alignment_recovers_a_known_similarity_within_a_pixel_and_a_degree(
    scale: float, rotation_deg: float, shift_x: float, shift_y: float
) -> None:
    expected, found, rotation = aligned_eyes(960, 720, scale, rotation_deg, (shift_x, shift_y))

    for (ex, ey), (fx, fy) in zip(expected, found, strict=True):
        assert math.hypot(ex - fx, ey - fy) <= 1.0
    # the found transform maps the later photo back: it turns by minus the known rotation
    assert abs(rotation + rotation_deg) <= 1.0


def test_alignment_of_a_photo_larger_than_the_display_is_measured_at_display_size() -> None:
    expected, found, rotation = aligned_eyes(2400, 1800, 1.12, -9.0, (70.0, -35.0))

    for (ex, ey), (fx, fy) in zip(expected, found, strict=True):
        assert math.hypot(ex - fx, ey - fy) <= 1.0
    assert rotation == pytest.approx(9.0, abs=1.0)


def test_the_aligned_image_has_the_earlier_photo_s_display_size() -> None:
    earlier_pixels = face(2400, 1800)
    marks = eyes(earlier_pixels)
    later = photo(2400, 1800, marks)

    found = IMAGING.aligned(jpeg(earlier_pixels), photo(2400, 1800, marks), later, 1600)

    assert Image.open(io.BytesIO(found)).size == (1600, 1200)


# --- the redness index -----------------------------------------------------------------------


def srgb_of(lightness: float, a_star: float, b_star: float) -> tuple[int, int, int] | None:
    """The 8-bit sRGB colour nearest a CIELAB colour, or None when it is out of gamut."""
    from skimage.color import lab2rgb  # noqa: PLC0415 - only to make the sample

    rgb = lab2rgb(np.array([[[lightness, a_star, b_star]]], dtype=float))[0, 0]
    if rgb.min() <= 0.0 or rgb.max() >= 1.0:
        return None
    red, green, blue = (round(float(c) * 255) for c in rgb)
    return red, green, blue


@given(
    lightness=st.floats(35, 85),
    a_star=st.floats(-5, 45),
    b_star=st.floats(0, 35),
)
def test_the_redness_of_a_patch_of_known_a_star_is_exact_to_half_a_unit(
    lightness: float, a_star: float, b_star: float
) -> None:
    colour = srgb_of(lightness, a_star, b_star)
    if colour is None:
        return  # outside what a screen shows: no patch to make
    triangle = Region((Point(110, 70), Point(290, 80), Point(200, 190)))

    found = IMAGING.mean_a_star(png(patch_image(colour)), triangle)

    assert found == pytest.approx(cie_a_star(colour), abs=0.5)


def test_only_the_pixels_inside_the_region_count() -> None:
    red, green = (200, 60, 60), (120, 200, 120)
    # the triangle's bounding box reaches into the green, the triangle itself does not
    triangle = Region((Point(100, 60), Point(300, 60), Point(100, 200)))
    straddling = Region((Point(50, 100), Point(150, 100), Point(150, 150), Point(50, 150)))
    data = png(patch_image(red))

    inside = IMAGING.mean_a_star(data, triangle)
    half = IMAGING.mean_a_star(data, straddling)

    assert inside == pytest.approx(cie_a_star(red), abs=0.01)
    assert half == pytest.approx((cie_a_star(red) + cie_a_star(green)) / 2, abs=0.05)


# --- upload and copies -----------------------------------------------------------------------


def test_a_12_megapixel_upload_is_kept_whole_without_exif_or_gps() -> None:
    upload = jpeg_with_gps(4000, 3000, orientation=1)

    data, width, height = IMAGING.reencode(upload)

    assert (width, height) == (4000, 3000)
    assert max(width, height) <= CLINICAL_MAX_EDGE_PX
    assert exif_of(data) == {}


def test_an_upload_is_turned_upright_from_its_exif_orientation() -> None:
    _, width, height = IMAGING.reencode(jpeg_with_gps(640, 320, orientation=6))

    assert (width, height) == (320, 640)


def test_an_upload_with_too_many_pixels_is_refused_before_it_is_decoded() -> None:
    bomb = io.BytesIO()
    Image.new("1", (8000, 6000)).save(bomb, format="PNG")

    with pytest.raises(PhotoTooManyPixelsError):
        IMAGING.reencode(bomb.getvalue())


def test_the_display_copy_and_the_thumbnail_have_their_long_side() -> None:
    data, _, _ = IMAGING.reencode(jpeg(face(4000, 3000)))

    display = Image.open(io.BytesIO(IMAGING.rendition(data, DISPLAY_EDGE_PX)))
    thumbnail = Image.open(io.BytesIO(IMAGING.rendition(data, THUMBNAIL_EDGE_PX)))

    assert (display.format, display.size) == ("JPEG", (1600, 1200))
    assert (thumbnail.format, thumbnail.size) == ("JPEG", (320, 240))
