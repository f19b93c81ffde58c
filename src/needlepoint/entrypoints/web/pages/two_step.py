"""Two-step sign-in on the web (AU-5) and "confirm your password" (SE-5), ADR 0036.

The same use cases as the API's ``/auth/login/second-step``, ``/auth/reauth`` and
``/auth/two-step/*``: the sign-in's second page asks for the code of a member who has an app,
or sets one up for a member who must; "Two-step sign-in" lets a member turn it on or off and
make new recovery codes, after confirming their password when it was typed more than a few
minutes ago. The QR code is drawn here as inline SVG (``segno``); nothing is fetched.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final
from urllib.parse import urlencode

import segno
from markupsafe import Markup
from starlette.responses import RedirectResponse, Response

from needlepoint.entrypoints.api import security
from needlepoint.entrypoints.web import csrf, templates
from needlepoint.entrypoints.web.pages import login
from needlepoint.entrypoints.web.visits import LOGIN_PATH, StaffVisit, Visit
from needlepoint.services.accounts import second_step, two_step
from needlepoint.services.accounts import sign_in as sessions

SECOND_STEP_PATH: Final = "/login/second-step"
ACCOUNT_PATH: Final = "/account/two-step"
CONFIRM_PATH: Final = "/account/confirm-password"
MAX_FIELD_LENGTH: Final = 100

WRONG_CODE: Final = (
    "That code is not right, or was already used. Wait for the app to show a new code and "
    "enter that one."
)
LAPSED: Final = "That sign-in took too long or was already finished. Please sign in again."


def qr_svg(uri: str) -> Markup:
    """The ``otpauth://`` address as an inline SVG QR code (no file, no request)."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=5, title="QR code for your authenticator app", border=2
    )
    return Markup(svg)  # segno's own markup, of our own otpauth:// address


def ask(visit: Visit, error: second_step.SecondStepRequiredError, next_path: str) -> Response:
    """The sign-in's second page: a code, or setting up an app first."""
    pending = error.pending
    values = {
        "challenge": pending.token,
        "next_path": login.next_page(next_path),
        "enrol": pending.enrolment is not None,
        "manual_key": pending.enrolment.manual_key if pending.enrolment else "",
        "qr": qr_svg(pending.enrolment.uri) if pending.enrolment else "",
        "message": "",
    }
    return templates.render(visit, "two_step/code.html", values)


def answer(visit: StaffVisit) -> Response:
    """Check the code (or recovery code); open the session and go on."""
    form = visit.form
    next_path = form.get("next", "")
    given = two_step.Answer(
        challenge=form.get("challenge", "")[:MAX_FIELD_LENGTH],
        code=form.get("code", "")[:MAX_FIELD_LENGTH],
        recovery_code=form.get("recovery_code", "")[:MAX_FIELD_LENGTH],
        ip=security.client_ip(visit.request),
        replacing=visit.request.cookies.get(security.SESSION_COOKIE),
        request_id=visit.request_id,
    )
    try:
        signed = visit.services.accounts.answer_second_step(given)
    except two_step.SignInExpiredError:
        return RedirectResponse(f"{LOGIN_PATH}?{urlencode({'lapsed': '1'})}", status_code=303)
    except two_step.InvalidCodeError:
        return _again(visit, given.challenge, next_path, WRONG_CODE, 401)
    except sessions.TooManyAttemptsError as error:
        message = f"Too many wrong codes. Wait {login.wait_words(error)}, then try again."
        return _again(visit, given.challenge, next_path, message, 429)
    response: Response
    if signed.recovery_codes:
        values = {"codes": signed.recovery_codes, "next_path": login.next_page(next_path)}
        response = templates.render(visit, "two_step/recovery_codes.html", values)
    else:
        response = RedirectResponse(login.next_page(next_path), status_code=303)
    security.set_session_cookie(response, signed.session, secure=visit.secure_cookies)
    csrf.clear_pre_session(response, secure=visit.secure_cookies)
    return response


def _again(visit: Visit, challenge: str, next_path: str, message: str, status: int) -> Response:
    values = {
        "challenge": challenge,
        "next_path": login.next_page(next_path),
        "enrol": False,
        "manual_key": "",
        "qr": "",
        "message": message,
    }
    return templates.render(visit, "two_step/code.html", values, status=status)


def show(visit: StaffVisit) -> Response:
    """Whether the member signs in with a code, and what they may change."""
    return _account(visit)


def _account(
    visit: StaffVisit,
    *,
    enrolment: second_step.Enrolment | None = None,
    codes: Sequence[str] = (),
    message: str = "",
    status: int = 200,
) -> Response:
    found = visit.services.accounts.two_step_status(context=visit.context)
    values = {
        "status": found,
        "enrolment": enrolment,
        "qr": qr_svg(enrolment.uri) if enrolment else "",
        "codes": codes,
        "message": message,
        "saved": visit.query("saved"),
    }
    return templates.render(visit, "two_step/account.html", values, status=status)


def _confirm_first() -> Response:
    """Send the member to confirm their password, then back to this page."""
    query = urlencode({"next": ACCOUNT_PATH})
    return RedirectResponse(f"{CONFIRM_PATH}?{query}", status_code=303)


def begin(visit: StaffVisit) -> Response:
    """Start setting up an app: the key and QR code, and a box for its first code."""
    token = security.session_token(visit.request)
    try:
        enrolment = visit.services.accounts.begin_two_step(token, context=visit.context)
    except two_step.ReauthRequiredError:
        return _confirm_first()
    return _account(visit, enrolment=enrolment)


def confirm(visit: StaffVisit) -> Response:
    """Turn two-step sign-in on with the app's first code; show the recovery codes once."""
    code = visit.form.get("code", "")[:MAX_FIELD_LENGTH]
    try:
        codes = visit.services.accounts.confirm_two_step(code, context=visit.context)
    except two_step.InvalidCodeError:
        return _account(visit, message=WRONG_CODE + " Start again if it keeps failing.", status=422)
    return _account(visit, codes=codes)


def disable(visit: StaffVisit) -> Response:
    """Turn two-step sign-in off."""
    token = security.session_token(visit.request)
    try:
        visit.services.accounts.disable_two_step(token, context=visit.context)
    except two_step.ReauthRequiredError:
        return _confirm_first()
    return RedirectResponse(f"{ACCOUNT_PATH}?saved=off", status_code=303)


def new_codes(visit: StaffVisit) -> Response:
    """New recovery codes, shown once; the old ones stop working."""
    token = security.session_token(visit.request)
    try:
        codes = visit.services.accounts.regenerate_recovery_codes(token, context=visit.context)
    except two_step.ReauthRequiredError:
        return _confirm_first()
    return _account(visit, codes=codes)


def confirm_form(visit: StaffVisit) -> Response:
    """Type the password again before a sensitive change."""
    return _confirm_page(visit, next_path=visit.query("next"))


def reauthenticate(visit: StaffVisit) -> Response:
    """Check the password; go back to the page that asked for it."""
    next_path = visit.form.get("next", "")
    password = visit.form.get("password", "")[: login.MAX_FIELD_LENGTH]
    token = security.session_token(visit.request) or ""
    given = two_step.Reauth(token, password, security.client_ip(visit.request))
    try:
        visit.services.accounts.reauthenticate(given, context=visit.context)
    except sessions.InvalidCredentialsError:
        message = "That password is not right."
        return _confirm_page(visit, next_path=next_path, message=message, status=401)
    except sessions.TooManyAttemptsError as error:
        message = f"Too many wrong passwords. Wait {login.wait_words(error)}, then try again."
        return _confirm_page(visit, next_path=next_path, message=message, status=429)
    return RedirectResponse(login.next_page(next_path), status_code=303)


def _confirm_page(
    visit: StaffVisit, *, next_path: str, message: str = "", status: int = 200
) -> Response:
    values = {"next_path": login.next_page(next_path), "message": message}
    return templates.render(visit, "two_step/confirm_password.html", values, status=status)


def set_clinic_requirement(visit: StaffVisit) -> Response:
    """Require (or stop requiring) a code of every member of the clinic."""
    required = visit.form.get("required", "") == "yes"
    visit.services.accounts.set_clinic_two_step(required=required, context=visit.context)
    return RedirectResponse("/settings/clinic?saved=two-step", status_code=303)
