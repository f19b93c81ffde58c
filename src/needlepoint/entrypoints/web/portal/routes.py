"""Every page of the patient portal and who may see it: the portal's one page table.

Deny by default: a path not listed does not exist, and every page is for a signed-in
``PATIENT`` except the sign-in pages, which are ``PUBLIC``. The clinic's side of check-ins
is listed in the staff table (``web.routes.PAGES``) instead.
"""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter

from needlepoint.entrypoints.api.permissions import PATIENT, PUBLIC
from needlepoint.entrypoints.web.portal import check_ins, clinical_photos, pages, sign_in
from needlepoint.entrypoints.web.portal.consent import CONSENT_PORTAL_PAGES
from needlepoint.entrypoints.web.portal.visits import PORTAL
from needlepoint.entrypoints.web.routing import Page, router_of

PORTAL_PAGES: Final = (
    Page("GET", "/portal/sign-in", sign_in.show_form, PUBLIC),
    Page("POST", "/portal/sign-in", sign_in.send_link, PUBLIC),
    Page("GET", "/portal/sign-in/{token}", sign_in.show_link, PUBLIC),
    Page("POST", "/portal/sign-in/{token}", sign_in.use_link, PUBLIC),
    Page("POST", "/portal/sign-out", sign_in.sign_out, PATIENT),
    Page("GET", "/portal", pages.home, PATIENT),
    Page("GET", "/portal/series/{series_id}", pages.series, PATIENT),
    Page("GET", "/portal/appointments/{appointment_id}", pages.appointment, PATIENT),
    Page(
        "GET",
        "/portal/appointments/{appointment_id}/handout.pdf",
        pages.appointment_handout_pdf,
        PATIENT,
    ),
    Page("GET", "/portal/progress", pages.progress, PATIENT),
    Page("GET", "/portal/progress/report.pdf", pages.outcome_report_pdf, PATIENT),
    Page("POST", "/portal/care/{item_id}/read", pages.acknowledge, PATIENT),
    Page("GET", "/portal/treatments/{treatment_id}/check-in", check_ins.form, PATIENT),
    Page("POST", "/portal/treatments/{treatment_id}/check-in", check_ins.submit, PATIENT),
    Page("GET", "/portal/check-ins/{check_in_id}", check_ins.show, PATIENT),
    Page("GET", "/portal/photos/{photo_id}", check_ins.photo, PATIENT),
    Page("GET", "/portal/clinical-photos", clinical_photos.gallery, PATIENT),
    Page("GET", "/portal/clinical-photos/{photo_id}/{rendition}", clinical_photos.image, PATIENT),
    *CONSENT_PORTAL_PAGES,
)


def portal_router() -> APIRouter:
    """The portal's pages as FastAPI routes, answered as portal pages."""
    return router_of(PORTAL, PORTAL_PAGES)
