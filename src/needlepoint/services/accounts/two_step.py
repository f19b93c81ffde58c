"""Use cases: two-step sign-in for staff (AU-5) and fresh re-authentication (SE-5), ADR 0036.

* ``answer`` finishes a pending sign-in (``second_step``) with a code from the member's app,
  or with one of their recovery codes, or, for an enrolment, with the first code of the app
  just set up. Each attempt is charged to the sign-in throttle (AU-3) before it is checked,
  like a password; a wrong code fails as ``invalid-code``. The pending sign-in is used up by
  the answer that opens the session, so it is never answered twice; it lapses after a few
  minutes. The session opened is new (its id never seen before the code, as SE-2 asks).
* A code is accepted for the current 30-second step or one either side, and only for a step
  later than the last accepted for the account (``domain.totp``): a code is never used twice.
* Recovery codes (``domain.totp.RECOVERY_CODE_COUNT``) are shown once, at enrolment or when
  made again, and kept only as SHA-256 (80 random bits each); each works once.
* Turning two-step sign-in on or off, making new recovery codes and (``require_fresh``) any
  other sensitive change of one's own account need the password typed within the last
  ``reauth_max_age`` on this session (``reauthenticate``), else ``reauth-required``.
* Every event is audited, naming the member of staff by id: ``mfa.enrol_start``,
  ``mfa.enrol``, ``mfa.disable``, ``mfa.recovery_codes``, ``mfa.recovery_code_used``,
  ``auth.login`` (after a right code), ``auth.reauth``, refusals (``invalid-code``,
  ``reauth-required``), ``clinic.mfa_requirement``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, NoReturn
from uuid import UUID

from needlepoint.domain import totp
from needlepoint.domain.errors import ConflictError, DomainError
from needlepoint.domain.records import StaffMember
from needlepoint.services import audit, permissions
from needlepoint.services.accounts import second_step, sign_in
from needlepoint.services.accounts.ports import (
    FreshSession,
    HasTwoStep,
    Reauthentication,
    SecondStepAnswer,
    TotpEnrolment,
    TwoStepChange,
    TwoStepRead,
    TwoStepReset,
)
from needlepoint.services.accounts.second_step import Enrolment, TwoStepPolicy
from needlepoint.services.accounts.sign_in import (
    AfterPassword,
    InvalidCredentialsError,
    IssuedSession,
    PasswordCheck,
)
from needlepoint.services.accounts.staff import STAFF_RESOURCE
from needlepoint.services.accounts.throttling import ThrottleKeys
from needlepoint.services.audit import (
    Access,
    AuthMethod,
    OperatorContext,
    Refusal,
    RequestContext,
)
from needlepoint.services.permissions import Action
from needlepoint.services.ports import Clock

REAUTH_MAX_AGE: Final = timedelta(minutes=5)
"""The default of ``NEEDLEPOINT_REAUTH_MINUTES`` (SE-5)."""

SECOND_STEP: Final = "auth.second_step"
REAUTH: Final = "auth.reauth"
ENROL_START: Final = "mfa.enrol_start"
ENROL: Final = "mfa.enrol"
DISABLE: Final = "mfa.disable"
RECOVERY_CODES: Final = "mfa.recovery_codes"
RECOVERY_CODE_USED: Final = "mfa.recovery_code_used"
RESET: Final = "mfa.reset"
CLINIC_REQUIREMENT: Final = "clinic.mfa_requirement"
CLINIC_RESOURCE: Final = "clinic"


class InvalidCodeError(DomainError):
    """The code is not right, already used, or too old."""

    code = "invalid-code"


class SignInExpiredError(DomainError):
    """The pending sign-in is unknown, used or lapsed: sign in again with the password."""

    code = "sign-in-expired"


class ReauthRequiredError(DomainError):
    """A sensitive change needs the password typed again (SE-5)."""

    code = "reauth-required"


class TwoStepRequiredError(ConflictError):
    """Two-step sign-in may not be turned off for this account (an admin, or the clinic asks)."""

    code = "mfa-required-by-policy"


class NotEnrolledError(ConflictError):
    """The account has no authenticator (or none being set up)."""

    code = "mfa-not-enrolled"


class AlreadyEnrolledError(ConflictError):
    """The account already signs in with an authenticator; turn it off first."""

    code = "mfa-already-enrolled"


@dataclass(frozen=True, slots=True)
class Answer:
    """The second step of a sign-in, as the member typed it."""

    challenge: str
    code: str = ""
    recovery_code: str = ""
    ip: str = ""
    replacing: str | None = None
    request_id: str = ""


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A finished two-step sign-in: the session, and new recovery codes after an enrolment."""

    session: IssuedSession
    recovery_codes: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class TwoStepStatus:
    """Whether a member signs in with a code, must, and how many recovery codes are left."""

    enrolled: bool
    required: bool
    recovery_codes_left: int


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def answer(*, given: Answer, uow: SecondStepAnswer, clock: Clock) -> SignedIn:
    """Finish a pending sign-in with a code or a recovery code; a new session opens.

    Raises:
        SignInExpiredError: The pending sign-in is unknown, used or lapsed.
        TooManyAttemptsError: The throttle asks this attempt to wait (nothing was checked).
        InvalidCodeError: The code is wrong, used or too old (audited; the throttle counts it).
    """
    id_hash = second_step.challenge_hash(given.challenge[: sign_in.MAX_TOKEN_CHARS])
    now = clock.now()
    with uow:
        found = uow.two_step.challenge(id_hash)
    if found is None or found[0].used_at is not None or now >= found[0].expires_at:
        raise SignInExpiredError("this sign-in has lapsed or was used; sign in again")
    member = found[1]
    keys = ThrottleKeys.of(member.email, given.ip)
    sign_in.admit(uow, keys, given.request_id, clock)
    context = RequestContext(actor=member, request_id=given.request_id, auth=AuthMethod.SESSION)
    with uow:
        now = clock.now()
        locked = uow.two_step.challenge(id_hash)
        if locked is None or locked[0].used_at is not None or now >= locked[0].expires_at:
            raise SignInExpiredError("this sign-in has lapsed or was used; sign in again")
        enrolling = locked[0].purpose == second_step.ENROL
        used = _second_factor(uow, member, given, now, enrolling=enrolling)
        if used is not None:
            uow.two_step.use_challenge(id_hash, now)
            codes = _new_recovery_codes(uow, member.id, now) if enrolling else ()
            if enrolling:
                audit.record(uow, context, _access(ENROL, member), at=now)
            if used == RECOVERY_CODE_USED:
                audit.record(uow, context, _access(RECOVERY_CODE_USED, member), at=now)
            replaced = None if given.replacing is None else sign_in.hash_of(given.replacing)
            signed = AfterPassword(member, keys, given.request_id, replaced)
            issued = sign_in.open_session(uow, signed, clock=clock)
            audit.record(uow, context, _access(sign_in.LOGIN, member), at=now)
            uow.commit()
    if used is None:
        _refuse_code(uow, given.request_id, member, now)
    return SignedIn(issued, codes)


def _second_factor(
    uow: HasTwoStep, member: StaffMember, given: Answer, now: datetime, *, enrolling: bool
) -> str | None:
    """How the member proved the second factor (an audit action), or None if they did not."""
    enrolment = uow.two_step.totp(member.id)
    if enrolment is None:
        return None
    if given.code.strip():
        step = totp.accepted_step(
            enrolment.secret, given.code, at=now, last_step=enrolment.last_step
        )
        if step is None:
            return None
        uow.two_step.accept_step(member.id, step, now)
        return SECOND_STEP
    if given.recovery_code.strip() and not enrolling and enrolment.confirmed_at is not None:
        typed = totp.normal_recovery_code(given.recovery_code)
        if typed is not None and uow.two_step.use_recovery_code(member.id, _digest(typed), now):
            return RECOVERY_CODE_USED
    return None


def _refuse_code(
    uow: audit.AuditedTransaction, request_id: str, member: StaffMember, now: datetime
) -> NoReturn:
    with uow:
        refusal = Refusal(SECOND_STEP, InvalidCodeError.code, request_id, member)
        audit.record_refused(uow, refusal, at=now)
        uow.commit()
    raise InvalidCodeError("the code is not right, or was already used; try the newest code")


def _new_recovery_codes(uow: HasTwoStep, staff_id: UUID, now: datetime) -> Sequence[str]:
    codes = totp.new_recovery_codes()
    uow.two_step.replace_recovery_codes(staff_id, [_digest(code) for code in codes], now)
    return codes


def _access(action: str, member: StaffMember) -> Access:
    return Access(action, STAFF_RESOURCE, str(member.id), None)


@dataclass(frozen=True, slots=True)
class Reauth:
    """The password typed again on a session, and where from."""

    session_token: str
    password: str
    ip: str


def reauthenticate(
    *,
    given: Reauth,
    context: RequestContext,
    check: PasswordCheck,
    uow: Reauthentication,
    clock: Clock,
) -> None:
    """Record that the member typed their password again on this session (throttled, audited).

    Raises:
        TooManyAttemptsError: The throttle asks this attempt to wait (nothing was hashed).
        InvalidCredentialsError: The password is wrong.
    """
    permissions.require(context, Action.OWN_ACCOUNT)
    member = context.actor
    keys = ThrottleKeys.of(member.email, given.ip)
    sign_in.admit(uow, keys, context.request_id, clock)
    checked = check(member.email, given.password)
    now = clock.now()
    if checked is None or checked.id != member.id:
        with uow:
            refusal = Refusal(REAUTH, InvalidCredentialsError.code, context.request_id, member)
            audit.record_refused(uow, refusal, at=now)
            uow.commit()
        raise InvalidCredentialsError("the password is not right")
    with uow:
        sign_in.settle(uow, keys, clock)
        uow.sessions.reauthenticate(sign_in.hash_of(given.session_token), now)
        audit.record(uow, context, _access(REAUTH, member), at=now)
        uow.commit()


def require_fresh(
    uow: FreshSession,
    *,
    session_token: str | None,
    context: RequestContext,
    now: datetime,
    max_age: timedelta,
) -> None:
    """Refuse (audited) unless the password was typed on this session within ``max_age``.

    Runs in the caller's transaction. A request with an API token never passes: a script
    cannot type a password.

    Raises:
        ReauthRequiredError: No recent password on this session (code ``reauth-required``).
    """
    if session_token is not None and context.auth is AuthMethod.SESSION:
        found = uow.sessions.get(sign_in.hash_of(session_token))
        if found is not None and found[1].id == context.actor.id:
            at = found[0].authenticated_at
            if at is not None and now - at <= max_age:
                return
    minutes = max(1, int(max_age / timedelta(minutes=1)))
    refusal = Refusal("auth.fresh", ReauthRequiredError.code, context.request_id, context.actor)
    audit.record_refused(uow, refusal, at=now)
    uow.commit()
    raise ReauthRequiredError(
        f"type your password again to make this change (needed within {minutes} minutes "
        "of signing in or confirming it)"
    )


@dataclass(frozen=True, slots=True)
class Fresh:
    """The session a sensitive change comes with, and how recent its password must be."""

    session_token: str | None
    max_age: timedelta


def begin_enrolment(
    *, fresh: Fresh, context: RequestContext, uow: TwoStepReset, clock: Clock
) -> Enrolment:
    """A new authenticator for the signed-in member to add to an app (needs a fresh password).

    Raises:
        ReauthRequiredError: The password was not typed recently on this session.
        AlreadyEnrolledError: The member already signs in with a code.
    """
    permissions.require(context, Action.OWN_ACCOUNT)
    member = context.actor
    with uow:
        now = clock.now()
        _fresh(uow, fresh, context, now)
        existing = uow.two_step.totp(member.id)
        if existing is not None and existing.confirmed_at is not None:
            raise AlreadyEnrolledError("two-step sign-in is already on; turn it off first")
        secret = totp.new_secret()
        uow.two_step.put_totp(TotpEnrolment(member.id, secret, now))
        audit.record(uow, context, _access(ENROL_START, member), at=now)
        uow.commit()
    return Enrolment(secret, totp.provisioning_uri(secret, member.email))


def confirm_enrolment(
    *, code: str, context: RequestContext, uow: TwoStepChange, clock: Clock
) -> Sequence[str]:
    """Turn two-step sign-in on with the new app's first code; returns the recovery codes.

    Raises:
        NotEnrolledError: No authenticator is being set up.
        InvalidCodeError: The code is not right (audited).
    """
    permissions.require(context, Action.OWN_ACCOUNT)
    member = context.actor
    with uow:
        now = clock.now()
        enrolment = uow.two_step.totp(member.id)
        if enrolment is None or enrolment.confirmed_at is not None:
            raise NotEnrolledError("start setting up two-step sign-in first")
        step = totp.accepted_step(enrolment.secret, code, at=now, last_step=enrolment.last_step)
        if step is not None:
            uow.two_step.accept_step(member.id, step, now)
            codes = _new_recovery_codes(uow, member.id, now)
            audit.record(uow, context, _access(ENROL, member), at=now)
            uow.commit()
    if step is None:
        _refuse_code(uow, context.request_id, member, now)
    return codes


def disable(
    *,
    fresh: Fresh,
    context: RequestContext,
    uow: TwoStepReset,
    clock: Clock,
    policy: TwoStepPolicy,
) -> None:
    """Turn the signed-in member's two-step sign-in off (needs a fresh password).

    Raises:
        ReauthRequiredError: The password was not typed recently on this session.
        TwoStepRequiredError: An admin, or a member of a clinic that asks it of all its staff.
    """
    permissions.require(context, Action.OWN_ACCOUNT)
    member = context.actor
    with uow:
        now = clock.now()
        _fresh(uow, fresh, context, now)
        if second_step.required_of(uow, member, policy):
            raise TwoStepRequiredError(
                "two-step sign-in is required for this account and cannot be turned off"
            )
        uow.two_step.remove_totp(member.id)
        audit.record(uow, context, _access(DISABLE, member), at=now)
        uow.commit()


def regenerate_recovery_codes(
    *, fresh: Fresh, context: RequestContext, uow: TwoStepReset, clock: Clock
) -> Sequence[str]:
    """New recovery codes for the signed-in member; the old ones stop working.

    Raises:
        ReauthRequiredError: The password was not typed recently on this session.
        NotEnrolledError: The member does not sign in with a code.
    """
    permissions.require(context, Action.OWN_ACCOUNT)
    member = context.actor
    with uow:
        now = clock.now()
        _fresh(uow, fresh, context, now)
        enrolment = uow.two_step.totp(member.id)
        if enrolment is None or enrolment.confirmed_at is None:
            raise NotEnrolledError("turn two-step sign-in on first")
        codes = _new_recovery_codes(uow, member.id, now)
        audit.record(uow, context, _access(RECOVERY_CODES, member), at=now)
        uow.commit()
    return codes


def status(*, context: RequestContext, uow: TwoStepRead, policy: TwoStepPolicy) -> TwoStepStatus:
    """Whether the signed-in member signs in with a code, must, and their recovery codes left."""
    permissions.require(context, Action.OWN_ACCOUNT)
    member = context.actor
    with uow:
        enrolment = uow.two_step.totp(member.id)
        enrolled = enrolment is not None and enrolment.confirmed_at is not None
        required = second_step.required_of(uow, member, policy)
        left = uow.two_step.unused_recovery_codes(member.id) if enrolled else 0
    return TwoStepStatus(enrolled, required, left)


def set_clinic_requirement(
    *, required: bool, context: RequestContext, uow: TwoStepChange, clock: Clock
) -> None:
    """Ask (or stop asking) every member of the admin's clinic for a code at sign-in.

    Members without an authenticator are sent to set one up at their next sign-in.

    Raises:
        PermissionDeniedError: Not an admin.
    """
    permissions.require(context, Action.CLINIC_UPDATE)
    clinic_id = context.actor.clinic_id
    with uow:
        now = clock.now()
        uow.two_step.set_clinic_requires(clinic_id, required)
        outcome = "on" if required else "off"
        access = Access(CLINIC_REQUIREMENT, CLINIC_RESOURCE, str(clinic_id), None, outcome)
        audit.record(uow, context, access, at=now)
        uow.commit()


def clinic_requires(*, context: RequestContext, uow: TwoStepRead) -> bool:
    """Whether the actor's clinic asks all its staff for a code."""
    permissions.require(context, Action.CLINIC_READ)
    with uow:
        return uow.two_step.clinic_requires(context.actor.clinic_id)


def _fresh(uow: FreshSession, fresh: Fresh, context: RequestContext, now: datetime) -> None:
    require_fresh(
        uow, session_token=fresh.session_token, context=context, now=now, max_age=fresh.max_age
    )


def operator_reset(
    *, member: StaffMember, context: OperatorContext, uow: TwoStepReset, clock: Clock
) -> bool:
    """The machine's operator removes a member's app and recovery codes (a lost phone).

    Their sessions end. At their next sign-in a member who must use two-step sign-in sets up
    a new app; anyone else signs in with the password alone. Audited as ``mfa.reset`` by the
    operator. Returns whether the member had an app.
    """
    with uow:
        now = clock.now()
        had = uow.two_step.totp(member.id) is not None
        uow.two_step.remove_totp(member.id)
        uow.sessions.revoke_all(member.id, now)
        audit.record(uow, context, _access(RESET, member), at=now)
        uow.commit()
    return had
