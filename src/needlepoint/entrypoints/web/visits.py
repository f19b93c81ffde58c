"""One request to a page, and the one way every page is answered.

``answer`` wraps a page's view: it reads the form, finds who is signed in (the session cookie
the API uses), sends the signed-out to the login page, refuses a role the page is not open to,
checks the CSRF token of an unsafe request, runs the view and turns any error into an HTML
page. A view is a plain function ``(Visit) -> Response`` that calls the ``Services`` facade.

The signed-in member is found as the API finds it: a session confirmed moments ago comes from
the services' session cache without a trip to the thread pool, and only a cache miss looks in
the database (signing out forgets the cache entry, so the cookie is refused at once).
``stray`` answers a path no page has, or a method a page does not take, with an HTML page.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, tzinfo
from typing import Final
from urllib.parse import parse_qsl, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from needlepoint.bootstrap import Services
from needlepoint.domain.errors import DomainError
from needlepoint.domain.records import StaffMember
from needlepoint.entrypoints.api import security
from needlepoint.entrypoints.api.permissions import PUBLIC, SIGNED_IN, Rule
from needlepoint.entrypoints.web import csrf, errors, zones
from needlepoint.entrypoints.web.headers import SECURITY_HEADERS
from needlepoint.entrypoints.web.requests import PageRequest
from needlepoint.services import permissions
from needlepoint.services.accounts.sign_in import NotAuthenticatedError
from needlepoint.services.audit import AuthMethod, RequestContext
from needlepoint.services.permissions import Action

FORM_CONTENT_TYPE: Final = "application/x-www-form-urlencoded"
MAX_FORM_FIELDS: Final = 200
LOGIN_PATH: Final = "/login"

View = Callable[["Visit"], Response]
Respond = Callable[["Page", "Visit"], Response]


@dataclass(frozen=True, slots=True)
class Page:
    """One page: its method and path, its view, and the action it takes (or who may see it)."""

    method: str
    path: str
    view: View
    allowed: Rule


@dataclass(frozen=True, slots=True)
class Visit(PageRequest):
    """A request to a page: who is asking, through which services, with which form."""

    page: Page
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
        return RequestContext(actor=self.staff, request_id=self.request_id, auth=AuthMethod.SESSION)

    @property
    def time_zone(self) -> tzinfo:
        """The zone every time is shown in: the signed-in member's clinic's, else UTC."""
        if self.member is None:
            return UTC
        return zones.clinic_zone(self.services, self.member.clinic_id)

    def may(self, action: Action) -> bool:
        """Whether the signed-in member of staff may take an action (to show its part)."""
        return self.member is not None and permissions.allows(self.member.role, action)


class ServerSecret:
    """The web app's CSRF secret, fetched from the services once, on first use."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._value: bytes | None = None

    def value(self) -> bytes:
        """The secret."""
        if self._value is None:
            self._value = self._services.web_secret()
        return self._value


def answer(
    page: Page, services: Services, secret: ServerSecret
) -> Callable[[Request], Awaitable[Response]]:
    """The Starlette endpoint for a page."""

    async def endpoint(request: Request) -> Response:
        # FastAPI names only its own routes in the scope; the access log reads the path here.
        request.scope.setdefault("route", page)
        form = await _form(request)
        recalled = _recalled(request, services)
        return await run_in_threadpool(
            _visit, page, request, form, services, secret, recalled=recalled, respond=_answered
        )

    return endpoint


def stray(services: Services) -> Callable[[Request, HTTPException], Awaitable[Response]]:
    """The answer to a path no page has (404) or a method its page does not take (405).

    An HTML page in the web's own words, with the web's security headers, to whoever is asking
    (no sign-in is needed to be told a page does not exist). A 405's ``Allow`` is the caller's.
    """
    secret = ServerSecret(services)

    async def endpoint(request: Request, error: HTTPException) -> Response:
        status = error.status_code
        page = Page(request.method, request.url.path, _stray_view(status), PUBLIC)
        recalled = _recalled(request, services)
        response = await run_in_threadpool(
            _visit, page, request, {}, services, secret, recalled=recalled, respond=_unchecked
        )
        response.headers.update(SECURITY_HEADERS)
        return response

    return endpoint


def _stray_view(status: int) -> View:
    def view(visit: Visit) -> Response:
        return errors.stray_page(visit, status)

    return view


def _unchecked(page: Page, visit: Visit) -> Response:
    """A page shown to anyone, for any method, without a form to check (a stray's answer)."""
    return page.view(visit)


def _visit(
    page: Page,
    request: Request,
    form: Mapping[str, str],
    services: Services,
    secret: ServerSecret,
    *,
    recalled: StaffMember | None,
    respond: Respond,
) -> Response:
    member = recalled or _signed_in(request, services)
    cookie = security.session_token(request)
    binding = cookie if member is not None and cookie else csrf.pre_session(request)
    visit = Visit(page, request, services, member, form, binding, secret.value())
    response = respond(page, visit)
    if member is None and csrf.PRE_SESSION_COOKIE not in request.cookies:
        csrf.set_pre_session(response, binding, secure=visit.secure_cookies)
    return response


def _answered(page: Page, visit: Visit) -> Response:
    try:
        return _admitted(page, visit)
    except DomainError as error:
        return errors.error_page(visit, error)
    except csrf.CsrfError:
        return errors.csrf_refused(visit)
    except Exception as error:  # the last resort: a plain page, never a traceback
        return errors.unexpected(visit, error)


def _admitted(page: Page, visit: Visit) -> Response:
    if page.allowed != PUBLIC:
        if visit.member is None:
            return to_login(visit)
        if page.allowed != SIGNED_IN:
            permissions.require(visit.context, page.allowed)
    csrf.check(visit.request, visit.form, secret=visit.secret, binding=visit.csrf_binding)
    return page.view(visit)


def _recalled(request: Request, services: Services) -> StaffMember | None:
    """The member of a session the cache confirmed moments ago (no I/O: on the event loop)."""
    token = security.session_token(request)
    return None if token is None else services.accounts.recall_session(token)


def _signed_in(request: Request, services: Services) -> StaffMember | None:
    """The member of a live session, looked up in the database (in the thread pool)."""
    token = security.session_token(request)
    return None if token is None else services.accounts.resolve_session(token)


def to_login(visit: Visit) -> Response:
    """Send a signed-out browser to the login page (and back here afterwards, for a GET)."""
    request = visit.request
    target = LOGIN_PATH
    if request.method == "GET":
        target += "?" + urlencode({"next": request.url.path})
    if visit.from_htmx:
        return Response(status_code=401, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


async def _form(request: Request) -> dict[str, str]:
    if request.method in csrf.SAFE_METHODS:
        return {}
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != FORM_CONTENT_TYPE:
        return {}
    body = (await request.body()).decode("utf-8", errors="replace")
    try:
        fields = parse_qsl(body, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS)
    except ValueError:
        return {}  # too many fields: no form (so no CSRF token) at all
    return dict(fields)
