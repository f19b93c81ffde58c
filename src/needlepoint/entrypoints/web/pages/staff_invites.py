"""A staff invite's link: the invitee chooses their first password, then signs in as usual.

The same service as ``POST /api/v1/auth/invite/accept`` (AU-6, ADR 0037): showing the
link's page changes nothing; choosing the password lets the account sign in but signs
nobody in, so two-step sign-in rules apply at the first sign-in. A used, replaced or expired
link says to ask the clinic's admin for a new invite.
"""

from __future__ import annotations

from typing import Final

from starlette.responses import Response

from needlepoint.domain.errors import InvalidInputError
from needlepoint.entrypoints.web import templates
from needlepoint.entrypoints.web.pages.password_reset import (
    MAX_FIELD_LENGTH,
    MAX_TOKEN_CHARS,
    MISMATCH,
)
from needlepoint.entrypoints.web.visits import StaffVisit
from needlepoint.services.accounts import invites, password_reset

PATH: Final = "/accept-invite/{token}"


def show_accept(visit: StaffVisit) -> Response:
    """The form to choose a first password; a used or expired link says to ask the admin."""
    token = _token(visit)
    try:
        visit.services.accounts.check_invite_link(token)
    except invites.InviteLinkError as error:
        return _refused(visit, error)
    return _form(visit, token)


def accept(visit: StaffVisit) -> Response:
    """Set the first password; then the invitee signs in with it (nobody is signed in here)."""
    token = _token(visit)
    password = visit.form.get("password", "")[:MAX_FIELD_LENGTH]
    if password != visit.form.get("password_again", "")[:MAX_FIELD_LENGTH]:
        return _form(visit, token, message=MISMATCH, status=422)
    new = password_reset.NewPassword(token, password, visit.request_id)
    try:
        visit.services.accounts.accept_invite(new)
    except invites.InviteLinkError as error:
        return _refused(visit, error)
    except InvalidInputError as error:
        fixes = " ".join(f"{p.problem.capitalize()}: {p.fix}." for p in error.problems)
        return _form(visit, token, message=fixes, status=422)
    return templates.render(visit, "invite/done.html", {})


def _token(visit: StaffVisit) -> str:
    return str(visit.request.path_params["token"])[:MAX_TOKEN_CHARS]


def _form(visit: StaffVisit, token: str, *, message: str = "", status: int = 200) -> Response:
    values = {"token": token, "message": message}
    return templates.render(visit, "invite/accept.html", values, status=status)


def _refused(visit: StaffVisit, error: invites.InviteLinkError) -> Response:
    return templates.render(visit, "invite/refused.html", {"message": str(error)}, status=400)
