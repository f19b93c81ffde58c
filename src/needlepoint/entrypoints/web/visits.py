"""One request to a staff page, and how the staff pages answer what the guard refuses.

A page is a FastAPI route guarded by the app's one dependency (``api.permissions.authorize``:
who is signed in, the CSRF token of an unsafe request, the action the page takes). A view
declares ``visit: StaffVisit``: the request, the services, the signed-in member (the guard's,
or on a public page whoever the session cookie names), the form and its CSRF binding.

``STAFF`` is the staff pages' audience (``routing.Audience``): its forms are read before the
guard runs, a signed-out browser is sent to the login page, a refused token is the CSRF
page, and any other error is an HTML page (``errors``). ``stray`` answers a path no page has,
or a method a page does not take, with an HTML page.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, tzinfo
from typing import Annotated, Final
from urllib.parse import urlencode
from uuid import UUID

from fastapi import Depends
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from needlepoint.bootstrap import Services
from needlepoint.domain.errors import DomainError
from needlepoint.domain.records import StaffMember
from needlepoint.entrypoints.api import security
from needlepoint.entrypoints.web import csrf, errors, zones
from needlepoint.entrypoints.web.headers import add_security_headers
from needlepoint.entrypoints.web.portal.uploads import read_form
from needlepoint.entrypoints.web.requests import PageRequest
from needlepoint.services import permissions
from needlepoint.services.accounts.sign_in import NotAuthenticatedError
from needlepoint.services.audit import AuthMethod, RequestContext
from needlepoint.services.permissions import Action

MAX_FORM_FIELDS: Final = 200
MAX_FORM_BYTES: Final = 1024 * 1024
LOGIN_PATH: Final = "/login"


@dataclass(frozen=True, slots=True)
class Visit(PageRequest):
    """A request to a page: who is asking, through which services, with which form."""

    request: Request
    services: Services
    member: StaffMember | None
    form: Mapping[str, str]
    csrf_binding: str
    secret: bytes

    @property
    def staff(self) -> StaffMember:
        """The signed-in member of staff (pages open to staff only are never reached without)."""
        if self.member is None:
            raise NotAuthenticatedError("sign in to see this page")
        return self.member

    @property
    def context(self) -> RequestContext:
        """Who is asking and the request id, for the services' audit trail."""
        auth = getattr(self.request.state, "auth_method", AuthMethod.SESSION)
        return RequestContext(actor=self.staff, request_id=self.request_id, auth=auth)

    @property
    def time_zone(self) -> tzinfo:
        """The zone every time is shown in: the signed-in member's clinic's, else UTC."""
        if self.member is None:
            return UTC
        return zones.clinic_zone(self.services, self.member.clinic_id)

    def path_id(self, name: str, missing: type[Exception]) -> UUID:
        """A record id from the path; anything but a UUID is the record ``missing`` names.

        Every missing record reads the same page (``errors``), whatever the id.
        """
        raw = str(self.request.path_params[name])
        try:
            return UUID(raw)
        except ValueError:
            raise missing(f"no record {raw!r}") from None

    def may(self, action: Action) -> bool:
        """Whether the signed-in member of staff may take an action (to show its part)."""
        return self.member is not None and permissions.allows(self.member.role, action)


async def visit_of(request: Request) -> Visit:
    """The visit of a staff page (a dependency: the guard has run, the form is read)."""
    member = await security.signed_in_staff(request)
    cookie = security.session_token(request)
    binding = cookie if member is not None and cookie else _pre_session(request)
    form: Mapping[str, str] = getattr(request.state, "form_fields", None) or {}
    secret = security.csrf_secret(request)
    return Visit(request, security.services_of_app(request), member, form, binding, secret)


StaffVisit = Annotated[Visit, Depends(visit_of)]
"""What a staff page's view takes."""


def _pre_session(request: Request) -> str:
    """The pre-session cookie's value, or a new one (kept to be set with the answer)."""
    value = request.cookies.get(csrf.PRE_SESSION_COOKIE)
    if value is None:
        value = getattr(request.state, "new_pre_session", None) or secrets.token_urlsafe(32)
        request.state.new_pre_session = value
    return value


class StaffPages:
    """The staff pages' audience: their forms, cookies and failure pages."""

    csrf_cookies: tuple[str, ...] = (security.SESSION_COOKIE, csrf.PRE_SESSION_COOKIE)

    async def prepare(self, request: Request) -> None:
        """Read the form (URL-encoded, or multipart with a file) before the guard checks it."""
        form = await read_form(request, max_fields=MAX_FORM_FIELDS, limit=MAX_FORM_BYTES)
        request.state.form_fields = form.fields
        request.state.form_files = form.files  # a clinical photo's upload (pages.photos)

    async def failed(self, request: Request, error: Exception) -> Response:
        """The login page for the signed-out, else the page naming the problem."""
        visit = await visit_of(request)
        if isinstance(error, NotAuthenticatedError):
            return to_login(visit)
        if isinstance(error, security.CrossSiteRequestError):
            return errors.csrf_refused(visit)
        if isinstance(error, DomainError):
            return errors.error_page(visit, error)
        return errors.unexpected(visit, error)

    async def finish(self, request: Request, response: Response) -> None:
        """Hand a signed-out browser the pre-session cookie its forms' tokens are bound to."""
        value = getattr(request.state, "new_pre_session", None)
        if value is not None:
            secure = not security.services_of_app(request).settings.development
            csrf.set_pre_session(response, value, secure=secure)


STAFF: Final = StaffPages()


def to_login(visit: Visit) -> Response:
    """Send a signed-out browser to the login page (and back here afterwards, for a GET)."""
    request = visit.request
    target = LOGIN_PATH
    if request.method == "GET":
        target += "?" + urlencode({"next": request.url.path})
    if visit.from_htmx:
        return Response(status_code=401, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


async def stray(request: Request, error: HTTPException) -> Response:
    """The answer to a path no page has (404) or a method its page does not take (405).

    An HTML page in the web's own words, with the web's security headers, to whoever is asking
    (no sign-in is needed to be told a page does not exist). A 405's ``Allow`` is the caller's.
    """
    visit = await visit_of(request)
    response = errors.stray_page(visit, error.status_code)
    await STAFF.finish(request, response)
    add_security_headers(response.headers)
    return response
