"""The clinic's staff, for admins.

List, invite by email (and invite again), add with a temporary password, deactivate and
reactivate, reset a password, set a clinician's licence depth. Each form is read by the API's
request model for the same operation (``InviteIn``, ``StaffIn``, ``PasswordResetIn``,
``LicenceIn``) and goes through the accounts service, which checks it, keeps the clinic's last
active admin (``last-admin``) and records the change in the audit trail. A problem is shown
beside the input of the member it is about. Invites are the page's main way to add someone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final, TypeVar
from uuid import UUID

from pydantic import BaseModel
from starlette.responses import RedirectResponse, Response

from needlepoint.domain.errors import FieldProblem, InvalidInputError
from needlepoint.domain.records import staff_status
from needlepoint.domain.staffing import LastAdminError
from needlepoint.entrypoints.api.schemas.accounts import (
    InviteIn,
    LicenceIn,
    PasswordResetIn,
    StaffIn,
)
from needlepoint.entrypoints.web import forms, templates
from needlepoint.entrypoints.web.visits import StaffVisit, Visit
from needlepoint.services.accounts.sign_in import StaffNotFoundError

PATH: Final = "/settings/staff"
ROLES: Final = (("front_desk", "Front desk"), ("clinician", "Clinician"), ("admin", "Admin"))
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class _Problems:
    """What went wrong with one form: which (``add`` or a member's id and form), and where."""

    form: str = ""
    member: UUID | None = None
    fields: Mapping[str, FieldProblem] = field(default_factory=dict)
    refusal: str = ""


def show(visit: StaffVisit) -> Response:
    """Every member of the clinic's staff, with what an admin may change."""
    return _page(visit, _Problems())


def add(visit: StaffVisit) -> Response:
    """Create an account in the admin's clinic."""
    try:
        given = forms.body(visit.form, StaffIn.model_fields)
        new = forms.parsed(StaffIn, given).to_domain(visit.staff.clinic_id)
        visit.services.accounts.add_staff(new, context=visit.context)
    except InvalidInputError as error:
        return _page(visit, _Problems("add", None, forms.by_field(error.problems)), status=422)
    return _saved("added")


def invite(visit: StaffVisit) -> Response:
    """Invite a member by email: the account waits until they choose a password by the link."""
    try:
        given = forms.body(visit.form, InviteIn.model_fields)
        new = forms.parsed(InviteIn, given).to_domain()
        visit.services.accounts.invite_staff(new, context=visit.context)
    except InvalidInputError as error:
        problems = _Problems("invite", None, forms.by_field(error.problems))
        return _page(visit, problems, status=422)
    return _saved("invited")


def resend_invite(visit: StaffVisit) -> Response:
    """Email a member still waiting on their invite a new link; the earlier one stops working."""
    accounts = visit.services.accounts
    return _change(visit, "invite", lambda m: accounts.resend_invite(m, context=visit.context))


def deactivate(visit: StaffVisit) -> Response:
    """Stop a member signing in (never the clinic's last active admin)."""
    accounts = visit.services.accounts
    return _change(visit, "status", lambda m: accounts.deactivate_staff(m, context=visit.context))


def reactivate(visit: StaffVisit) -> Response:
    """Let a deactivated member sign in again."""
    accounts = visit.services.accounts
    return _change(visit, "status", lambda m: accounts.reactivate_staff(m, context=visit.context))


def reset_password(visit: StaffVisit) -> Response:
    """Give a member a temporary password, told to them in person; their sign-ins end."""
    accounts = visit.services.accounts

    def reset(member: UUID) -> None:
        body = _parsed(PasswordResetIn, visit.form)
        accounts.reset_staff_password(body.to_domain(member), context=visit.context)

    return _change(visit, "password", reset)


def set_licence(visit: StaffVisit) -> Response:
    """Set the deepest needle setting a clinician's licence allows."""
    accounts = visit.services.accounts

    def licence(member: UUID) -> None:
        body = _parsed(LicenceIn, visit.form)
        accounts.set_staff_licence(member, body.licence_max_depth_mm, context=visit.context)

    return _change(visit, "licence", licence)


def _change(visit: Visit, form: str, change: Callable[[UUID], object]) -> Response:
    """Run one change of one member; a problem or a refusal shows the page saying so."""
    member = visit.path_id("staff_id", StaffNotFoundError)
    try:
        change(member)
    except InvalidInputError as error:
        problems = _Problems(form, member, forms.by_field(error.problems))
        return _page(visit, problems, status=422)
    except LastAdminError as error:
        return _page(visit, _Problems(form, member, refusal=str(error)), status=409)
    return _saved(form)


def _parsed(model: type[M], form: Mapping[str, str]) -> M:
    return forms.parsed(model, forms.body(form, model.model_fields))


def _saved(what: str) -> Response:
    return RedirectResponse(f"{PATH}?saved={what}", status_code=303)


def _page(visit: Visit, problems: _Problems, *, status: int = 200) -> Response:
    members = visit.services.accounts.list_staff(context=visit.context)
    invited = visit.services.accounts.invited_staff(context=visit.context)
    page = {
        "members": members,
        "status": {m.id: staff_status(m, invited=m.id in invited) for m in members},
        "roles": ROLES,
        "problems": problems,
        "values": visit.form if problems.form in {"add", "invite"} else {},
        "saved": visit.query("saved"),
        "with_password": problems.form == "add" or bool(visit.query("with_password")),
        "current": "staff",
    }
    return templates.render(visit, "settings/staff.html", page, status=status)
