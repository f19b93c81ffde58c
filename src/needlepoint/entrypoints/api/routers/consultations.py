"""Consultations: record one for a patient (the engine screens and plans), read, sign, clear."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from needlepoint.entrypoints.api.permissions import API, Context
from needlepoint.entrypoints.api.schemas.consultation import (
    ClearanceIn,
    ClearanceList,
    ClearanceOut,
    ConsultationIn,
    ConsultationOut,
)
from needlepoint.entrypoints.api.security import ServicesDep

router = APIRouter(prefix=API, tags=["consultations"])


@router.post("/patients/{patient_id}/consultations", status_code=201)
def record_consultation(
    patient_id: UUID, body: ConsultationIn, context: Context, services: ServicesDep
) -> ConsultationOut:
    """Screen and plan from intake answers; kept as a draft until signed."""
    record = services.consultation.record_consultation(body.to_domain(patient_id), context=context)
    return ConsultationOut.from_domain(record)


@router.get("/consultations/{consultation_id}")
def read_consultation(
    consultation_id: UUID, context: Context, services: ServicesDep
) -> ConsultationOut:
    """One consultation of the caller's clinic, with its report as it was produced."""
    return ConsultationOut.from_domain(
        services.consultation.get_consultation(consultation_id, context=context)
    )


@router.post("/consultations/{consultation_id}/sign")
def sign_consultation(
    consultation_id: UUID, context: Context, services: ServicesDep
) -> ConsultationOut:
    """Sign a draft consultation; after this it never changes (409 ``already-signed``)."""
    record = services.consultation.sign_consultation(consultation_id, context=context)
    return ConsultationOut.from_domain(record)


@router.post("/consultations/{consultation_id}/clearances", status_code=201)
def record_clearance(
    consultation_id: UUID, body: ClearanceIn, context: Context, services: ServicesDep
) -> ClearanceOut:
    """Clear a finding of a signed consultation that needs clearance, until a day.

    Only a clinician in their own signed-in session may clear (403 through an API token);
    the finding's wait, if it has one, no longer holds the series back while this holds.
    """
    cleared = services.consultation.record_clearance(
        body.to_domain(consultation_id), context=context
    )
    return ClearanceOut.from_domain(cleared)


@router.get("/patients/{patient_id}/clearances")
def list_clearances(patient_id: UUID, context: Context, services: ServicesDep) -> ClearanceList:
    """Every clearance of a patient, newest first."""
    found = services.consultation.list_clearances(patient_id, context=context)
    return ClearanceList(items=[ClearanceOut.from_domain(c) for c in found])
