"""Photos built in memory with Pillow for the portal's tests: a phone JPEG with GPS, and more."""

from __future__ import annotations

import io

from PIL import ExifTags, Image

GPS: dict[int, object] = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (51.0, 30.0, 26.5),
    ExifTags.GPS.GPSLongitudeRef: "W",
    ExifTags.GPS.GPSLongitude: (0.0, 7.0, 39.0),
}


def jpeg_with_gps(width: int = 64, height: int = 32, orientation: int = 6) -> bytes:
    """A JPEG as a phone writes it: EXIF with a GPS position, a camera make and an orientation."""
    image = Image.new("RGB", (width, height), (200, 120, 110))
    image.paste((20, 20, 200), (0, 0, width // 4, height))  # a blue band on the left
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Phone 12 serial 0042"
    exif[ExifTags.IFD.GPSInfo] = GPS
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"taken at home")
    return out.getvalue()


def png(width: int = 40, height: int = 30, mode: str = "RGBA") -> bytes:
    """A PNG, transparent by default."""
    out = io.BytesIO()
    Image.new(mode, (width, height), (0, 128, 0, 0) if mode == "RGBA" else 0).save(out, "PNG")
    return out.getvalue()


def gif() -> bytes:
    """A GIF: an image, but not one the portal accepts."""
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, format="GIF")
    return out.getvalue()


def exif_of(data: bytes) -> dict[int, object]:
    """Every EXIF tag of an image (GPS included), as Pillow reads them."""
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        return {**dict(exif), **dict(exif.get_ifd(ExifTags.IFD.GPSInfo))}
