"""Clinical photos: standard views, landmarks, drawn regions, and the integrity of stored bytes.

A clinical photo is taken by the clinic's staff, in a standard view (front, left and right
oblique, the two profiles, or a close-up of one zone), on a day (``taken_on``), perhaps at a
session (clinical.md §1.5 item 11: "photographs taken with standard lighting and views";
§4.1: "standardized photos in all trials", at consultation and at follow-ups). It is stored
re-encoded (upright, no metadata) with the SHA-256 of the stored bytes. Reading the photo (or
making a copy of it) hashes the bytes again, and a photo whose bytes no longer match is refused
(``PhotoIntegrityError``), never shown; a copy made from it (``Derivative``) is checked
against its own hash each time it is served (ADR 0028).

Two photos of the same view, both with their landmarks (``photo_geometry``), can be compared:
the later is aligned onto the earlier. The **redness index** of a region drawn on a photo is the
mean CIELAB a* of the pixels inside it.

The image maths (decoding, warping, colour) happens in an adapter behind the service layer's
``ClinicalImaging`` port; this module holds the values and the rules only.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Final
from uuid import UUID

from needlepoint.domain.errors import (
    ConflictError,
    InputCode,
    InvalidInputError,
    NotFoundError,
)
from needlepoint.domain.photo_geometry import Landmarks, Region, Similarity
from needlepoint.domain.records import PatientRecord
from needlepoint.domain.treatment import TreatmentSession
from needlepoint.domain.vocabulary import Zone

DISPLAY_EDGE_PX: Final = 1600
"""The long side of the copy shown on a page (and of the aligned image)."""

THUMBNAIL_EDGE_PX: Final = 320
"""The long side of a thumbnail."""

DERIVATIVES_VERSION: Final = "1"
"""Part of every derivative's key: bump it when the way derivatives are made changes."""

PHOTO_TYPE: Final = "image/jpeg"


class PhotoView(StrEnum):
    """How a clinical photo is framed. A close-up names its zone."""

    FRONT = "front"
    LEFT_OBLIQUE = "left_oblique"
    RIGHT_OBLIQUE = "right_oblique"
    LEFT_PROFILE = "left_profile"
    RIGHT_PROFILE = "right_profile"
    CLOSE_UP = "close_up"


STANDARD_VIEWS: Final = (PhotoView.FRONT, PhotoView.LEFT_OBLIQUE, PhotoView.RIGHT_OBLIQUE)
"""The views taken at every session; the others where a zone needs them."""


class Rendition(StrEnum):
    """Which copy of a photo is asked for: the stored photo, or a smaller copy made from it."""

    ORIGINAL = "original"
    DISPLAY = "display"
    THUMBNAIL = "thumbnail"

    @property
    def max_edge_px(self) -> int | None:
        """The long side of this copy; None for the stored photo itself."""
        return {Rendition.DISPLAY: DISPLAY_EDGE_PX, Rendition.THUMBNAIL: THUMBNAIL_EDGE_PX}.get(
            self
        )


@dataclass(frozen=True, slots=True)
class ClinicalPhoto:
    """A clinical photo as kept (its bytes are stored beside it, see ``StoredPhoto``)."""

    id: UUID
    clinic_id: UUID
    patient_id: UUID
    session_id: UUID | None
    view: PhotoView
    zone: Zone | None
    taken_on: date
    width_px: int
    height_px: int
    size_bytes: int
    sha256: str
    created_at: datetime
    created_by: UUID
    landmarks: Landmarks | None = None
    content_type: str = PHOTO_TYPE

    @property
    def order_key(self) -> tuple[date, datetime, str]:
        """Oldest first: by the day taken, then by when it was stored."""
        return (self.taken_on, self.created_at, str(self.id))


@dataclass(frozen=True, slots=True)
class StoredPhoto:
    """A photo with the bytes read back from storage (not yet checked against its hash)."""

    photo: ClinicalPhoto
    data: bytes


@dataclass(frozen=True, slots=True)
class Derivative:
    """A copy made from one or two photos (a smaller copy, an aligned image), kept to reuse."""

    key: str
    data: bytes
    sha256: str


@dataclass(frozen=True, slots=True)
class RednessReading:
    """The redness index (mean CIELAB a*) of a region drawn on a photo."""

    id: UUID
    clinic_id: UUID
    patient_id: UUID
    photo_id: UUID
    session_id: UUID | None
    taken_on: date
    view: PhotoView
    zone: Zone | None
    region: Region
    a_star: Decimal
    recorded_at: datetime
    recorded_by: UUID


@dataclass(frozen=True, slots=True)
class PatientPhotos:
    """A patient's clinical photos and the redness readings made on them, oldest first.

    ``sessions`` are the patient's started sessions, which a new photo may be taken for.
    """

    patient: PatientRecord
    photos: tuple[ClinicalPhoto, ...]
    readings: tuple[RednessReading, ...]
    sessions: tuple[TreatmentSession, ...] = ()


@dataclass(frozen=True, slots=True)
class PhotoDetails:
    """One photo, its patient, the readings made on it, and other photos of its view.

    ``same_view`` are the patient's other photos of the same view: what it can be compared with.
    """

    patient: PatientRecord
    photo: ClinicalPhoto
    readings: tuple[RednessReading, ...]
    same_view: tuple[ClinicalPhoto, ...] = ()


@dataclass(frozen=True, slots=True)
class Comparison:
    """Two photos of the same view, oldest first, and how the later is aligned onto the earlier.

    ``similarity`` maps the later photo's pixels onto the earlier's; None until both photos
    have their landmarks.
    """

    patient: PatientRecord
    earlier: ClinicalPhoto
    later: ClinicalPhoto
    similarity: Similarity | None = None

    @property
    def alignable(self) -> bool:
        """Whether both photos have their landmarks."""
        return self.earlier.landmarks is not None and self.later.landmarks is not None


class PhotoNotFoundError(NotFoundError):
    """No such clinical photo in this clinic (another clinic's photo reads the same)."""

    code = "photo-not-found"


class PhotoIntegrityError(ConflictError):
    """The stored bytes of a photo no longer match the SHA-256 recorded when it was stored."""

    code = "photo-integrity"

    def __init__(self, photo_id: UUID) -> None:
        super().__init__(
            f"the stored photo {photo_id} no longer matches the SHA-256 fingerprint recorded "
            "when it was stored: it was changed or damaged, so it is not shown. Restore the "
            "database from a backup, or take and upload the photo again."
        )
        self.photo_id = photo_id


class PhotosNotComparableError(ConflictError):
    """Two photos that cannot be compared: one photo twice, two patients or two views."""

    code = "photos-not-comparable"


class LandmarksMissingError(ConflictError):
    """A photo of a comparison has no landmarks yet, so it cannot be aligned."""

    code = "landmarks-missing"

    def __init__(self, photo_id: UUID) -> None:
        super().__init__(
            f"photo {photo_id} has no landmarks yet: mark the same two points on both photos "
            "before aligning them."
        )
        self.photo_id = photo_id


def fingerprint(data: bytes) -> str:
    """The SHA-256 of stored bytes, as lower-case hex."""
    return hashlib.sha256(data).hexdigest()


def verified(stored: StoredPhoto) -> bytes:
    """The photo's bytes, once their SHA-256 matches the one recorded when it was stored.

    Raises:
        PhotoIntegrityError: The bytes changed since (a flipped bit is enough).
    """
    if fingerprint(stored.data) != stored.photo.sha256:
        raise PhotoIntegrityError(stored.photo.id)
    return stored.data


def is_intact(derivative: Derivative) -> bool:
    """Whether a kept derivative still matches its SHA-256 (if not, it is made again)."""
    return fingerprint(derivative.data) == derivative.sha256


def check_view(view: PhotoView, zone: Zone | None) -> None:
    """A close-up names its zone; the whole-face views name none.

    Raises:
        InvalidInputError: On the ``zone`` field.
    """
    if view is PhotoView.CLOSE_UP and zone is None:
        raise InvalidInputError.single(
            "zone",
            "is missing for a close-up.",
            "choose the zone the close-up shows.",
            InputCode.REQUIRED,
        )
    if view is not PhotoView.CLOSE_UP and zone is not None:
        raise InvalidInputError.single(
            "zone",
            f"is only for close-ups, not for the {view.value.replace('_', ' ')} view.",
            "leave the zone empty, or choose the close-up view.",
        )


def check_taken_on(taken_on: date, *, born_on: date, today: date) -> None:
    """A photo is taken between the patient's birth and today (in the clinic's calendar).

    Raises:
        InvalidInputError: On the ``taken_on`` field.
    """
    if taken_on > today:
        raise InvalidInputError.single(
            "taken_on",
            f"{taken_on.isoformat()} is in the future.",
            f"give the day the photo was taken, {today.isoformat()} or earlier.",
            InputCode.IN_THE_FUTURE,
        )
    if taken_on < born_on:
        raise InvalidInputError.single(
            "taken_on",
            f"{taken_on.isoformat()} is before the patient was born.",
            "give the day the photo was taken.",
            InputCode.TOO_EARLY,
        )


def in_order(one: ClinicalPhoto, other: ClinicalPhoto) -> tuple[ClinicalPhoto, ClinicalPhoto]:
    """The two photos of a comparison, earlier first.

    Raises:
        PhotosNotComparableError: The same photo twice, two patients, or two views.
    """
    if one.id == other.id:
        raise PhotosNotComparableError("choose two different photos to compare.")
    if one.patient_id != other.patient_id:
        raise PhotosNotComparableError("the two photos are of different patients.")
    if (one.view, one.zone) != (other.view, other.zone):
        raise PhotosNotComparableError(
            "the two photos show different views: compare photos of the same view (and zone)."
        )
    return (one, other) if one.order_key <= other.order_key else (other, one)


def rendition_key(photo: ClinicalPhoto, rendition: Rendition) -> str:
    """The key a smaller copy of a photo is kept under: its photo, its bytes and its size."""
    return _key("rendition", str(photo.id), photo.sha256, str(rendition.max_edge_px))


def aligned_key(earlier: ClinicalPhoto, later: ClinicalPhoto) -> str:
    """The key an aligned image is kept under: both photos, their bytes and their landmarks."""
    marks = [_marks_text(earlier.landmarks), _marks_text(later.landmarks)]
    return _key(
        "aligned",
        str(earlier.id),
        earlier.sha256,
        str(later.id),
        later.sha256,
        *marks,
        str(DISPLAY_EDGE_PX),
    )


def _marks_text(landmarks: Landmarks | None) -> str:
    if landmarks is None:
        return "-"
    first, second = landmarks.first, landmarks.second
    return f"{first.x_px!r},{first.y_px!r};{second.x_px!r},{second.y_px!r}"


def _key(*parts: str) -> str:
    return fingerprint("|".join((DERIVATIVES_VERSION, *parts)).encode("utf-8"))
