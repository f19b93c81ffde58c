"""Use cases: API tokens for scripts, issued by an admin, listed and revoked one by one.

A token acts as one member of the admin's clinic and is recorded with who issued it. It never
attests: signing a consultation or a chart, charting and clearing need the clinician's own
signed-in session (``services.permissions.ATTESTED``), so an admin cannot act as a clinician
through a token they issued.

Every token has a name, and an expiry chosen when it is issued (1 to ``MAX_LIFETIME_DAYS``
days; the clinic's default otherwise, ``NEEDLEPOINT_API_TOKEN_DAYS``). Its use is recorded
in ``last_used_at`` at most every ``TOUCH_EVERY``, so a busy script costs one small write a
minute, not one per request. Only the SHA-256 of the secret is stored, with its first
characters (``prefix``) to tell tokens apart; the secret is shown once, when issued.

Anyone may list and revoke the tokens acting as them; an admin (who may issue tokens) lists
and revokes any of the clinic's. Another member's token answers to anyone else as a missing
one. Issuing (``token.issue``), revoking (``token.revoke``), listing (``token.read``) and a
refused use of an expired or revoked token (``token.use``, outcome ``expired``/``revoked``)
are audited with the token's id as the resource, in the transaction that makes the change.
Deactivating a member of staff, or resetting their password, revokes all their tokens.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final
from uuid import UUID, uuid4

from needlepoint.domain.errors import DomainError, InvalidInputError, NotFoundError
from needlepoint.domain.records import StaffMember
from needlepoint.services import audit, permissions
from needlepoint.services.accounts.ports import (
    ApiToken,
    ApiTokenIssue,
    ApiTokenList,
    ApiTokenLookup,
    ApiTokenRead,
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
from needlepoint.services.audit import Access, AuthMethod, RequestContext
from needlepoint.services.permissions import Action
from needlepoint.services.ports import Clock

TOKEN_RESOURCE: Final = "api_token"
"""The resource type of an audit event about an API token (the resource id is the token's)."""

ALREADY_REVOKED: Final = "already-revoked"
"""The outcome of revoking a token that was revoked already (nothing changes)."""

USE: Final = "token.use"
"""The audit action of a refused use of an expired or revoked token."""

MAX_LIFETIME_DAYS: Final = 365
"""The longest an API token may work: a year, then it is issued again."""

DEFAULT_LIFETIME_DAYS: Final = 90
"""How long a token works when the issuer does not say (``NEEDLEPOINT_API_TOKEN_DAYS``)."""

TOUCH_EVERY: Final = timedelta(minutes=1)
"""``last_used_at`` is rewritten at most this often (it is shown to the minute)."""

PREFIX_CHARS: Final = len(API_TOKEN_PREFIX) + 4
"""How much of a token is kept and shown: ``npt_`` and 4 of its 43 random characters."""


class ApiTokenNotFoundError(NotFoundError):
    """No such API token in this clinic (also said for another clinic's)."""

    code = "api-token-not-found"


class ApiTokenExpiredError(DomainError):
    """The API token presented has expired; an admin issues a new one."""

    code = "api-token-expired"


class ApiTokenRevokedError(DomainError):
    """The API token presented was revoked; an admin issues a new one."""

    code = "api-token-revoked"


@dataclass(frozen=True, slots=True)
class NewApiToken:
    """What an admin asks for: a named token acting as a member of staff, for some days."""

    name: str
    staff_id: UUID
    lifetime_days: int | None = None
    """None: the configured default."""


def check_lifetime_days(days: int) -> None:
    """Refuse a lifetime outside 1…``MAX_LIFETIME_DAYS`` days (field ``expires_in_days``)."""
    if not 1 <= days <= MAX_LIFETIME_DAYS:
        raise InvalidInputError.single(
            "expires_in_days",
            f"an API token cannot work for {days} days",
            f"choose 1 to {MAX_LIFETIME_DAYS} days; issue a new token when it expires",
        )


def issue_api_token(
    *,
    new: NewApiToken,
    default_days: int,
    context: RequestContext,
    uow: ApiTokenIssue,
    clock: Clock,
) -> IssuedToken:
    """A new API token acting as a member of the actor's clinic; the secret is shown once.

    Raises:
        InvalidInputError: A blank name (``name``) or a lifetime out of bounds
            (``expires_in_days``).
        StaffNotFoundError: No such member in the actor's clinic.
    """
    permissions.require(context, Action.TOKEN_ISSUE)
    name = new.name.strip()
    if not name:
        raise InvalidInputError.single(
            "name", "an API token needs a name", "name it after the script that uses it"
        )
    days = default_days if new.lifetime_days is None else new.lifetime_days
    check_lifetime_days(days)
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    now = clock.now()
    with uow:
        if uow.staff.get(context.actor.clinic_id, new.staff_id) is None:
            raise StaffNotFoundError(f"no member of staff {new.staff_id}")
        record = ApiToken(
            uuid4(),
            new.staff_id,
            name,
            digest(token),
            now,
            issued_by=context.actor.id,
            expires_at=now + timedelta(days=days),
            prefix=token[:PREFIX_CHARS],
        )
        uow.tokens.add(record)
        issued = Access(Action.TOKEN_ISSUE.value, TOKEN_RESOURCE, str(record.id), None)
        audit.record(uow, context, issued, at=now)
        uow.commit()
    return IssuedToken(token=token, record=record)


def _sees_all(context: RequestContext) -> bool:
    """Whether the actor manages every token of the clinic (an admin), not only their own."""
    return permissions.allows(context.actor.role, Action.TOKEN_ISSUE)


def list_api_tokens(
    *, context: RequestContext, uow: ApiTokenList, clock: Clock
) -> Sequence[ApiToken]:
    """The tokens acting as the actor (an admin: as anyone of the clinic), newest first.

    Expired and revoked tokens are listed too, marked by their dates; no secret is.
    """
    permissions.require(context, Action.TOKEN_READ)
    staff_id = None if _sees_all(context) else context.actor.id
    with uow:
        found = uow.tokens.for_clinic(context.actor.clinic_id, staff_id)
        listed = Access(Action.TOKEN_READ.value, TOKEN_RESOURCE, "*", None)
        audit.record(uow, context, listed, at=clock.now())
        uow.commit()
    return found


def revoke_api_token(
    *, token_id: UUID, context: RequestContext, uow: ApiTokenRevocation, clock: Clock
) -> None:
    """Stop one API token working at once (revoking twice is harmless).

    Anyone may revoke a token acting as them; an admin any of the clinic's.

    Raises:
        ApiTokenNotFoundError: No such token acts as a member of the actor's clinic (or, for
            someone not an admin, as the actor).
    """
    permissions.require(context, Action.TOKEN_REVOKE)
    now = clock.now()
    with uow:
        token = uow.tokens.get(context.actor.clinic_id, token_id)
        if token is None or not (_sees_all(context) or token.staff_id == context.actor.id):
            raise ApiTokenNotFoundError(f"no API token {token_id}")
        outcome = "success" if token.revoked_at is None else ALREADY_REVOKED
        uow.tokens.revoke(token_id, now)
        revoked = Access(Action.TOKEN_REVOKE.value, TOKEN_RESOURCE, str(token_id), None, outcome)
        audit.record(uow, context, revoked, at=now)
        uow.commit()


def resolve_api_token(
    *, token: str, request_id: str, reader: ApiTokenRead, uow: ApiTokenLookup, clock: Clock
) -> StaffMember | None:
    """The member of staff a live API token acts as; None for a token that is not ours.

    The token is read without a write lock (like a session, ADR 0033); a write transaction
    opens only to record use (at most every ``TOUCH_EVERY``) or to audit a refused one.

    Raises:
        ApiTokenExpiredError: The token has expired (the refused use is audited).
        ApiTokenRevokedError: The token was revoked (the refused use is audited).
    """
    if len(token) > MAX_TOKEN_CHARS or not token.startswith(API_TOKEN_PREFIX):
        return None
    now = clock.now()
    with reader:
        found = reader.tokens.by_hash(digest(token))
    if found is None:
        return None
    record, member = found
    refusal = _refusal(record, member, now)
    last_used = record.last_used_at
    if refusal is None and last_used is not None and now - last_used < TOUCH_EVERY:
        return member
    with uow:
        if refusal is not None:
            context = RequestContext(member, request_id, AuthMethod.API_TOKEN)
            used = Access(USE, TOKEN_RESOURCE, str(record.id), None, refusal.code)
            audit.record(uow, context, used, at=now)
        else:
            uow.tokens.touch(record.id, now)
        uow.commit()
    if refusal is not None:
        raise refusal
    return member


def _refusal(record: ApiToken, member: StaffMember, now: datetime) -> DomainError | None:
    if record.revoked_at is not None or not member.active:
        return ApiTokenRevokedError(
            "this API token was revoked; ask an admin of your clinic for a new one"
        )
    if record.expires_at is not None and now >= record.expires_at:
        return ApiTokenExpiredError(
            "this API token has expired; ask an admin of your clinic for a new one"
        )
    return None
