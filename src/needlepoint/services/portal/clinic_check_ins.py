"""Use cases: the clinic's side of patients' check-ins.

Amber and red check-ins wait in the dashboard's list "Check-ins that need attention" until a
clinician marks them reviewed. Staff read a check-in with its patient, and its photo; every
read and review is audited, and a check-in of another clinic reads exactly like one that does
not exist.
"""

from __future__ import annotations

from typing import Final
from uuid import UUID

from needlepoint.domain.checkins import CheckIn, CheckInPhoto, ClinicCheckIn
from needlepoint.domain.records import PatientRecord
from needlepoint.services import audit, permissions
from needlepoint.services.permissions import Action
from needlepoint.services.portal.check_ins import CheckInNotFoundError
from needlepoint.services.portal.ports import CheckInReads, ClinicCheckIns
from needlepoint.services.ports import Clock

ATTENTION_LIMIT: Final = 100
"""The dashboard lists at most this many check-ins that need attention."""


def needing_attention(
    *, context: audit.RequestContext, uow: CheckInReads, clock: Clock
) -> tuple[ClinicCheckIn, ...]:
    """The clinic's unreviewed amber and red check-ins: red first, then newest first."""
    permissions.require(context, Action.CHECK_IN_READ)
    with uow:
        rows = uow.check_ins.needing_attention(context.actor.clinic_id, limit=ATTENTION_LIMIT)
        access = audit.Access("check_in.list", "check_in", "attention", None)
        audit.record(uow, context, access, at=clock.now())
        uow.commit()
    return tuple(ClinicCheckIn(check_in, patient) for check_in, patient in rows)


def clinic_check_in(
    *, check_in_id: UUID, context: audit.RequestContext, uow: ClinicCheckIns, clock: Clock
) -> ClinicCheckIn:
    """One check-in of the clinic with its patient."""
    permissions.require(context, Action.CHECK_IN_READ)
    with uow:
        check_in, patient = _clinic_check_in_or_raise(
            uow, context, check_in_id, "check_in.read", clock
        )
        audit.record(uow, context, _access("check_in.read", check_in), at=clock.now())
        uow.commit()
    return ClinicCheckIn(check_in, patient)


def clinic_photo(
    *, check_in_id: UUID, context: audit.RequestContext, uow: ClinicCheckIns, clock: Clock
) -> CheckInPhoto:
    """The photo of one check-in of the clinic."""
    permissions.require(context, Action.CHECK_IN_READ)
    with uow:
        check_in, _ = _clinic_check_in_or_raise(
            uow, context, check_in_id, "check_in_photo.read", clock
        )
        photo = None
        if check_in.photo_id is not None:
            photo = uow.check_ins.photo(context.actor.clinic_id, check_in.photo_id)
        if photo is None:
            raise CheckInNotFoundError(f"check-in {check_in_id} has no photo")
        audit.record(uow, context, _access("check_in_photo.read", check_in), at=clock.now())
        uow.commit()
    return photo


def review_check_in(
    *, check_in_id: UUID, context: audit.RequestContext, uow: ClinicCheckIns, clock: Clock
) -> CheckIn:
    """Mark a check-in as reviewed by the acting clinician (a second review changes nothing)."""
    permissions.require(context, Action.CHECK_IN_REVIEW)
    now = clock.now()
    with uow:
        check_in, _ = _clinic_check_in_or_raise(uow, context, check_in_id, "check_in.review", clock)
        reviewed = check_in.reviewed(by=context.actor.id, at=now)
        uow.check_ins.save_review(reviewed)
        audit.record(uow, context, _access("check_in.review", check_in), at=now)
        uow.commit()
    return reviewed


def _clinic_check_in_or_raise(
    uow: ClinicCheckIns,
    context: audit.RequestContext,
    check_in_id: UUID,
    action: str,
    clock: Clock,
) -> tuple[CheckIn, PatientRecord]:
    clinic_id = context.actor.clinic_id
    check_in = uow.check_ins.get(clinic_id, check_in_id)
    patient = None if check_in is None else uow.patients.get(clinic_id, check_in.patient_id)
    if check_in is None or patient is None:
        missing = audit.Access(action, "check_in", str(check_in_id), None, "not_found")
        audit.record(uow, context, missing, at=clock.now())
        uow.commit()
        raise CheckInNotFoundError(f"no check-in {check_in_id}")
    return check_in, patient


def _access(action: str, check_in: CheckIn) -> audit.Access:
    return audit.Access(action, "check_in", str(check_in.id), check_in.patient_id)
