"""Use cases: an admin invites a member of staff by email; the invitee sets their password.

Anchors (``shared/reference/ecosystem.md`` §2.7): AU-6 (link tokens ≥ 128 bits, single use,
expire ≤ 60 min, reuse → 400, the second factor not bypassed) and AU-1 (the password rules).
ADR 0037 describes the links; invites reuse them with ``purpose`` ``invite``.

* **Inviting.** ``invite_staff`` creates the account *pending*: ``active`` false, with the
  hash of a random password nobody knows, so it cannot sign in. In the same transaction it
  stores an invite link (only the SHA-256 of a secret that is replaced when the email is sent)
  and queues a ``STAFF_INVITE`` email whose body holds the ``{secret-link}`` placeholder.
  Audited ``staff.invite`` with the member's id (no address, no token).
* **Inviting again.** ``resend_invite`` works while the member has not accepted: every
  earlier invite link of theirs expires at once and a new one is emailed
  (``staff.invite_resend``).
* **Accepting.** ``accept_invite`` checks the link (an invite, unused, unexpired, its member
  still pending), then the password against the rules, then in one transaction marks the link
  used (one UPDATE: two uses cannot both win), sets the password and lets the member sign in.
  Audited ``auth.invite_accept``. It does **not** sign them in: they sign in as usual, and
  an admin then has to set up two-step sign-in (AU-5). A bad link gets ``invite-link-invalid``
  (400), which says to ask the clinic's admin for a new invite.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Final, NoReturn
from uuid import UUID, uuid4

from needlepoint.domain.errors import DomainError, InvalidInputError
from needlepoint.domain.messages import LINK_PLACEHOLDER, Channel, MessageKind, OutboxMessage
from needlepoint.domain.records import AuditEvent, Role, StaffMember
from needlepoint.services import audit, permissions
from needlepoint.services.accounts.password_policy import check_password
from needlepoint.services.accounts.password_reset import (
    LINK_LIFETIME,
    NewPassword,
    link_usable,
)
from needlepoint.services.accounts.ports import (
    InviteAcceptance,
    InviteSending,
    ResetLink,
    ResetLinkMaking,
    StaffInviting,
)
from needlepoint.services.accounts.sign_in import (
    MAX_TOKEN_CHARS,
    TOKEN_BYTES,
    StaffNotFoundError,
    digest,
)
from needlepoint.services.accounts.staff import STAFF_RESOURCE, EmailTakenError, check_licence
from needlepoint.services.audit import Access, AuditedTransaction, RequestContext
from needlepoint.services.permissions import Action
from needlepoint.services.ports import Clock, PasswordHasher

INVITE: Final = "invite"
"""The ``purpose`` of an invite link (a reset link's is ``reset``)."""
INVITED: Final = "staff.invite"
RESENT: Final = "staff.invite_resend"
ACCEPTED: Final = "auth.invite_accept"
INVITE_PATH: Final = "/accept-invite/"
"""Where an invite link leads: ``<public URL>/accept-invite/<secret>``."""


class InviteLinkError(DomainError):
    """The invite link is unknown, expired, replaced or already used (never says which)."""

    code = "invite-link-invalid"

    def __init__(self) -> None:
        super().__init__(
            "this invite link has expired or has already been used; ask your clinic's admin "
            "to send you a new invite"
        )


@dataclass(frozen=True, slots=True)
class NewInvite:
    """Who an admin invites: their sign-in email, name, role and (clinicians) licence."""

    email: str = field(repr=False)
    display_name: str = field(repr=False)
    role: Role
    licence_max_depth_mm: Decimal | None = None


def invite_url(public_url: str, token: str) -> str:
    """The link an invitee follows: ``<public URL>/accept-invite/<token>``."""
    return f"{public_url.rstrip('/')}{INVITE_PATH}{token}"


def invite_staff(
    *,
    new: NewInvite,
    context: RequestContext,
    uow: StaffInviting,
    hasher: PasswordHasher,
    clock: Clock,
) -> StaffMember:
    """Create a pending account in the admin's clinic and email its invite link (audited).

    Raises:
        PermissionDeniedError: The actor may not create accounts.
        InvalidInputError: A blank name or email, or a licence that does not fit the role.
        EmailTakenError: An account already uses the email.
    """
    permissions.require(context, Action.STAFF_CREATE)
    email = new.email.strip().lower()
    name = new.display_name.strip()
    if "@" not in email:
        raise InvalidInputError.single(
            "email", "is not an email address.", "give the address the invite goes to."
        )
    if not name:
        raise InvalidInputError.single(
            "display_name", "is empty.", "give the name staff and patients will see."
        )
    check_licence(new.role, new.licence_max_depth_mm)
    member = StaffMember(
        id=uuid4(),
        clinic_id=context.actor.clinic_id,
        email=email,
        display_name=name,
        role=new.role,
        licence_max_depth_mm=new.licence_max_depth_mm,
        active=False,
    )
    unknown_hash = hasher.hash(secrets.token_urlsafe(TOKEN_BYTES))  # nobody knows it
    with uow:
        if uow.staff.email_in_use(email):
            raise EmailTakenError(f"an account already uses {email}")
        uow.staff.add_invited(member, password_hash=unknown_hash)
        _send(uow, member, clock.now())
        audit.record(uow, context, _access(INVITED, member.id), at=clock.now())
        uow.commit()
    return member


def resend_invite(
    *, staff_id: UUID, context: RequestContext, uow: StaffInviting, clock: Clock
) -> None:
    """Email a pending member a new invite link; their earlier links stop working (audited).

    Raises:
        StaffNotFoundError: No such member in the actor's clinic.
        InvalidInputError: The member is not waiting on an invite (field ``staff_id``).
    """
    permissions.require(context, Action.STAFF_CREATE)
    now = clock.now()
    with uow:
        member = uow.staff.get(context.actor.clinic_id, staff_id)
        if member is None:
            raise StaffNotFoundError(f"no member of staff {staff_id}")
        if member.id not in uow.reset_links.invited(member.clinic_id):
            raise InvalidInputError.single(
                "staff_id",
                "has no invite waiting: they have accepted it or were added with a password.",
                "they sign in as usual; reset their password if they have forgotten it.",
            )
        uow.reset_links.expire_unused(member.id, INVITE, now)
        _send(uow, member, now)
        audit.record(uow, context, _access(RESENT, member.id), at=now)
        uow.commit()


def _send(uow: InviteSending, member: StaffMember, now: datetime) -> None:
    unknown = secrets.token_urlsafe(TOKEN_BYTES)  # replaced when the email is sent
    link = ResetLink(uuid4(), member.id, digest(unknown), now, now + LINK_LIFETIME, purpose=INVITE)
    uow.reset_links.add(link)
    uow.outbox.add(_email(link, member, now))


def _email(link: ResetLink, member: StaffMember, now: datetime) -> OutboxMessage:
    minutes = int(LINK_LIFETIME.total_seconds() // 60)
    body = (
        "You have been invited to your clinic's needlepoint. To choose your password, open "
        f"this link within {minutes} minutes (it works once):\n\n"
        f"{LINK_PLACEHOLDER}\n\n"
        "Then sign in with your email and new password. If the link has expired, ask your "
        "clinic's admin to send you a new invite."
    )
    return OutboxMessage(
        id=uuid4(),
        clinic_id=member.clinic_id,
        patient_id=None,
        appointment_id=None,
        kind=MessageKind.STAFF_INVITE,
        channel=Channel.EMAIL,
        recipient=member.email,
        subject="Your needlepoint invite",
        body=body,
        due_at=now,
        idempotency_key=f"staff-invite:{link.id}",
        created_at=now,
    )


def make_invite_link(
    *, link_id: str, public_url: str, uow: ResetLinkMaking, clock: Clock
) -> str | None:
    """A fresh secret for a queued invite link, as the URL to send; None if it is unusable.

    Called by the worker as it sends the email; only the new secret's hash is stored.
    """
    try:
        link = UUID(link_id)
    except ValueError:
        return None
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with uow:
        if not uow.reset_links.rekey(link, digest(token), clock.now()):
            return None
        uow.commit()
    return invite_url(public_url, token)


def _usable_invite(found: tuple[ResetLink, StaffMember] | None, now: datetime) -> bool:
    return found is not None and link_usable(found[0], now, INVITE) and not found[1].active


def check_invite_link(*, token: str, uow: ResetLinkMaking, clock: Clock) -> None:
    """Refuse a link that is unknown, used, replaced or expired (showing it changes nothing).

    Raises:
        InviteLinkError: The link cannot be used.
    """
    with uow:
        found = uow.reset_links.by_hash(digest(token[:MAX_TOKEN_CHARS]))
    if not _usable_invite(found, clock.now()):
        raise InviteLinkError


def accept_invite(
    *, new: NewPassword, uow: InviteAcceptance, hasher: PasswordHasher, clock: Clock
) -> None:
    """Set an invitee's first password and let them sign in; they are not signed in.

    Raises:
        InviteLinkError: The link is unknown, used, replaced or expired (audited).
        InvalidInputError: The password breaks the password rules (field ``password``); the
            link still works.
    """
    with uow:
        found = uow.reset_links.by_hash(digest(new.token[:MAX_TOKEN_CHARS]))
    now = clock.now()
    if found is None or not _usable_invite(found, now):
        _refuse(uow, found[0] if found else None, new.request_id, now)
    link, member = found
    check_password(new.password, personal=(member.email, member.display_name))
    password_hash = hasher.hash(new.password)  # before the transaction: it takes a while
    with uow:
        now = clock.now()
        if uow.reset_links.use(link.id, now):
            uow.staff.set_password_hash(member.clinic_id, member.id, password_hash)
            uow.staff.reactivate(member.clinic_id, member.id)
            event = AuditEvent(
                now, member.id, member.role.value, ACCEPTED, STAFF_RESOURCE, str(member.id),
                None, "success", new.request_id,
            )  # fmt: skip
            uow.audit.append(event)
            uow.commit()
            return
    _refuse(uow, link, new.request_id, now)


def _refuse(
    uow: AuditedTransaction, link: ResetLink | None, request_id: str, now: datetime
) -> NoReturn:
    resource = "-" if link is None else str(link.staff_id)
    with uow:
        event = AuditEvent(
            now, None, "anonymous", ACCEPTED, STAFF_RESOURCE, resource, None, "refused",
            request_id,
        )  # fmt: skip
        uow.audit.append(event)
        uow.commit()
    raise InviteLinkError


def _access(action: str, staff_id: UUID) -> Access:
    return Access(action, STAFF_RESOURCE, str(staff_id), None)
