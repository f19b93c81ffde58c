"""Whether a sign-in whose password was right still owes a code (AU-5, ADR 0036).

Every path that opens a staff session (``sign_in.log_in``, and any later one such as a
password reset by email) passes the member of staff through ``pending`` in the transaction
that would open the session. When it returns a pending sign-in, no session is opened: the
caller commits and raises its error, and the member answers it (``two_step.answer``).

* A member with a confirmed authenticator is asked for a code (``code``).
* An admin (while ``TwoStepPolicy.admins``), or anyone in a clinic that asks all its staff,
  without one is sent to set one up first (``enrol``); nothing else opens until they do.
* Anyone else signs in with the password alone.

The pending sign-in is a random token (256 bits, only its SHA-256 stored), good for
``CHALLENGE_TTL`` (``ENROL_TTL`` to set up an app) and answered once.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from needlepoint.domain import totp
from needlepoint.domain.errors import DomainError
from needlepoint.domain.records import Role, StaffMember
from needlepoint.services.accounts.ports import HasTwoStep, SignInChallenge, TotpEnrolment

CHALLENGE_TTL: Final = timedelta(minutes=5)
"""How long a pending sign-in waits for its code."""

ENROL_TTL: Final = timedelta(minutes=10)
"""How long a pending sign-in waits for a first code from a newly set-up app."""

CODE: Final = "code"
ENROL: Final = "enrol"
CHALLENGE_BYTES: Final = 32


@dataclass(frozen=True, slots=True)
class TwoStepPolicy:
    """Who must sign in with a code beyond those who chose to."""

    admins: bool = True
    """Admins must (``NEEDLEPOINT_ADMIN_TWO_STEP``, on unless turned off for tests)."""


@dataclass(frozen=True, slots=True)
class Enrolment:
    """A new authenticator to add to an app: shown once, confirmed by its first code."""

    secret: str
    uri: str
    """The ``otpauth://`` address (what the QR code holds)."""

    @property
    def manual_key(self) -> str:
        """The secret in groups of four, to type into the app."""
        return totp.manual_key(self.secret)


@dataclass(frozen=True, slots=True)
class Pending:
    """A sign-in waiting for its second step."""

    token: str
    purpose: str
    expires_at: datetime
    enrolment: Enrolment | None = None


class SecondStepRequiredError(DomainError):
    """The password was right; the sign-in waits for a code (or for an app to be set up)."""

    code = "mfa-required"

    def __init__(self, pending: Pending, message: str = "") -> None:
        self.pending = pending
        minutes = math.ceil(CHALLENGE_TTL / timedelta(minutes=1))
        super().__init__(
            message
            or "enter the 6-digit code from your authenticator app (or a recovery code) "
            f"within {minutes} minutes"
        )


class EnrolmentRequiredError(SecondStepRequiredError):
    """The password was right; this account must set up two-step sign-in before anything else."""

    code = "mfa-enrolment-required"

    def __init__(self, pending: Pending) -> None:
        minutes = math.ceil(ENROL_TTL / timedelta(minutes=1))
        super().__init__(
            pending,
            "two-step sign-in is required for this account: add the key to an authenticator "
            f"app, then enter its 6-digit code within {minutes} minutes",
        )


def challenge_hash(token: str) -> str:
    """The SHA-256 (hex) under which a pending sign-in is kept."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def pending(
    uow: HasTwoStep, member: StaffMember, policy: TwoStepPolicy, now: datetime
) -> Pending | None:
    """The pending sign-in ``member`` must answer before a session opens, else None.

    Stores the pending sign-in (and, for an enrolment, a new unconfirmed authenticator) in
    the caller's transaction; the caller commits it and raises ``error_of`` the result.
    """
    enrolment = uow.two_step.totp(member.id)
    if enrolment is not None and enrolment.confirmed_at is not None:
        return _challenge(uow, member, CODE, now, None)
    if not _must_enrol(uow, member, policy):
        return None
    secret = totp.new_secret()
    uow.two_step.put_totp(TotpEnrolment(member.id, secret, now))
    offered = Enrolment(secret, totp.provisioning_uri(secret, member.email))
    return _challenge(uow, member, ENROL, now, offered)


def error_of(found: Pending) -> SecondStepRequiredError:
    """The error a sign-in raises while it waits for ``found``."""
    if found.purpose == ENROL:
        return EnrolmentRequiredError(found)
    return SecondStepRequiredError(found)


def required_of(uow: HasTwoStep, member: StaffMember, policy: TwoStepPolicy) -> bool:
    """Whether the member may not turn two-step sign-in off (admin, or the clinic asks)."""
    return _must_enrol(uow, member, policy)


def _must_enrol(uow: HasTwoStep, member: StaffMember, policy: TwoStepPolicy) -> bool:
    if policy.admins and member.role is Role.ADMIN:
        return True
    return uow.two_step.clinic_requires(member.clinic_id)


def _challenge(
    uow: HasTwoStep,
    member: StaffMember,
    purpose: str,
    now: datetime,
    enrolment: Enrolment | None,
) -> Pending:
    token = secrets.token_urlsafe(CHALLENGE_BYTES)
    expires_at = now + (ENROL_TTL if purpose == ENROL else CHALLENGE_TTL)
    uow.two_step.add_challenge(
        SignInChallenge(challenge_hash(token), member.id, purpose, now, expires_at)
    )
    return Pending(token, purpose, expires_at, enrolment)
