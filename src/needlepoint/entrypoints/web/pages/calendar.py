"""A patient's calendar feed: the public feed itself, and staff issuing or revoking its link.

``GET /calendar/{token}.ics`` is public: the secret link is the only key (ADR 0018). It answers
``text/calendar`` with ``Cache-Control: no-store``; an unknown and a revoked link both get the
web's one "no such record" page (404), word for word. The access log names the route's
template, never the token.

The staff pages show whether a patient has a live link, issue a new one (shown once: only its
hash is kept, so it cannot be shown again) and revoke it. The link starts with the public URL
(``NEEDLEPOINT_PUBLIC_URL``), never with the request's Host header.
"""

from __future__ import annotations

from typing import Final

from starlette.responses import RedirectResponse, Response

from needlepoint.entrypoints.web import templates
from needlepoint.entrypoints.web.visits import StaffVisit
from needlepoint.services.access import PatientNotFoundError

FEED_MEDIA_TYPE: Final = "text/calendar; charset=utf-8"
FEED_HEADERS: Final = {
    "Cache-Control": "no-store",
    "Content-Disposition": 'inline; filename="appointments.ics"',
}


def feed(visit: StaffVisit) -> Response:
    """The iCalendar feed a secret link opens."""
    token = visit.request.path_params["token"]
    request_id = str(getattr(visit.request.state, "request_id", "") or "-")
    body = visit.services.scheduling.calendar_feed(token, request_id=request_id)
    return Response(body, media_type=FEED_MEDIA_TYPE, headers=FEED_HEADERS)


def show(visit: StaffVisit) -> Response:
    """Whether the patient has a live link, with the buttons to issue or revoke one."""
    status = visit.services.scheduling.calendar_feed_status(
        visit.path_id("patient_id", PatientNotFoundError), context=visit.context
    )
    page = {"patient": status.patient, "feed": status.feed, "url": None, "current": "patients"}
    return templates.render(visit, "calendar/show.html", page)


def issue(visit: StaffVisit) -> Response:
    """Issue a new link (the old one stops working) and show it, this once."""
    issued = visit.services.scheduling.issue_calendar_feed(
        visit.path_id("patient_id", PatientNotFoundError), context=visit.context
    )
    url = f"{visit.services.settings.public_url}/calendar/{issued.token}.ics"
    page = {"patient": issued.patient, "feed": issued.feed, "url": url, "current": "patients"}
    return templates.render(visit, "calendar/show.html", page)


def revoke(visit: StaffVisit) -> Response:
    """Stop the patient's link working, then back to the calendar page."""
    patient_id = visit.path_id("patient_id", PatientNotFoundError)
    visit.services.scheduling.revoke_calendar_feed(patient_id, context=visit.context)
    return RedirectResponse(f"/patients/{patient_id}/calendar", status_code=303)
