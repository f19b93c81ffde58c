"""The one permission table: every operation (method + path) and the roles that may call it.

``authorize`` runs on every route (the app installs it as a dependency of all of them). It
looks the matched route up in ``PERMISSIONS``; a route missing from the table is refused for
everyone (deny by default), and a test walks every route against the table. Who may see which
*record* is the services' business: every read is scoped to the caller's clinic.

Roles: an admin may do everything; a clinician everything clinical; front desk may register,
list and read patients, and read treatment series and their session lists (to schedule
visits), but neither read consultations, charts, outcomes, scar assessments or care documents
(their clinical content), nor sign, chart or recall anything.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Annotated, Final, Literal

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from needlepoint.domain.records import Role, StaffMember
from needlepoint.entrypoints.api import security
from needlepoint.services.audit import Refusal, RequestContext
from needlepoint.services.sessions import NotAuthenticatedError, PermissionDeniedError

API: Final = "/api/v1"

Public = Literal["public"]
PUBLIC: Final[Public] = "public"
"""No sign-in needed."""

ALL_STAFF: Final = frozenset(Role)
CLINICAL: Final = frozenset({Role.ADMIN, Role.CLINICIAN})
ADMIN_ONLY: Final = frozenset({Role.ADMIN})

PERMISSIONS: Final[Mapping[tuple[str, str], frozenset[Role] | Public]] = {
    ("POST", f"{API}/auth/login"): PUBLIC,
    ("POST", f"{API}/auth/logout"): ALL_STAFF,
    ("GET", f"{API}/auth/me"): ALL_STAFF,
    ("POST", f"{API}/auth/tokens"): ADMIN_ONLY,
    ("POST", f"{API}/staff"): ADMIN_ONLY,
    ("POST", f"{API}/staff/{{staff_id}}/deactivate"): ADMIN_ONLY,
    ("GET", f"{API}/patients"): ALL_STAFF,
    ("POST", f"{API}/patients"): ALL_STAFF,
    ("GET", f"{API}/patients/{{patient_id}}"): ALL_STAFF,
    ("POST", f"{API}/patients/{{patient_id}}/consultations"): CLINICAL,
    ("GET", f"{API}/consultations/{{consultation_id}}"): CLINICAL,
    ("POST", f"{API}/consultations/{{consultation_id}}/sign"): CLINICAL,
    ("POST", f"{API}/consultations/{{consultation_id}}/series"): CLINICAL,
    ("GET", f"{API}/series/{{series_id}}"): ALL_STAFF,
    ("GET", f"{API}/patients/{{patient_id}}/series"): ALL_STAFF,
    ("POST", f"{API}/series/{{series_id}}/cancel"): CLINICAL,
    ("GET", f"{API}/series/{{series_id}}/sessions"): ALL_STAFF,
    ("POST", f"{API}/series/{{series_id}}/sessions"): CLINICAL,
    ("POST", f"{API}/sessions/{{session_id}}/chart"): CLINICAL,
    ("POST", f"{API}/sessions/{{session_id}}/chart/{{version}}/sign"): CLINICAL,
    ("GET", f"{API}/sessions/{{session_id}}/chart"): CLINICAL,
    ("GET", f"{API}/recalls/{{lot}}"): CLINICAL,
    ("POST", f"{API}/patients/{{patient_id}}/outcomes"): CLINICAL,
    ("GET", f"{API}/patients/{{patient_id}}/outcomes"): CLINICAL,
    ("POST", f"{API}/series/{{series_id}}/care-documents"): CLINICAL,
    ("GET", f"{API}/patients/{{patient_id}}/care-documents"): CLINICAL,
    ("POST", f"{API}/patients/{{patient_id}}/assessments"): CLINICAL,
    ("GET", f"{API}/patients/{{patient_id}}/assessments"): CLINICAL,
    ("GET", f"{API}/schedule/setup"): ALL_STAFF,
    ("POST", f"{API}/schedule/rooms"): ADMIN_ONLY,
    ("PUT", f"{API}/schedule/opening-hours"): ADMIN_ONLY,
    ("GET", f"{API}/schedule/slots"): ALL_STAFF,
    ("GET", f"{API}/schedule/appointments"): ALL_STAFF,
    ("GET", f"{API}/series/{{series_id}}/booking"): ALL_STAFF,
    ("POST", f"{API}/series/{{series_id}}/appointments"): ALL_STAFF,
    ("GET", f"{API}/patients/{{patient_id}}/appointments"): ALL_STAFF,
    ("POST", f"{API}/appointments/{{appointment_id}}/reschedule"): ALL_STAFF,
    ("POST", f"{API}/appointments/{{appointment_id}}/status"): ALL_STAFF,
}
"""(HTTP method, route path) → the roles allowed, or ``PUBLIC``."""

log = logging.getLogger("needlepoint.api.permissions")


def allowed_for(method: str, path: str) -> frozenset[Role] | Public | None:
    """Who may call an operation; None when the operation is not in the table."""
    return PERMISSIONS.get((method.upper(), path))


async def authorize(request: Request) -> StaffMember | None:
    """Let the request through to its route, or refuse it (401 or 403).

    Returns the signed-in member of staff (None on a public route).
    """
    path = str(getattr(request.scope.get("route"), "path", ""))
    allowed = allowed_for(request.method, path)
    if allowed is None:
        _log_denial(request, path, "not in the permission table")
        raise PermissionDeniedError("this operation is not open to anyone")
    if allowed == PUBLIC:
        return None
    member = await security.authenticated_staff(request)
    if member.role not in allowed:
        _log_denial(request, path, f"role {member.role.value}")
        refusal = Refusal(
            f"{request.method} {path}", "denied", security.request_id(request), member
        )
        await run_in_threadpool(security.services_of_app(request).record_refusal, refusal)
        raise PermissionDeniedError(f"a {member.role.value} may not do this")
    return member


def _log_denial(request: Request, path: str, why: str) -> None:
    request_id = security.request_id(request)
    log.warning("denied %s %s (%s) request_id=%s", request.method, path, why, request_id)


async def request_context(
    request: Request, member: Annotated[StaffMember | None, Depends(authorize)]
) -> RequestContext:
    """Who is asking and the request id, for the services' audit trail."""
    if member is None:
        raise NotAuthenticatedError("sign in, or send an API token")
    return RequestContext(actor=member, request_id=security.request_id(request))


Context = Annotated[RequestContext, Depends(request_context)]
