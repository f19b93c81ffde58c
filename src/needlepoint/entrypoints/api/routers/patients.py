"""Patients of the caller's clinic: register, find, read, edit. Every access is audited."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from needlepoint.entrypoints.api.permissions import API, Context
from needlepoint.entrypoints.api.schemas.records import (
    PatientChangeList,
    PatientChangeOut,
    PatientEditIn,
    PatientIn,
    PatientOut,
    PatientPage,
    PatientQuery,
)
from needlepoint.entrypoints.api.security import ServicesDep

router = APIRouter(prefix=f"{API}/patients", tags=["patients"])


@router.get("")
def list_patients(
    query: Annotated[PatientQuery, Query()], context: Context, services: ServicesDep
) -> PatientPage:
    """A page of the clinic's patients by family then given name.

    ``search`` finds by a full name in either order, an email, or a date of birth. Page with
    ``cursor=next_cursor``; ``offset`` and ``after`` are deprecated (gone next release).
    """
    page = (query.offset, query.limit)
    found = services.records.search_patients(
        query.search, page=page, context=context, after=query.after, cursor=query.cursor
    )
    return PatientPage.found([PatientOut.from_domain(p) for p in found], query)


@router.post("", status_code=201)
def register_patient(body: PatientIn, context: Context, services: ServicesDep) -> PatientOut:
    """Register a patient in the caller's clinic."""
    return PatientOut.from_domain(
        services.records.register_patient(body.to_domain(), context=context)
    )


@router.get("/{patient_id}")
def read_patient(patient_id: UUID, context: Context, services: ServicesDep) -> PatientOut:
    """One patient of the caller's clinic."""
    return PatientOut.from_domain(services.records.get_patient(patient_id, context=context))


@router.put("/{patient_id}")
def edit_patient(
    patient_id: UUID, body: PatientEditIn, context: Context, services: ServicesDep
) -> PatientOut:
    """Edit a patient's details; what changed is recorded (409 ``version-conflict`` if stale)."""
    edited = services.records.edit_patient(body.to_edit(patient_id), context=context)
    return PatientOut.from_domain(edited)


@router.get("/{patient_id}/changes")
def list_patient_changes(
    patient_id: UUID, context: Context, services: ServicesDep
) -> PatientChangeList:
    """A patient's recent edits, newest first: field, old and new value, who, when."""
    found = services.records.patient_changes(patient_id, context=context)
    return PatientChangeList(items=[PatientChangeOut.from_domain(c) for c in found])
