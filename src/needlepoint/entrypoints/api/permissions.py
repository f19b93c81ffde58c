"""Every API operation (method + path) and the action it takes.

``authorize`` runs on every route (the app installs it as a dependency of all of them). It
looks the matched route up in ``PERMISSIONS``; a route missing from the table is refused for
everyone (deny by default), and a test walks every route against the table. Which role may
take which action is not decided here but in the services' one action table
(``services.permissions``), which every use case checks again; this early refusal only saves
the work. Who may see which *record* is the services' business too: every read is scoped to
the caller's clinic.

``authorize`` also refuses cross-site request forgery (ADR 0023) before anything else: a
request made with the session cookie that changes something (POST, PUT, PATCH, DELETE) must
carry the session's CSRF token in ``X-CSRF-Token`` or a same-origin ``Origin`` header, and a
public one (signing in) must not name another site as its ``Origin``. Requests with an API
token are unaffected: a browser never adds one to another site's request.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Annotated, Final, Literal, NoReturn

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from needlepoint.domain.records import StaffMember
from needlepoint.entrypoints.api import security
from needlepoint.services import permissions
from needlepoint.services.accounts.sign_in import NotAuthenticatedError
from needlepoint.services.audit import AuthMethod, Refusal, RequestContext
from needlepoint.services.permissions import Action, PermissionDeniedError

API: Final = "/api/v1"

Public = Literal["public"]
PUBLIC: Final[Public] = "public"
"""No sign-in needed."""

SignedIn = Literal["signed_in"]
SIGNED_IN: Final[SignedIn] = "signed_in"
"""Any signed-in member of staff: their own session, nobody else's data."""

Patient = Literal["patient"]
PATIENT: Final[Patient] = "patient"
"""A patient signed in to the portal, with the portal's own cookie and sessions (ADR 0017)."""

Rule = Action | Public | SignedIn | Patient

PERMISSIONS: Final[Mapping[tuple[str, str], Rule]] = {
    ("POST", f"{API}/auth/login"): PUBLIC,
    ("POST", f"{API}/auth/password-reset"): PUBLIC,
    ("POST", f"{API}/auth/password-reset/confirm"): PUBLIC,
    ("POST", f"{API}/auth/invite/accept"): PUBLIC,
    ("POST", f"{API}/auth/logout"): SIGNED_IN,
    ("GET", f"{API}/auth/me"): SIGNED_IN,
    ("POST", f"{API}/auth/login/second-step"): PUBLIC,
    ("POST", f"{API}/auth/reauth"): SIGNED_IN,
    ("POST", f"{API}/auth/password"): SIGNED_IN,
    ("PUT", f"{API}/auth/email"): SIGNED_IN,
    ("GET", f"{API}/auth/two-step"): SIGNED_IN,
    ("POST", f"{API}/auth/two-step/enrolment"): SIGNED_IN,
    ("POST", f"{API}/auth/two-step/enrolment/confirm"): SIGNED_IN,
    ("POST", f"{API}/auth/two-step/disable"): SIGNED_IN,
    ("POST", f"{API}/auth/two-step/recovery-codes"): SIGNED_IN,
    ("POST", f"{API}/auth/tokens"): Action.TOKEN_ISSUE,
    ("GET", f"{API}/auth/tokens"): Action.TOKEN_READ,
    ("POST", f"{API}/auth/tokens/{{token_id}}/revoke"): Action.TOKEN_REVOKE,
    ("POST", f"{API}/staff"): Action.STAFF_CREATE,
    ("POST", f"{API}/staff/invites"): Action.STAFF_CREATE,
    ("POST", f"{API}/staff/{{staff_id}}/invite"): Action.STAFF_CREATE,
    ("POST", f"{API}/staff/{{staff_id}}/deactivate"): Action.STAFF_DEACTIVATE,
    ("GET", f"{API}/staff"): Action.STAFF_READ,
    ("POST", f"{API}/staff/{{staff_id}}/reactivate"): Action.STAFF_REACTIVATE,
    ("POST", f"{API}/staff/{{staff_id}}/password"): Action.STAFF_RESET_PASSWORD,
    ("PUT", f"{API}/staff/{{staff_id}}/licence"): Action.STAFF_SET_LICENCE,
    ("GET", f"{API}/clinic"): Action.CLINIC_READ,
    ("PUT", f"{API}/clinic/contact"): Action.CLINIC_UPDATE,
    ("GET", f"{API}/clinic/two-step"): Action.CLINIC_READ,
    ("PUT", f"{API}/clinic/two-step"): Action.CLINIC_UPDATE,
    ("GET", f"{API}/patients"): Action.PATIENT_LIST,
    ("POST", f"{API}/patients"): Action.PATIENT_REGISTER,
    ("GET", f"{API}/patients/{{patient_id}}"): Action.PATIENT_READ,
    ("PUT", f"{API}/patients/{{patient_id}}"): Action.PATIENT_EDIT,
    ("GET", f"{API}/patients/{{patient_id}}/changes"): Action.PATIENT_READ,
    ("POST", f"{API}/patients/{{patient_id}}/consultations"): Action.CONSULTATION_CREATE,
    ("GET", f"{API}/consultations/{{consultation_id}}"): Action.CONSULTATION_READ,
    ("POST", f"{API}/consultations/{{consultation_id}}/sign"): Action.CONSULTATION_SIGN,
    ("POST", f"{API}/consultations/{{consultation_id}}/series"): Action.SERIES_CREATE,
    ("POST", f"{API}/consultations/{{consultation_id}}/clearances"): Action.CLEARANCE_RECORD,
    ("GET", f"{API}/patients/{{patient_id}}/clearances"): Action.CLEARANCE_READ,
    ("GET", f"{API}/series/{{series_id}}"): Action.SERIES_READ,
    ("GET", f"{API}/patients/{{patient_id}}/series"): Action.SERIES_READ,
    ("POST", f"{API}/series/{{series_id}}/cancel"): Action.SERIES_CANCEL,
    ("GET", f"{API}/series/{{series_id}}/sessions"): Action.SERIES_READ,
    ("POST", f"{API}/series/{{series_id}}/sessions"): Action.SESSION_START,
    ("GET", f"{API}/consent-templates"): Action.CONSENT_TEMPLATE_READ,
    ("POST", f"{API}/consent-templates"): Action.CONSENT_TEMPLATE_MANAGE,
    ("GET", f"{API}/consent-templates/{{version_id}}"): Action.CONSENT_TEMPLATE_READ,
    ("PUT", f"{API}/consent-templates/{{version_id}}"): Action.CONSENT_TEMPLATE_MANAGE,
    ("POST", f"{API}/consent-templates/{{version_id}}/publish"): Action.CONSENT_TEMPLATE_MANAGE,
    ("GET", f"{API}/series/{{series_id}}/consent"): Action.CONSENT_READ,
    ("POST", f"{API}/series/{{series_id}}/consents"): Action.CONSENT_RECORD,
    ("POST", f"{API}/consents/{{consent_id}}/witness"): Action.CONSENT_WITNESS,
    ("POST", f"{API}/consents/{{consent_id}}/withdraw"): Action.CONSENT_WITHDRAW,
    ("GET", f"{API}/consents/{{consent_id}}/document"): Action.CONSENT_READ,
    ("POST", f"{API}/sessions/{{session_id}}/chart"): Action.CHART_WRITE,
    ("POST", f"{API}/sessions/{{session_id}}/chart/{{version}}/sign"): Action.CHART_SIGN,
    ("GET", f"{API}/sessions/{{session_id}}/chart"): Action.CHART_READ,
    ("GET", f"{API}/recalls/{{lot}}"): Action.LOT_RECALL,
    ("POST", f"{API}/patients/{{patient_id}}/outcomes"): Action.OUTCOME_RECORD,
    ("GET", f"{API}/patients/{{patient_id}}/outcomes"): Action.OUTCOME_READ,
    ("POST", f"{API}/series/{{series_id}}/care-documents"): Action.CARE_DOCUMENT_ISSUE,
    ("GET", f"{API}/patients/{{patient_id}}/care-documents"): Action.CARE_DOCUMENT_READ,
    ("GET", f"{API}/series/{{series_id}}/sessions/{{number}}/handout"): Action.CARE_DOCUMENT_READ,
    ("GET", f"{API}/sessions/{{session_id}}/summary"): Action.CHART_READ,
    ("GET", f"{API}/patients/{{patient_id}}/outcome-report"): Action.OUTCOME_READ,
    ("POST", f"{API}/patients/{{patient_id}}/assessments"): Action.ASSESSMENT_RECORD,
    ("GET", f"{API}/patients/{{patient_id}}/assessments"): Action.ASSESSMENT_READ,
    ("POST", f"{API}/patients/{{patient_id}}/photos"): Action.PHOTO_UPLOAD,
    ("GET", f"{API}/patients/{{patient_id}}/photos"): Action.PHOTO_READ,
    ("GET", f"{API}/photos/{{photo_id}}"): Action.PHOTO_READ,
    ("GET", f"{API}/photos/{{photo_id}}/image"): Action.PHOTO_READ,
    ("PUT", f"{API}/photos/{{photo_id}}/landmarks"): Action.PHOTO_ANNOTATE,
    ("POST", f"{API}/photos/{{photo_id}}/redness"): Action.PHOTO_ANNOTATE,
    ("GET", f"{API}/photos/{{photo_id}}/compare/{{other_id}}"): Action.PHOTO_READ,
    ("GET", f"{API}/photos/{{photo_id}}/aligned/{{other_id}}"): Action.PHOTO_READ,
    ("GET", f"{API}/patients/{{patient_id}}/check-ins"): Action.CHECK_IN_READ,
    ("GET", f"{API}/check-ins/{{check_in_id}}"): Action.CHECK_IN_READ,
    ("POST", f"{API}/check-ins/{{check_in_id}}/review"): Action.CHECK_IN_REVIEW,
    ("GET", f"{API}/schedule/setup"): Action.SCHEDULE_READ,
    ("POST", f"{API}/schedule/rooms"): Action.SCHEDULE_SET_UP,
    ("PUT", f"{API}/schedule/opening-hours"): Action.SCHEDULE_SET_UP,
    ("GET", f"{API}/schedule/slots"): Action.SCHEDULE_READ,
    ("GET", f"{API}/schedule/appointments"): Action.SCHEDULE_READ,
    ("GET", f"{API}/series/{{series_id}}/booking"): Action.APPOINTMENT_BOOK,
    ("POST", f"{API}/series/{{series_id}}/appointments"): Action.APPOINTMENT_BOOK,
    ("GET", f"{API}/patients/{{patient_id}}/appointments"): Action.SCHEDULE_READ,
    ("POST", f"{API}/appointments/{{appointment_id}}/reschedule"): Action.APPOINTMENT_CHANGE,
    ("POST", f"{API}/appointments/{{appointment_id}}/status"): Action.APPOINTMENT_CHANGE,
    ("POST", f"{API}/patients/{{patient_id}}/break-glass"): Action.BREAK_GLASS,
    ("GET", f"{API}/break-glass/{{grant_id}}/record"): Action.BREAK_GLASS,
    ("GET", f"{API}/break-glass"): Action.AUDIT_READ,
    ("GET", f"{API}/audit/events"): Action.AUDIT_READ,
    ("GET", f"{API}/audit/export"): Action.AUDIT_EXPORT,
    ("GET", f"{API}/analytics/cohorts"): Action.ANALYTICS_READ,
    # FHIR Bulk Data export (issue 15): the IG's paths, outside /api/v1
    ("GET", "/fhir/R4B/$export"): Action.FHIR_BULK_EXPORT,
    ("GET", "/fhir/R4B/$export-status/{job_id}"): Action.FHIR_BULK_EXPORT,
    ("DELETE", "/fhir/R4B/$export-status/{job_id}"): Action.FHIR_BULK_EXPORT,
    ("GET", "/fhir/R4B/$export-files/{job_id}/{file_name}"): Action.FHIR_BULK_EXPORT,
    ("GET", "/fhir/R4B/metadata"): SIGNED_IN,
    ("GET", "/fhir/R4B/Patient/{patient_id}/$everything"): Action.FHIR_READ,
    ("GET", "/fhir/R4B/{resource_type}"): Action.FHIR_READ,
    ("GET", "/fhir/R4B/{resource_type}/{resource_id}"): Action.FHIR_READ,
}
"""(HTTP method, route path) → the action it takes (``services.permissions``), or who may call
it without one: ``PUBLIC`` or any ``SIGNED_IN`` member of staff."""

log = logging.getLogger("needlepoint.api.permissions")


def allowed_for(method: str, path: str) -> Rule | None:
    """What an API operation takes; None when the operation is not in the table."""
    return PERMISSIONS.get((method.upper(), path))


def rules_of(request: Request) -> Mapping[tuple[str, str], Rule]:
    """The app's one table: the API's operations and the web app's pages (``create_app``)."""
    rules: Mapping[tuple[str, str], Rule] = getattr(request.app.state, "rules", PERMISSIONS)
    return rules


async def authorize(request: Request) -> StaffMember | None:
    """Let the request through to its route, or refuse it (401 or 403).

    The one guard of every route, API operation and page alike. Returns the signed-in member
    of staff (None on a public route or a portal page); who is asking and how they signed in
    are kept on the request (``state.member``, ``state.auth_method``, ``state.patient``). A
    page answers a refusal in its own way (its route class): the login page, an HTML page.
    """
    path = str(getattr(request.scope.get("route"), "path", ""))
    rule = _rule(request, path)
    if rule is None:
        _log_denial(request, path, "not in the permission table")
        await _audit_refusal(request, path, None, "denied")  # AD-2: every refusal, one event
        raise PermissionDeniedError("this operation is not open to anyone")
    if rule == PUBLIC:
        await _check_public(request, path)
        return None
    if rule == PATIENT:
        await _check_patient(request, path)
        return None
    member, method = await security.authenticated_staff(request)
    request.state.member = member
    request.state.auth_method = method
    context = RequestContext(member, security.request_id(request), method)
    if method is AuthMethod.SESSION and _is_unsafe(request):
        await _require_same_site(request, path, context.actor)
    if isinstance(rule, Action):
        await _require(request, path, context, rule)
    return member


def _rule(request: Request, path: str) -> Rule | None:
    """The rule of the request's route; a page's HEAD is its GET (no API route takes HEAD)."""
    method = request.method.upper()
    method = "GET" if method == "HEAD" else method
    return rules_of(request).get((method, path))


async def _check_public(request: Request, path: str) -> None:
    """A page's form proves it came from this site; an API call must not name another site."""
    if not _is_unsafe(request):
        return
    if security.is_page(request):
        await _require_same_site(request, path, None)
    elif security.is_cross_site(request):
        await _refuse(request, path, None, CROSS_SITE_LOGIN)


async def _check_patient(request: Request, path: str) -> None:
    """A portal page: the patient of a live portal session, and proof of this site's form."""
    token = request.cookies.get(security.PORTAL_COOKIE)
    resolve = security.services_of_app(request).portal.resolve_session
    patient = None if not token else await run_in_threadpool(resolve, token)
    request.state.patient = patient
    if patient is None:
        raise NotAuthenticatedError("sign in to see this page")
    if _is_unsafe(request):
        await _require_same_site(request, path, None)


CROSS_SITE_LOGIN: Final = (
    "this sign-in came from another site's page (its Origin header names another site); "
    "sign in from needlepoint's own pages, or from a script that sends no Origin header"
)
CROSS_SITE_REQUEST: Final = (
    "a request made with the session cookie that changes something must show it came from "
    f"needlepoint's own pages: send the session's CSRF token in the {security.CSRF_HEADER} "
    f"header (it is csrf_token in the responses of POST {API}/auth/login and GET {API}/auth/me),"
    " or use an API token"
)


def _is_unsafe(request: Request) -> bool:
    return request.method not in security.SAFE_METHODS


async def _require_same_site(request: Request, path: str, actor: StaffMember | None) -> None:
    if not await run_in_threadpool(security.is_proven_same_site, request):
        await _refuse(request, path, actor, CROSS_SITE_REQUEST)


async def _refuse(request: Request, path: str, actor: StaffMember | None, why: str) -> NoReturn:
    """Audit a cross-site request (one event, like every refusal) and refuse it with 403."""
    _log_denial(request, path, "no proof it came from this site")
    outcome = security.CrossSiteRequestError.code
    refusal = Refusal(f"{request.method} {path}", outcome, security.request_id(request), actor)
    await run_in_threadpool(security.services_of_app(request).accounts.record_refusal, refusal)
    raise security.CrossSiteRequestError(why)


async def _require(request: Request, path: str, context: RequestContext, action: Action) -> None:
    try:
        permissions.require(context, action)
    except PermissionDeniedError:
        _log_denial(request, path, f"role {context.actor.role.value}, {context.auth.value}")
        await _audit_refusal(request, path, context.actor, "denied")
        raise


async def _audit_refusal(
    request: Request, path: str, actor: StaffMember | None, outcome: str
) -> None:
    """One audit event for a refused request (scenario AD-2)."""
    refusal = Refusal(f"{request.method} {path}", outcome, security.request_id(request), actor)
    await run_in_threadpool(security.services_of_app(request).accounts.record_refusal, refusal)


def _log_denial(request: Request, path: str, why: str) -> None:
    request_id = security.request_id(request)
    log.warning("denied %s %s (%s) request_id=%s", request.method, path, why, request_id)


async def request_context(
    request: Request, member: Annotated[StaffMember | None, Depends(authorize)]
) -> RequestContext:
    """Who is asking, how they signed in, and the request id, for the services."""
    if member is None:
        raise NotAuthenticatedError("sign in, or send an API token")
    method: AuthMethod = request.state.auth_method
    return RequestContext(actor=member, request_id=security.request_id(request), auth=method)


Context = Annotated[RequestContext, Depends(request_context)]
