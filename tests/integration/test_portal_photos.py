"""Check-in photos are re-encoded with Pillow: GPS and every other metadata gone, upright
(scenario IV-2), and anything but a JPEG or PNG of sane size refused before decoding.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image

from needlepoint.adapters import photos
from needlepoint.domain.checkins import (
    MAX_PHOTO_BYTES,
    PhotoTooLargeError,
    PhotoTooManyPixelsError,
    PhotoTypeError,
    PhotoUnreadableError,
)
from photo_samples import GPS, exif_of, gif, jpeg_with_gps, png


def test_the_sample_does_carry_a_gps_position() -> None:
    exif = exif_of(jpeg_with_gps())

    assert exif[1] == GPS[1] and exif[2] == GPS[2]


def test_re_encoding_drops_gps_and_every_other_exif_tag_and_the_comment() -> None:
    upload = jpeg_with_gps()

    data, _, _ = photos.reencode(upload)

    assert exif_of(data) == {}
    assert b"Exif" not in data and b"PhoneMaker" not in data and b"taken at home" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG" and "comment" not in image.info


def test_re_encoding_applies_the_orientation() -> None:
    upload = jpeg_with_gps(width=64, height=32, orientation=6)  # "rotate 90° clockwise to view"

    data, width, height = photos.reencode(upload)

    with Image.open(io.BytesIO(data)) as image:
        assert (width, height) == image.size == (32, 64)
        top_left = image.convert("RGB").getpixel((2, 2))
    assert isinstance(top_left, tuple) and top_left[2] > 150  # the blue band is now on top


def test_a_transparent_png_becomes_a_jpeg_on_white() -> None:
    data, width, height = photos.reencode(png(40, 30))

    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG" and image.mode == "RGB" and (width, height) == (40, 30)
        assert image.getpixel((5, 5)) == pytest.approx((255, 255, 255), abs=3)


def test_a_large_photo_is_shrunk_to_the_stored_size() -> None:
    big = io.BytesIO()
    Image.new("RGB", (4000, 3000), "gray").save(big, format="JPEG")

    _, width, height = photos.reencode(big.getvalue())

    assert (width, height) == (photos.MAX_EDGE_PX, photos.MAX_EDGE_PX * 3 // 4)


@pytest.mark.parametrize("upload", [gif(), b"%PDF-1.7 not an image", b"GIF89a" + b"\0" * 20])
def test_anything_but_jpeg_or_png_is_refused_by_its_first_bytes(upload: bytes) -> None:
    with pytest.raises(PhotoTypeError):
        photos.reencode(upload)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read() -> None:
    with pytest.raises(PhotoTooLargeError):
        photos.reencode(b"\xff\xd8\xff" + b"\0" * MAX_PHOTO_BYTES)


def test_an_image_with_too_many_pixels_is_refused_before_it_is_decoded() -> None:
    bomb = png(7000, 6000, mode="1")  # 42 megapixels in a few kilobytes

    with pytest.raises(PhotoTooManyPixelsError):
        photos.reencode(bomb)


def test_an_image_past_pillows_own_bomb_limit_is_refused_the_same_way() -> None:
    bomb = png(12000, 12000, mode="1")  # 144 megapixels: Pillow itself warns

    with pytest.raises(PhotoTooManyPixelsError):
        photos.reencode(bomb)


def test_a_truncated_jpeg_is_refused_as_unreadable() -> None:
    upload = jpeg_with_gps()

    with pytest.raises(PhotoUnreadableError):
        photos.reencode(upload[: len(upload) // 2])
