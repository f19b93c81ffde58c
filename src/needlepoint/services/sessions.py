"""Use cases: staff sign-in sessions, API tokens for scripts, and login throttling.

Anchors (``shared/reference/ecosystem.md``): §2.2 (OWASP ASVS 5.0 V6/V7, NIST SP 800-63B AAL2)
and the scenarios AC-7, AU-3, AU-4, SE-1…SE-4.

* A session or API token is a random reference (``secrets.token_urlsafe``, 256 bits); only
  its SHA-256 is stored, so a copy of the database does not hand out live sessions.
* A session ends after ``IDLE_TIMEOUT`` without use, ``ABSOLUTE_TIMEOUT`` after sign-in, on
  logout, or when its account is deactivated; an ended session is marked revoked at once.
* Sign-in is refused, before any password is hashed, after ``MAX_FAILURES_PER_EMAIL`` failures
  for one email within ``EMAIL_WINDOW`` or ``MAX_FAILURES_PER_IP`` from one address within
  ``IP_WINDOW``. An unknown email and a wrong password fail the same way, in the same time.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from types import TracebackType
from typing import Final, Protocol, Self
from uuid import UUID, uuid4

from needlepoint.domain.errors import DomainError, InvalidInputError
from needlepoint.domain.records import StaffMember
from needlepoint.services import permissions
from needlepoint.services.audit import RequestContext
from needlepoint.services.permissions import Action
from needlepoint.services.ports import Clock

IDLE_TIMEOUT: Final = timedelta(minutes=15)
"""Staff sessions end after 15 minutes unused (ecosystem.md §2.2, scenario AC-7)."""

ABSOLUTE_TIMEOUT: Final = timedelta(hours=12)
#: ``last_seen_at`` is rewritten at most this often: a busy session costs one small write a
#: minute instead of one per request. The session may idle out up to this much early, never late.
TOUCH_EVERY: Final = timedelta(seconds=30)
"""Staff sign in again every 12 hours (ecosystem.md §2.2 NIST AAL2, scenario AC-7)."""

EMAIL_WINDOW: Final = timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL: Final = 5
"""The 6th attempt for one email within 15 minutes is throttled (scenario AU-3, ASVS 6.3.1)."""

IP_WINDOW: Final = timedelta(minutes=1)
MAX_FAILURES_PER_IP: Final = 20
"""One address is throttled after 20 failures a minute (AU-3: the IP limit trips ≤ 30/min)."""

TOKEN_BYTES: Final = 32
"""Random bytes in a session id or API token: 256 bits (ASVS 7.2.3 asks for ≥ 128)."""

MAX_TOKEN_CHARS: Final = 100
"""A presented token longer than this is not one of ours (not even hashed)."""

API_TOKEN_PREFIX: Final = "npt_"

CACHE_FOR: Final = timedelta(seconds=5)
"""How long a confirmed session is trusted without asking the database again (SessionCache)."""

CACHE_CAPACITY: Final = 10_000
"""Sessions a SessionCache holds at most."""


class InvalidCredentialsError(DomainError):
    """The email or the password is wrong (never says which)."""

    code = "invalid-credentials"


class TooManyAttemptsError(DomainError):
    """Too many failed sign-ins; try again later."""

    code = "too-many-attempts"

    def __init__(self, retry_after: timedelta) -> None:
        super().__init__("too many failed sign-ins; wait before trying again")
        self.retry_after_seconds = int(retry_after.total_seconds())


class NotAuthenticatedError(DomainError):
    """No live session or API token came with the request."""

    code = "not-authenticated"


class StaffNotFoundError(DomainError):
    """No such member of staff in this clinic (also said for another clinic's)."""

    code = "staff-not-found"


@dataclass(frozen=True, slots=True)
class LoginSession:
    """A server-side session; ``id_hash`` is the SHA-256 of the cookie's random value."""

    id_hash: str
    staff_id: UUID
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ApiToken:
    """A bearer token for scripts, acting as one member of staff; only its hash is kept."""

    id: UUID
    staff_id: UUID
    name: str
    token_hash: str
    created_at: datetime
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class LoginAttempt:
    """One sign-in attempt; the email is kept only as a hash."""

    email_hash: str
    ip: str
    at: datetime
    succeeded: bool


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a sign-in presents, and where it came from."""

    email: str
    password: str
    ip: str
    replacing: str | None = None
    """The token of a session the client already holds; a successful sign-in ends it."""
    request_id: str = ""
    """The request's id, for the audit event of a refused sign-in."""


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


class LoginSessionRepository(Protocol):
    """Server-side sessions."""

    def add(self, session: LoginSession) -> None:
        """Store a new session."""
        ...

    def get(self, id_hash: str) -> tuple[LoginSession, StaffMember] | None:
        """A session and its member of staff, by the hash of its token."""
        ...

    def touch(self, id_hash: str, at: datetime) -> None:
        """Record use of the session."""
        ...

    def revoke(self, id_hash: str, at: datetime) -> None:
        """End one session."""
        ...

    def revoke_all(self, staff_id: UUID, at: datetime) -> None:
        """End every session of one member of staff."""
        ...


class ApiTokenRepository(Protocol):
    """API tokens."""

    def add(self, token: ApiToken) -> None:
        """Store a new token (its hash)."""
        ...

    def by_hash(self, token_hash: str) -> tuple[ApiToken, StaffMember] | None:
        """A token and its member of staff, by the hash of its secret."""
        ...

    def revoke_all(self, staff_id: UUID, at: datetime) -> None:
        """Revoke every token of one member of staff."""
        ...


class LoginAttemptRepository(Protocol):
    """Sign-in attempts, for throttling."""

    def add(self, attempt: LoginAttempt) -> None:
        """Record one attempt."""
        ...

    def failures_for_email(self, email_hash: str, *, since: datetime) -> int:
        """Failures for one email after ``since`` and after its last success."""
        ...

    def failures_for_ip(self, ip: str, *, since: datetime) -> int:
        """Failures from one address after ``since``."""
        ...


class StaffStatusRepository(Protocol):
    """Whether a member of staff may sign in."""

    def get(self, clinic_id: UUID, staff_id: UUID) -> StaffMember | None:
        """A member of staff of this clinic, or None (also for another clinic's)."""
        ...

    def deactivate(self, clinic_id: UUID, staff_id: UUID) -> None:
        """Stop a member of staff from signing in."""
        ...


class AccountsUnitOfWork(Protocol):
    """One transaction over the account stores."""

    sessions: LoginSessionRepository
    tokens: ApiTokenRepository
    attempts: LoginAttemptRepository
    staff: StaffStatusRepository

    def __enter__(self) -> Self:
        """Begin the transaction."""
        ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back unless committed."""
        ...

    def commit(self) -> None:
        """Make everything done in this unit of work durable."""
        ...


def digest(secret: str) -> str:
    """The SHA-256 (hex) under which a secret or an email is stored."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def log_in(
    *,
    credentials: Credentials,
    check: PasswordCheck,
    uow: AccountsUnitOfWork,
    clock: Clock,
    cache: SessionCache | None = None,
) -> IssuedSession:
    """Check the credentials and open a new session; throttled before any hashing.

    Every sign-in gets a new token (ASVS 7.2.4); a session the client presents is ended.
    """
    now = clock.now()
    email_hash = digest(credentials.email.strip().lower())
    with uow:
        _refuse_if_throttled(uow, email_hash, credentials.ip, now)
    member = check(credentials.email, credentials.password)
    with uow:
        uow.attempts.add(LoginAttempt(email_hash, credentials.ip, now, member is not None))
        issued = None if member is None else _open_session(uow, member, now)
        replaced = (
            None
            if credentials.replacing is None
            else digest(credentials.replacing[:MAX_TOKEN_CHARS])
        )
        if issued is not None and replaced is not None:
            uow.sessions.revoke(replaced, now)
        uow.commit()
    if cache is not None and issued is not None and replaced is not None:
        cache.forget(replaced)
    if issued is None:
        raise InvalidCredentialsError("the email or the password is not right")
    return issued


def _refuse_if_throttled(uow: AccountsUnitOfWork, email_hash: str, ip: str, now: datetime) -> None:
    if uow.attempts.failures_for_email(email_hash, since=now - EMAIL_WINDOW) >= (
        MAX_FAILURES_PER_EMAIL
    ):
        raise TooManyAttemptsError(EMAIL_WINDOW)
    if uow.attempts.failures_for_ip(ip, since=now - IP_WINDOW) >= MAX_FAILURES_PER_IP:
        raise TooManyAttemptsError(IP_WINDOW)


def _open_session(uow: AccountsUnitOfWork, member: StaffMember, now: datetime) -> IssuedSession:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    expires_at = now + ABSOLUTE_TIMEOUT
    uow.sessions.add(LoginSession(digest(token), member.id, now, now, expires_at))
    return IssuedSession(token=token, member=member, expires_at=expires_at)


class SessionCache:
    """Sessions confirmed in the database moments ago, so most requests need not look again.

    An entry is trusted for ``CACHE_FOR`` after its check, and only while the session stays
    live and its use needs no recording (``TOUCH_EVERY``); otherwise the database is asked.
    Logging out and deactivation in this process forget entries at once; a session ended by
    another server process stays usable here for at most ``CACHE_FOR``. Thread-safe.
    """

    def __init__(self, capacity: int = CACHE_CAPACITY) -> None:
        self._capacity = capacity
        self._entries: dict[str, tuple[LoginSession, StaffMember, datetime]] = {}
        self._lock = threading.Lock()

    def recall(self, id_hash: str, now: datetime) -> StaffMember | None:
        """The member of a session checked within ``CACHE_FOR`` that needs no touch, else None."""
        entry = self._entries.get(id_hash)
        if entry is None:
            return None
        session, member, checked_at = entry
        fresh = timedelta(0) <= now - checked_at < CACHE_FOR
        if fresh and now - session.last_seen_at < TOUCH_EVERY and is_live(session, member, now):
            return member
        return None

    def remember(self, session: LoginSession, member: StaffMember, now: datetime) -> None:
        """Keep a session just confirmed live (dropping the oldest entry when full)."""
        with self._lock:
            self._entries.pop(session.id_hash, None)
            while len(self._entries) >= self._capacity:
                self._entries.pop(next(iter(self._entries)))
            self._entries[session.id_hash] = (session, member, now)

    def forget(self, id_hash: str) -> None:
        """Drop one session."""
        with self._lock:
            self._entries.pop(id_hash, None)

    def forget_staff(self, staff_id: UUID) -> None:
        """Drop every session of one member of staff."""
        with self._lock:
            for id_hash in [k for k, v in self._entries.items() if v[1].id == staff_id]:
                del self._entries[id_hash]


def recall_session(*, token: str, cache: SessionCache, clock: Clock) -> StaffMember | None:
    """The member of a session the cache confirmed moments ago; None means "look it up"."""
    if len(token) > MAX_TOKEN_CHARS:
        return None
    return cache.recall(digest(token), clock.now())


def resolve_session(
    *, token: str, uow: AccountsUnitOfWork, clock: Clock, cache: SessionCache | None = None
) -> StaffMember | None:
    """The member of staff of a live session, else None; an expired session is revoked.

    With a ``cache``, a session confirmed moments ago is answered without the database.
    """
    if len(token) > MAX_TOKEN_CHARS:
        return None
    now = clock.now()
    id_hash = digest(token)
    recalled = None if cache is None else cache.recall(id_hash, now)
    if recalled is not None:
        return recalled
    with uow:
        found = uow.sessions.get(id_hash)
        if found is None or found[0].revoked_at is not None:
            return None
        session, member = found
        live = is_live(session, member, now)
        if not live:
            uow.sessions.revoke(session.id_hash, now)
        elif now - session.last_seen_at >= TOUCH_EVERY:
            uow.sessions.touch(session.id_hash, now)
            session = replace(session, last_seen_at=now)
        uow.commit()
    if cache is not None and live:
        cache.remember(session, member, now)
    elif cache is not None:
        cache.forget(id_hash)
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
    *, token: str, uow: AccountsUnitOfWork, clock: Clock, cache: SessionCache | None = None
) -> None:
    """End the session whose token this is (an unknown token is ignored)."""
    if len(token) > MAX_TOKEN_CHARS:
        return
    if cache is not None:
        cache.forget(digest(token))
    with uow:
        uow.sessions.revoke(digest(token), clock.now())
        uow.commit()


def issue_api_token(
    *, name: str, staff_id: UUID, context: RequestContext, uow: AccountsUnitOfWork, clock: Clock
) -> IssuedToken:
    """A new API token acting as a member of the actor's clinic; the secret is shown once."""
    permissions.require(context, Action.TOKEN_ISSUE)
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    with uow:
        if uow.staff.get(context.actor.clinic_id, staff_id) is None:
            raise StaffNotFoundError(f"no member of staff {staff_id}")
        record = ApiToken(uuid4(), staff_id, name.strip(), digest(token), clock.now())
        uow.tokens.add(record)
        uow.commit()
    return IssuedToken(token=token, record=record)


def resolve_api_token(*, token: str, uow: AccountsUnitOfWork) -> StaffMember | None:
    """The member of staff a live API token acts as, else None."""
    if len(token) > MAX_TOKEN_CHARS or not token.startswith(API_TOKEN_PREFIX):
        return None
    with uow:
        found = uow.tokens.by_hash(digest(token))
    if found is None:
        return None
    record, member = found
    return member if record.revoked_at is None and member.active else None


def deactivate_staff(
    *,
    staff_id: UUID,
    context: RequestContext,
    uow: AccountsUnitOfWork,
    clock: Clock,
    cache: SessionCache | None = None,
) -> None:
    """Stop a member of the actor's clinic signing in, ending their sessions and tokens."""
    permissions.require(context, Action.STAFF_DEACTIVATE)
    if staff_id == context.actor.id:
        raise InvalidInputError.single(
            "staff_id", "is your own account.", "ask another admin to deactivate it."
        )
    now = clock.now()
    with uow:
        if uow.staff.get(context.actor.clinic_id, staff_id) is None:
            raise StaffNotFoundError(f"no member of staff {staff_id}")
        uow.staff.deactivate(context.actor.clinic_id, staff_id)
        uow.sessions.revoke_all(staff_id, now)
        uow.tokens.revoke_all(staff_id, now)
        uow.commit()
    if cache is not None:
        cache.forget_staff(staff_id)
