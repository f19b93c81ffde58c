"""Use cases: API tokens for scripts, issued and revoked by an admin, each audited.

A token acts as one member of the admin's clinic and is recorded with who issued it. It never
attests: signing a consultation or a chart, charting and clearing need the clinician's own
signed-in session (``services.permissions.ATTESTED``), so an admin cannot act as a clinician
through a token they issued. Issuing (``token.issue``) and revoking (``token.revoke``) are
audited with the token's id as the resource, in the transaction that makes the change.
"""

from __future__ import annotations

import secrets
from typing import Final
from uuid import UUID, uuid4

from needlepoint.domain.errors import NotFoundError
from needlepoint.domain.records import StaffMember
from needlepoint.services import audit, permissions
from needlepoint.services.accounts.ports import (
    ApiToken,
    ApiTokenIssue,
    ApiTokenLookup,
    ApiTokenRevocation,
)
from needlepoint.services.accounts.sign_in import (
    API_TOKEN_PREFIX,
    MAX_TOKEN_CHARS,
    TOKEN_BYTES,
    IssuedToken,
    StaffNotFoundError,
    digest,
)
from needlepoint.services.audit import Access, RequestContext
from needlepoint.services.permissions import Action
from needlepoint.services.ports import Clock

TOKEN_RESOURCE: Final = "api_token"
"""The resource type of an audit event about an API token (the resource id is the token's)."""

ALREADY_REVOKED: Final = "already-revoked"
"""The outcome of revoking a token that was revoked already (nothing changes)."""


class ApiTokenNotFoundError(NotFoundError):
    """No such API token in this clinic (also said for another clinic's)."""

    code = "api-token-not-found"


def issue_api_token(
    *, name: str, staff_id: UUID, context: RequestContext, uow: ApiTokenIssue, clock: Clock
) -> IssuedToken:
    """A new API token acting as a member of the actor's clinic; the secret is shown once."""
    permissions.require(context, Action.TOKEN_ISSUE)
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    now = clock.now()
    with uow:
        if uow.staff.get(context.actor.clinic_id, staff_id) is None:
            raise StaffNotFoundError(f"no member of staff {staff_id}")
        record = ApiToken(
            uuid4(), staff_id, name.strip(), digest(token), now, issued_by=context.actor.id
        )
        uow.tokens.add(record)
        issued = Access(Action.TOKEN_ISSUE.value, TOKEN_RESOURCE, str(record.id), None)
        audit.record(uow, context, issued, at=now)
        uow.commit()
    return IssuedToken(token=token, record=record)


def revoke_api_token(
    *, token_id: UUID, context: RequestContext, uow: ApiTokenRevocation, clock: Clock
) -> None:
    """Stop one API token of the actor's clinic working at once (revoking twice is harmless).

    Raises:
        ApiTokenNotFoundError: No such token acts as a member of the actor's clinic.
    """
    permissions.require(context, Action.TOKEN_REVOKE)
    now = clock.now()
    with uow:
        token = uow.tokens.get(context.actor.clinic_id, token_id)
        if token is None:
            raise ApiTokenNotFoundError(f"no API token {token_id}")
        outcome = "success" if token.revoked_at is None else ALREADY_REVOKED
        uow.tokens.revoke(token_id, now)
        revoked = Access(Action.TOKEN_REVOKE.value, TOKEN_RESOURCE, str(token_id), None, outcome)
        audit.record(uow, context, revoked, at=now)
        uow.commit()


def resolve_api_token(*, token: str, uow: ApiTokenLookup) -> StaffMember | None:
    """The member of staff a live API token acts as, else None."""
    if len(token) > MAX_TOKEN_CHARS or not token.startswith(API_TOKEN_PREFIX):
        return None
    with uow:
        found = uow.tokens.by_hash(digest(token))
    if found is None:
        return None
    record, member = found
    return member if record.revoked_at is None and member.active else None
