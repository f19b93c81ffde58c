"""Every page of the web app and the action it takes: the web's one page table.

Each row becomes a FastAPI route (``routing.router_of``) and its rule joins the API's in the
app's one table, read by the one guard (``api.permissions.authorize``).

``PAGES`` is to the web app what ``entrypoints/api/permissions.PERMISSIONS`` is to the API: a
page not listed does not exist, and each names the action it takes from the services' one
action table (``services.permissions``), which decides the roles. Pages that show both schedule
and clinical content (the patient page, the dashboard) show the clinical part only to a role
that may read it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Final

from fastapi import APIRouter
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from needlepoint.entrypoints.api.permissions import PUBLIC, SIGNED_IN, Rule
from needlepoint.entrypoints.web.headers import SecurityHeaders
from needlepoint.entrypoints.web.pages import (
    agenda,
    api_docs,
    api_tokens,
    audit,
    booking,
    calendar,
    clinic_settings,
    dashboard,
    fhir_export,
    handouts,
    login,
    outcomes,
    own_password,
    password_reset,
    patient_edits,
    patients,
    photos,
    printouts,
    recalls,
    series,
    sessions,
    settings,
    staff,
    staff_invites,
    two_step,
)
from needlepoint.entrypoints.web.pages.consent_pages import CONSENT_PAGES
from needlepoint.entrypoints.web.pages.consultation_flow import CONSULTATION_PAGES
from needlepoint.entrypoints.web.portal import clinic_side
from needlepoint.entrypoints.web.portal.routes import PORTAL_PAGES, portal_router
from needlepoint.entrypoints.web.routing import Page, router_of, rules_of
from needlepoint.entrypoints.web.templates import STATIC_PATH
from needlepoint.entrypoints.web.visits import STAFF
from needlepoint.services.permissions import Action

STATIC_DIR: Final = Path(__file__).resolve().parent / "static"

PAGES: Final = (
    Page("GET", "/login", login.show_form, PUBLIC),
    Page("POST", "/login", login.sign_in, PUBLIC),
    Page("POST", "/logout", login.sign_out, SIGNED_IN),
    Page("POST", two_step.SECOND_STEP_PATH, two_step.answer, PUBLIC),
    Page("GET", two_step.ACCOUNT_PATH, two_step.show, SIGNED_IN),
    Page("POST", f"{two_step.ACCOUNT_PATH}/enrol", two_step.begin, SIGNED_IN),
    Page("POST", f"{two_step.ACCOUNT_PATH}/confirm", two_step.confirm, SIGNED_IN),
    Page("POST", f"{two_step.ACCOUNT_PATH}/disable", two_step.disable, SIGNED_IN),
    Page("POST", f"{two_step.ACCOUNT_PATH}/recovery-codes", two_step.new_codes, SIGNED_IN),
    Page("GET", own_password.PATH, own_password.show, SIGNED_IN),
    Page("POST", own_password.PATH, own_password.change, SIGNED_IN),
    Page("GET", own_password.EMAIL_PATH, own_password.show_email, SIGNED_IN),
    Page("POST", own_password.EMAIL_PATH, own_password.change_email, SIGNED_IN),
    Page("GET", two_step.CONFIRM_PATH, two_step.confirm_form, SIGNED_IN),
    Page("POST", two_step.CONFIRM_PATH, two_step.reauthenticate, SIGNED_IN),
    Page("GET", password_reset.FORGOT_PATH, password_reset.show_forgot, PUBLIC),
    Page("POST", password_reset.FORGOT_PATH, password_reset.send_link, PUBLIC),
    Page("GET", "/reset-password/{token}", password_reset.show_reset, PUBLIC),
    Page("POST", "/reset-password/{token}", password_reset.reset, PUBLIC),
    Page("GET", staff_invites.PATH, staff_invites.show_accept, PUBLIC),
    Page("POST", staff_invites.PATH, staff_invites.accept, PUBLIC),
    Page("GET", "/", dashboard.show, Action.DASHBOARD_READ),
    Page("GET", agenda.PATH, agenda.show, Action.SCHEDULE_READ),
    Page("GET", "/patients", patients.search, Action.PATIENT_LIST),
    Page("POST", "/patients", patients.register, Action.PATIENT_REGISTER),
    Page("GET", "/patients/new", patients.new_form, Action.PATIENT_REGISTER),
    Page("GET", "/patients/{patient_id}", patients.show, Action.PATIENT_READ),
    Page("GET", "/patients/{patient_id}/edit", patient_edits.edit_form, Action.PATIENT_EDIT),
    Page("POST", "/patients/{patient_id}/edit", patient_edits.edit, Action.PATIENT_EDIT),
    Page("GET", "/patients/{patient_id}/calendar", calendar.show, Action.CALENDAR_FEED_MANAGE),
    Page("POST", "/patients/{patient_id}/calendar", calendar.issue, Action.CALENDAR_FEED_MANAGE),
    Page(
        "POST",
        "/patients/{patient_id}/calendar/revoke",
        calendar.revoke,
        Action.CALENDAR_FEED_MANAGE,
    ),
    Page("GET", "/calendar/{token}.ics", calendar.feed, PUBLIC),
    Page("GET", api_docs.DOCS_PATH, api_docs.show, PUBLIC),
    Page("GET", fhir_export.PATH, fhir_export.download, Action.FHIR_READ),
    Page("GET", "/patients/{patient_id}/outcomes", outcomes.show, Action.OUTCOME_READ),
    Page(
        "GET",
        "/patients/{patient_id}/outcomes/report.pdf",
        printouts.outcome_report,
        Action.OUTCOME_READ,
    ),
    Page("POST", "/patients/{patient_id}/outcomes", outcomes.record, Action.OUTCOME_RECORD),
    Page("GET", "/patients/{patient_id}/photos", photos.show, Action.PHOTO_READ),
    Page("POST", "/patients/{patient_id}/photos", photos.upload, Action.PHOTO_UPLOAD),
    Page("GET", "/photos/compare", photos.compare, Action.PHOTO_READ),
    Page("GET", "/photos/{photo_id}", photos.detail, Action.PHOTO_READ),
    Page("GET", "/photos/{photo_id}/image/{rendition}", photos.image, Action.PHOTO_READ),
    Page("GET", "/photos/{photo_id}/aligned/{other_id}", photos.aligned, Action.PHOTO_READ),
    Page("POST", "/photos/{photo_id}/landmarks", photos.mark, Action.PHOTO_ANNOTATE),
    Page("POST", "/photos/{photo_id}/redness", photos.measure, Action.PHOTO_ANNOTATE),
    Page("GET", "/series/{series_id}/sessions/new", sessions.start_form, Action.SESSION_START),
    Page("POST", "/series/{series_id}/sessions/new", sessions.start, Action.SESSION_START),
    Page("GET", "/series/{series_id}/handout", handouts.show, Action.CARE_DOCUMENT_READ),
    Page("GET", "/series/{series_id}/handout.pdf", printouts.handout, Action.CARE_DOCUMENT_READ),
    Page("GET", "/series/{series_id}", series.show, Action.SERIES_READ),
    Page("POST", "/series/{series_id}/cancel", series.cancel, Action.SERIES_CANCEL),
    Page("POST", "/series/{series_id}/supersede", series.supersede, Action.SERIES_CREATE),
    Page("GET", "/settings/calendar", settings.show, Action.SCHEDULE_SET_UP),
    Page("POST", "/settings/calendar/rooms", settings.add_room, Action.SCHEDULE_SET_UP),
    Page("POST", "/settings/calendar/hours", settings.set_hours, Action.SCHEDULE_SET_UP),
    Page("GET", "/settings/clinic", clinic_settings.show, Action.CLINIC_UPDATE),
    Page("POST", "/settings/clinic/contact", clinic_settings.save, Action.CLINIC_UPDATE),
    Page(
        "POST", "/settings/clinic/two-step", two_step.set_clinic_requirement, Action.CLINIC_UPDATE
    ),
    Page("GET", staff.PATH, staff.show, Action.STAFF_READ),
    Page("POST", staff.PATH, staff.add, Action.STAFF_CREATE),
    Page("POST", f"{staff.PATH}/invites", staff.invite, Action.STAFF_CREATE),
    Page("POST", f"{staff.PATH}/{{staff_id}}/invite", staff.resend_invite, Action.STAFF_CREATE),
    Page(
        "POST", f"{staff.PATH}/{{staff_id}}/deactivate", staff.deactivate, Action.STAFF_DEACTIVATE
    ),
    Page(
        "POST", f"{staff.PATH}/{{staff_id}}/reactivate", staff.reactivate, Action.STAFF_REACTIVATE
    ),
    Page(
        "POST",
        f"{staff.PATH}/{{staff_id}}/password",
        staff.reset_password,
        Action.STAFF_RESET_PASSWORD,
    ),
    Page("POST", f"{staff.PATH}/{{staff_id}}/licence", staff.set_licence, Action.STAFF_SET_LICENCE),
    Page("GET", api_tokens.PATH, api_tokens.show, Action.TOKEN_READ),
    Page("POST", api_tokens.PATH, api_tokens.issue, Action.TOKEN_ISSUE),
    Page("POST", f"{api_tokens.PATH}/{{token_id}}/revoke", api_tokens.revoke, Action.TOKEN_REVOKE),
    Page("GET", "/settings/messages", settings.messages, Action.MESSAGES_REVIEW),
    Page(
        "POST", "/settings/messages/{message_id}", settings.resolve_message, Action.MESSAGES_REVIEW
    ),
    Page("GET", "/series/{series_id}/book", booking.series_form, Action.APPOINTMENT_BOOK),
    Page("POST", "/series/{series_id}/book", booking.book, Action.APPOINTMENT_BOOK),
    Page(
        "GET", "/appointments/{appointment_id}", booking.reschedule_form, Action.APPOINTMENT_CHANGE
    ),
    Page(
        "POST",
        "/appointments/{appointment_id}/reschedule",
        booking.reschedule,
        Action.APPOINTMENT_CHANGE,
    ),
    Page(
        "POST",
        "/appointments/{appointment_id}/status",
        booking.change_status,
        Action.APPOINTMENT_CHANGE,
    ),
    Page("GET", "/sessions/{session_id}/chart", sessions.chart_form, Action.CHART_READ),
    Page("GET", "/sessions/{session_id}/summary.pdf", printouts.session_summary, Action.CHART_READ),
    Page("POST", "/sessions/{session_id}/chart", sessions.chart_save, Action.CHART_WRITE),
    Page("POST", "/sessions/{session_id}/chart/sign", sessions.sign, Action.CHART_SIGN),
    Page("GET", recalls.PATH, recalls.show, Action.LOT_RECALL),
    Page("GET", recalls.CSV_PATH, recalls.export, Action.LOT_RECALL),
    Page("GET", "/check-ins/{check_in_id}", clinic_side.show, Action.CHECK_IN_READ),
    Page("GET", "/check-ins/{check_in_id}/photo", clinic_side.photo, Action.CHECK_IN_READ),
    Page(
        "POST",
        "/check-ins/{check_in_id}/reviewed",
        clinic_side.mark_reviewed,
        Action.CHECK_IN_REVIEW,
    ),
    Page("GET", "/patients/{patient_id}/break-glass", audit.break_glass_form, Action.BREAK_GLASS),
    Page("POST", "/patients/{patient_id}/break-glass", audit.break_glass, Action.BREAK_GLASS),
    Page("GET", "/break-glass/{grant_id}", audit.broken_glass, Action.BREAK_GLASS),
    Page("GET", audit.PATH, audit.show, Action.AUDIT_READ),
    Page("GET", audit.CSV_PATH, audit.export, Action.AUDIT_EXPORT),
    *CONSULTATION_PAGES,
    *CONSENT_PAGES,
)


def web_router() -> APIRouter:
    """The staff pages and the patient portal (ADR 0017) as FastAPI routes."""
    router = router_of(STAFF, PAGES)
    router.include_router(portal_router())
    return router


def web_rules() -> Mapping[tuple[str, str], Rule]:
    """Every page's rule, for the app's one guard (``api.permissions.authorize``)."""
    return {**rules_of(PAGES), **rules_of(PORTAL_PAGES)}


def static_files() -> Mount:
    """The static files, answered with the security headers."""
    static = StaticFiles(directory=STATIC_DIR)
    return Mount(STATIC_PATH, app=static, name="static", middleware=[Middleware(SecurityHeaders)])
