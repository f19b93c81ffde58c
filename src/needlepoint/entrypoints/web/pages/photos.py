"""Clinical photos: a patient's photos and redness chart, one photo with its marks, and pairs.

The upload form is ``multipart/form-data`` (``capture="environment"`` opens a tablet's camera);
its fields are read by the API's ``PhotoIn``, the marks by ``LandmarksIn`` and ``RegionIn``,
so the page and the API refuse the same input with the same field and code. Points are typed
in the photo's own pixels; the page's script (``static/photos.js``) fills them from clicks on
the photo, and draws what they say. The before/after page shows the later photo aligned onto
the earlier by the server, with a slider and a toggle (``photos.js`` again); without script
the two are side by side.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final
from uuid import UUID

from starlette.responses import RedirectResponse, Response

from needlepoint.domain.errors import FieldProblem, InputCode, InvalidInputError
from needlepoint.domain.photos import (
    DISPLAY_EDGE_PX,
    PHOTO_TYPE,
    STANDARD_VIEWS,
    PhotoDetails,
    PhotoNotFoundError,
    PhotoView,
    RednessReading,
    Rendition,
)
from needlepoint.domain.vocabulary import Zone
from needlepoint.entrypoints.api.schemas.photos import LandmarksIn, PhotoIn, RegionIn
from needlepoint.entrypoints.statuses import status_of
from needlepoint.entrypoints.web import forms, templates
from needlepoint.entrypoints.web.headers import PHOTO_HEADERS
from needlepoint.entrypoints.web.pages.photo_charts import redness_plot
from needlepoint.entrypoints.web.visits import StaffVisit, Visit
from needlepoint.services.access import PatientNotFoundError

UPLOAD_PATH: Final = re.compile(r"/patients/[^/]+/photos")
"""The page that takes a photo (the app lets its body be as large as a photo)."""

PHOTO_FIELDS: Final = ("view", "taken_on", "zone", "session_id")
MARK_FIELDS: Final = ("first.x_px", "first.y_px", "second.x_px", "second.y_px")
MAX_POINTS_CHARS: Final = 1000
"""The region's corners as typed: 50 corners of five-digit coordinates fit easily."""
_PAIR: Final = re.compile(r"^\s*(-?[0-9.]+)\s*,\s*(-?[0-9.]+)\s*$")


def show(visit: StaffVisit) -> Response:
    """A patient's photos by view, the upload form, the comparison form and redness chart."""
    patient_id = visit.path_id("patient_id", PatientNotFoundError)
    return _photos_page(visit, patient_id, values={}, problems={})


def upload(visit: StaffVisit) -> Response:
    """Store an uploaded photo, then open it to mark its landmarks; else the form again."""
    patient_id = visit.path_id("patient_id", PatientNotFoundError)
    files: dict[str, bytes] = getattr(visit.request.state, "form_files", None) or {}
    try:
        query = forms.parsed(PhotoIn, forms.body(visit.form, PHOTO_FIELDS))
        if not files.get("photo"):
            raise InvalidInputError.single(
                "photo", "is missing.", "choose a photo (JPEG or PNG).", InputCode.REQUIRED
            )
        new = query.to_domain(patient_id, files["photo"])
        photo = visit.services.treatment.upload_photo(new, context=visit.context)
    except InvalidInputError as error:  # a refused file keeps the API's status (413, 415)
        problems = forms.by_field(error.problems)
        status = status_of(error)
        return _photos_page(visit, patient_id, values=visit.form, problems=problems, status=status)
    return RedirectResponse(f"/photos/{photo.id}", status_code=303)


def detail(visit: StaffVisit) -> Response:
    """One photo with its landmarks and regions drawn, the forms to mark them, its readings."""
    return _detail_page(visit, _photo_id(visit), values={}, problems={})


def image(visit: StaffVisit) -> Response:
    """A photo's pixels: as stored, or its display copy or thumbnail (checked first)."""
    try:
        rendition = Rendition(visit.request.path_params["rendition"])
    except ValueError:
        raise PhotoNotFoundError("no such copy of a photo") from None
    data = visit.services.treatment.photo_image(_photo_id(visit), rendition, context=visit.context)
    return Response(data, media_type=PHOTO_TYPE, headers=PHOTO_HEADERS)


def mark(visit: StaffVisit) -> Response:
    """Save the two landmarks typed (or clicked) on a photo; else the photo page again."""
    photo_id = _photo_id(visit)
    try:
        given = forms.body(visit.form, MARK_FIELDS)
        landmarks = forms.parsed(LandmarksIn, _nested(given)).to_domain()
        visit.services.treatment.mark_landmarks(photo_id, landmarks, context=visit.context)
    except InvalidInputError as error:
        problems = forms.by_field(error.problems)
        return _detail_page(visit, photo_id, values=visit.form, problems=problems, status=422)
    return RedirectResponse(f"/photos/{photo_id}#landmarks-title", status_code=303)


def measure(visit: StaffVisit) -> Response:
    """Measure the redness of the region drawn (or typed); else the photo page again."""
    photo_id = _photo_id(visit)
    try:
        region = forms.parsed(RegionIn, {"points": _corners(visit.form.get("points", ""))})
        visit.services.treatment.record_redness(photo_id, region.to_domain(), context=visit.context)
    except InvalidInputError as error:
        problems = {"points": _first_of_points(error.problems)}
        return _detail_page(visit, photo_id, values=visit.form, problems=problems, status=422)
    return RedirectResponse(f"/photos/{photo_id}#readings-title", status_code=303)


def compare(visit: StaffVisit) -> Response:
    """Two photos of one view: the later aligned onto the earlier, a slider and a toggle."""
    ids = tuple(_query_id(visit, name) for name in ("first", "second"))
    comparison = visit.services.treatment.compare_photos((ids[0], ids[1]), context=visit.context)
    values = {"comparison": comparison, "patient": comparison.patient, "current": "patients"}
    return templates.render(visit, "photos/compare.html", values)


def aligned(visit: StaffVisit) -> Response:
    """The later of two photos aligned onto the earlier (JPEG)."""
    other = visit.path_id("other_id", PhotoNotFoundError)
    data = visit.services.treatment.aligned_image((_photo_id(visit), other), context=visit.context)
    return Response(data, media_type=PHOTO_TYPE, headers=PHOTO_HEADERS)


def _photos_page(
    visit: Visit,
    patient_id: UUID,
    *,
    values: object,
    problems: dict[str, FieldProblem],
    status: int = 200,
) -> Response:
    found = visit.services.treatment.patient_photos(patient_id, context=visit.context)
    views = sorted({(p.view, p.zone) for p in found.photos}, key=_view_order)
    page: dict[str, Any] = {
        "found": found,
        "patient": found.patient,
        "by_view": [
            (v, z, [p for p in found.photos if (p.view, p.zone) == (v, z)]) for v, z in views
        ],
        "plot": redness_plot(found.readings) if found.readings else None,
        "readings": _with_change(found.readings),
        "session_numbers": {session.id: session.number for session in found.sessions},
        "views": list(PhotoView),
        "standard_views": STANDARD_VIEWS,
        "zones": list(Zone),
        "values": values,
        "problems": problems,
        "today": visit.today().isoformat(),
        "current": "patients",
    }
    return templates.render(visit, "photos/list.html", page, status=status)


def _detail_page(
    visit: Visit,
    photo_id: UUID,
    *,
    values: object,
    problems: dict[str, FieldProblem],
    status: int = 200,
) -> Response:
    found = visit.services.treatment.photo_details(photo_id, context=visit.context)
    page: dict[str, Any] = {
        "found": found,
        "photo": found.photo,
        "patient": found.patient,
        "marks": _marks(found, values),
        "marker_px": max(found.photo.width_px, found.photo.height_px) / 100,
        "display_edge_px": DISPLAY_EDGE_PX,
        "values": values,
        "problems": problems,
        "current": "patients",
    }
    return templates.render(visit, "photos/show.html", page, status=status)


def _with_change(
    readings: tuple[RednessReading, ...],
) -> list[tuple[RednessReading, Decimal]]:
    """Each reading with its change from the first reading of the same view."""
    first: dict[tuple[PhotoView, Zone | None], Decimal] = {}
    return [(r, r.a_star - first.setdefault((r.view, r.zone), r.a_star)) for r in readings]


def _marks(found: PhotoDetails, values: object) -> dict[str, str]:
    """The landmark inputs: what was typed (after a refusal), else what is saved."""
    if isinstance(values, Mapping) and values:
        return {name: str(values.get(name, "")) for name in MARK_FIELDS}
    saved = found.photo.landmarks
    if saved is None:
        return dict.fromkeys(MARK_FIELDS, "")
    return {
        "first.x_px": f"{saved.first.x_px:g}",
        "first.y_px": f"{saved.first.y_px:g}",
        "second.x_px": f"{saved.second.x_px:g}",
        "second.y_px": f"{saved.second.y_px:g}",
    }


def _nested(given: dict[str, str]) -> dict[str, dict[str, str]]:
    """``first.x_px`` and its siblings laid out as the API's body (``{"first": {...}}``)."""
    body: dict[str, dict[str, str]] = {}
    for name, value in given.items():
        point, _, axis = name.partition(".")
        body.setdefault(point, {})[axis] = value
    return body


def _corners(text: str) -> list[dict[str, str]]:
    """``"10,20 30,40 …"`` as the API's list of points; anything else is refused by name."""
    pairs = [_PAIR.match(part) for part in text.split()]
    if len(text) > MAX_POINTS_CHARS or not all(pairs):
        raise InvalidInputError.single(
            "points",
            "is not a list of corners.",
            "give each corner as x,y in the photo's pixels, separated by spaces "
            "(e.g. 100,100 300,100 300,250 100,250), or draw the region on the photo.",
        )
    return [{"x_px": m.group(1), "y_px": m.group(2)} for m in pairs if m]


def _first_of_points(problems: tuple[FieldProblem, ...]) -> FieldProblem:
    """The region's problems are shown once, beside its one input (``points``)."""
    first = problems[0]
    where = "" if first.field == "points" else f"{first.field}: "
    return FieldProblem("points", f"{where}{first.problem}", first.fix, first.code)


def _photo_id(visit: Visit) -> UUID:
    return visit.path_id("photo_id", PhotoNotFoundError)


def _query_id(visit: Visit, name: str) -> UUID:
    try:
        return UUID(visit.query(name))
    except ValueError:
        raise InvalidInputError.single(
            name, "is not a photo.", "choose two photos of the same view to compare."
        ) from None


def _view_order(view: tuple[PhotoView, Zone | None]) -> tuple[int, str]:
    kind, zone = view
    return (list(PhotoView).index(kind), "" if zone is None else zone.value)
