"""Use cases: the clinic's side of patients' check-ins.

Amber and red check-ins wait in the dashboard's list "Check-ins that need attention" until a
clinician reviews them, saying what came of it and why (``domain.check_in_reviews``). Staff read
a check-in with its patient and its photo, and a patient's whole check-in history, newest first,
each with its triage and its review. Every read and review is audited, and a check-in of
another clinic reads exactly like one that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Final
from uuid import UUID

from needlepoint.domain.check_in_reviews import CheckInReview, CheckInReviewedError
from needlepoint.domain.checkins import CheckIn, CheckInPhoto, ClinicCheckIn
from needlepoint.domain.records import PatientRecord
from needlepoint.services import audit, permissions
from needlepoint.services.access import check_page, listed_patient
from needlepoint.services.permissions import Action
from needlepoint.services.portal.check_ins import CheckInNotFoundError
from needlepoint.services.portal.ports import (
    CheckInHistoryReads,
    CheckInReads,
    ClinicCheckInPage,
    ClinicCheckIns,
)
from needlepoint.services.ports import Clock, HasStaff

ATTENTION_LIMIT: Final = 100
"""The dashboard lists at most this many check-ins that need attention."""


@dataclass(frozen=True, slots=True)
class CheckInEntry:
    """A check-in in a patient's history, with the name of whoever reviewed it."""

    check_in: CheckIn
    reviewer: str | None


@dataclass(frozen=True, slots=True)
class CheckInHistory:
    """One page of a patient's check-ins, newest first; ``more`` when older ones follow."""

    patient: PatientRecord
    entries: tuple[CheckInEntry, ...]
    offset: int
    limit: int
    more: bool


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
    *, check_in_id: UUID, context: audit.RequestContext, uow: ClinicCheckInPage, clock: Clock
) -> ClinicCheckIn:
    """One check-in of the clinic with its patient, and who reviewed it."""
    permissions.require(context, Action.CHECK_IN_READ)
    clinic_id = context.actor.clinic_id
    with uow:
        check_in, patient = _clinic_check_in_or_raise(
            uow, context, check_in_id, "check_in.read", clock
        )
        reviewer = _reviewer_names(uow, clinic_id, (check_in,)).get(check_in.reviewed_by)
        audit.record(uow, context, _access("check_in.read", check_in), at=clock.now())
        uow.commit()
    return ClinicCheckIn(check_in, patient, reviewer)


def patient_check_ins(
    *,
    patient_id: UUID,
    page: tuple[int, int],
    context: audit.RequestContext,
    uow: CheckInHistoryReads,
    clock: Clock,
) -> CheckInHistory:
    """A page of a patient's check-ins, newest first, reviewed or not (``page``: offset, limit)."""
    permissions.require(context, Action.CHECK_IN_READ)
    offset, limit = check_page(page)
    clinic_id = context.actor.clinic_id
    with uow:
        patient = listed_patient(uow, context, patient_id, "check_in.list", clock)
        found = uow.check_ins.for_patient(clinic_id, patient.id, limit=limit + 1, offset=offset)
        shown = tuple(found[:limit])
        names = _reviewer_names(uow, clinic_id, shown)
        access = audit.Access("check_in.list", "check_in", "*", patient.id)
        audit.record(uow, context, access, at=clock.now())
        uow.commit()
    entries = tuple(CheckInEntry(c, names.get(c.reviewed_by)) for c in shown)
    return CheckInHistory(patient, entries, offset, limit, more=len(found) > limit)


def _reviewer_names(
    uow: HasStaff, clinic_id: UUID, check_ins: Iterable[CheckIn]
) -> dict[UUID | None, str]:
    """The display names of the staff who reviewed these check-ins, by staff id."""
    ids = {c.reviewed_by for c in check_ins if c.reviewed_by is not None}
    members = (uow.staff.get(clinic_id, member_id) for member_id in ids)
    return {m.id: m.display_name for m in members if m is not None}


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
    *,
    check_in_id: UUID,
    review: CheckInReview,
    context: audit.RequestContext,
    uow: ClinicCheckIns,
    clock: Clock,
) -> CheckIn:
    """Record the acting clinician's review (outcome and note) of a check-in.

    The same review sent again changes nothing.

    Raises:
        CheckInNotFoundError: No such check-in in the clinic.
        CheckInReviewedError: It was reviewed already, otherwise (the refusal is audited).
    """
    permissions.require(context, Action.CHECK_IN_REVIEW)
    now = clock.now()
    with uow:
        check_in, _ = _clinic_check_in_or_raise(uow, context, check_in_id, "check_in.review", clock)
        access = _access("check_in.review", check_in)
        try:
            reviewed = check_in.reviewed(review, by=context.actor.id, at=now)
            if reviewed is not check_in and not uow.check_ins.save_review(reviewed):
                raise CheckInReviewedError(now)  # another review landed first
        except CheckInReviewedError:
            uow.rollback()
            refused = replace(access, outcome="check_in_reviewed")
            audit.record(uow, context, refused, at=now)
            uow.commit()
            raise
        audit.record(uow, context, access, at=now)
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
