"""Staff accounts of the admin's own clinic; every change is audited.

List, add, invite (and invite again), deactivate and reactivate, reset a password, set a
clinician's licence depth.
"""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from needlepoint.entrypoints.api.permissions import API, Context
from needlepoint.entrypoints.api.schemas.accounts import (
    InviteIn,
    LicenceIn,
    PasswordResetIn,
    StaffIn,
    StaffListOut,
    StaffOut,
)
from needlepoint.entrypoints.api.security import ServicesDep

router = APIRouter(prefix=f"{API}/staff", tags=["staff"])


@router.get("")
def list_staff(context: Context, services: ServicesDep) -> StaffListOut:
    """Every member of staff of the admin's clinic, by name: active, invited or deactivated."""
    found = services.accounts.list_staff(context=context)
    invited = services.accounts.invited_staff(context=context)
    return StaffListOut(items=[StaffOut.from_domain(m, invited=m.id in invited) for m in found])


@router.post("", status_code=201)
def add_staff(body: StaffIn, context: Context, services: ServicesDep) -> StaffOut:
    """Create a member of staff in the admin's clinic."""
    member = services.accounts.add_staff(body.to_domain(context.actor.clinic_id), context=context)
    return StaffOut.from_domain(member)


@router.post("/invites", status_code=201)
def invite_staff(body: InviteIn, context: Context, services: ServicesDep) -> StaffOut:
    """Invite a member of staff: their account waits, unable to sign in, until they accept.

    An email with a link (it works once, for 60 minutes) lets them choose their password;
    they then sign in as usual. 409 ``email-taken`` if an account already uses the email.
    """
    member = services.accounts.invite_staff(body.to_domain(), context=context)
    return StaffOut.from_domain(member, invited=True)


@router.post("/{staff_id}/invite", status_code=204, response_class=Response)
def resend_invite(staff_id: UUID, context: Context, services: ServicesDep) -> None:
    """Email a member still waiting on their invite a new link; earlier links stop working.

    422 (field ``staff_id``) if they are not waiting on an invite.
    """
    services.accounts.resend_invite(staff_id, context=context)


@router.post("/{staff_id}/deactivate", status_code=204, response_class=Response)
def deactivate_staff(staff_id: UUID, context: Context, services: ServicesDep) -> None:
    """Stop a member of staff signing in; their sessions and API tokens end at once.

    409 ``last-admin`` for the clinic's last active admin.
    """
    services.accounts.deactivate_staff(staff_id, context=context)


@router.post("/{staff_id}/reactivate")
def reactivate_staff(staff_id: UUID, context: Context, services: ServicesDep) -> StaffOut:
    """Let a deactivated member of staff sign in again, with their password as it was."""
    return StaffOut.from_domain(services.accounts.reactivate_staff(staff_id, context=context))


@router.post("/{staff_id}/password", status_code=204, response_class=Response)
def reset_password(
    staff_id: UUID, body: PasswordResetIn, context: Context, services: ServicesDep
) -> None:
    """Give a member of staff a temporary password; their sessions and API tokens end."""
    services.accounts.reset_staff_password(body.to_domain(staff_id), context=context)


@router.put("/{staff_id}/licence")
def set_licence(
    staff_id: UUID, body: LicenceIn, context: Context, services: ServicesDep
) -> StaffOut:
    """Set the deepest needle setting a clinician's licence allows (a hard charting limit)."""
    member = services.accounts.set_staff_licence(
        staff_id, body.licence_max_depth_mm, context=context
    )
    invited = member.id in services.accounts.invited_staff(context=context)
    return StaffOut.from_domain(member, invited=invited)
