"""Forgot your password: ask for a link by email, then choose a new password with it.

The same services as ``POST /api/v1/auth/password-reset`` and ``…/confirm`` (AU-6, ADR 0037):
the answer to "email me a link" never says whether the email is known; showing the link's
page changes nothing; choosing the password ends every session and signs nobody in, so the
member signs in afterwards as usual.
"""

from __future__ import annotations

from typing import Final

from starlette.responses import Response

from needlepoint.domain.errors import InvalidInputError
from needlepoint.entrypoints.web import templates
from needlepoint.entrypoints.web.visits import StaffVisit
from needlepoint.services.accounts import password_reset

FORGOT_PATH: Final = "/forgot-password"
MAX_FIELD_LENGTH: Final = 1000
MAX_TOKEN_CHARS: Final = 100
"""A longer path part is not one of our links (it is cut, and then matches none)."""
MISMATCH: Final = "The two passwords are not the same. Type the new password twice."


def show_forgot(visit: StaffVisit) -> Response:
    """The form that asks for a reset link."""
    return templates.render(visit, "password/forgot.html", {"sent": False})


def send_link(visit: StaffVisit) -> Response:
    """Email a link if the email has an account; the same page either way."""
    email = visit.form.get("email", "").strip()[:MAX_FIELD_LENGTH]
    asked = password_reset.ResetAsked(email, visit.request_id)
    visit.services.accounts.request_password_reset(asked)
    return templates.render(visit, "password/forgot.html", {"sent": True})


def show_reset(visit: StaffVisit) -> Response:
    """The form to choose a new password; a used or expired link says how to ask again."""
    token = _token(visit)
    try:
        visit.services.accounts.check_reset_link(token)
    except password_reset.ResetLinkError as error:
        return _refused(visit, error)
    return _form(visit, token)


def reset(visit: StaffVisit) -> Response:
    """Set the new password; then the member signs in with it (nobody is signed in here)."""
    token = _token(visit)
    password = visit.form.get("password", "")[:MAX_FIELD_LENGTH]
    if password != visit.form.get("password_again", "")[:MAX_FIELD_LENGTH]:
        return _form(visit, token, message=MISMATCH, status=422)
    new = password_reset.NewPassword(token, password, visit.request_id)
    try:
        visit.services.accounts.reset_password_by_link(new)
    except password_reset.ResetLinkError as error:
        return _refused(visit, error)
    except InvalidInputError as error:
        fixes = " ".join(f"{p.problem.capitalize()}: {p.fix}." for p in error.problems)
        return _form(visit, token, message=fixes, status=422)
    return templates.render(visit, "password/done.html", {})


def _token(visit: StaffVisit) -> str:
    return str(visit.request.path_params["token"])[:MAX_TOKEN_CHARS]


def _form(visit: StaffVisit, token: str, *, message: str = "", status: int = 200) -> Response:
    values = {"token": token, "message": message}
    return templates.render(visit, "password/reset.html", values, status=status)


def _refused(visit: StaffVisit, error: password_reset.ResetLinkError) -> Response:
    values = {"message": str(error), "forgot_path": FORGOT_PATH}
    return templates.render(visit, "password/refused.html", values, status=400)
