"""Staff accounts of the admin's own clinic."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from needlepoint.entrypoints.api.permissions import API, Context
from needlepoint.entrypoints.api.schemas.accounts import StaffIn, StaffOut
from needlepoint.entrypoints.api.security import ServicesDep

router = APIRouter(prefix=f"{API}/staff", tags=["staff"])


@router.post("", status_code=201)
def add_staff(body: StaffIn, context: Context, services: ServicesDep) -> StaffOut:
    """Create a member of staff in the admin's clinic."""
    member = services.accounts.add_staff(body.to_domain(context.actor.clinic_id), context=context)
    return StaffOut.from_domain(member)


@router.post("/{staff_id}/deactivate", status_code=204, response_class=Response)
def deactivate_staff(staff_id: UUID, context: Context, services: ServicesDep) -> None:
    """Stop a member of staff signing in; their sessions and API tokens end at once."""
    services.accounts.deactivate_staff(staff_id, context=context)
