"""Use cases: a clinic's contact details, as its patients are shown them.

The phone number, postal address and phone hours (``domain.contact.ClinicContact``) appear
wherever a patient is told to call: the portal's answer to a red or amber check-in, the "call
us if…" list, the printed handout. Any member of staff reads them; an admin changes them (the
API and the clinic settings page call the same use case, so both refuse the same input with
the same field and code). A change is audited as a clinic event (``clinic.contact.update``);
the machine's operator (``needlepoint demo``) may set them for any clinic.
"""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from needlepoint.domain.contact import ClinicContact
from needlepoint.domain.errors import NotFoundError
from needlepoint.domain.records import Clinic
from needlepoint.services import audit, permissions
from needlepoint.services.audit import Acting, RequestContext
from needlepoint.services.permissions import Action
from needlepoint.services.ports import Clock, HasAudit, HasClinics, Transaction

CLINIC_RESOURCE = "clinic"


class ClinicNotFoundError(NotFoundError):
    """No such clinic (an admin only ever names their own)."""

    code = "clinic-not-found"


class ClinicReads(Transaction, HasClinics, Protocol):
    """Read a clinic."""


class ClinicContactChange(Transaction, HasAudit, HasClinics, Protocol):
    """Change how patients reach a clinic (audited)."""


def clinic_details(*, context: RequestContext, uow: ClinicReads) -> Clinic:
    """The actor's own clinic with its contact details (no patient data: not audited)."""
    permissions.require(context, Action.CLINIC_READ)
    with uow:
        clinic = uow.clinics.get(context.actor.clinic_id)
    if clinic is None:
        raise ClinicNotFoundError(f"no clinic {context.actor.clinic_id}")
    return clinic


def set_clinic_contact(
    *,
    clinic_id: UUID,
    contact: ClinicContact,
    context: Acting,
    uow: ClinicContactChange,
    clock: Clock,
) -> Clinic:
    """Replace a clinic's contact details; an admin reaches only their own clinic.

    Raises:
        PermissionDeniedError: The actor may not change the clinic's details.
        ClinicNotFoundError: No such clinic (another clinic's id, for an admin).
    """
    if isinstance(context, RequestContext):
        permissions.require(context, Action.CLINIC_UPDATE)
    own = not isinstance(context, RequestContext) or context.actor.clinic_id == clinic_id
    with uow:
        clinic = uow.clinics.get(clinic_id) if own else None
        if clinic is None:
            raise ClinicNotFoundError(f"no clinic {clinic_id}")
        uow.clinics.save_contact(clinic_id, contact)
        access = audit.Access("clinic.contact.update", CLINIC_RESOURCE, str(clinic_id), None)
        audit.record(uow, context, access, at=clock.now())
        uow.commit()
    return Clinic(clinic.id, clinic.name, clinic.time_zone, contact)
