"""Every page of the patient portal and who may see it: the portal's one page table.

Deny by default: a path not listed does not exist, and every page is for a signed-in
``PATIENT`` except the sign-in pages, which are ``PUBLIC``. The clinic's side of check-ins
is listed in the staff table (``web.routes.PAGES``) instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Route

from needlepoint.bootstrap import Services
from needlepoint.entrypoints.web.headers import SecurityHeaders
from needlepoint.entrypoints.web.portal import check_ins, pages, sign_in
from needlepoint.entrypoints.web.portal.visits import PATIENT, PUBLIC, PortalPage, answer

PORTAL_PAGES: Final = (
    PortalPage("GET", "/portal/sign-in", sign_in.show_form, PUBLIC),
    PortalPage("POST", "/portal/sign-in", sign_in.send_link, PUBLIC),
    PortalPage("GET", "/portal/sign-in/{token}", sign_in.show_link, PUBLIC),
    PortalPage("POST", "/portal/sign-in/{token}", sign_in.use_link, PUBLIC),
    PortalPage("POST", "/portal/sign-out", sign_in.sign_out, PATIENT),
    PortalPage("GET", "/portal", pages.home, PATIENT),
    PortalPage("GET", "/portal/series/{series_id}", pages.series, PATIENT),
    PortalPage("GET", "/portal/appointments/{appointment_id}", pages.appointment, PATIENT),
    PortalPage("GET", "/portal/progress", pages.progress, PATIENT),
    PortalPage("POST", "/portal/care/{item_id}/read", pages.acknowledge, PATIENT),
    PortalPage("GET", "/portal/treatments/{treatment_id}/check-in", check_ins.form, PATIENT),
    PortalPage("POST", "/portal/treatments/{treatment_id}/check-in", check_ins.submit, PATIENT),
    PortalPage("GET", "/portal/check-ins/{check_in_id}", check_ins.show, PATIENT),
    PortalPage("GET", "/portal/photos/{photo_id}", check_ins.photo, PATIENT),
)


def portal_routes(services: Services, secret: Callable[[], bytes]) -> list[BaseRoute]:
    """The portal's pages, each answered with the web app's security headers."""
    headers = [Middleware(SecurityHeaders)]
    return [
        Route(page.path, answer(page, services, secret), methods=[page.method], middleware=headers)
        for page in PORTAL_PAGES
    ]
