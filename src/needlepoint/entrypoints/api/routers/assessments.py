"""Scar assessments: scar counts per zone, graded on every scale, over time."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from needlepoint.entrypoints.api.permissions import API, Context
from needlepoint.entrypoints.api.schemas.common import Paging
from needlepoint.entrypoints.api.schemas.records import AssessmentIn, AssessmentOut, AssessmentPage
from needlepoint.entrypoints.api.security import ServicesDep

router = APIRouter(prefix=API, tags=["assessments"])


@router.post("/patients/{patient_id}/assessments", status_code=201)
def record_assessment(
    patient_id: UUID, body: AssessmentIn, context: Context, services: ServicesDep
) -> AssessmentOut:
    """Grade the scars of every zone (Jacob, Goodman & Baron, ECCA) and keep the assessment."""
    assessment = services.records.record_assessment(body.to_domain(patient_id), context=context)
    return AssessmentOut.from_domain(assessment)


@router.get("/patients/{patient_id}/assessments")
def list_assessments(
    patient_id: UUID, query: Paging, context: Context, services: ServicesDep
) -> AssessmentPage:
    """A page of a patient's scar assessments, oldest first, so the trend reads left to right."""
    page = (query.offset, query.limit)
    found = services.records.list_assessments(patient_id, page=page, context=context)
    return AssessmentPage.of([AssessmentOut.from_domain(a) for a in found], query)
