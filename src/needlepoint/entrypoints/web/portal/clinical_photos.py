"""The patient's own clinical photos in the portal: a gallery by view, and each photo (read-only).

The clinic's staff take and upload clinical photos (ADR 0028); the portal only shows a patient
the photos of themselves, each checked against its SHA-256 before it is sent.
"""

from __future__ import annotations

from starlette.responses import Response

from needlepoint.domain.photos import PHOTO_TYPE, Rendition
from needlepoint.entrypoints.web.headers import PHOTO_HEADERS
from needlepoint.entrypoints.web.portal.pages import record_id
from needlepoint.entrypoints.web.portal.visits import PatientVisit, render
from needlepoint.services.portal.sign_in import PortalRecordNotFoundError


def gallery(visit: PatientVisit) -> Response:
    """The patient's clinical photos, oldest first, grouped by view."""
    found = visit.portal.clinical_photos(visit.context)
    views = sorted({(p.view, p.zone) for p in found}, key=lambda v: (v[0].value, str(v[1])))
    by_view = [(v, z, [p for p in found if (p.view, p.zone) == (v, z)]) for v, z in views]
    return render(visit, "portal/clinical_photos.html", {"by_view": by_view})


def image(visit: PatientVisit) -> Response:
    """One of the patient's own clinical photos: a thumbnail, the display copy, or as stored."""
    try:
        rendition = Rendition(visit.path_param("rendition"))
    except ValueError:
        raise PortalRecordNotFoundError("no such copy of a photo") from None
    photo_id = record_id(visit, "photo_id")
    data = visit.portal.clinical_photo_image(photo_id, rendition, visit.context)
    return Response(data, media_type=PHOTO_TYPE, headers=PHOTO_HEADERS)
