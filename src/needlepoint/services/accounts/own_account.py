"""Use cases: a member of staff changes their own password (SE-4, SE-5), ADR 0036.

* ``change_password`` needs the password typed within ``reauth_max_age`` on this session
  (``two_step.require_fresh``; an API token never passes), the current password again (charged
  to the sign-in throttle, AU-3, like any typed password), and a new one that passes the
  password rules (AU-1, field ``new_password``). In one transaction it sets the new hash,
  ends every *other* sign-in session of the member and all their API tokens (SE-4 "sign out
  other sessions"), and records ``auth.password_change`` naming the member by id. The session
  it came from stays signed in.
* A wrong current password is refused as ``invalid-input`` on field ``current_password``
  (audited as a refused ``auth.password_change``), not as a failed sign-in: the member is
  signed in, and nothing changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Final

from needlepoint.domain import contact
from needlepoint.domain.errors import FieldProblem, InvalidInputError
from needlepoint.domain.records import StaffMember
from needlepoint.services import audit, permissions
from needlepoint.services.accounts import sign_in, two_step
from needlepoint.services.accounts.password_policy import check_password
from needlepoint.services.accounts.ports import (
    OwnEmailChange,
    OwnPasswordChange,
)
from needlepoint.services.accounts.sign_in import PasswordCheck
from needlepoint.services.accounts.staff import STAFF_RESOURCE, EmailTakenError
from needlepoint.services.accounts.throttling import ThrottleKeys
from needlepoint.services.audit import Access, Refusal, RequestContext
from needlepoint.services.permissions import Action
from needlepoint.services.ports import Clock, PasswordHasher

MAX_EMAIL_CHARS: Final = 320
PASSWORD_CHANGE: Final = "auth.password_change"
EMAIL_CHANGE: Final = "auth.email_change"


@dataclass(frozen=True, slots=True)
class PasswordChange:
    """The member's current password, the new one, and the session they come with."""

    current_password: str = field(repr=False)
    new_password: str = field(repr=False)
    fresh: two_step.Fresh
    ip: str = ""


def change_password(
    *,
    change: PasswordChange,
    context: RequestContext,
    check: PasswordCheck,
    uow: OwnPasswordChange,
    hasher: PasswordHasher,
    clock: Clock,
) -> None:
    """Set a new password for the signed-in member; their other sessions and tokens end.

    Raises:
        ReauthRequiredError: The password was not typed recently on this session.
        TooManyAttemptsError: The sign-in throttle asks this attempt to wait.
        InvalidInputError: The current password is wrong (field ``current_password``) or the
            new one breaks the password rules (field ``new_password``); nothing changed.
    """
    permissions.require(context, Action.OWN_ACCOUNT)
    member = context.actor
    fresh = change.fresh
    with uow:
        two_step.require_fresh(
            uow,
            session_token=fresh.session_token,
            context=context,
            now=clock.now(),
            max_age=fresh.max_age,
        )
    keys = ThrottleKeys.of(member.email, change.ip)
    sign_in.admit(uow, keys, context.request_id, clock)
    checked = check(member.email, change.current_password)
    if checked is None or checked.id != member.id:
        with uow:
            refusal = Refusal(PASSWORD_CHANGE, "wrong-password", context.request_id, member)
            audit.record_refused(uow, refusal, at=clock.now())
            uow.commit()
        raise InvalidInputError.single(
            "current_password",
            "is not your current password.",
            "type the password you signed in with.",
        )
    try:
        check_password(change.new_password, personal=(member.email, member.display_name))
    except InvalidInputError as error:
        raise InvalidInputError(
            [FieldProblem("new_password", p.problem, p.fix, p.code) for p in error.problems]
        ) from None
    password_hash = hasher.hash(change.new_password)  # before the transaction: it is slow
    with uow:
        now = clock.now()
        sign_in.settle(uow, keys, clock)
        uow.staff.set_password_hash(member.clinic_id, member.id, password_hash)
        keep = sign_in.hash_of(fresh.session_token or "")
        uow.sessions.revoke_others(member.id, keep, now)
        uow.tokens.revoke_all(member.id, now)
        access = Access(PASSWORD_CHANGE, STAFF_RESOURCE, str(member.id), None)
        audit.record(uow, context, access, at=now)
        uow.commit()


def change_email(
    *,
    email: str,
    fresh: two_step.Fresh,
    context: RequestContext,
    uow: OwnEmailChange,
    clock: Clock,
) -> StaffMember:
    """Set the signed-in member's sign-in email (a fresh password needed; audited).

    The event names the member by id; neither address is recorded.

    Raises:
        ReauthRequiredError: The password was not typed recently on this session.
        InvalidInputError: Not an email address (field ``email``).
        EmailTakenError: Another account signs in with it.
    """  # fmt: skip
    permissions.require(context, Action.OWN_ACCOUNT)
    member = context.actor
    address = email.strip().lower()
    if not re.fullmatch(contact.EMAIL, address) or len(address) > MAX_EMAIL_CHARS:
        raise InvalidInputError.single(
            "email", "is not an email address.", "type it as name@example.org."
        )
    with uow:
        now = clock.now()
        two_step.require_fresh(
            uow, session_token=fresh.session_token, context=context, now=now,
            max_age=fresh.max_age,
        )  # fmt: skip
        if address != member.email:
            if uow.staff.email_in_use(address):
                raise EmailTakenError(
                    "another account already signs in with this email; choose another"
                )
            uow.staff.set_email(member.clinic_id, member.id, address)
        access = Access(EMAIL_CHANGE, STAFF_RESOURCE, str(member.id), None)
        audit.record(uow, context, access, at=now)
        uow.commit()
    return replace(member, email=address)
