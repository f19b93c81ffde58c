"""Use cases: staff sign-in sessions, sign-in throttling, and deactivating staff.

Anchors (``shared/reference/ecosystem.md``): §2.2 (OWASP ASVS 5.0 V6/V7/V16, NIST SP 800-63B
AAL2) and the scenarios AC-7, AU-3, AU-4, SE-1…SE-4, AD-1, AD-2.

* A session or API token is a random reference (``secrets.token_urlsafe``, 256 bits); only
  its SHA-256 is stored, so a copy of the database does not hand out live sessions.
* A session ends after ``IDLE_TIMEOUT`` without use, ``ABSOLUTE_TIMEOUT`` after sign-in, on
  logout, or when its account is deactivated; an ended session is marked revoked at once.
* Every request reads its session from the database (one primary-key read, outside any write
  transaction), so a session ended by any server process is refused at the next request
  (ADR 0033); use is recorded, in a write, at most every ``TOUCH_EVERY``.
* Every sign-in attempt is checked against the throttle and charged to it in one transaction
  before any password is hashed (``services.throttling``, ADR 0023): a throttled attempt waits
  a delay that grows with the failures before it, never a lock. An unknown email and a wrong
  password fail the same way, in the same time.
* Every account event lands in the audit trail in the transaction that makes it: a sign-in
  (``auth.login``), a refused one (``refused``), a sign-out (``auth.logout``), a deactivation
  (``staff.deactivate``). Events name the member of staff by id, never by email.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, NoReturn

from needlepoint.domain.errors import DomainError, NotFoundError
from needlepoint.domain.records import StaffMember
from needlepoint.services import audit
from needlepoint.services.accounts import second_step, throttling
from needlepoint.services.accounts.ports import (
    ApiToken,
    HasLoginSessions,
    HasThrottle,
    LoginSession,
    SessionLookup,
    SessionOpening,
    SessionRead,
    SignIn,
    SignInThrottle,
    SignOut,
)
from needlepoint.services.accounts.staff import STAFF_RESOURCE
from needlepoint.services.accounts.throttling import ThrottleKeys
from needlepoint.services.audit import Access, AuthMethod, Refusal, RequestContext
from needlepoint.services.ports import Clock

IDLE_TIMEOUT: Final = timedelta(minutes=15)
"""Staff sessions end after 15 minutes unused (ecosystem.md §2.2, scenario AC-7)."""

ABSOLUTE_TIMEOUT: Final = timedelta(hours=12)
#: ``last_seen_at`` is rewritten at most this often: a busy session costs one small write a
#: minute instead of one per request. The session may idle out up to this much early, never late.
TOUCH_EVERY: Final = timedelta(seconds=30)
"""Staff sign in again every 12 hours (ecosystem.md §2.2 NIST AAL2, scenario AC-7)."""

LOGIN: Final = "auth.login"
"""The audit action of a sign-in (and the operation named by a refused one)."""

LOGOUT: Final = "auth.logout"
"""The audit action of a sign-out."""

TOKEN_BYTES: Final = 32
"""Random bytes in a session id or API token: 256 bits (ASVS 7.2.3 asks for ≥ 128)."""

MAX_TOKEN_CHARS: Final = 100
"""A presented token longer than this is not one of ours (not even hashed)."""

API_TOKEN_PREFIX: Final = "npt_"


class InvalidCredentialsError(DomainError):
    """The email or the password is wrong (never says which)."""

    code = "invalid-credentials"


class TooManyAttemptsError(DomainError):
    """Too many failed sign-ins; try again later."""

    code = "too-many-attempts"

    def __init__(self, retry_after: timedelta) -> None:
        self.retry_after_seconds = max(1, math.ceil(retry_after.total_seconds()))
        super().__init__(
            f"too many failed sign-ins; wait {self.retry_after_seconds} s before trying again"
        )


class NotAuthenticatedError(DomainError):
    """No live session or API token came with the request."""

    code = "not-authenticated"


class StaffNotFoundError(NotFoundError):
    """No such member of staff in this clinic (also said for another clinic's)."""

    code = "staff-not-found"


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a sign-in presents, and where it came from."""

    email: str
    password: str
    ip: str
    replacing: str | None = None
    """The token of a session the client already holds; a successful sign-in ends it."""
    request_id: str = ""
    """The request's id, for the sign-in's audit event."""


@dataclass(frozen=True, slots=True)
class IssuedSession:
    """A new session: the secret goes to the client once and is never stored."""

    token: str
    member: StaffMember
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new API token: the secret is shown once and is never stored."""

    token: str
    record: ApiToken


PasswordCheck = Callable[[str, str], StaffMember | None]
"""Checks an email and password (``accounts.authenticate`` with its dependencies bound)."""


def digest(secret: str) -> str:
    """The SHA-256 (hex) under which a secret or an email is stored."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def log_in(
    *,
    credentials: Credentials,
    check: PasswordCheck,
    uow: SignIn,
    clock: Clock,
    policy: second_step.TwoStepPolicy = second_step.TwoStepPolicy(),  # noqa: B008 - frozen
) -> IssuedSession:
    """Check the credentials and open a new session; throttled before any hashing.

    The attempt is checked against the throttle and charged to it in one transaction, then
    the password is checked, then the outcome is settled and audited in a second one. Every
    sign-in gets a new token (ASVS 7.2.4); a session the client presents is ended.

    A member who owes a second step (``second_step.pending``) gets no session yet: the
    pending sign-in is stored and ``SecondStepRequiredError`` raised; the throttle is settled
    only once the code is right, so a known password never resets the count of wrong codes.

    Raises:
        TooManyAttemptsError: The throttle asks this attempt to wait (nothing was hashed).
        InvalidCredentialsError: The email or the password is wrong (never says which).
        second_step.SecondStepRequiredError: The password was right; a code is due first.
    """
    keys = ThrottleKeys.of(credentials.email, credentials.ip)
    admit(uow, keys, credentials.request_id, clock)
    member = check(credentials.email, credentials.password)
    if member is None:
        _refuse(uow, credentials.request_id, clock.now())
    replaced = None if credentials.replacing is None else _hash_of(credentials.replacing)
    signed = AfterPassword(member, keys, credentials.request_id, replaced)
    return after_password(uow, signed, clock=clock, policy=policy)


def admit(uow: SignInThrottle, keys: ThrottleKeys, request_id: str, clock: Clock) -> None:
    """Charge an attempt to the throttle in its own transaction; a throttled one is refused.

    Raises:
        TooManyAttemptsError: The attempt must wait (audited).
    """
    with uow:
        admission = throttling.check_and_charge(uow.throttle, keys, clock=clock)
        if admission.admitted:
            uow.commit()
    # A refusal keeps nothing: leaving the block rolls back and frees the rows at once (no
    # commit to wait for), so a burst of refusals never holds up the attempts queued behind it.
    if not admission.admitted:
        with uow:
            refused = Refusal(LOGIN, TooManyAttemptsError.code, request_id)
            audit.record_refused(uow, refused, at=clock.now())
            uow.commit()
        raise TooManyAttemptsError(admission.wait)


def settle(uow: HasThrottle, keys: ThrottleKeys, clock: Clock) -> None:
    """Forget the failures an attempt was charged for, once it succeeded (caller's transaction)."""
    throttling.settle(uow.throttle, keys, clock=clock)


def _refuse(uow: audit.AuditedTransaction, request_id: str, now: datetime) -> NoReturn:
    with uow:
        audit.record_refused(uow, Refusal(LOGIN, InvalidCredentialsError.code, request_id), at=now)
        uow.commit()
    raise InvalidCredentialsError("the email or the password is not right")


@dataclass(frozen=True, slots=True)
class AfterPassword:
    """A member of staff whose password (or emailed reset) was just proven."""

    member: StaffMember
    keys: ThrottleKeys
    request_id: str
    replaced: str | None = None
    """The hash of a session the client holds, ended when the new one opens."""


CHALLENGE: Final = "auth.challenge"
"""The audit action of a right password whose sign-in now waits for a code."""

ENROLMENT_DUE: Final = "auth.enrolment_due"
"""The audit action of a right password whose sign-in waits for an authenticator to be set up."""


def after_password(
    uow: SignIn,
    signed: AfterPassword,
    *,
    clock: Clock,
    policy: second_step.TwoStepPolicy,
) -> IssuedSession:
    """Open a session for a member whose password was right, or ask for their code first.

    Any way of proving who one is other than a code (a password, a reset link) must end here,
    never in ``open_session``: a member with an authenticator is always asked for a code.

    Raises:
        second_step.SecondStepRequiredError: A code (or an enrolment) is due; nothing opened.
    """
    member = signed.member
    context = RequestContext(actor=member, request_id=signed.request_id, auth=AuthMethod.SESSION)
    with uow:
        now = clock.now()
        found = second_step.pending(uow, member, policy, now)
        if found is not None:
            action = CHALLENGE if found.purpose == second_step.CODE else ENROLMENT_DUE
            access = Access(action, STAFF_RESOURCE, str(member.id), None)
            audit.record(uow, context, access, at=now)
            uow.commit()
            raise second_step.error_of(found)
        issued = open_session(uow, signed, clock=clock)
        audit.record(uow, context, Access(LOGIN, STAFF_RESOURCE, str(member.id), None), at=now)
        uow.commit()
    return issued


def open_session(uow: SessionOpening, signed: AfterPassword, *, clock: Clock) -> IssuedSession:
    """Settle the throttle and open a session, in the caller's transaction (not audited).

    Only for a sign-in every step of which is done (``after_password``, ``two_step.answer``).
    """
    settle(uow, signed.keys, clock)
    now = clock.now()
    issued = _open_session(uow, signed.member, now)
    if signed.replaced is not None:
        uow.sessions.revoke(signed.replaced, now)
    return issued


def hash_of(token: str) -> str:
    """The hash of a presented session token (an over-long one is cut, never matched)."""
    return _hash_of(token)


def _hash_of(token: str) -> str:
    return digest(token[:MAX_TOKEN_CHARS])


def _open_session(uow: HasLoginSessions, member: StaffMember, now: datetime) -> IssuedSession:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    expires_at = now + ABSOLUTE_TIMEOUT
    session = LoginSession(digest(token), member.id, now, now, expires_at, authenticated_at=now)
    uow.sessions.add(session)
    return IssuedSession(token=token, member=member, expires_at=expires_at)


def resolve_session(
    *, token: str, reader: SessionRead, uow: SessionLookup, clock: Clock
) -> StaffMember | None:
    """The member of staff of a live session, else None; an expired session is revoked.

    The session is read from the database on every call, never remembered (ADR 0033): a
    logout, deactivation or password reset on any server process is honoured at the next
    request. The read takes no write lock; only recording use (at most every
    ``TOUCH_EVERY``) or ending a lapsed session opens a write transaction on ``uow``.
    """
    if len(token) > MAX_TOKEN_CHARS:
        return None
    now = clock.now()
    id_hash = digest(token)
    with reader:
        found = reader.sessions.get(id_hash)
    if found is None or found[0].revoked_at is not None:
        return None
    session, member = found
    if is_live(session, member, now) and now - session.last_seen_at < TOUCH_EVERY:
        return member
    return _touch_or_end(uow, id_hash, now)


def _touch_or_end(uow: SessionLookup, id_hash: str, now: datetime) -> StaffMember | None:
    """Record a live session's use, or end a lapsed one; checked again in the write.

    Requests of one session reach ``TOUCH_EVERY`` together: the one whose write comes second
    finds the use recorded and writes nothing (no second durable commit).
    """
    with uow:
        found = uow.sessions.get(id_hash)
        if found is None or found[0].revoked_at is not None:
            return None
        session, member = found
        live = is_live(session, member, now)
        if live and now - session.last_seen_at < TOUCH_EVERY:
            return member
        if live:
            uow.sessions.touch(id_hash, now)
        else:
            uow.sessions.revoke(id_hash, now)
        uow.commit()
    return member if live else None


def is_live(session: LoginSession, member: StaffMember, now: datetime) -> bool:
    """Whether a session may still be used at ``now``."""
    return (
        session.revoked_at is None
        and member.active
        and now < session.expires_at
        and now - session.last_seen_at < IDLE_TIMEOUT
    )


def log_out(
    *,
    token: str,
    request_id: str,
    uow: SignOut,
    clock: Clock,
) -> None:
    """End the session whose token this is, audited as ``auth.logout``.

    An unknown or ended session is ignored.
    """
    if len(token) > MAX_TOKEN_CHARS:
        return
    id_hash = digest(token)
    now = clock.now()
    with uow:
        found = uow.sessions.get(id_hash)
        if found is None or found[0].revoked_at is not None:
            return
        member = found[1]
        uow.sessions.revoke(id_hash, now)
        context = RequestContext(actor=member, request_id=request_id, auth=AuthMethod.SESSION)
        audit.record(uow, context, Access(LOGOUT, STAFF_RESOURCE, str(member.id), None), at=now)
        uow.commit()
