"""Use cases: a member of staff who forgot their password sets a new one by an emailed link.

Anchors (``shared/reference/ecosystem.md`` §2.7): AU-6 (reset tokens ≥ 128 bits, single use,
expire ≤ 60 min, reuse → 400, the second factor not bypassed) and AU-4 (a known and an
unknown email answer alike).

* **Asking.** ``request_password_reset`` looks the email up among active staff. A known one
  gets a ``staff_reset_link`` row and a ``PASSWORD_RESET`` email in the outbox, in one
  transaction; an unknown one gets nothing. Both are audited (``auth.reset_request``, outcome
  ``success`` or ``no_account``, anonymous, the member's id as the resource when known) and
  both return nothing, so every entry point answers the same. Both take at least
  ``MIN_ANSWER_SECONDS``: the known email's two extra rows took about 30 % longer than the
  unknown one's audit event alone, which would tell them apart (AU-4 asks for 20 %).
* **The link.** Its secret is 256 random bits (``secrets.token_urlsafe``), made when the
  worker sends the email (``make_reset_link``, ADR 0037); only its SHA-256 is stored. It
  works once, for ``LINK_LIFETIME`` (60 minutes) after it was asked for.
* **Using it.** ``reset_password_by_link`` checks the link, then the new password against the
  password rules (AU-1), then in one transaction marks the link used (one UPDATE that only an
  unused, unexpired link matches, so two uses cannot both win), sets the new password's hash
  and ends every session and API token of the member. It does **not** sign them in: they
  sign in afterwards as usual, second factor included. An unknown, used or expired link is
  refused with one message (``reset-link-invalid``, 400) that says how to ask for a new one.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final, NoReturn, Protocol
from uuid import UUID, uuid4

from needlepoint.domain.errors import DomainError
from needlepoint.domain.messages import LINK_PLACEHOLDER, Channel, MessageKind, OutboxMessage
from needlepoint.domain.records import AuditEvent, StaffMember
from needlepoint.services.accounts.password_policy import check_password
from needlepoint.services.accounts.ports import (
    HasApiTokens,
    HasLoginSessions,
    HasStaffStatus,
    PasswordResetByLink,
    ResetLink,
    ResetLinkMaking,
    ResetRequest,
)
from needlepoint.services.accounts.sign_in import MAX_TOKEN_CHARS, TOKEN_BYTES, digest
from needlepoint.services.accounts.staff import STAFF_RESOURCE
from needlepoint.services.audit import AuditedTransaction
from needlepoint.services.ports import Clock, HasAudit, PasswordHasher, Transaction

LINK_LIFETIME: Final = timedelta(minutes=60)
"""How long a reset link works after it is asked for (ecosystem.md AU-6: at most 60 min)."""

REQUEST: Final = "auth.reset_request"
RESET: Final = "auth.password_reset"
MAX_EMAIL_CHARS: Final = 320
RESET_PATH: Final = "/reset-password/"
"""Where a reset link leads: ``<public URL>/reset-password/<secret>``."""


class ResetLinkError(DomainError):
    """The reset link is unknown, expired or already used (never says which)."""

    code = "reset-link-invalid"

    def __init__(self) -> None:
        super().__init__(
            "this password reset link has expired or has already been used; ask for a new "
            'one with "Forgot your password?" on the sign-in page'
        )


@dataclass(frozen=True, slots=True)
class ResetAsked:
    """Someone asks for a reset link for an email."""

    email: str
    request_id: str


@dataclass(frozen=True, slots=True)
class NewPassword:
    """A reset link's secret and the new password chosen with it."""

    token: str = field(repr=False)
    password: str = field(repr=False)
    request_id: str = ""


def reset_url(public_url: str, token: str) -> str:
    """The link a member of staff follows: ``<public URL>/reset-password/<token>``."""
    return f"{public_url.rstrip('/')}{RESET_PATH}{token}"


MIN_ANSWER_SECONDS: Final = 0.2
"""The least time a reset request takes, known email or not (AU-4: alike within 20 %)."""


def request_password_reset(
    *,
    asked: ResetAsked,
    uow: ResetRequest,
    clock: Clock,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Queue a reset email if the email is an active member's; the same answer either way.

    It returns no sooner than ``MIN_ANSWER_SECONDS`` after it started, whichever it was.
    """
    started = time.monotonic()
    _queue_if_known(asked, uow, clock)
    left = MIN_ANSWER_SECONDS - (time.monotonic() - started)
    if left > 0:
        sleep(left)


def _queue_if_known(asked: ResetAsked, uow: ResetRequest, clock: Clock) -> None:
    now = clock.now()
    email = asked.email.strip().lower()[:MAX_EMAIL_CHARS]
    with uow:
        member = uow.staff.active_by_email(email) if email else None
        if member is not None:
            unknown = secrets.token_urlsafe(TOKEN_BYTES)  # replaced when the email is sent
            link = ResetLink(uuid4(), member.id, digest(unknown), now, now + LINK_LIFETIME)
            uow.reset_links.add(link)
            uow.outbox.add(_email(link, member.clinic_id, member.email, now))
        resource = "-" if member is None else str(member.id)
        outcome = "no_account" if member is None else "success"
        uow.audit.append(_anonymous(REQUEST, resource, outcome, asked.request_id, now))
        uow.commit()


def _email(link: ResetLink, clinic_id: UUID, recipient: str, now: datetime) -> OutboxMessage:
    minutes = int(LINK_LIFETIME.total_seconds() // 60)
    body = (
        "Someone asked to reset the password of your needlepoint account. To choose a new "
        f"password, open this link within {minutes} minutes (it works once):\n\n"
        f"{LINK_PLACEHOLDER}\n\n"
        "Then sign in with your new password as usual. If you did not ask for this, ignore "
        "this email: your password stays as it is."
    )
    return OutboxMessage(
        id=uuid4(),
        clinic_id=clinic_id,
        patient_id=None,
        appointment_id=None,
        kind=MessageKind.PASSWORD_RESET,
        channel=Channel.EMAIL,
        recipient=recipient,
        subject="Reset your needlepoint password",
        body=body,
        due_at=now,
        idempotency_key=f"password-reset:{link.id}",
        created_at=now,
    )


def make_reset_link(
    *, link_id: str, public_url: str, uow: ResetLinkMaking, clock: Clock
) -> str | None:
    """A fresh secret for a queued reset link, as the URL to send; None if it is unusable.

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
    return reset_url(public_url, token)


def check_reset_link(*, token: str, uow: ResetLinkMaking, clock: Clock) -> None:
    """Refuse a link that is unknown, used or expired (showing its page changes nothing).

    Raises:
        ResetLinkError: The link cannot be used.
    """
    with uow:
        found = uow.reset_links.by_hash(digest(token[:MAX_TOKEN_CHARS]))
    if found is None or not link_usable(found[0], clock.now()) or not found[1].active:
        raise ResetLinkError


def reset_password_by_link(
    *, new: NewPassword, uow: PasswordResetByLink, hasher: PasswordHasher, clock: Clock
) -> None:
    """Set a new password through a reset link; every session and token ends; no sign-in.

    Raises:
        ResetLinkError: The link is unknown, used or expired (the refusal is audited).
        InvalidInputError: The password breaks the password rules (field ``password``); the
            link still works.
    """
    id_hash = digest(new.token[:MAX_TOKEN_CHARS])
    with uow:
        found = uow.reset_links.by_hash(id_hash)
    now = clock.now()
    if found is None or not link_usable(found[0], now) or not found[1].active:
        _refuse(uow, found[0] if found else None, new.request_id, now)
    link, member = found
    check_password(new.password, personal=(member.email, member.display_name))
    password_hash = hasher.hash(new.password)  # before the transaction: it takes a while
    with uow:
        now = clock.now()
        if uow.reset_links.use(link.id, now):
            _set(uow, member, password_hash, new.request_id, now)
            return
    _refuse(uow, link, new.request_id, now)  # used or expired meanwhile: nothing changed


class _NewPasswordSet(
    Transaction, HasAudit, HasStaffStatus, HasLoginSessions, HasApiTokens, Protocol
):
    """Set a password and end every sign-in of one member (audited)."""


def _set(
    uow: _NewPasswordSet,
    member: StaffMember,
    password_hash: str,
    request_id: str,
    now: datetime,
) -> None:
    """In the caller's transaction: the new password, every sign-in ended, audited."""
    uow.staff.set_password_hash(member.clinic_id, member.id, password_hash)
    uow.sessions.revoke_all(member.id, now)
    uow.tokens.revoke_all(member.id, now)
    event = AuditEvent(
        now, member.id, member.role.value, RESET, STAFF_RESOURCE, str(member.id), None,
        "success", request_id,
    )  # fmt: skip
    uow.audit.append(event)
    uow.commit()


def link_usable(link: ResetLink, now: datetime, purpose: str = "reset") -> bool:
    """Whether a link of this purpose is unused and unexpired (a reset ignores invites)."""
    return link.purpose == purpose and link.used_at is None and now < link.expires_at


def _refuse(
    uow: AuditedTransaction, link: ResetLink | None, request_id: str, now: datetime
) -> NoReturn:
    resource = "-" if link is None else str(link.staff_id)
    with uow:
        uow.audit.append(_anonymous(RESET, resource, "refused", request_id, now))
        uow.commit()
    raise ResetLinkError


def _anonymous(
    action: str, resource_id: str, outcome: str, request_id: str, at: datetime
) -> AuditEvent:
    return AuditEvent(
        at, None, "anonymous", action, STAFF_RESOURCE, resource_id, None, outcome, request_id
    )
