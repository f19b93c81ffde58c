"""Who is calling, from where, and whether a browser's request came from this site's pages.

Cookie flags follow scenario SE-1 (ecosystem.md §2.7): ``HttpOnly; Secure; SameSite=Lax;
Path=/`` and no ``Domain``. ``Secure`` is dropped only when the settings say development (plain
``http://localhost``). The cookie carries a random reference; the session lives on the server.

CSRF (ADR 0014 for the web app, ADR 0023 for the API): a session's token is the HMAC-SHA256
of the server secret and the session cookie's value. The web app puts it in its forms; API
clients get it as ``csrf_token`` from the sign-in response and ``GET /api/v1/auth/me`` and
send it back in ``X-CSRF-Token``. A request that came with a same-origin ``Origin`` header
needs no token (a browser never lets another site's page claim this origin).

The client's address is the socket peer's, unless the peer is a configured proxy
(``NEEDLEPOINT_TRUSTED_PROXIES``): then the nearest untrusted hop of ``X-Forwarded-For``.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Mapping, Sequence
from typing import Annotated, Final
from urllib.parse import urlsplit

from fastapi import Depends, Request, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from needlepoint.bootstrap import Services
from needlepoint.config import IpNetwork
from needlepoint.domain.records import StaffMember
from needlepoint.services.accounts import sign_in as sessions
from needlepoint.services.audit import AuthMethod
from needlepoint.services.permissions import PermissionDeniedError

SESSION_COOKIE: Final = "needlepoint_session"
BEARER_PREFIX: Final = "bearer "
JSON: Final = "application/json"
CSRF_HEADER: Final = "X-CSRF-Token"
CSRF_FIELD: Final = "csrf_token"
"""A page's forms carry the token in this hidden field (htmx sends the header instead)."""
PRE_SESSION_COOKIE: Final = "needlepoint_presession"
"""Before sign-in, a page's CSRF token is bound to this random cookie (ADR 0014)."""
PORTAL_COOKIE: Final = "needlepoint_portal"
"""A patient's portal session (``Path=/portal``, ADR 0017): the portal's own sessions."""
PORTAL_PRE_SESSION_COOKIE: Final = "needlepoint_portal_presession"
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
DEFAULT_PORTS: Final = {"http": 80, "https": 443}
UNKNOWN_ADDRESS: Final = "unknown"

Origin = tuple[str, str, int]
"""An origin as compared: scheme, host (lower case) and port."""


class CrossSiteRequestError(PermissionDeniedError):
    """A browser's request that changes something came without proof it came from this site."""

    code = "csrf-refused"


async def services_of(request: Request) -> Services:
    """The wired services the app was created with.

    Dependencies that do no I/O are ``async``: FastAPI runs a plain ``def`` dependency in the
    thread pool, and each hop there costs more than the work.
    """
    return services_of_app(request)


ServicesDep = Annotated[Services, Depends(services_of)]


def services_of_app(request: Request) -> Services:
    """The wired services, for code that is not a dependency."""
    services: Services = request.app.state.services
    return services


def json_response(model: BaseModel, status_code: int = 200) -> Response:
    """A response model serialised once, in the route's own thread.

    FastAPI would validate and serialise a returned model again, in a second trip to the
    thread pool; routes declare ``response_model=`` for the OpenAPI document instead.
    """
    return Response(model.__pydantic_serializer__.to_json(model), status_code, media_type=JSON)


def request_id(request: Request) -> str:
    """The id given to this request by the request boundary."""
    return str(request.state.request_id)


def client_ip(request: Request) -> str:
    """The caller's address, which throttling counts per address.

    The socket peer's, or, from a trusted proxy, the nearest untrusted hop of
    ``X-Forwarded-For``.
    """
    peer = request.client.host if request.client else UNKNOWN_ADDRESS
    proxies = services_of_app(request).settings.trusted_proxies
    return forwarded_client(peer, request.headers.getlist("x-forwarded-for"), proxies)


def forwarded_client(peer: str, forwarded_for: Sequence[str], proxies: Sequence[IpNetwork]) -> str:
    """The client's address behind the proxies: walk ``X-Forwarded-For`` from the right.

    Each trusted proxy appends the address it was called from, so the rightmost hop that is
    not a trusted proxy is the client; hops further left were written by the client and are
    never believed. A malformed hop ends the walk at the peer (counting the proxy, not a
    forged address); when every hop is a proxy, the leftmost is the client.
    """
    if not _is_trusted(peer, proxies):
        return peer
    hops = [hop.strip() for header in forwarded_for for hop in header.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_address(hop):
            return peer
        if not _is_trusted(hop, proxies):
            return hop
    return hops[0] if hops else peer


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _is_trusted(address: str, proxies: Sequence[IpNetwork]) -> bool:
    if not proxies or not _is_address(address):
        return False
    parsed = ipaddress.ip_address(address)
    return any(parsed in network for network in proxies)


def csrf_token(secret: bytes, binding: str) -> str:
    """The CSRF token for a session (or pre-session) cookie value: HMAC-SHA256 (ADR 0014)."""
    return hmac.new(secret, b"csrf:" + binding.encode("utf-8"), hashlib.sha256).hexdigest()


def csrf_secret(request: Request) -> bytes:
    """The server secret CSRF tokens are derived from (read once per app, on first use)."""
    state = request.app.state
    secret: bytes | None = getattr(state, "csrf_secret", None)
    if secret is None:
        secret = state.csrf_secret = services_of_app(request).web_secret()
    return secret


def session_csrf_token(request: Request, session: str) -> str:
    """The CSRF token a session cookie's requests must carry."""
    return csrf_token(csrf_secret(request), session)


def is_proven_same_site(request: Request) -> bool:
    """Whether a request that changes something proves it came from this site.

    It does with a CSRF token bound to one of its cookies (``csrf_bindings``), sent in
    ``X-CSRF-Token`` or, from a page's form, in the ``csrf_token`` field; or with a
    same-origin ``Origin``.
    """
    given = presented_csrf_token(request)
    for binding in csrf_bindings(request) if given else ():
        expected = session_csrf_token(request, binding)
        if hmac.compare_digest(given.encode(), expected.encode()):
            return True
    return is_same_origin(request)


def presented_csrf_token(request: Request) -> str:
    """The token the request carries: the header, else its page form's hidden field."""
    fields: Mapping[str, str] = getattr(request.state, "form_fields", None) or {}
    return request.headers.get(CSRF_HEADER) or fields.get(CSRF_FIELD, "")


def csrf_bindings(request: Request) -> list[str]:
    """The cookie values a CSRF token may be bound to: the session cookie for the API.

    A page names its own (``request.state.csrf_cookies``): its session cookie and the
    pre-session cookie its sign-in form's token is bound to.
    """
    names: Sequence[str] = getattr(request.state, "csrf_cookies", (SESSION_COOKIE,))
    return [value for name in names if (value := request.cookies.get(name))]


def is_page(request: Request) -> bool:
    """Whether a page of the web app or the portal is asked (it named its CSRF cookies)."""
    return hasattr(request.state, "csrf_cookies")


def is_cross_site(request: Request) -> bool:
    """Whether the request names an ``Origin`` other than this site's (``null`` included)."""
    return "origin" in request.headers and not is_same_origin(request)


def is_same_origin(request: Request) -> bool:
    """Whether the ``Origin`` header names this site (scheme, host and port)."""
    given = parse_origin(request.headers.get("origin", ""))
    return given is not None and given == own_origin(request)


def own_origin(request: Request) -> Origin | None:
    """This site's origin as the browser sees it.

    The ``Host`` header and the scheme (from ``X-Forwarded-Proto`` when a trusted proxy sent
    the request).
    """
    scheme = request.url.scheme
    peer = request.client.host if request.client else UNKNOWN_ADDRESS
    if _is_trusted(peer, services_of_app(request).settings.trusted_proxies):
        forwarded = request.headers.get("x-forwarded-proto", "").split(",")[-1].strip().lower()
        scheme = forwarded if forwarded in DEFAULT_PORTS else scheme
    return parse_origin(f"{scheme}://{request.headers.get('host', '')}")


def parse_origin(text: str) -> Origin | None:
    """``scheme://host[:port]`` as an origin, or None when it is not one (``null``, say)."""
    parts = urlsplit(text.strip())
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        return None
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or DEFAULT_PORTS[scheme]


def session_token(request: Request) -> str | None:
    """The session cookie's value, if one came with the request."""
    return request.cookies.get(SESSION_COOKIE)


def bearer_token(request: Request) -> str | None:
    """The API token from ``Authorization: Bearer …``, if any."""
    header = request.headers.get("authorization", "")
    if header[: len(BEARER_PREFIX)].lower() != BEARER_PREFIX:
        return None
    return header[len(BEARER_PREFIX) :].strip() or None


async def signed_in_staff(request: Request) -> StaffMember | None:
    """The member of staff behind the session cookie, if it is live (public pages show who).

    Looked up once per request: the guard's answer, else the database.
    """
    if hasattr(request.state, "member"):
        found: StaffMember | None = request.state.member
        return found
    cookie = session_token(request)
    member = None
    if cookie is not None:
        resolve = services_of_app(request).accounts.resolve_session
        member = await run_in_threadpool(resolve, cookie)
    request.state.member = member
    return member


async def authenticated_staff(request: Request) -> tuple[StaffMember, AuthMethod]:
    """The member of staff behind the request's API token, else its session cookie, and which.

    Raises ``NotAuthenticatedError`` when neither is present and live. A presented but dead
    API token is not rescued by a cookie. The session is read from the database on every
    request, so one ended by any server process is refused at once (ADR 0033).
    """
    services = services_of_app(request)
    bearer = bearer_token(request)
    cookie = session_token(request)
    member = None
    method = AuthMethod.SESSION
    if bearer is not None:
        method = AuthMethod.API_TOKEN
        resolve = services.accounts.resolve_api_token
        member = await run_in_threadpool(resolve, bearer, request_id=request_id(request))
    elif cookie is not None:
        member = await run_in_threadpool(services.accounts.resolve_session, cookie)
    if member is None:
        raise sessions.NotAuthenticatedError("sign in, or send an API token")
    return member, method


def set_session_cookie(response: Response, issued: sessions.IssuedSession, *, secure: bool) -> None:
    """Hand the new session's token to the browser (it never sees it again)."""
    response.set_cookie(
        SESSION_COOKIE,
        issued.token,
        max_age=int(sessions.ABSOLUTE_TIMEOUT.total_seconds()),
        path="/",
        secure=secure,
        httponly=True,
        samesite="lax",
    )


def clear_session_cookie(response: Response, *, secure: bool) -> None:
    """Tell the browser to forget the session cookie."""
    response.delete_cookie(SESSION_COOKIE, path="/", secure=secure, httponly=True, samesite="lax")
