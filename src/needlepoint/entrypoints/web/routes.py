"""Every page of the web app and who may see it: the web's one permission table.

``PAGES`` is to the web app what ``entrypoints/api/permissions.PERMISSIONS`` is to the API,
with the same role sets: a page not listed does not exist, and each lists the roles that may
see it. Pages that show both schedule and clinical content (the patient page, the dashboard)
show the clinical part to ``CLINICAL`` roles only, as the API's table does for its reads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from needlepoint.bootstrap import Services
from needlepoint.entrypoints.api.permissions import ADMIN_ONLY, ALL_STAFF, CLINICAL, PUBLIC
from needlepoint.entrypoints.web.headers import SecurityHeaders
from needlepoint.entrypoints.web.pages import (
    booking,
    calendar,
    dashboard,
    handouts,
    login,
    outcomes,
    patients,
    sessions,
    settings,
)
from needlepoint.entrypoints.web.pages.consultation_flow import CONSULTATION_PAGES
from needlepoint.entrypoints.web.portal import clinic_side
from needlepoint.entrypoints.web.portal.routes import portal_routes
from needlepoint.entrypoints.web.templates import STATIC_PATH
from needlepoint.entrypoints.web.visits import Page, ServerSecret, answer

STATIC_DIR: Final = Path(__file__).resolve().parent / "static"

PAGES: Final = (
    Page("GET", "/login", login.show_form, PUBLIC),
    Page("POST", "/login", login.sign_in, PUBLIC),
    Page("POST", "/logout", login.sign_out, ALL_STAFF),
    Page("GET", "/", dashboard.show, ALL_STAFF),
    Page("GET", "/patients", patients.search, ALL_STAFF),
    Page("POST", "/patients", patients.register, ALL_STAFF),
    Page("GET", "/patients/new", patients.new_form, ALL_STAFF),
    Page("GET", "/patients/{patient_id}", patients.show, ALL_STAFF),
    Page("GET", "/patients/{patient_id}/calendar", calendar.show, ALL_STAFF),
    Page("POST", "/patients/{patient_id}/calendar", calendar.issue, ALL_STAFF),
    Page("POST", "/patients/{patient_id}/calendar/revoke", calendar.revoke, ALL_STAFF),
    Page("GET", "/calendar/{token}.ics", calendar.feed, PUBLIC),
    Page("GET", "/patients/{patient_id}/outcomes", outcomes.show, CLINICAL),
    Page("POST", "/patients/{patient_id}/outcomes", outcomes.record, CLINICAL),
    Page("GET", "/series/{series_id}/sessions/new", sessions.start_form, CLINICAL),
    Page("POST", "/series/{series_id}/sessions/new", sessions.start, CLINICAL),
    Page("GET", "/series/{series_id}/handout", handouts.show, CLINICAL),
    Page("GET", "/settings/calendar", settings.show, ADMIN_ONLY),
    Page("POST", "/settings/calendar/rooms", settings.add_room, ADMIN_ONLY),
    Page("POST", "/settings/calendar/hours", settings.set_hours, ADMIN_ONLY),
    Page("GET", "/settings/messages", settings.messages, ADMIN_ONLY),
    Page("POST", "/settings/messages/{message_id}", settings.resolve_message, ADMIN_ONLY),
    Page("GET", "/series/{series_id}/book", booking.series_form, ALL_STAFF),
    Page("POST", "/series/{series_id}/book", booking.book, ALL_STAFF),
    Page("GET", "/appointments/{appointment_id}", booking.reschedule_form, ALL_STAFF),
    Page("POST", "/appointments/{appointment_id}/reschedule", booking.reschedule, ALL_STAFF),
    Page("POST", "/appointments/{appointment_id}/status", booking.change_status, ALL_STAFF),
    Page("GET", "/sessions/{session_id}/chart", sessions.chart_form, CLINICAL),
    Page("POST", "/sessions/{session_id}/chart", sessions.chart_save, CLINICAL),
    Page("POST", "/sessions/{session_id}/chart/sign", sessions.sign, CLINICAL),
    Page("GET", "/check-ins/{check_in_id}", clinic_side.show, CLINICAL),
    Page("GET", "/check-ins/{check_in_id}/photo", clinic_side.photo, CLINICAL),
    Page("POST", "/check-ins/{check_in_id}/reviewed", clinic_side.mark_reviewed, CLINICAL),
    *CONSULTATION_PAGES,
)


def web_routes(services: Services) -> list[BaseRoute]:
    """The pages and the static files, each answered with the security headers."""
    secret = ServerSecret(services)
    headers = [Middleware(SecurityHeaders)]
    routes: list[BaseRoute] = [
        Route(page.path, answer(page, services, secret), methods=[page.method], middleware=headers)
        for page in PAGES
    ]
    routes.extend(portal_routes(services, secret.value))  # the patient portal (ADR 0017)
    static = StaticFiles(directory=STATIC_DIR)
    routes.append(Mount(STATIC_PATH, app=static, name="static", middleware=headers))
    return routes
