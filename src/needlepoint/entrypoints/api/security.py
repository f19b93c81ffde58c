"""Who is calling: the session cookie or an API token, resolved through the services.

Cookie flags follow scenario SE-1 (ecosystem.md §2.7): ``HttpOnly; Secure; SameSite=Lax;
Path=/`` and no ``Domain``. ``Secure`` is dropped only when the settings say development (plain
``http://localhost``). The cookie carries a random reference; the session lives on the server.
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import Depends, Request, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from needlepoint.bootstrap import Services
from needlepoint.domain.records import StaffMember
from needlepoint.services import sessions
from needlepoint.services.audit import AuthMethod

SESSION_COOKIE: Final = "needlepoint_session"
BEARER_PREFIX: Final = "bearer "
JSON: Final = "application/json"


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
    """The caller's address, as the server saw it (throttling counts per address)."""
    return request.client.host if request.client else "unknown"


def session_token(request: Request) -> str | None:
    """The session cookie's value, if one came with the request."""
    return request.cookies.get(SESSION_COOKIE)


def bearer_token(request: Request) -> str | None:
    """The API token from ``Authorization: Bearer …``, if any."""
    header = request.headers.get("authorization", "")
    if header[: len(BEARER_PREFIX)].lower() != BEARER_PREFIX:
        return None
    return header[len(BEARER_PREFIX) :].strip() or None


async def authenticated_staff(request: Request) -> tuple[StaffMember, AuthMethod]:
    """The member of staff behind the request's API token, else its session cookie, and which.

    Raises ``NotAuthenticatedError`` when neither is present and live. A presented but dead
    API token is not rescued by a cookie. A session confirmed moments ago is answered from the
    services' cache; only a lookup in the database goes to the thread pool.
    """
    services = services_of_app(request)
    bearer = bearer_token(request)
    cookie = session_token(request)
    member = None
    method = AuthMethod.SESSION
    if bearer is not None:
        method = AuthMethod.API_TOKEN
        member = await run_in_threadpool(services.resolve_api_token, bearer)
    elif cookie is not None:
        member = services.recall_session(cookie)
        if member is None:
            member = await run_in_threadpool(services.resolve_session, cookie)
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
