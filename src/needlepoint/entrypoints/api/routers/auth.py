"""Sign in and out, who am I, and API tokens for scripts."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request, Response

from needlepoint.entrypoints.api import security
from needlepoint.entrypoints.api.permissions import API, Context
from needlepoint.entrypoints.api.schemas.accounts import (
    ApiTokenIn,
    ApiTokenListOut,
    ApiTokenOut,
    LoginIn,
    PasswordResetAskedOut,
    PasswordResetConfirmIn,
    ResetLinkAskIn,
    SignedInOut,
)
from needlepoint.entrypoints.api.security import ServicesDep
from needlepoint.services.accounts import password_reset
from needlepoint.services.accounts import sign_in as sessions
from needlepoint.services.audit import AuthMethod

router = APIRouter(prefix=f"{API}/auth", tags=["auth"])


@router.post("/login")
def log_in(
    body: LoginIn, request: Request, response: Response, services: ServicesDep
) -> SignedInOut:
    """Sign in: sets the session cookie; returns the member of staff and the CSRF token.

    Send the CSRF token as the ``X-CSRF-Token`` header with every POST, PUT, PATCH or DELETE
    made with the cookie. Failed attempts are throttled before any password is checked: a
    throttled attempt gets 429 ``too-many-attempts`` with ``Retry-After`` in seconds.
    """
    credentials = sessions.Credentials(
        body.email,
        body.password,
        security.client_ip(request),
        replacing=security.session_token(request),
        request_id=security.request_id(request),
    )
    issued = services.accounts.log_in(credentials)
    security.set_session_cookie(response, issued, secure=not services.settings.development)
    csrf_token = security.session_csrf_token(request, issued.token)
    return SignedInOut.signed_in(issued.member, csrf_token)


@router.post("/logout", status_code=204, response_class=Response)
def log_out(request: Request, response: Response, services: ServicesDep, _: Context) -> None:
    """Sign out: the session ends on the server and the cookie is cleared."""
    token = security.session_token(request)
    if token is not None:
        services.accounts.log_out(token, request_id=security.request_id(request))
    security.clear_session_cookie(response, secure=not services.settings.development)


@router.get("/me")
def me(request: Request, context: Context) -> SignedInOut:
    """The signed-in member of staff, and their session's CSRF token (null with an API token)."""
    session = security.session_token(request)
    by_cookie = context.auth is AuthMethod.SESSION and session is not None
    csrf_token = security.session_csrf_token(request, session) if by_cookie and session else None
    return SignedInOut.signed_in(context.actor, csrf_token)


@router.post("/tokens", status_code=201)
def create_api_token(body: ApiTokenIn, context: Context, services: ServicesDep) -> ApiTokenOut:
    """A new API token for a script; the token is in this response only.

    The token acts as ``staff_id`` but never attests: signing, charting and clearing need that
    clinician's own signed-in session. It works for ``expires_in_days`` (1 to 365; the
    clinic's default, 90 unless configured, when left out); after that, or once revoked, it
    gets 401 ``api-token-expired`` or ``api-token-revoked``. Who issued it is recorded and
    audited.
    """
    issued = services.accounts.issue_api_token(
        body.name,
        staff_id=body.staff_id or context.actor.id,
        context=context,
        lifetime_days=body.expires_in_days,
    )
    return ApiTokenOut.from_domain(issued)


@router.get("/tokens")
def list_api_tokens(context: Context, services: ServicesDep) -> ApiTokenListOut:
    """The API tokens acting as you (an admin: every token of the clinic), newest first.

    Each shows its name, its first characters (``prefix``), when it expires and when it was
    last used (to the minute); never the token itself. Expired and revoked ones are listed.
    """
    found = services.accounts.list_api_tokens(context=context)
    return ApiTokenListOut.from_domain(found)


@router.post("/tokens/{token_id}/revoke", status_code=204, response_class=Response)
def revoke_api_token(token_id: UUID, context: Context, services: ServicesDep) -> None:
    """Stop an API token working at once (revoking it again changes nothing).

    Anyone may revoke a token acting as them; an admin any token of the clinic.
    """
    services.accounts.revoke_api_token(token_id, context=context)


RESET_ASKED = (
    "If this email belongs to an account, a link to choose a new password is on its way. "
    "It works once, for 60 minutes."
)
"""The one answer to a reset request, known email or not (ecosystem.md AU-4)."""


@router.post("/password-reset", status_code=202)
def request_password_reset(
    body: ResetLinkAskIn, request: Request, services: ServicesDep
) -> PasswordResetAskedOut:
    """Email a link to choose a new password, if the email belongs to an active account.

    The answer is the same for every email, known or not. The link works once, for 60
    minutes; use it with ``POST /api/v1/auth/password-reset/confirm``.
    """
    asked = password_reset.ResetAsked(body.email, security.request_id(request))
    services.accounts.request_password_reset(asked)
    return PasswordResetAskedOut(detail=RESET_ASKED)


@router.post("/password-reset/confirm", status_code=204, response_class=Response)
def confirm_password_reset(
    body: PasswordResetConfirmIn, request: Request, services: ServicesDep
) -> None:
    """Set a new password with a reset link's token; every session and API token ends.

    Nobody is signed in: sign in with the new password afterwards. A used, expired or unknown
    token gets 400 ``reset-link-invalid``; a password the rules refuse gets 422 (the link
    still works).
    """
    new = password_reset.NewPassword(body.token, body.password, security.request_id(request))
    services.accounts.reset_password_by_link(new)
