"""Clinical photos: upload, read (verified against their SHA-256), landmarks, redness, pairs.

An upload is the image itself as the request body (JPEG or PNG, judged by its content, at most
20 MB and 40 megapixels), with what it is in the query (``PhotoIn``). The server re-encodes it
(upright, no EXIF or GPS) before keeping it. Every read of the pixels checks the stored bytes
against their SHA-256: a damaged photo is 409 ``photo-integrity``, never the damaged bytes.
"""

from __future__ import annotations

from typing import Annotated, Any, Final
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from needlepoint.domain.checkins import MAX_PHOTO_BYTES
from needlepoint.domain.photos import PHOTO_TYPE, Rendition
from needlepoint.entrypoints.api.permissions import API, Context
from needlepoint.entrypoints.api.schemas.photos import (
    ComparisonOut,
    LandmarksIn,
    PatientPhotosOut,
    PhotoDetailsOut,
    PhotoIn,
    PhotoOut,
    RednessOut,
    RegionIn,
)
from needlepoint.entrypoints.api.security import ServicesDep, json_response

_PRIVATE: Final = {"Cache-Control": "private, no-store"}
"""A photo of a patient (PB-2): for this user only, never stored; as web/headers.py says."""

router = APIRouter(tags=["photos"])

UPLOAD_PATH: Final = f"{API}/patients/{{patient_id}}/photos"
UPLOAD_PATTERN: Final = rf"{API}/patients/[^/]+/photos"
"""The API's upload path as a pattern, for the body size limit (``app.UPLOADS``)."""

_IMAGE_BODY: Final[dict[str, Any]] = {
    "requestBody": {
        "required": True,
        "description": f"The image: JPEG or PNG, at most {MAX_PHOTO_BYTES} bytes.",
        "content": {
            kind: {"schema": {"type": "string", "format": "binary"}}
            for kind in ("image/jpeg", "image/png")
        },
    }
}
_IMAGE_ANSWER: Final[dict[int | str, dict[str, Any]]] = {
    200: {"content": {PHOTO_TYPE: {"schema": {"type": "string", "format": "binary"}}}}
}


@router.post(UPLOAD_PATH, status_code=201, openapi_extra=_IMAGE_BODY, response_model=PhotoOut)
async def upload_photo(
    patient_id: UUID,
    query: Annotated[PhotoIn, Query()],
    request: Request,
    context: Context,
    services: ServicesDep,
) -> Response:
    """Store a clinical photo of a patient (re-encoded: upright, no EXIF or GPS)."""
    data = await request.body()
    photo = await run_in_threadpool(
        services.treatment.upload_photo, query.to_domain(patient_id, data), context=context
    )
    return json_response(PhotoOut.from_domain(photo), status_code=201)


@router.get(f"{API}/patients/{{patient_id}}/photos")
def list_photos(patient_id: UUID, context: Context, services: ServicesDep) -> PatientPhotosOut:
    """A patient's clinical photos and redness readings, oldest first."""
    found = services.treatment.patient_photos(patient_id, context=context)
    return PatientPhotosOut(
        photos=[PhotoOut.from_domain(p) for p in found.photos],
        readings=[RednessOut.from_domain(r) for r in found.readings],
    )


@router.get(f"{API}/photos/{{photo_id}}")
def read_photo(photo_id: UUID, context: Context, services: ServicesDep) -> PhotoDetailsOut:
    """One clinical photo (what it is, not its pixels) and the readings made on it."""
    found = services.treatment.photo_details(photo_id, context=context)
    return PhotoDetailsOut(
        photo=PhotoOut.from_domain(found.photo),
        readings=[RednessOut.from_domain(r) for r in found.readings],
    )


@router.get(f"{API}/photos/{{photo_id}}/image", responses=_IMAGE_ANSWER)
def photo_image(
    photo_id: UUID,
    context: Context,
    services: ServicesDep,
    rendition: Rendition = Rendition.ORIGINAL,
) -> Response:
    """The photo's pixels (JPEG): as stored, or a display copy or thumbnail made from them."""
    data = services.treatment.photo_image(photo_id, rendition, context=context)
    return Response(data, media_type=PHOTO_TYPE, headers=_PRIVATE)


@router.put(f"{API}/photos/{{photo_id}}/landmarks")
def mark_landmarks(
    photo_id: UUID, body: LandmarksIn, context: Context, services: ServicesDep
) -> PhotoOut:
    """Mark the two landmarks of a photo (the same two points on every photo to compare)."""
    marked = services.treatment.mark_landmarks(photo_id, body.to_domain(), context=context)
    return PhotoOut.from_domain(marked)


@router.post(f"{API}/photos/{{photo_id}}/redness", status_code=201)
def record_redness(
    photo_id: UUID, body: RegionIn, context: Context, services: ServicesDep
) -> RednessOut:
    """Measure and record the redness index (mean CIELAB a*) inside a region of a photo."""
    reading = services.treatment.record_redness(photo_id, body.to_domain(), context=context)
    return RednessOut.from_domain(reading)


@router.get(f"{API}/photos/{{photo_id}}/compare/{{other_id}}")
def compare_photos(
    photo_id: UUID, other_id: UUID, context: Context, services: ServicesDep
) -> ComparisonOut:
    """Two photos of the same view, earlier first, and the transform aligning the later."""
    comparison = services.treatment.compare_photos((photo_id, other_id), context=context)
    return ComparisonOut.from_domain(comparison)


@router.get(f"{API}/photos/{{photo_id}}/aligned/{{other_id}}", responses=_IMAGE_ANSWER)
def aligned_image(
    photo_id: UUID, other_id: UUID, context: Context, services: ServicesDep
) -> Response:
    """The later of two photos aligned onto the earlier (JPEG, the earlier's display size)."""
    data = services.treatment.aligned_image((photo_id, other_id), context=context)
    return Response(data, media_type=PHOTO_TYPE, headers=_PRIVATE)
