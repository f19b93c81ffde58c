"""One request to a portal page, and how the portal's pages answer what the guard refuses.

The portal is the staff web app's machinery for another audience. Its pages are FastAPI
routes behind the app's one guard (``api.permissions.authorize``), whose rule ``PATIENT``
finds the signed-in *patient* from the portal's own cookie in the portal's own session table,
and checks the CSRF token of an unsafe request. ``PORTAL`` (a ``routing.Audience``) reads the
form first (with one photo at most), sends the signed-out to the sign-in page and turns any
error into a portal page. A staff session never opens a portal page and a patient session
never opens a staff page: each side reads only its own cookie, looked up in its own table.

The portal cookie (``needlepoint_portal``) is ``HttpOnly``, ``SameSite=Lax``, ``Path=/portal``
and ``Secure`` except in development; before sign-in, the CSRF token is bound to a random
``needlepoint_portal_presession`` cookie (``SameSite=Strict``, same path).
"""

from __future__ import annotations

import logging
import secrets
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, tzinfo
from http import HTTPStatus
from typing import Annotated, Any, Final
from zoneinfo import ZoneInfo

from fastapi import Depends
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from needlepoint.bootstrap import Services
from needlepoint.domain.checkins import MAX_PHOTO_BYTES, PhotoTooLargeError
from needlepoint.domain.errors import DomainError, InvalidInputError
from needlepoint.entrypoints.api import security
from needlepoint.entrypoints.api.permissions import PATIENT, PUBLIC
from needlepoint.entrypoints.statuses import status_of
from needlepoint.entrypoints.web import templates
from needlepoint.entrypoints.web.portal.uploads import Form, read_form
from needlepoint.entrypoints.web.requests import PageRequest
from needlepoint.services.accounts.sign_in import NotAuthenticatedError
from needlepoint.services.portal.facade import Portal
from needlepoint.services.portal.sign_in import PatientContext, PortalPatient

__all__ = ["PATIENT", "PUBLIC"]

PORTAL_PATH: Final = "/portal"
HOME: Final = "/portal"
SIGN_IN_PATH: Final = "/portal/sign-in"
PORTAL_COOKIE: Final = security.PORTAL_COOKIE
PRE_SESSION_COOKIE: Final = security.PORTAL_PRE_SESSION_COOKIE

NOT_FOUND_DETAIL: Final = "There is no such page among your records."
CSRF_DETAIL: Final = (
    "This form was not sent by this page, or the page is out of date. "
    "Go back, reload the page and send it again."
)
UNEXPECTED_DETAIL: Final = "Something went wrong on our side. Nothing was changed."

log = logging.getLogger("needlepoint.web.portal")


@dataclass(frozen=True, slots=True)
class PortalVisit(PageRequest):
    """A request to a portal page: which patient is asking, with which form."""

    request: Request
    services: Services
    patient: PortalPatient | None
    form: Form
    csrf_binding: str
    secret: bytes

    @property
    def portal(self) -> Portal:
        """The portal's use cases."""
        return self.services.portal

    @property
    def member(self) -> None:
        """No member of staff is ever signed in to a portal page."""
        return None

    @property
    def signed_in(self) -> PortalPatient:
        """The signed-in patient (patient pages are never reached without one)."""
        if self.patient is None:
            raise NotAuthenticatedError("sign in to see this page")
        return self.patient

    @property
    def context(self) -> PatientContext:
        """Which patient is asking, and the request id, for scoping and the audit trail."""
        return self.signed_in.context(self.request_id)

    @property
    def time_zone(self) -> tzinfo:
        """Times are shown in the patient's clinic's zone (UTC before sign-in)."""
        return UTC if self.patient is None else ZoneInfo(self.patient.time_zone)

    def path_param(self, name: str) -> str:
        """A value from the page's path."""
        return str(self.request.path_params[name])


def render(
    visit: PortalVisit,
    template: str,
    values: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """A portal page (or an htmx fragment) rendered for this visit."""
    page = templates.environment().get_template(template)
    return HTMLResponse(page.render(values or {}, visit=visit), status, headers)


async def portal_visit(request: Request) -> PortalVisit:
    """The visit of a portal page (a dependency: the guard has run, the form is read)."""
    patient = await _signed_in_patient(request)
    token = request.cookies.get(PORTAL_COOKIE)
    binding = token if patient is not None and token else _pre_session(request)
    form: Form = getattr(request.state, "form", None) or Form()
    secret = security.csrf_secret(request)
    return PortalVisit(request, security.services_of_app(request), patient, form, binding, secret)


PatientVisit = Annotated[PortalVisit, Depends(portal_visit)]
"""What a portal page's view takes."""


async def _signed_in_patient(request: Request) -> PortalPatient | None:
    """The guard's patient, else (a public page) whoever a live portal cookie names."""
    if hasattr(request.state, "patient"):
        found: PortalPatient | None = request.state.patient
        return found
    token = request.cookies.get(PORTAL_COOKIE)
    resolve = security.services_of_app(request).portal.resolve_session
    patient = None if not token else await run_in_threadpool(resolve, token)
    request.state.patient = patient
    return patient


def _pre_session(request: Request) -> str:
    value = request.cookies.get(PRE_SESSION_COOKIE)
    if value is None:
        value = getattr(request.state, "new_pre_session", None) or secrets.token_urlsafe(32)
        request.state.new_pre_session = value
    return value


class PortalPages:
    """The portal's audience: its form reading, cookies and failure pages."""

    csrf_cookies: tuple[str, ...] = (PORTAL_COOKIE, PRE_SESSION_COOKIE)

    async def prepare(self, request: Request) -> None:
        """Read the form (with one photo at most) before the guard checks its token."""
        form = await read_form(request)
        request.state.form = form
        request.state.form_fields = form.fields
        if form.too_large:
            raise PhotoTooLargeError(MAX_PHOTO_BYTES)

    async def failed(self, request: Request, error: Exception) -> Response:
        """The sign-in page for the signed-out, else the page naming the problem."""
        visit = await portal_visit(request)
        if isinstance(error, NotAuthenticatedError):
            return to_sign_in(visit)
        if isinstance(error, security.CrossSiteRequestError):
            log.warning("refused %s %s: CSRF token missing or wrong", *_where(request))
            return _page(visit, HTTPStatus.FORBIDDEN, CSRF_DETAIL)
        if isinstance(error, DomainError):
            return error_page(visit, error)
        return unexpected(visit, error)

    async def finish(self, request: Request, response: Response) -> None:
        """The pre-session cookie for the signed-out; a dead session's cookie forgotten."""
        secure = not security.services_of_app(request).settings.development
        value = getattr(request.state, "new_pre_session", None)
        if value is not None:
            set_pre_session(response, value, secure=secure)
        if request.cookies.get(PORTAL_COOKIE) and getattr(request.state, "patient", None) is None:
            clear_session_cookie(response, secure=secure)


PORTAL: Final = PortalPages()


def _where(request: Request) -> tuple[str, str]:
    return request.method, str(getattr(request.scope.get("route"), "path", request.url.path))


def to_sign_in(visit: PortalVisit) -> Response:
    """Send a signed-out browser to the portal's sign-in page."""
    if visit.from_htmx:
        return Response(status_code=401, headers={"HX-Redirect": SIGN_IN_PATH})
    return RedirectResponse(SIGN_IN_PATH, status_code=303)


def error_page(visit: PortalVisit, error: DomainError) -> Response:
    """The page for an error raised on purpose: its status, and words for the patient."""
    status = status_of(error)
    if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        return unexpected(visit, error)
    detail = NOT_FOUND_DETAIL if status == HTTPStatus.NOT_FOUND else _sentence(str(error))
    problems = error.problems if isinstance(error, InvalidInputError) else ()
    headers = {}
    retry = getattr(error, "retry_after_seconds", None)
    if isinstance(retry, int):
        headers["Retry-After"] = str(retry)
    return _page(visit, status, detail, problems=problems, headers=headers)


def unexpected(visit: PortalVisit, error: BaseException) -> Response:
    """500: logged by type and place only (messages may hold patient data)."""
    frames = "".join(traceback.format_tb(error.__traceback__))
    log.error(
        "unexpected %s in portal request %s\n%s", type(error).__name__, visit.request_id, frames
    )
    return _page(visit, HTTPStatus.INTERNAL_SERVER_ERROR, UNEXPECTED_DETAIL)


def _page(
    visit: PortalVisit,
    status: int,
    detail: str,
    *,
    problems: tuple[object, ...] = (),
    headers: Mapping[str, str] | None = None,
) -> Response:
    values = {
        "status": status,
        "title": HTTPStatus(status).phrase,
        "detail": detail,
        "problems": problems,
    }
    if visit.from_htmx:
        swap = {"HX-Retarget": "#alerts", "HX-Reswap": "innerHTML", **(headers or {})}
        return render(visit, "_error.html", values, status=status, headers=swap)
    return render(visit, "portal/error.html", values, status=status, headers=headers)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


# --- cookies --------------------------------------------------------------------------------


def set_session_cookie(response: Response, token: str, *, max_age: int, secure: bool) -> None:
    """Hand the browser its portal session (sent back to ``/portal`` pages only)."""
    response.set_cookie(
        PORTAL_COOKIE,
        token,
        max_age=max_age,
        path=PORTAL_PATH,
        secure=secure,
        httponly=True,
        samesite="lax",
    )


def clear_session_cookie(response: Response, *, secure: bool) -> None:
    """Tell the browser to forget its portal session."""
    response.delete_cookie(
        PORTAL_COOKIE, path=PORTAL_PATH, secure=secure, httponly=True, samesite="lax"
    )


def set_pre_session(response: Response, value: str, *, secure: bool) -> None:
    """The random value the sign-in forms' CSRF token is bound to."""
    response.set_cookie(
        PRE_SESSION_COOKIE,
        value,
        path=PORTAL_PATH,
        secure=secure,
        httponly=True,
        samesite="strict",
    )


def clear_pre_session(response: Response, *, secure: bool) -> None:
    """Forget the pre-session value once signed in."""
    response.delete_cookie(
        PRE_SESSION_COOKIE, path=PORTAL_PATH, secure=secure, httponly=True, samesite="strict"
    )
