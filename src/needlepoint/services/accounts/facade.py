"""The accounts area's facade: staff, clinics, sign-in sessions and API tokens.

Entrypoints call the use cases here. Other areas import only this module and the area's
``ports`` (the import contract "Areas meet only at their facades" checks it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from uuid import UUID

from needlepoint.domain.contact import ClinicContact
from needlepoint.domain.records import Clinic, StaffMember
from needlepoint.services import audit as audit_service
from needlepoint.services import clinics
from needlepoint.services.accounts import (
    api_tokens,
    clinic_contact,
    invites,
    own_account,
    password_reset,
    staff_admin,
    two_step,
)
from needlepoint.services.accounts import sign_in as sessions
from needlepoint.services.accounts import staff as accounts
from needlepoint.services.accounts.ports import (
    AccountsUnitOfWork,
    ApiToken,
    SessionRead,
    StaffUnitOfWork,
)
from needlepoint.services.accounts.second_step import Enrolment, TwoStepPolicy
from needlepoint.services.accounts.sign_in import MAX_TOKEN_CHARS, TOKEN_BYTES, digest
from needlepoint.services.accounts.staff import DummyPasswordHash
from needlepoint.services.ports import Clock, PasswordHasher

__all__ = ["MAX_TOKEN_CHARS", "TOKEN_BYTES", "Accounts", "digest"]


@dataclass(frozen=True, slots=True)
class Accounts:
    """Staff, clinics, sign-in sessions and API tokens."""

    unit_of_work: Callable[[], StaffUnitOfWork]
    accounts_unit_of_work: Callable[[], AccountsUnitOfWork]
    session_reader: Callable[[], SessionRead]
    clock: Clock
    hasher: PasswordHasher
    api_token_days: int = api_tokens.DEFAULT_LIFETIME_DAYS
    """How long a new API token works when its issuer does not choose."""
    public_url: str = ""
    """Where people reach needlepoint (``NEEDLEPOINT_PUBLIC_URL``): reset links start with it."""
    dummy_hash: DummyPasswordHash = field(default_factory=DummyPasswordHash)
    policy: TwoStepPolicy = field(default_factory=TwoStepPolicy)
    """Who must sign in with a code (admins, unless ``NEEDLEPOINT_ADMIN_TWO_STEP`` is off)."""
    reauth_max_age: timedelta = two_step.REAUTH_MAX_AGE
    """How recent a typed password a sensitive change needs (``NEEDLEPOINT_REAUTH_MINUTES``)."""

    def add_clinic(self, *, name: str, time_zone: str) -> Clinic:
        """Create a clinic."""
        return clinics.add_clinic(name=name, time_zone=time_zone, uow=self.unit_of_work())

    def clinic(self, *, context: audit_service.RequestContext) -> Clinic:
        """The actor's own clinic, with how its patients reach it."""
        return clinic_contact.clinic_details(context=context, uow=self.unit_of_work())

    def set_clinic_contact(
        self,
        clinic_id: UUID,
        contact: ClinicContact,
        *,
        context: audit_service.RequestContext | audit_service.OperatorContext,
    ) -> Clinic:
        """Replace a clinic's phone number, address and phone hours (audited)."""
        return clinic_contact.set_clinic_contact(
            clinic_id=clinic_id,
            contact=contact,
            context=context,
            uow=self.unit_of_work(),
            clock=self.clock,
        )

    def clinic_time_zone(self, clinic_id: UUID) -> str:
        """A clinic's IANA time zone, which every time shown to its staff is given in."""
        return clinics.time_zone_of(clinic_id=clinic_id, uow=self.unit_of_work())

    def add_staff(
        self,
        new: accounts.NewStaff,
        *,
        context: audit_service.RequestContext | audit_service.OperatorContext,
    ) -> StaffMember:
        """Create a member of staff with an Argon2id-hashed password (audited)."""
        return accounts.add_staff(
            new=new,
            context=context,
            uow=self.unit_of_work(),
            hasher=self.hasher,
            clock=self.clock,
        )

    def prepare_logins(self) -> None:
        """Make the dummy password hash now (at server start-up), not on the first login."""
        self.dummy_hash.of(self.hasher)

    def log_in(self, credentials: sessions.Credentials) -> sessions.IssuedSession:
        """Check credentials (throttled before hashing) and open a session.

        The sign-in, or its refusal, is audited (one event each) in the service's transaction.
        A member who signs in with a code gets ``SecondStepRequiredError`` (no session yet):
        ``answer_second_step`` finishes it.
        """
        return sessions.log_in(
            credentials=credentials,
            check=self._check_password,
            uow=self.accounts_unit_of_work(),
            clock=self.clock,
            policy=self.policy,
        )

    def answer_second_step(self, given: two_step.Answer) -> two_step.SignedIn:
        """Finish a pending sign-in with a code or recovery code; a new session opens."""
        uow = self.accounts_unit_of_work()
        return two_step.answer(given=given, uow=uow, clock=self.clock)

    def reauthenticate(
        self, given: two_step.Reauth, *, context: audit_service.RequestContext
    ) -> None:
        """Record the password typed again on this session (throttled, audited)."""
        two_step.reauthenticate(
            given=given,
            context=context,
            check=self._check_password,
            uow=self.accounts_unit_of_work(),
            clock=self.clock,
        )

    def require_fresh(
        self, session_token: str | None, *, context: audit_service.RequestContext
    ) -> None:
        """Refuse (``reauth-required``) unless the password was typed recently on this session.

        For any sensitive change of one's own account made outside this area (email, phone).
        """
        uow = self.accounts_unit_of_work()
        with uow:
            two_step.require_fresh(
                uow,
                session_token=session_token,
                context=context,
                now=self.clock.now(),
                max_age=self.reauth_max_age,
            )

    def change_password(
        self,
        passwords: tuple[str, str],
        session_token: str | None,
        *,
        ip: str,
        context: audit_service.RequestContext,
    ) -> None:
        """The signed-in member's new password: (current, new); a fresh password needed.

        Their other sessions and all their API tokens end; this session stays signed in.
        Audited as ``auth.password_change``.
        """
        current, new = passwords
        change = own_account.PasswordChange(current, new, self._fresh(session_token), ip)
        own_account.change_password(
            change=change,
            context=context,
            check=self._check_password,
            uow=self.accounts_unit_of_work(),
            hasher=self.hasher,
            clock=self.clock,
        )

    def change_email(
        self, email: str, session_token: str | None, *, context: audit_service.RequestContext
    ) -> StaffMember:
        """The signed-in member's new sign-in email (a fresh password needed; audited)."""
        return own_account.change_email(
            email=email,
            fresh=self._fresh(session_token),
            context=context,
            uow=self.accounts_unit_of_work(),
            clock=self.clock,
        )

    def two_step_status(self, *, context: audit_service.RequestContext) -> two_step.TwoStepStatus:
        """Whether the signed-in member signs in with a code, must, and codes left."""
        uow = self.accounts_unit_of_work()
        return two_step.status(context=context, uow=uow, policy=self.policy)

    def begin_two_step(
        self, session_token: str | None, *, context: audit_service.RequestContext
    ) -> Enrolment:
        """A new authenticator to add to an app (needs a fresh password)."""
        return two_step.begin_enrolment(
            fresh=self._fresh(session_token),
            context=context,
            uow=self.accounts_unit_of_work(),
            clock=self.clock,
        )

    def confirm_two_step(
        self, code: str, *, context: audit_service.RequestContext
    ) -> Sequence[str]:
        """Turn two-step sign-in on with the app's first code; the recovery codes, once."""
        uow = self.accounts_unit_of_work()
        return two_step.confirm_enrolment(code=code, context=context, uow=uow, clock=self.clock)

    def disable_two_step(
        self, session_token: str | None, *, context: audit_service.RequestContext
    ) -> None:
        """Turn two-step sign-in off (needs a fresh password; never for who must use it)."""
        two_step.disable(
            fresh=self._fresh(session_token),
            context=context,
            uow=self.accounts_unit_of_work(),
            clock=self.clock,
            policy=self.policy,
        )

    def regenerate_recovery_codes(
        self, session_token: str | None, *, context: audit_service.RequestContext
    ) -> Sequence[str]:
        """New recovery codes (needs a fresh password); the old ones stop working."""
        return two_step.regenerate_recovery_codes(
            fresh=self._fresh(session_token),
            context=context,
            uow=self.accounts_unit_of_work(),
            clock=self.clock,
        )

    def clinic_requires_two_step(self, *, context: audit_service.RequestContext) -> bool:
        """Whether the actor's clinic asks all its staff for a code."""
        return two_step.clinic_requires(context=context, uow=self.accounts_unit_of_work())

    def set_clinic_two_step(self, *, required: bool, context: audit_service.RequestContext) -> None:
        """Ask (or stop asking) every member of the admin's clinic for a code (audited)."""
        two_step.set_clinic_requirement(
            required=required, context=context, uow=self.accounts_unit_of_work(), clock=self.clock
        )

    def reset_two_step(self, email: str, *, context: audit_service.OperatorContext) -> bool:
        """The operator removes a member's app and recovery codes (a lost phone); audited.

        Raises:
            StaffNotFoundError: No member of staff signs in with this email.
        """
        uow = self.unit_of_work()
        with uow:
            found = uow.staff.by_email(email.strip().lower())
        if found is None:
            raise sessions.StaffNotFoundError(f"no member of staff signs in as {email!r}")
        return two_step.operator_reset(
            member=found[0], context=context, uow=self.accounts_unit_of_work(), clock=self.clock
        )

    def _fresh(self, session_token: str | None) -> two_step.Fresh:
        return two_step.Fresh(session_token, self.reauth_max_age)

    def record_refusal(self, refusal: audit_service.Refusal) -> None:
        """Audit a refused sign-in or a refused operation."""
        uow = self.unit_of_work()
        audit_service.record_refusal(refusal=refusal, uow=uow, clock=self.clock)

    def _check_password(self, email: str, password: str) -> StaffMember | None:
        return accounts.authenticate(
            email=email,
            password=password,
            uow=self.unit_of_work(),
            hasher=self.hasher,
            dummy_hash=self.dummy_hash.of(self.hasher),
        )

    def log_out(self, token: str, *, request_id: str) -> None:
        """End the session whose token this is (audited)."""
        sessions.log_out(
            token=token,
            request_id=request_id,
            uow=self.accounts_unit_of_work(),
            clock=self.clock,
        )

    def resolve_session(self, token: str) -> StaffMember | None:
        """The member of staff of a live session (its use is recorded), else None.

        Read from the database every time: a session ended by any server process is refused.
        """
        return sessions.resolve_session(
            token=token,
            reader=self.session_reader(),
            uow=self.accounts_unit_of_work(),
            clock=self.clock,
        )

    def resolve_api_token(self, token: str, *, request_id: str = "") -> StaffMember | None:
        """The member of staff a live API token acts as, else None (its use is recorded).

        Raises ``ApiTokenExpiredError`` or ``ApiTokenRevokedError`` (audited) for a token that
        was ours but no longer works.
        """
        return api_tokens.resolve_api_token(
            token=token,
            request_id=request_id,
            reader=self.session_reader(),
            uow=self.accounts_unit_of_work(),
            clock=self.clock,
        )

    def issue_api_token(
        self,
        name: str,
        *,
        staff_id: UUID,
        context: audit_service.RequestContext,
        lifetime_days: int | None = None,
    ) -> sessions.IssuedToken:
        """A new API token for a member of the actor's clinic (the secret is shown once).

        It works for ``lifetime_days`` (1 to 365), else the configured default.
        """
        return api_tokens.issue_api_token(
            new=api_tokens.NewApiToken(name, staff_id, lifetime_days),
            default_days=self.api_token_days,
            context=context,
            uow=self.accounts_unit_of_work(),
            clock=self.clock,
        )

    def list_api_tokens(self, *, context: audit_service.RequestContext) -> Sequence[ApiToken]:
        """The tokens acting as the actor (an admin: the whole clinic's), newest first."""
        uow = self.accounts_unit_of_work()
        return api_tokens.list_api_tokens(context=context, uow=uow, clock=self.clock)

    def revoke_api_token(self, token_id: UUID, *, context: audit_service.RequestContext) -> None:
        """Stop one API token working (the actor's own; an admin: any of the clinic's)."""
        uow = self.accounts_unit_of_work()
        api_tokens.revoke_api_token(token_id=token_id, context=context, uow=uow, clock=self.clock)

    def request_password_reset(self, asked: password_reset.ResetAsked) -> None:
        """Email a reset link if the email is an active member's; the same answer either way."""
        password_reset.request_password_reset(
            asked=asked, uow=self.accounts_unit_of_work(), clock=self.clock
        )

    def make_reset_link(self, link_id: str) -> str | None:
        """A fresh secret for a queued reset link, as its URL (the worker, at send time)."""
        return password_reset.make_reset_link(
            link_id=link_id,
            public_url=self.public_url,
            uow=self.accounts_unit_of_work(),
            clock=self.clock,
        )

    def check_reset_link(self, token: str) -> None:
        """Refuse a reset link that is unknown, used or expired (``reset-link-invalid``)."""
        password_reset.check_reset_link(
            token=token, uow=self.accounts_unit_of_work(), clock=self.clock
        )

    def reset_password_by_link(self, new: password_reset.NewPassword) -> None:
        """Set a new password through a reset link; all sign-ins end; nobody is signed in."""
        password_reset.reset_password_by_link(
            new=new, uow=self.accounts_unit_of_work(), hasher=self.hasher, clock=self.clock
        )

    def invite_staff(
        self, new: invites.NewInvite, *, context: audit_service.RequestContext
    ) -> StaffMember:
        """Create a pending account in the admin's clinic and email its invite link."""
        return invites.invite_staff(
            new=new,
            context=context,
            uow=self.accounts_unit_of_work(),
            hasher=self.hasher,
            clock=self.clock,
        )

    def resend_invite(self, staff_id: UUID, *, context: audit_service.RequestContext) -> None:
        """Email a pending member a new invite link; the earlier ones stop working."""
        invites.resend_invite(
            staff_id=staff_id, context=context, uow=self.accounts_unit_of_work(), clock=self.clock
        )

    def invited_staff(self, *, context: audit_service.RequestContext) -> set[UUID]:
        """The members of the actor's clinic still waiting on their invite."""
        with self.accounts_unit_of_work() as uow:
            return uow.reset_links.invited(context.actor.clinic_id)

    def make_invite_link(self, link_id: str) -> str | None:
        """A fresh secret for a queued invite link, as its URL (the worker, at send time)."""
        return invites.make_invite_link(
            link_id=link_id,
            public_url=self.public_url,
            uow=self.accounts_unit_of_work(),
            clock=self.clock,
        )

    def check_invite_link(self, token: str) -> None:
        """Refuse an invite link that is unknown, used or expired (``invite-link-invalid``)."""
        invites.check_invite_link(token=token, uow=self.accounts_unit_of_work(), clock=self.clock)

    def accept_invite(self, new: password_reset.NewPassword) -> None:
        """Set an invitee's first password; they may sign in (they are not signed in)."""
        invites.accept_invite(
            new=new, uow=self.accounts_unit_of_work(), hasher=self.hasher, clock=self.clock
        )

    def list_staff(self, *, context: audit_service.RequestContext) -> Sequence[StaffMember]:
        """Every member of the actor's clinic, active or not, by name."""
        return staff_admin.list_staff(context=context, uow=self.unit_of_work())

    def deactivate_staff(self, staff_id: UUID, *, context: audit_service.RequestContext) -> None:
        """Stop a member of the actor's clinic signing in; their sessions and tokens end.

        The clinic's last active admin is never deactivated (``last-admin``).
        """
        uow = self.accounts_unit_of_work()
        staff_admin.deactivate_staff(staff_id=staff_id, context=context, uow=uow, clock=self.clock)

    def reactivate_staff(
        self, staff_id: UUID, *, context: audit_service.RequestContext
    ) -> StaffMember:
        """Let a deactivated member of the actor's clinic sign in again."""
        uow = self.accounts_unit_of_work()
        return staff_admin.reactivate_staff(
            staff_id=staff_id, context=context, uow=uow, clock=self.clock
        )

    def reset_staff_password(
        self, reset: staff_admin.PasswordReset, *, context: audit_service.RequestContext
    ) -> None:
        """Give a member of the actor's clinic a temporary password; their sign-ins end."""
        staff_admin.reset_password(
            reset=reset,
            context=context,
            uow=self.accounts_unit_of_work(),
            hasher=self.hasher,
            clock=self.clock,
        )

    def set_staff_licence(
        self,
        staff_id: UUID,
        licence_max_depth_mm: Decimal | None,
        *,
        context: audit_service.RequestContext,
    ) -> StaffMember:
        """Set the deepest needle setting a clinician of the actor's clinic may chart."""
        return staff_admin.set_licence(
            staff_id=staff_id,
            licence_max_depth_mm=licence_max_depth_mm,
            context=context,
            uow=self.accounts_unit_of_work(),
            clock=self.clock,
        )
