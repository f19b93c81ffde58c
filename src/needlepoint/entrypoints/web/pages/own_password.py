"""A member of staff changes their own password on the web (SE-4, SE-5), ADR 0036.

The same use case as the API's ``POST /auth/password``: the current password, a new one twice,
and the password typed within the last few minutes on this session (else "Confirm your
password" first, then back here). Their other sessions and API tokens end; this one stays.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import urlencode

from starlette.responses import RedirectResponse, Response

from needlepoint.domain.errors import InvalidInputError
from needlepoint.entrypoints.api import security
from needlepoint.entrypoints.web import templates
from needlepoint.entrypoints.web.pages import login
from needlepoint.entrypoints.web.pages.two_step import CONFIRM_PATH
from needlepoint.entrypoints.web.visits import StaffVisit
from needlepoint.services.accounts import sign_in as sessions
from needlepoint.services.accounts import two_step
from needlepoint.services.accounts.staff import EmailTakenError

PATH: Final = "/account/password"
MISMATCH: Final = "The two new passwords are not the same. Type the new password twice."


def show(visit: StaffVisit) -> Response:
    """The "Change your password" form."""
    return _form(visit, saved=visit.query("saved") == "1")


def change(visit: StaffVisit) -> Response:
    """Set the new password; other sessions and API tokens end."""
    form = visit.form
    new_password = form.get("new_password", "")[: login.MAX_FIELD_LENGTH]
    if new_password != form.get("new_password_again", "")[: login.MAX_FIELD_LENGTH]:
        return _form(visit, message=MISMATCH, status=422)
    passwords = (form.get("current_password", "")[: login.MAX_FIELD_LENGTH], new_password)
    token = security.session_token(visit.request)
    ip = security.client_ip(visit.request)
    try:
        visit.services.accounts.change_password(passwords, token, ip=ip, context=visit.context)
    except two_step.ReauthRequiredError:
        return RedirectResponse(f"{CONFIRM_PATH}?{urlencode({'next': PATH})}", status_code=303)
    except sessions.TooManyAttemptsError as error:
        message = f"Too many wrong passwords. Wait {login.wait_words(error)}, then try again."
        return _form(visit, message=message, status=429)
    except InvalidInputError as error:
        message = " ".join(f"{_label(p.field)} {p.problem} Fix: {p.fix}" for p in error.problems)
        return _form(visit, message=message, status=422)
    return RedirectResponse(f"{PATH}?saved=1", status_code=303)


def _label(field: str) -> str:
    return "Current password" if field == "current_password" else "New password"


def _form(
    visit: StaffVisit, *, message: str = "", saved: bool = False, status: int = 200
) -> Response:
    values = {"message": message, "saved": saved}
    return templates.render(visit, "account/password.html", values, status=status)


EMAIL_PATH: Final = "/account/email"


def show_email(visit: StaffVisit) -> Response:
    """The "Change your sign-in email" form."""
    return _email_form(visit, saved=visit.query("saved") == "1")


def change_email(visit: StaffVisit) -> Response:
    """Set the email the member signs in with."""
    email = visit.form.get("email", "")[: login.MAX_FIELD_LENGTH * 4]
    token = security.session_token(visit.request)
    try:
        visit.services.accounts.change_email(email, token, context=visit.context)
    except two_step.ReauthRequiredError:
        query = urlencode({"next": EMAIL_PATH})
        return RedirectResponse(f"{CONFIRM_PATH}?{query}", status_code=303)
    except InvalidInputError as error:
        message = " ".join(f"Email {p.problem} Fix: {p.fix}" for p in error.problems)
        return _email_form(visit, message=message, email=email, status=422)
    except EmailTakenError:
        message = "Another account already signs in with this email. Choose another one."
        return _email_form(visit, message=message, email=email, status=409)
    return RedirectResponse(f"{EMAIL_PATH}?saved=1", status_code=303)


def _email_form(
    visit: StaffVisit, *, message: str = "", email: str = "", saved: bool = False, status: int = 200
) -> Response:
    values = {"message": message, "saved": saved, "email": email or visit.context.actor.email}
    return templates.render(visit, "account/email.html", values, status=status)
