"""Patients of the caller's clinic: register, list (by name), read. Every access is audited."""

from __future__ import annotations

from typing import Annotated, Final
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import Field

from needlepoint.entrypoints.api.permissions import API, Context
from needlepoint.entrypoints.api.schemas import (
    MAX_OFFSET,
    PatientIn,
    PatientOut,
    PatientPage,
    RequestModel,
    Search,
)
from needlepoint.entrypoints.api.security import ServicesDep
from needlepoint.services.access import MAX_PAGE_SIZE

DEFAULT_PAGE_SIZE: Final = 20

router = APIRouter(prefix=f"{API}/patients", tags=["patients"])


class PatientQuery(RequestModel):
    """Which page of patients, optionally filtered by part of a name."""

    search: Search | None = None
    offset: Annotated[int, Field(ge=0, le=MAX_OFFSET)] = 0
    limit: Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE


@router.get("")
def list_patients(
    query: Annotated[PatientQuery, Query()], context: Context, services: ServicesDep
) -> PatientPage:
    """A page of the clinic's patients by family then given name."""
    page = (query.offset, query.limit)
    found = services.records.search_patients(query.search, page=page, context=context)
    return PatientPage.from_domain(found, offset=query.offset, limit=query.limit)


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
