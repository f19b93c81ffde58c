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
    EmailChangeIn,
    EnrolmentOut,
    LoginIn,
    PasswordChangeIn,
    PasswordResetAskedOut,
    PasswordResetConfirmIn,
    ReauthIn,
    RecoveryCodesOut,
    ResetLinkAskIn,
    SecondStepIn,
    SecondStepOut,
    SignedInOut,
    TwoStepConfirmIn,
    TwoStepOut,
)
from needlepoint.entrypoints.api.security import ServicesDep
from needlepoint.services.accounts import password_reset, two_step
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

    A member who signs in with a code gets 401 ``mfa-required`` instead, with ``challenge``
    (answer it at ``/auth/login/second-step`` within 5 minutes); one who must set up an app
    first gets 401 ``mfa-enrolment-required`` with ``challenge``, ``secret``, ``manual_key``
    and ``otpauth_uri`` (answer with the app's first code within 10 minutes).
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


@router.post("/login/second-step")
def second_step(
    body: SecondStepIn, request: Request, response: Response, services: ServicesDep
) -> SecondStepOut:
    """Finish a sign-in with a code (or a recovery code): sets a new session cookie.

    Wrong codes are throttled like wrong passwords (429 ``too-many-attempts``) and refused as
    401 ``invalid-code``; a used or lapsed ``challenge`` is 400 ``sign-in-expired`` (sign in
    again). After setting up an app, ``recovery_codes`` holds ten single-use codes, shown only
    here.
    """
    given = two_step.Answer(
        challenge=body.challenge,
        code=body.code,
        recovery_code=body.recovery_code,
        ip=security.client_ip(request),
        replacing=security.session_token(request),
        request_id=security.request_id(request),
    )
    signed = services.accounts.answer_second_step(given)
    issued = signed.session
    security.set_session_cookie(response, issued, secure=not services.settings.development)
    csrf_token = security.session_csrf_token(request, issued.token)
    out = SignedInOut.signed_in(issued.member, csrf_token)
    return SecondStepOut(**out.model_dump(), recovery_codes=list(signed.recovery_codes))


@router.post("/reauth", status_code=204, response_class=Response)
def reauthenticate(
    body: ReauthIn, request: Request, context: Context, services: ServicesDep
) -> None:
    """Type the password again: sensitive changes are allowed for the next few minutes.

    Turning two-step sign-in on or off and new recovery codes need it (403 ``reauth-required``
    otherwise). Wrong passwords are 401 ``invalid-credentials`` and throttled.
    """
    token = security.session_token(request) or ""
    given = two_step.Reauth(token, body.password, security.client_ip(request))
    services.accounts.reauthenticate(given, context=context)


@router.post("/password", status_code=204, response_class=Response)
def change_password(
    body: PasswordChangeIn, request: Request, context: Context, services: ServicesDep
) -> None:
    """Change your own password (needs ``/auth/reauth`` within 5 minutes).

    Your other sessions and all your API tokens stop working; this session stays signed in.
    A wrong current password or a weak new one is 422 naming the field; without a recent
    ``/auth/reauth`` it is 403 ``reauth-required``.
    """
    passwords = (body.current_password, body.new_password)
    token = security.session_token(request)
    ip = security.client_ip(request)
    services.accounts.change_password(passwords, token, ip=ip, context=context)


@router.put("/email", status_code=204, response_class=Response)
def change_email(
    body: EmailChangeIn, request: Request, context: Context, services: ServicesDep
) -> None:
    """Change the email you sign in with (needs ``/auth/reauth`` within 5 minutes).

    409 ``email-taken`` if another account signs in with it; 403 ``reauth-required`` without
    a recent ``/auth/reauth``.
    """
    token = security.session_token(request)
    services.accounts.change_email(body.email, token, context=context)


@router.get("/two-step")
def two_step_status(context: Context, services: ServicesDep) -> TwoStepOut:
    """Whether the signed-in member signs in with a code, must, and recovery codes left."""
    found = services.accounts.two_step_status(context=context)
    return TwoStepOut(
        enrolled=found.enrolled,
        required=found.required,
        recovery_codes_left=found.recovery_codes_left,
    )


@router.post("/two-step/enrolment", status_code=201)
def begin_two_step(request: Request, context: Context, services: ServicesDep) -> EnrolmentOut:
    """A new authenticator key to add to an app (needs ``/auth/reauth`` within 5 minutes)."""
    enrolment = services.accounts.begin_two_step(security.session_token(request), context=context)
    return EnrolmentOut(
        secret=enrolment.secret, manual_key=enrolment.manual_key, otpauth_uri=enrolment.uri
    )


@router.post("/two-step/enrolment/confirm")
def confirm_two_step(
    body: TwoStepConfirmIn, context: Context, services: ServicesDep
) -> RecoveryCodesOut:
    """Turn two-step sign-in on with the app's first code; the recovery codes, shown once."""
    codes = services.accounts.confirm_two_step(body.code, context=context)
    return RecoveryCodesOut(recovery_codes=list(codes))


@router.post("/two-step/disable", status_code=204, response_class=Response)
def disable_two_step(request: Request, context: Context, services: ServicesDep) -> None:
    """Turn two-step sign-in off (needs ``/auth/reauth``; 409 for who must use it)."""
    services.accounts.disable_two_step(security.session_token(request), context=context)


@router.post("/two-step/recovery-codes")
def regenerate_recovery_codes(
    request: Request, context: Context, services: ServicesDep
) -> RecoveryCodesOut:
    """New recovery codes (needs ``/auth/reauth``); the old ones stop working."""
    token = security.session_token(request)
    codes = services.accounts.regenerate_recovery_codes(token, context=context)
    return RecoveryCodesOut(recovery_codes=list(codes))


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


@router.post("/invite/accept", status_code=204, response_class=Response)
def accept_invite(body: PasswordResetConfirmIn, request: Request, services: ServicesDep) -> None:
    """Choose a first password with an invite link's token; the account can then sign in.

    Nobody is signed in: sign in with the new password afterwards (an admin then sets up
    two-step sign-in). A used, replaced, expired or unknown token gets 400
    ``invite-link-invalid``; a password the rules refuse gets 422 (the link still works).
    """
    new = password_reset.NewPassword(body.token, body.password, security.request_id(request))
    services.accounts.accept_invite(new)
