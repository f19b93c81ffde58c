"""API tokens, for everyone: the tokens acting as you (an admin: the clinic's), each revocable.

The same services as ``GET /api/v1/auth/tokens``, ``POST …/tokens`` and ``…/revoke`` (ADR
0037): a token is listed by its name and first characters, never its secret; an admin issues a
token (named, for 1 to 365 days) and sees its secret on the next page only, once.
"""

from __future__ import annotations

from typing import Final
from uuid import UUID

from starlette.responses import RedirectResponse, Response

from needlepoint.domain.errors import InvalidInputError
from needlepoint.entrypoints.web import templates
from needlepoint.entrypoints.web.visits import StaffVisit
from needlepoint.services.accounts.api_tokens import MAX_LIFETIME_DAYS, ApiTokenNotFoundError
from needlepoint.services.permissions import Action

PATH: Final = "/settings/tokens"
MAX_NAME_CHARS: Final = 100


def show(visit: StaffVisit) -> Response:
    """The tokens acting as the member (an admin: everyone's), and the form to issue one."""
    return _page(visit)


def issue(visit: StaffVisit) -> Response:
    """Issue a named token acting as the admin, for the days chosen; its secret is shown once."""
    name = visit.form.get("name", "")[:MAX_NAME_CHARS]
    raw_days = visit.form.get("expires_in_days", "").strip()
    if raw_days and not raw_days.isdigit():
        problem = f"Days is not a whole number: choose 1 to {MAX_LIFETIME_DAYS} days."
        return _page(visit, message=problem, status=422)
    try:
        issued = visit.services.accounts.issue_api_token(
            name,
            staff_id=visit.staff.id,
            context=visit.context,
            lifetime_days=int(raw_days) if raw_days else None,
        )
    except InvalidInputError as error:
        fixes = " ".join(f"{p.problem.capitalize()}: {p.fix}." for p in error.problems)
        return _page(visit, message=fixes, status=422)
    return _page(visit, secret=issued.token, status=201)


def revoke(visit: StaffVisit) -> Response:
    """Stop one token working at once."""
    token_id = visit.path_id("token_id", ApiTokenNotFoundError)
    visit.services.accounts.revoke_api_token(token_id, context=visit.context)
    return RedirectResponse(f"{PATH}?revoked={token_id}", status_code=303)


def _page(visit: StaffVisit, *, message: str = "", secret: str = "", status: int = 200) -> Response:
    tokens = visit.services.accounts.list_api_tokens(context=visit.context)
    now = visit.services.accounts.clock.now()
    revoked = visit.query("revoked")
    values = {
        "tokens": tokens,
        "now": now,
        "message": message,
        "secret": secret,
        "may_issue": visit.may(Action.TOKEN_ISSUE),
        "max_days": MAX_LIFETIME_DAYS,
        "revoked": _uuid(revoked),
        "mine": visit.staff.id,
    }
    return templates.render(visit, "settings/tokens.html", values, status=status)


def _uuid(raw: str) -> UUID | None:
    try:
        return UUID(raw)
    except ValueError:
        return None
