"""Patients' check-ins, the clinic's side: a patient's history, one check-in, its review.

Clinical staff only (the action table). Every read and every review is audited; a check-in or
patient of another clinic answers exactly like one that does not exist.
"""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from needlepoint.entrypoints.api.permissions import API, Context
from needlepoint.entrypoints.api.schemas.common import Paging
from needlepoint.entrypoints.api.schemas.portal import CheckInOut, CheckInPage, ReviewIn
from needlepoint.entrypoints.api.security import ServicesDep

router = APIRouter(tags=["check-ins"])


@router.get(f"{API}/patients/{{patient_id}}/check-ins")
def list_check_ins(
    patient_id: UUID, paging: Paging, context: Context, services: ServicesDep
) -> CheckInPage:
    """A page of a patient's check-ins, newest first, reviewed or not, each with its review."""
    page = (paging.offset, paging.limit)
    history = services.portal.patient_check_ins(patient_id, page=page, context=context)
    items = [CheckInOut.from_entry(entry) for entry in history.entries]
    return CheckInPage(
        items=items,
        offset=history.offset,
        limit=history.limit,
        next_offset=history.offset + history.limit if history.more else None,
    )


@router.get(f"{API}/check-ins/{{check_in_id}}")
def read_check_in(check_in_id: UUID, context: Context, services: ServicesDep) -> CheckInOut:
    """One check-in of the clinic: its answers, triage and reasons, and review."""
    found = services.portal.clinic_check_in(check_in_id, context=context)
    return CheckInOut.from_domain(found.check_in, reviewer=found.reviewer)


@router.post(f"{API}/check-ins/{{check_in_id}}/review")
def review_check_in(
    check_in_id: UUID, body: ReviewIn, context: Context, services: ServicesDep
) -> CheckInOut:
    """Record the acting clinician's review: what came of it and a note (required).

    The same review sent again changes nothing; another review of a reviewed check-in is
    refused with 409 ``check-in-reviewed``.
    """
    reviewed = services.portal.review(check_in_id, body.to_domain(), context=context)
    return CheckInOut.from_domain(reviewed, reviewer=context.actor.display_name)
