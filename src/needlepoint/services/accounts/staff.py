"""Use cases: staff accounts (create, authenticate).

Password rules follow OWASP ASVS 5.0 V6 (``password_policy``, AU-1): at least
``MIN_PASSWORD_LENGTH`` characters, long passphrases allowed, no composition rules, not a
common or easily guessed password, checked exactly as typed.

An admin creates staff in their own clinic; the machine's operator (``needlepoint user add``)
creates them in any, the very first admin included. Either way the creation is audited
(``staff.create``, the new member's id) in the transaction that creates the account.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Final
from uuid import UUID, uuid4

from needlepoint.domain.errors import ConflictError, InvalidInputError
from needlepoint.domain.records import Role, StaffMember
from needlepoint.services import audit, permissions
from needlepoint.services.accounts.password_policy import check_password
from needlepoint.services.accounts.ports import StaffByEmail, StaffUnitOfWork
from needlepoint.services.audit import Access, OperatorContext, RequestContext
from needlepoint.services.permissions import Action, PermissionDeniedError
from needlepoint.services.ports import Clock, PasswordHasher


class EmailTakenError(ConflictError):
    """Another account already signs in with this email."""

    code = "email-taken"


@dataclass(frozen=True, slots=True)
class NewStaff:
    """What an admin gives to create an account."""

    clinic_id: UUID
    email: str
    display_name: str
    role: Role
    licence_max_depth_mm: Decimal | None
    password: str


STAFF_RESOURCE: Final = "staff_member"
"""The resource type of an audit event about a staff account (its id is the resource id)."""


def add_staff(
    *,
    new: NewStaff,
    context: RequestContext | OperatorContext,
    uow: StaffUnitOfWork,
    hasher: PasswordHasher,
    clock: Clock,
) -> StaffMember:
    """Create a member of staff with a hashed password, audited as ``staff.create``.

    Raises:
        PermissionDeniedError: A member of staff who may not create accounts, or an admin
            asking for an account in another clinic.
    """
    if isinstance(context, RequestContext):
        permissions.require(context, Action.STAFF_CREATE)
        _refuse_other_clinics(context, new.clinic_id)
    check_password(new.password, personal=(new.email, new.display_name))
    email = new.email.strip().lower()
    check_licence(new.role, new.licence_max_depth_mm)
    member = StaffMember(
        id=uuid4(),
        clinic_id=new.clinic_id,
        email=email,
        display_name=new.display_name.strip(),
        role=new.role,
        licence_max_depth_mm=new.licence_max_depth_mm,
    )
    password_hash = hasher.hash(new.password)  # before the transaction: it takes a while
    with uow:
        if uow.clinics.get(new.clinic_id) is None:
            raise InvalidInputError.single(
                "clinic_id", "names no clinic.", "give the id `needlepoint clinic add` printed."
            )
        if uow.staff.by_email(email) is not None:
            raise EmailTakenError(f"an account already uses {email}")
        uow.staff.add(member, password_hash=password_hash)
        created = Access(Action.STAFF_CREATE.value, STAFF_RESOURCE, str(member.id), None)
        audit.record(uow, context, created, at=clock.now())
        uow.commit()
    return member


def authenticate(
    *, email: str, password: str, uow: StaffByEmail, hasher: PasswordHasher, dummy_hash: str
) -> StaffMember | None:
    """The active member of staff with this email and password, else None.

    An unknown email is checked against ``dummy_hash`` so that both failures take the same
    time and say the same thing.
    """
    with uow:
        found = uow.staff.by_email(email.strip().lower())
    if found is None:
        hasher.verify(password, dummy_hash)
        return None
    member, hashed = found
    if not hasher.verify(password, hashed) or not member.active:
        return None
    return member


def _refuse_other_clinics(context: RequestContext, clinic_id: UUID) -> None:
    if clinic_id != context.actor.clinic_id:
        raise PermissionDeniedError("an admin adds staff to their own clinic only")


_ROLE_WORDS = {Role.ADMIN: "an admin", Role.CLINICIAN: "a clinician", Role.FRONT_DESK: "front desk"}


def check_licence(role: Role, licence_max_depth_mm: Decimal | None) -> None:
    """Refuse a clinician without a positive licence depth, or a depth for another role."""
    if role is Role.CLINICIAN and (licence_max_depth_mm is None or licence_max_depth_mm <= 0):
        raise InvalidInputError.single(
            "licence_max_depth_mm",
            "a clinician needs the deepest needle setting their licence allows.",
            "give it in millimetres, e.g. 1.5.",
        )
    if role is not Role.CLINICIAN and licence_max_depth_mm is not None:
        raise InvalidInputError.single(
            "licence_max_depth_mm",
            f"{_ROLE_WORDS[role]} does not needle patients.",
            "leave the licence depth empty for this role.",
        )


class DummyPasswordHash:
    """An Argon2id hash of a random password, made once: unknown emails are checked against it.

    Checking a password against it takes as long as checking a real one, so an unknown email
    and a wrong password cannot be told apart by timing (ecosystem.md scenario AU-4).
    """

    def __init__(self) -> None:
        self._value: str | None = None

    def of(self, hasher: PasswordHasher) -> str:
        """The hash, made on first use."""
        if self._value is None:
            self._value = hasher.hash(secrets.token_urlsafe(32))
        return self._value
