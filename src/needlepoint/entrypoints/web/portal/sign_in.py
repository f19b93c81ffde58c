"""Signing in to the portal by a one-time link, and signing out.

Asking for a link answers the same page whatever the email (known, unknown, or asked for too
often). Opening a link shows a "Continue" button and changes nothing, so a mail scanner that
follows links cannot use the token up; pressing the button consumes it and signs in.
"""

from __future__ import annotations

import re
from typing import Final

from starlette.responses import RedirectResponse, Response

from needlepoint.entrypoints.api import security
from needlepoint.entrypoints.web.portal.visits import (
    HOME,
    PORTAL_COOKIE,
    SIGN_IN_PATH,
    PatientVisit,
    PortalVisit,
    clear_pre_session,
    clear_session_cookie,
    render,
    set_session_cookie,
)
from needlepoint.services.portal.sign_in import LinkRequest, SignInLinkError

MAX_EMAIL: Final = 320
_EMAIL: Final = re.compile(r"[^@\s\x00-\x1f\x7f]{1,160}@[^@\s\x00-\x1f\x7f]{1,160}")
LINK_TROUBLE: Final = "This sign-in link has expired or has already been used. Ask for a new one."
SIGNED_OUT: Final = "You have signed out."
BAD_EMAIL: Final = "Type your email address, like name@example.org."


def show_form(visit: PatientVisit) -> Response:
    """The sign-in form; a signed-in patient goes straight to their portal."""
    if visit.patient is not None:
        return RedirectResponse(HOME, status_code=303)
    message = SIGNED_OUT if visit.query("signed_out") else ""
    return _form(visit, message=message)


def send_link(visit: PatientVisit) -> Response:
    """Queue a sign-in link for each patient record with this email; the same page for all."""
    email = visit.form.fields.get("email", "").strip()[:MAX_EMAIL]
    if not _EMAIL.fullmatch(email):
        return _form(visit, message=BAD_EMAIL, email=email, status=422)
    request = LinkRequest(email, security.client_ip(visit.request), visit.request_id)
    visit.portal.request_sign_in_links(request)
    minutes = int(visit.portal.link_lifetime.total_seconds() // 60)
    return render(visit, "portal/link_sent.html", {"minutes": minutes})


def show_link(visit: PatientVisit) -> Response:
    """The page a sign-in link opens: one button that signs in (opening it changes nothing)."""
    return render(visit, "portal/continue.html", {"token": visit.path_param("token")})


def use_link(visit: PatientVisit) -> Response:
    """Consume the link's token, open a session and go to the portal's home page."""
    try:
        issued = visit.portal.open_session(
            visit.path_param("token"),
            replacing=visit.request.cookies.get(PORTAL_COOKIE),
            request_id=visit.request_id,
        )
    except SignInLinkError:
        return _form(visit, message=LINK_TROUBLE, status=400)
    response = RedirectResponse(HOME, status_code=303)
    max_age = int((issued.expires_at - visit.services.clock.now()).total_seconds())
    set_session_cookie(response, issued.token, max_age=max_age, secure=visit.secure_cookies)
    clear_pre_session(response, secure=visit.secure_cookies)
    return response


def sign_out(visit: PatientVisit) -> Response:
    """End the session on the server and forget the cookie."""
    token = visit.request.cookies.get(PORTAL_COOKIE)
    if token is not None:
        visit.portal.end_session(token, request_id=visit.request_id)
    response = RedirectResponse(f"{SIGN_IN_PATH}?signed_out=1", status_code=303)
    clear_session_cookie(response, secure=visit.secure_cookies)
    return response


def _form(visit: PortalVisit, *, message: str = "", email: str = "", status: int = 200) -> Response:
    values = {"message": message, "email": email}
    return render(visit, "portal/sign_in.html", values, status=status)
