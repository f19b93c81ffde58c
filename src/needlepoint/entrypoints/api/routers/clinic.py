"""The caller's own clinic: its details, and how its patients reach it (set by an admin)."""

from __future__ import annotations

from fastapi import APIRouter

from needlepoint.entrypoints.api.permissions import API, Context
from needlepoint.entrypoints.api.schemas.accounts import (
    ClinicContactIn,
    ClinicOut,
    ClinicTwoStepIn,
    ClinicTwoStepOut,
)
from needlepoint.entrypoints.api.security import ServicesDep

router = APIRouter(prefix=f"{API}/clinic", tags=["clinic"])


@router.get("")
def read_clinic(context: Context, services: ServicesDep) -> ClinicOut:
    """The caller's clinic with its phone number, address and phone hours."""
    return ClinicOut.from_domain(services.accounts.clinic(context=context))


@router.put("/contact")
def set_clinic_contact(body: ClinicContactIn, context: Context, services: ServicesDep) -> ClinicOut:
    """Replace the phone number patients call, the postal address and the phone hours.

    Patients see them wherever they are told to call: the portal's answer to a red or amber
    check-in, the "call us if…" list and the handout.
    """
    clinic_id = context.actor.clinic_id
    changed = services.accounts.set_clinic_contact(clinic_id, body.to_domain(), context=context)
    return ClinicOut.from_domain(changed)


@router.get("/two-step")
def read_clinic_two_step(context: Context, services: ServicesDep) -> ClinicTwoStepOut:
    """Whether every member of the clinic must sign in with a code (admins always must)."""
    return ClinicTwoStepOut(required=services.accounts.clinic_requires_two_step(context=context))


@router.put("/two-step")
def set_clinic_two_step(
    body: ClinicTwoStepIn, context: Context, services: ServicesDep
) -> ClinicTwoStepOut:
    """Require (or stop requiring) a code at sign-in of every member of the clinic.

    Members without an authenticator app are sent to set one up at their next sign-in.
    """
    services.accounts.set_clinic_two_step(required=body.required, context=context)
    return ClinicTwoStepOut(required=body.required)
