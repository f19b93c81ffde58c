"""One request to a portal page, and the one way every portal page is answered.

The portal is the staff web app's machinery for another audience. ``answer`` wraps a
portal view as ``visits.answer`` wraps a staff one: it reads the form (with one photo at
most), finds the signed-in *patient* from the portal's own cookie, sends the signed-out to
the sign-in page, checks the CSRF token of an unsafe request, runs the view and turns any
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
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, tzinfo
from http import HTTPStatus
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from needlepoint.bootstrap import Services
from needlepoint.domain.checkins import MAX_PHOTO_BYTES, PhotoTooLargeError
from needlepoint.domain.errors import DomainError, InvalidInputError
from needlepoint.entrypoints.statuses import status_of
from needlepoint.entrypoints.web import csrf, templates
from needlepoint.entrypoints.web.portal.uploads import Form, read_form
from needlepoint.entrypoints.web.requests import PageRequest
from needlepoint.services.accounts.sign_in import NotAuthenticatedError
from needlepoint.services.portal.facade import Portal
from needlepoint.services.portal.sign_in import PatientContext, PortalPatient

PORTAL_PATH: Final = "/portal"
HOME: Final = "/portal"
SIGN_IN_PATH: Final = "/portal/sign-in"
PORTAL_COOKIE: Final = "needlepoint_portal"
PRE_SESSION_COOKIE: Final = "needlepoint_portal_presession"

Audience = Literal["patient", "public"]
PATIENT: Final[Audience] = "patient"
"""A signed-in patient only (the portal's only audience besides the sign-in pages)."""
PUBLIC: Final[Audience] = "public"
"""Anyone: the sign-in pages."""

NOT_FOUND_DETAIL: Final = "There is no such page among your records."
CSRF_DETAIL: Final = (
    "This form was not sent by this page, or the page is out of date. "
    "Go back, reload the page and send it again."
)
UNEXPECTED_DETAIL: Final = "Something went wrong on our side. Nothing was changed."

PortalView = Callable[["PortalVisit"], Response]

log = logging.getLogger("needlepoint.web.portal")


@dataclass(frozen=True, slots=True)
class PortalPage:
    """One portal page: its method and path, its view, and who may see it."""

    method: str
    path: str
    view: PortalView
    audience: Audience


@dataclass(frozen=True, slots=True)
class PortalVisit(PageRequest):
    """A request to a portal page: which patient is asking, with which form."""

    page: PortalPage
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


def answer(
    page: PortalPage, services: Services, secret: Callable[[], bytes]
) -> Callable[[Request], Awaitable[Response]]:
    """The Starlette endpoint for a portal page."""

    async def endpoint(request: Request) -> Response:
        request.scope.setdefault("route", page)
        form = await read_form(request)
        return await run_in_threadpool(_visit, page, request, form, services, secret)

    return endpoint


def _visit(
    page: PortalPage,
    request: Request,
    form: Form,
    services: Services,
    secret: Callable[[], bytes],
) -> Response:
    token = request.cookies.get(PORTAL_COOKIE)
    patient = None if not token else services.portal.resolve_session(token)
    pre_session = request.cookies.get(PRE_SESSION_COOKIE)
    binding = token if patient is not None and token else pre_session or secrets.token_urlsafe(32)
    visit = PortalVisit(page, request, services, patient, form, binding, secret())
    response = _answered(page, visit)
    if patient is None and pre_session is None:
        set_pre_session(response, binding, secure=visit.secure_cookies)
    if token and patient is None:
        clear_session_cookie(response, secure=visit.secure_cookies)
    return response


def _answered(page: PortalPage, visit: PortalVisit) -> Response:
    try:
        return _admitted(page, visit)
    except NotAuthenticatedError:
        return to_sign_in(visit)
    except DomainError as error:
        return error_page(visit, error)
    except csrf.CsrfError:
        log.warning("refused %s %s: CSRF token missing or wrong", page.method, page.path)
        return _page(visit, HTTPStatus.FORBIDDEN, CSRF_DETAIL)
    except Exception as error:  # the last resort: a plain page, never a traceback
        return unexpected(visit, error)


def _admitted(page: PortalPage, visit: PortalVisit) -> Response:
    if page.audience == PATIENT and visit.patient is None:
        return to_sign_in(visit)
    if visit.form.too_large:
        raise PhotoTooLargeError(MAX_PHOTO_BYTES)
    csrf.check(visit.request, visit.form.fields, secret=visit.secret, binding=visit.csrf_binding)
    return page.view(visit)


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
