"""Sign in and out, who am I, and API tokens for scripts."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from needlepoint.entrypoints.api import security
from needlepoint.entrypoints.api.permissions import API, Context
from needlepoint.entrypoints.api.schemas import ApiTokenIn, ApiTokenOut, LoginIn, StaffOut
from needlepoint.entrypoints.api.security import ServicesDep
from needlepoint.services import sessions

router = APIRouter(prefix=f"{API}/auth", tags=["auth"])


@router.post("/login")
def log_in(body: LoginIn, request: Request, response: Response, services: ServicesDep) -> StaffOut:
    """Sign in: sets the session cookie and returns the member of staff."""
    credentials = sessions.Credentials(
        body.email,
        body.password,
        security.client_ip(request),
        replacing=security.session_token(request),
        request_id=security.request_id(request),
    )
    issued = services.log_in(credentials)
    security.set_session_cookie(response, issued, secure=not services.settings.development)
    return StaffOut.from_domain(issued.member)


@router.post("/logout", status_code=204, response_class=Response)
def log_out(request: Request, response: Response, services: ServicesDep, _: Context) -> None:
    """Sign out: the session ends on the server and the cookie is cleared."""
    token = security.session_token(request)
    if token is not None:
        services.log_out(token)
    security.clear_session_cookie(response, secure=not services.settings.development)


@router.get("/me")
def me(context: Context) -> StaffOut:
    """The signed-in member of staff."""
    return StaffOut.from_domain(context.actor)


@router.post("/tokens", status_code=201)
def create_api_token(body: ApiTokenIn, context: Context, services: ServicesDep) -> ApiTokenOut:
    """A new API token for a script; the token is in this response only."""
    staff_id = body.staff_id or context.actor.id
    issued = services.issue_api_token(body.name, staff_id=staff_id, context=context)
    return ApiTokenOut.from_domain(issued)
