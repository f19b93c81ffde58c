"""The clinic's side of check-ins: one check-in with its photo, and "mark reviewed".

These are staff pages (``routes.PAGES``, open to clinical roles) answered by the staff web
app's own ``visits.answer``; the list "Check-ins that need attention" is on the dashboard
(``templates/_checkins_attention.html``).
"""

from __future__ import annotations

from starlette.responses import RedirectResponse, Response

from needlepoint.entrypoints.web import templates
from needlepoint.entrypoints.web.portal.words import HELPERS
from needlepoint.entrypoints.web.visits import StaffVisit
from needlepoint.services.portal.check_ins import CheckInNotFoundError

PHOTO_TYPE = "image/jpeg"


def show(visit: StaffVisit) -> Response:
    """A check-in's answers, triage with its reasons and sources, photo, and review state."""
    found = visit.services.portal.clinic_check_in(
        visit.path_id("check_in_id", CheckInNotFoundError), context=visit.context
    )
    values = {"found": found, "current": "dashboard", **HELPERS}
    return templates.render(visit, "portal/clinic_check_in.html", values)


def photo(visit: StaffVisit) -> Response:
    """The photo of a check-in, as the server re-encoded it."""
    kept = visit.services.portal.clinic_photo(
        visit.path_id("check_in_id", CheckInNotFoundError), context=visit.context
    )
    return Response(kept.data, media_type=PHOTO_TYPE, headers={"Content-Disposition": "inline"})


def mark_reviewed(visit: StaffVisit) -> Response:
    """Record that the signed-in clinician has reviewed a check-in; back to the dashboard."""
    visit.services.portal.review(
        visit.path_id("check_in_id", CheckInNotFoundError), context=visit.context
    )
    return RedirectResponse("/#attention-title", status_code=303)
