"""Sign in and out: the same session cookie, throttling and rules as the API's sign-in."""

from __future__ import annotations

import re
from typing import Final

from starlette.responses import RedirectResponse, Response

from needlepoint.entrypoints.api import security
from needlepoint.entrypoints.web import csrf, templates
from needlepoint.entrypoints.web.visits import LOGIN_PATH, StaffVisit, Visit
from needlepoint.services.accounts import second_step
from needlepoint.services.accounts import sign_in as sessions

HOME: Final = "/"
_LOCAL_PATH: Final = re.compile(r"/(?![/\\])[\w\-./]*")
"""A path on this site (never ``//host``): where ``next`` may send the browser."""

WRONG_CREDENTIALS: Final = "The email or the password is not right."
LAPSED: Final = "That sign-in took too long or was already finished. Please sign in again."
MAX_FIELD_LENGTH: Final = 1000


def show_form(visit: StaffVisit) -> Response:
    """The login form; a signed-in browser goes straight on."""
    if visit.member is not None:
        return RedirectResponse(next_page(visit.query("next")), status_code=303)
    message = LAPSED if visit.query("lapsed") else ""
    return _form(visit, next_path=visit.query("next"), message=message)


def sign_in(visit: StaffVisit) -> Response:
    """Check the credentials, open a session and go on to the page asked for."""
    email = visit.form.get("email", "").strip()[:MAX_FIELD_LENGTH]
    password = visit.form.get("password", "")[:MAX_FIELD_LENGTH]
    next_path = visit.form.get("next", "")
    credentials = sessions.Credentials(
        email,
        password,
        security.client_ip(visit.request),
        replacing=visit.request.cookies.get(security.SESSION_COOKIE),
        request_id=visit.request_id,
    )
    try:
        issued = visit.services.accounts.log_in(credentials)
    except second_step.SecondStepRequiredError as error:
        from needlepoint.entrypoints.web.pages import two_step  # noqa: PLC0415 - imports login

        return two_step.ask(visit, error, next_path)
    except sessions.InvalidCredentialsError:
        return _form(visit, next_path=next_path, email=email, message=WRONG_CREDENTIALS, status=401)
    except sessions.TooManyAttemptsError as error:
        message = f"Too many failed sign-ins. Wait {wait_words(error)}, then try again."
        headers = {"Retry-After": str(error.retry_after_seconds)}
        return _form(
            visit, next_path=next_path, email=email, message=message, status=429, headers=headers
        )
    response = RedirectResponse(next_page(next_path), status_code=303)
    security.set_session_cookie(response, issued, secure=visit.secure_cookies)
    csrf.clear_pre_session(response, secure=visit.secure_cookies)
    return response


def sign_out(visit: StaffVisit) -> Response:
    """End the session on the server and forget the cookie."""
    token = security.session_token(visit.request)
    if token is not None:
        visit.services.accounts.log_out(token, request_id=visit.request_id)
    response = RedirectResponse(LOGIN_PATH, status_code=303)
    security.clear_session_cookie(response, secure=visit.secure_cookies)
    return response


def next_page(requested: str) -> str:
    """Where to go after signing in: the page asked for if it is on this site, else home."""
    return requested if _LOCAL_PATH.fullmatch(requested) else HOME


def _form(
    visit: Visit,
    *,
    next_path: str,
    email: str = "",
    message: str = "",
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    values = {"next_path": next_page(next_path), "email": email, "message": message}
    return templates.render(visit, "login.html", values, status=status, headers=headers)


SECONDS_PER_MINUTE: Final = 60


def wait_words(error: sessions.TooManyAttemptsError) -> str:
    """How long to wait, in words: seconds under a minute, else whole minutes (rounded up)."""
    seconds = error.retry_after_seconds
    if seconds < SECONDS_PER_MINUTE:
        return "1 second" if seconds == 1 else f"{seconds} seconds"
    minutes = -(-seconds // SECONDS_PER_MINUTE)
    return "1 minute" if minutes == 1 else f"{minutes} minutes"
