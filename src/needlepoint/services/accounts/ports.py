"""The accounts area's ports: staff, sign-in sessions, API tokens and the sign-in throttle."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol
from uuid import UUID

from needlepoint.domain.records import StaffMember
from needlepoint.domain.throttling import ThrottleCount
from needlepoint.services.ports import HasAudit, HasClinics, HasOutbox, HasStaff, Transaction


@dataclass(frozen=True, slots=True)
class LoginSession:
    """A server-side session; ``id_hash`` is the SHA-256 of the cookie's random value."""

    id_hash: str
    staff_id: UUID
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    authenticated_at: datetime | None = None
    """When the password was last typed for this session (sign-in or re-authentication, SE-5)."""


@dataclass(frozen=True, slots=True)
class TotpEnrolment:
    """A member of staff's authenticator: its secret, and whether a first code confirmed it."""

    staff_id: UUID
    secret: str
    created_at: datetime
    confirmed_at: datetime | None = None
    last_step: int | None = None
    """The last time step a code was accepted for; it and older steps are refused (AU-5)."""


@dataclass(frozen=True, slots=True)
class SignInChallenge:
    """A pending sign-in: the password was right; a code (or an enrolment) is still due."""

    id_hash: str
    staff_id: UUID
    purpose: str
    """``code`` (answer with a code) or ``enrol`` (set up two-step sign-in first)."""
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ApiToken:
    """A bearer token for scripts, acting as one member of staff; only its hash is kept."""

    id: UUID
    staff_id: UUID
    name: str
    token_hash: str
    created_at: datetime
    revoked_at: datetime | None = None
    issued_by: UUID | None = None
    """The admin who issued it (None for tokens issued before this was recorded)."""
    expires_at: datetime | None = None
    """When it stops working (every token has one; None only before it is stored)."""
    last_used_at: datetime | None = None
    """When it was last used, to the minute (``api_tokens.TOUCH_EVERY``); None if never."""
    prefix: str = ""
    """The token's first characters (``npt_`` and four more), to tell tokens apart in a list."""


@dataclass(frozen=True, slots=True)
class ResetLink:
    """A one-time link to set a new password; only the hash of its secret is kept."""

    id: UUID
    staff_id: UUID
    token_hash: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    purpose: str = "reset"
    """``reset`` (asked for on the sign-in page) or ``invite`` (an admin invited the member)."""


class ResetLinkRepository(Protocol):
    """One-time password-reset links."""

    def add(self, link: ResetLink) -> None:
        """Store a new link (the hash of a secret nobody has until the email is sent)."""
        ...

    def by_hash(self, token_hash: str) -> tuple[ResetLink, StaffMember] | None:
        """A link and its member of staff, by the hash of its secret."""
        ...

    def rekey(self, link_id: UUID, token_hash: str, now: datetime) -> bool:
        """Give an unused, unexpired link a new secret (its hash); False if there is none."""
        ...

    def use(self, link_id: UUID, at: datetime) -> bool:
        """Mark an unused, unexpired link used; False if it was used (two uses: one wins)."""
        ...

    def expire_unused(self, staff_id: UUID, purpose: str, at: datetime) -> None:
        """End every unused, unexpired link of this purpose of a member (it expires ``at``)."""
        ...

    def invited(self, clinic_id: UUID) -> set[UUID]:
        """The members of a clinic who were invited and have not yet accepted an invite."""
        ...


class StaffUnitOfWork(Transaction, HasAudit, HasClinics, HasStaff, Protocol):
    """One transaction over clinics and their staff."""


class ThrottleRepository(Protocol):
    """Failure counts, one row per throttle key (a hash; no email or address is stored)."""

    def lock(self, keys: Sequence[str]) -> Mapping[str, ThrottleCount]:
        """The counts of these keys (a new key counts nothing), locked until the transaction ends.

        Rows are locked in the order of their keys, so two attempts never wait on each other
        in a circle.
        """
        ...

    def save(self, counts: Mapping[str, ThrottleCount]) -> None:
        """Keep the counts of keys locked in this transaction."""
        ...


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

    def revoke_others(self, staff_id: UUID, keep_id_hash: str, at: datetime) -> None:
        """End every session of one member of staff but the one with this token hash."""
        ...

    def reauthenticate(self, id_hash: str, at: datetime) -> None:
        """Record that the password was typed again for this session."""
        ...


class TwoStepRepository(Protocol):
    """Authenticator secrets, recovery codes, pending sign-ins and the clinic's requirement."""

    def totp(self, staff_id: UUID) -> TotpEnrolment | None:
        """A member of staff's authenticator, locked until the transaction ends."""
        ...

    def put_totp(self, enrolment: TotpEnrolment) -> None:
        """Store a member of staff's authenticator, replacing any they had."""
        ...

    def accept_step(self, staff_id: UUID, step: int, confirmed_at: datetime) -> None:
        """Record an accepted code's time step (and confirm the enrolment if it was not)."""
        ...

    def remove_totp(self, staff_id: UUID) -> None:
        """Forget a member of staff's authenticator and recovery codes."""
        ...

    def replace_recovery_codes(self, staff_id: UUID, hashes: Sequence[str], at: datetime) -> None:
        """Replace every recovery code of a member of staff (only their hashes are kept)."""
        ...

    def use_recovery_code(self, staff_id: UUID, code_hash: str, at: datetime) -> bool:
        """Mark an unused recovery code used; False if there is none by that hash."""
        ...

    def unused_recovery_codes(self, staff_id: UUID) -> int:
        """How many recovery codes a member of staff has left."""
        ...

    def add_challenge(self, challenge: SignInChallenge) -> None:
        """Store a pending sign-in."""
        ...

    def challenge(self, id_hash: str) -> tuple[SignInChallenge, StaffMember] | None:
        """A pending sign-in and its member of staff, locked until the transaction ends."""
        ...

    def use_challenge(self, id_hash: str, at: datetime) -> None:
        """Mark a pending sign-in used (it is never answered twice)."""
        ...

    def clinic_requires(self, clinic_id: UUID) -> bool:
        """Whether the clinic asks every member of staff for a code."""
        ...

    def set_clinic_requires(self, clinic_id: UUID, required: bool) -> None:
        """Set whether the clinic asks every member of staff for a code."""
        ...


class ApiTokenRepository(Protocol):
    """API tokens."""

    def add(self, token: ApiToken) -> None:
        """Store a new token (its hash)."""
        ...

    def by_hash(self, token_hash: str) -> tuple[ApiToken, StaffMember] | None:
        """A token and its member of staff, by the hash of its secret."""
        ...

    def get(self, clinic_id: UUID, token_id: UUID) -> ApiToken | None:
        """A token acting as a member of this clinic, or None (also for another clinic's)."""
        ...

    def revoke(self, token_id: UUID, at: datetime) -> None:
        """Revoke one token (a no-op if it is revoked already)."""
        ...

    def touch(self, token_id: UUID, at: datetime) -> None:
        """Record that the token was used at ``at``."""
        ...

    def for_clinic(self, clinic_id: UUID, staff_id: UUID | None) -> Sequence[ApiToken]:
        """The tokens acting as members of this clinic (only ``staff_id``'s if given).

        Newest first.
        """
        ...

    def revoke_all(self, staff_id: UUID, at: datetime) -> None:
        """Revoke every token of one member of staff."""
        ...


class StaffStatusRepository(Protocol):
    """Whether a member of staff may sign in, with what password and licence."""

    def get(self, clinic_id: UUID, staff_id: UUID) -> StaffMember | None:
        """A member of staff of this clinic, or None (also for another clinic's)."""
        ...

    def active_admins(self, clinic_id: UUID) -> Sequence[StaffMember]:
        """The clinic's active admins, locked until the transaction ends.

        Two admins deactivating each other at once are taken one after the other, so the
        second sees the first's change.
        """
        ...

    def deactivate(self, clinic_id: UUID, staff_id: UUID) -> None:
        """Stop a member of staff from signing in."""
        ...

    def reactivate(self, clinic_id: UUID, staff_id: UUID) -> None:
        """Let a deactivated member of staff sign in again."""
        ...

    def add_invited(self, member: StaffMember, *, password_hash: str) -> None:
        """Store a new member who cannot sign in yet (``active`` false) until they accept."""
        ...

    def set_password_hash(self, clinic_id: UUID, staff_id: UUID, password_hash: str) -> None:
        """Replace a member of staff's password (its hash)."""
        ...

    def set_email(self, clinic_id: UUID, staff_id: UUID, email: str) -> None:
        """Replace a member of this clinic's sign-in email."""
        ...

    def email_in_use(self, email: str) -> bool:
        """Whether any account (any clinic, active or not) signs in with this email."""
        ...

    def active_by_email(self, email: str) -> StaffMember | None:
        """The active member of staff with this sign-in email (any clinic), or None."""
        ...

    def set_licence(
        self, clinic_id: UUID, staff_id: UUID, licence_max_depth_mm: Decimal | None
    ) -> None:
        """Replace the deepest needle setting a member of staff's licence allows."""
        ...


class HasLoginSessions(Protocol):
    """A unit of work holding LoginSessionRepository."""

    @property
    def sessions(self) -> LoginSessionRepository:
        """The sign-in sessions, in this unit of work's transaction."""
        ...


class HasApiTokens(Protocol):
    """A unit of work holding ApiTokenRepository."""

    @property
    def tokens(self) -> ApiTokenRepository:
        """The API tokens, in this unit of work's transaction."""
        ...


class HasTwoStep(Protocol):
    """A unit of work holding TwoStepRepository."""

    @property
    def two_step(self) -> TwoStepRepository:
        """Authenticators, recovery codes and pending sign-ins, in this transaction."""
        ...


class HasThrottle(Protocol):
    """A unit of work holding ThrottleRepository."""

    @property
    def throttle(self) -> ThrottleRepository:
        """The sign-in throttle's counts, in this unit of work's transaction."""
        ...


class HasStaffStatus(Protocol):
    """A unit of work holding StaffStatusRepository."""

    @property
    def staff(self) -> StaffStatusRepository:
        """Whether members of staff may sign in, in this unit of work's transaction."""
        ...


class HasResetLinks(Protocol):
    """A unit of work holding ResetLinkRepository."""

    @property
    def reset_links(self) -> ResetLinkRepository:
        """The password-reset links, in this unit of work's transaction."""
        ...


class AccountsUnitOfWork(
    Transaction,
    HasAudit,
    HasLoginSessions,
    HasApiTokens,
    HasThrottle,
    HasStaffStatus,
    HasTwoStep,
    HasResetLinks,
    HasOutbox,
    Protocol,
):
    """One transaction over all the account stores (what the adapter implements)."""


class ResetRequest(Transaction, HasAudit, HasStaffStatus, HasResetLinks, HasOutbox, Protocol):
    """Queue a password-reset email for an active member of staff (audited)."""


class ResetLinkMaking(Transaction, HasResetLinks, Protocol):
    """Give a queued reset link its secret when its email is sent."""


class PasswordResetByLink(
    Transaction, HasAudit, HasStaffStatus, HasResetLinks, HasLoginSessions, HasApiTokens, Protocol
):
    """Set a new password through a reset link; every session and API token ends (audited)."""


class InviteSending(HasResetLinks, HasOutbox, Protocol):
    """Queue an invite's link and its email, inside the inviting use case's transaction."""


class InviteAcceptance(Transaction, HasAudit, HasStaffStatus, HasResetLinks, Protocol):
    """Accept a staff invite: use its link and set the new member's password (audited)."""


class StaffInviting(Transaction, HasAudit, HasStaffStatus, HasResetLinks, HasOutbox, Protocol):
    """Invite a member of staff, or invite them again: their account, link and email."""


class StaffByEmail(Transaction, HasStaff, Protocol):
    """Find a member of staff and their password hash by sign-in email."""


class SignIn(Transaction, HasAudit, HasLoginSessions, HasThrottle, HasTwoStep, Protocol):
    """Sign a member of staff in: charge and settle the throttle, ask for a code, open a session."""


class SessionOpening(HasLoginSessions, HasThrottle, Protocol):
    """Open a sign-in session and settle the throttle, inside the sign-in's transaction."""


class SignInThrottle(Transaction, HasAudit, HasThrottle, Protocol):
    """Charge the sign-in throttle; a throttled attempt is audited."""


class SessionLookup(Transaction, HasLoginSessions, Protocol):
    """Resolve a sign-in session: touch it, or end it once it has lapsed."""


class SessionRead(Transaction, HasLoginSessions, HasApiTokens, Protocol):
    """Read a sign-in session or an API token in one statement, without a write lock."""


class SignOut(Transaction, HasAudit, HasLoginSessions, Protocol):
    """End a sign-in session (audited)."""


class StaffDeactivation(
    Transaction, HasAudit, HasStaffStatus, HasLoginSessions, HasApiTokens, Protocol
):
    """Deactivate a member of staff or reset their password; their sessions and tokens end."""


class StaffStatusChange(Transaction, HasAudit, HasStaffStatus, Protocol):
    """Reactivate a member of staff or set their licence (audited)."""


class StaffList(Transaction, HasStaff, Protocol):
    """List a clinic's staff."""


class ApiTokenIssue(Transaction, HasAudit, HasStaffStatus, HasApiTokens, Protocol):
    """Issue an API token acting as a member of staff of the clinic (audited)."""


class ApiTokenRevocation(Transaction, HasAudit, HasApiTokens, Protocol):
    """Revoke an API token of the clinic (audited)."""


class ApiTokenLookup(Transaction, HasAudit, HasApiTokens, Protocol):
    """Find the member of staff an API token acts as; record its use (a refused one audited)."""


class ApiTokenRead(Transaction, HasApiTokens, Protocol):
    """Read an API token in one statement, without a write lock; nothing is committed."""


class ApiTokenList(Transaction, HasAudit, HasApiTokens, Protocol):
    """List the API tokens of a clinic, or of one member of staff (audited)."""


class TwoStepRead(Transaction, HasTwoStep, Protocol):
    """Read whether a member has two-step sign-in, or whether their clinic asks for it."""


class TwoStepChange(Transaction, HasAudit, HasTwoStep, Protocol):
    """Confirm a member's two-step sign-in, or set whether their clinic asks for it (audited)."""


class TwoStepReset(Transaction, HasAudit, HasLoginSessions, HasTwoStep, Protocol):
    """Change a member's two-step sign-in and end sessions as that asks (audited).

    Setting it up, turning it off or renewing the recovery codes on a fresh session, and the
    operator's reset from the command line.
    """


class Reauthentication(Transaction, HasAudit, HasLoginSessions, HasThrottle, Protocol):
    """Confirm the password again on a session (throttled, audited)."""


class FreshSession(Transaction, HasAudit, HasLoginSessions, Protocol):
    """Check that the password was typed recently on a session (a refusal is audited)."""


class SecondStepAnswer(Transaction, HasAudit, HasLoginSessions, HasThrottle, HasTwoStep, Protocol):
    """Answer the second step of a sign-in with a code (throttled, audited)."""


class OwnPasswordChange(
    Transaction, HasAudit, HasLoginSessions, HasStaffStatus, HasThrottle, HasApiTokens, Protocol
):
    """Change one's own password; one's other sessions and tokens end (audited)."""


class OwnEmailChange(Transaction, HasAudit, HasLoginSessions, HasStaffStatus, Protocol):
    """Change one's own sign-in email (audited)."""
