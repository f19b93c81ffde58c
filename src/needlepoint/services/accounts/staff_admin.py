"""Use cases: an admin manages their clinic's staff.

List, deactivate, reactivate, reset a password, set a clinician's licence depth. Each change
is one transaction with one audit event naming the member of staff (``staff.deactivate``,
``staff.reactivate``, ``staff.reset_password``, ``staff.set_licence``); another clinic's
member answers as a missing one. A clinic always keeps an active admin (``domain.staffing``):
an admin may deactivate another admin, or themselves, only while another admin stays active.
Deactivating a member or resetting their password ends their sign-in sessions and API tokens
at once; the temporary password is told to them in person and follows the rules of
``accounts.staff`` (OWASP ASVS V6).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Protocol
from uuid import UUID

from needlepoint.domain import staffing
from needlepoint.domain.records import StaffMember
from needlepoint.services import audit, permissions
from needlepoint.services.accounts.password_policy import check_password
from needlepoint.services.accounts.ports import (
    HasApiTokens,
    HasLoginSessions,
    HasStaffStatus,
    StaffDeactivation,
    StaffList,
    StaffStatusChange,
)
from needlepoint.services.accounts.sign_in import StaffNotFoundError
from needlepoint.services.accounts.staff import STAFF_RESOURCE, check_licence
from needlepoint.services.audit import Access, RequestContext
from needlepoint.services.permissions import Action
from needlepoint.services.ports import Clock, PasswordHasher


def list_staff(*, context: RequestContext, uow: StaffList) -> Sequence[StaffMember]:
    """Every member of the actor's clinic, active or not, by name (no patient data)."""
    permissions.require(context, Action.STAFF_READ)
    with uow:
        return uow.staff.for_clinic(context.actor.clinic_id)


def deactivate_staff(
    *,
    staff_id: UUID,
    context: RequestContext,
    uow: StaffDeactivation,
    clock: Clock,
) -> None:
    """Stop a member of the actor's clinic signing in, ending their sessions and tokens.

    Raises:
        StaffNotFoundError: No such member in the actor's clinic.
        LastAdminError: The member is the clinic's last active admin.
    """
    permissions.require(context, Action.STAFF_DEACTIVATE)
    now = clock.now()
    with uow:
        member = _member(uow, context, staff_id)
        staffing.check_keeps_an_admin(uow.staff.active_admins(member.clinic_id), member)
        uow.staff.deactivate(member.clinic_id, member.id)
        _end_sign_ins(uow, member.id, clock)
        audit.record(uow, context, _access(Action.STAFF_DEACTIVATE, member.id), at=now)
        uow.commit()


def reactivate_staff(
    *, staff_id: UUID, context: RequestContext, uow: StaffStatusChange, clock: Clock
) -> StaffMember:
    """Let a deactivated member of the actor's clinic sign in again (with their old password).

    Raises:
        StaffNotFoundError: No such member in the actor's clinic.
    """
    permissions.require(context, Action.STAFF_REACTIVATE)
    with uow:
        member = _member(uow, context, staff_id)
        uow.staff.reactivate(member.clinic_id, member.id)
        audit.record(uow, context, _access(Action.STAFF_REACTIVATE, member.id), at=clock.now())
        uow.commit()
    return replace(member, active=True)


@dataclass(frozen=True, slots=True)
class PasswordReset:
    """A temporary password for a member of staff, set by an admin."""

    staff_id: UUID
    password: str = field(repr=False)


def reset_password(
    *,
    reset: PasswordReset,
    context: RequestContext,
    uow: StaffDeactivation,
    hasher: PasswordHasher,
    clock: Clock,
) -> None:
    """Give a member of the actor's clinic a temporary password; their sign-ins end.

    Raises:
        InvalidInputError: The password breaks the password rules (field ``password``).
        StaffNotFoundError: No such member in the actor's clinic.
    """
    permissions.require(context, Action.STAFF_RESET_PASSWORD)
    check_password(reset.password)
    password_hash = hasher.hash(reset.password)  # before the transaction: it takes a while
    with uow:
        member = _member(uow, context, reset.staff_id)
        uow.staff.set_password_hash(member.clinic_id, member.id, password_hash)
        _end_sign_ins(uow, member.id, clock)
        access = _access(Action.STAFF_RESET_PASSWORD, member.id)
        audit.record(uow, context, access, at=clock.now())
        uow.commit()


def set_licence(
    *,
    staff_id: UUID,
    licence_max_depth_mm: Decimal | None,
    context: RequestContext,
    uow: StaffStatusChange,
    clock: Clock,
) -> StaffMember:
    """Set the deepest needle setting a clinician's licence allows (hard limit when charting).

    Raises:
        InvalidInputError: A clinician without a positive depth, or a depth for another role
            (field ``licence_max_depth_mm``).
        StaffNotFoundError: No such member in the actor's clinic.
    """
    permissions.require(context, Action.STAFF_SET_LICENCE)
    with uow:
        member = _member(uow, context, staff_id)
        check_licence(member.role, licence_max_depth_mm)
        uow.staff.set_licence(member.clinic_id, member.id, licence_max_depth_mm)
        access = _access(Action.STAFF_SET_LICENCE, member.id)
        audit.record(uow, context, access, at=clock.now())
        uow.commit()
    return replace(member, licence_max_depth_mm=licence_max_depth_mm)


def _member(uow: HasStaffStatus, context: RequestContext, staff_id: UUID) -> StaffMember:
    member = uow.staff.get(context.actor.clinic_id, staff_id)
    if member is None:
        raise StaffNotFoundError(f"no member of staff {staff_id}")
    return member


class _SignIns(HasLoginSessions, HasApiTokens, Protocol):
    """A member of staff's sign-in sessions and API tokens."""


def _end_sign_ins(uow: _SignIns, staff_id: UUID, clock: Clock) -> None:
    now = clock.now()
    uow.sessions.revoke_all(staff_id, now)
    uow.tokens.revoke_all(staff_id, now)


def _access(action: Action, staff_id: UUID) -> Access:
    return Access(action.value, STAFF_RESOURCE, str(staff_id), None)
