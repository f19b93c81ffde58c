"""Clinical photos: what an upload names, landmarks, regions, and what comes back.

Points are in the photo's own pixels (``x_px`` rightwards, ``y_px`` downwards from the top-left
corner, as ``width_px`` × ``height_px`` says); the services check that they lie on the photo.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Final
from uuid import UUID

from pydantic import BaseModel, Field

from needlepoint.domain.photo_geometry import MAX_REGION_VERTICES, Landmarks, Point, Region
from needlepoint.domain.photos import ClinicalPhoto, Comparison, PhotoView, RednessReading
from needlepoint.domain.vocabulary import Zone
from needlepoint.entrypoints.api.schemas.common import FromRecord, IsoDate, RequestModel
from needlepoint.services.treatment import photos

MAX_COORDINATE_PX: Final = 100_000
"""No photo is this wide: a coordinate beyond it is refused before the photo is read."""

Coordinate = Annotated[float, Field(ge=0, le=MAX_COORDINATE_PX, allow_inf_nan=False)]


class PhotoIn(RequestModel):
    """What an uploaded photo is: its view (a close-up names its zone), its day, its session.

    Sent as the query of ``POST /patients/{patient_id}/photos``; the body is the image itself.
    """

    view: PhotoView
    taken_on: IsoDate
    zone: Zone | None = None
    session_id: UUID | None = None

    def to_domain(self, patient_id: UUID, data: bytes) -> photos.NewPhoto:
        """The photo to store for ``patient_id``."""
        return photos.NewPhoto(
            patient_id=patient_id,
            view=self.view,
            taken_on=self.taken_on,
            data=data,
            zone=self.zone,
            session_id=self.session_id,
        )


class PointIn(RequestModel):
    """A point on a photo, in its pixels."""

    x_px: Coordinate
    y_px: Coordinate

    def to_domain(self) -> Point:
        """The domain's point."""
        return Point(self.x_px, self.y_px)


class LandmarksIn(RequestModel):
    """Two landmarks, in the same order on every photo to be compared.

    For example the inner corner of the patient's right eye first, then of the left eye.
    """

    first: PointIn
    second: PointIn

    def to_domain(self) -> Landmarks:
        """The domain's landmarks."""
        return Landmarks(self.first.to_domain(), self.second.to_domain())


class RegionIn(RequestModel):
    """A region drawn on a photo: its corners in order (a rectangle is its four corners)."""

    points: list[PointIn] = Field(min_length=3, max_length=MAX_REGION_VERTICES)

    def to_domain(self) -> Region:
        """The domain's region."""
        return Region(tuple(point.to_domain() for point in self.points))


class PointOut(FromRecord[Point]):
    """A point on a photo, in its pixels."""

    x_px: float
    y_px: float


class LandmarksOut(FromRecord[Landmarks]):
    """The two landmarks of a photo."""

    first: PointOut
    second: PointOut


class PhotoOut(FromRecord[ClinicalPhoto]):
    """A clinical photo as stored (its pixels: ``GET /photos/{photo_id}/image``)."""

    id: UUID
    patient_id: UUID
    session_id: UUID | None
    view: PhotoView
    zone: Zone | None
    taken_on: date
    width_px: int
    height_px: int
    size_bytes: int
    content_type: str
    sha256: str
    landmarks: LandmarksOut | None
    created_at: datetime
    created_by: UUID


class RednessOut(BaseModel):
    """A redness reading: the mean CIELAB a* inside a region of a photo."""

    id: UUID
    photo_id: UUID
    session_id: UUID | None
    taken_on: date
    view: PhotoView
    zone: Zone | None
    points: list[PointOut]
    a_star: Decimal
    recorded_at: datetime
    recorded_by: UUID

    @classmethod
    def from_domain(cls, reading: RednessReading) -> RednessOut:
        """From the domain's reading."""
        return cls(
            id=reading.id,
            photo_id=reading.photo_id,
            session_id=reading.session_id,
            taken_on=reading.taken_on,
            view=reading.view,
            zone=reading.zone,
            points=[PointOut.from_domain(p) for p in reading.region.vertices],
            a_star=reading.a_star,
            recorded_at=reading.recorded_at,
            recorded_by=reading.recorded_by,
        )


class PatientPhotosOut(BaseModel):
    """A patient's clinical photos and redness readings, oldest first."""

    photos: list[PhotoOut]
    readings: list[RednessOut]


class PhotoDetailsOut(BaseModel):
    """One photo and the readings made on it."""

    photo: PhotoOut
    readings: list[RednessOut]


class SimilarityOut(BaseModel):
    """The transform that maps the later photo onto the earlier: scale, rotation, shift."""

    scale: float
    rotation_deg: float
    shift_x_px: float
    shift_y_px: float


class ComparisonOut(BaseModel):
    """Two photos of one view, earlier first; ``similarity`` null until both have landmarks."""

    earlier: PhotoOut
    later: PhotoOut
    similarity: SimilarityOut | None

    @classmethod
    def from_domain(cls, comparison: Comparison) -> ComparisonOut:
        """From the domain's comparison."""
        found = comparison.similarity
        return cls(
            earlier=PhotoOut.from_domain(comparison.earlier),
            later=PhotoOut.from_domain(comparison.later),
            similarity=None
            if found is None
            else SimilarityOut.model_validate(found, from_attributes=True),
        )
