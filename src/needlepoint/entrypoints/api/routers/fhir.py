"""FHIR R4B, read-only, under ``/fhir/R4B`` (issue 15, ADR 0044; ``docs/fhir.md``).

``metadata`` (the CapabilityStatement), ``Patient/{id}/$everything`` (a Bundle), a read by
type and id, and a search of one type by ``?patient=``. The same sign-in and permission table
as the rest of the API (``fhir.read``: clinical roles); every read of patient data is audited
by the services. Answers are ``application/fhir+json``; errors are OperationOutcomes (the
API's error handlers turn a problem on a ``/fhir/`` path into one), and another clinic's
resource answers exactly like an unknown one.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any, Final
from uuid import UUID

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from needlepoint.domain.errors import InvalidInputError
from needlepoint.entrypoints.api.permissions import Context
from needlepoint.entrypoints.api.security import ServicesDep

FHIR: Final = "/fhir/R4B"
FHIR_JSON: Final = "application/fhir+json"
_FHIR_OBJECT: Final = {"content": {FHIR_JSON: {"schema": {"type": "object"}}}}
_FHIR_ANSWER: Final[dict[int | str, dict[str, Any]]] = {
    200: {"description": "A FHIR resource or Bundle.", **_FHIR_OBJECT},
    **{
        status: {
            "description": f"{HTTPStatus(status).phrase}: an OperationOutcome.",
            **_FHIR_OBJECT,
        }
        for status in (400, 401, 403, 404, 405, 409, 413, 422, 429, 500)
    },
}
"""Every answer is application/fhir+json, an error an OperationOutcome (not problem+json)."""
ID_PATTERN: Final = r"^[A-Za-z0-9\-\.]{1,64}$"
TYPE_PATTERN: Final = r"^[A-Z][A-Za-z]{1,63}$"

router = APIRouter(tags=["fhir"])


class FhirJsonResponse(JSONResponse):
    """JSON answered as ``application/fhir+json``."""

    media_type = FHIR_JSON


ResourceType = Annotated[
    str, Path(pattern=TYPE_PATTERN, description="A FHIR resource type, e.g. Procedure.")
]
ResourceId = Annotated[str, Path(pattern=ID_PATTERN, description="The resource's logical id.")]
PatientParam = Annotated[
    str | None,
    Query(
        max_length=80,
        description="The patient whose resources to find: its id, or Patient/{id}.",
    ),
]


def fhir_json(body: dict[str, Any], *, filename: str | None = None) -> JSONResponse:
    """A FHIR answer (a download when ``filename`` is given)."""
    headers = {"Cache-Control": "no-store"}
    if filename:
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return FhirJsonResponse(body, headers=headers)


@router.get(f"{FHIR}/metadata", responses=_FHIR_ANSWER, response_class=FhirJsonResponse)
def capability_statement(_context: Context, services: ServicesDep) -> JSONResponse:
    """The CapabilityStatement: the resource types served, read and search by patient."""
    return fhir_json(services.interop.capability_statement())


@router.get(
    f"{FHIR}/Patient/{{patient_id}}/$everything",
    responses=_FHIR_ANSWER,
    response_class=FhirJsonResponse,
)
def patient_everything(patient_id: UUID, context: Context, services: ServicesDep) -> JSONResponse:
    """Every resource of the patient's record in one searchset Bundle (audited)."""
    bundle = services.interop.everything(patient_id, context=context, bundle_type="searchset")
    return fhir_json(bundle)


@router.get(f"{FHIR}/{{resource_type}}", responses=_FHIR_ANSWER, response_class=FhirJsonResponse)
def search(
    resource_type: ResourceType,
    context: Context,
    services: ServicesDep,
    patient: PatientParam = None,
) -> JSONResponse:
    """A searchset of one type: the patient's (``?patient=``), or the clinic's own.

    Organization, Practitioner and Location are the clinic's and take no ``patient``.
    """
    interop = services.interop
    by_patient = resource_type in interop.resource_types() and not interop.is_clinic_type(
        resource_type
    )
    patient_id = _patient_id(patient) if by_patient else None
    return fhir_json(services.interop.search(resource_type, patient_id, context=context))


@router.get(
    f"{FHIR}/{{resource_type}}/{{resource_id}}",
    responses=_FHIR_ANSWER,
    response_class=FhirJsonResponse,
)
def read(
    resource_type: ResourceType, resource_id: ResourceId, context: Context, services: ServicesDep
) -> JSONResponse:
    """One resource by type and id (another clinic's answers as an unknown one)."""
    return fhir_json(services.interop.read(resource_type, resource_id, context=context))


def _patient_id(given: str | None) -> UUID:
    if not given:
        raise InvalidInputError.single(
            "patient",
            "is required to search a patient's resources.",
            "add ?patient={id} (the Patient's id, or Patient/{id}).",
        )
    text = given.removeprefix("Patient/")
    try:
        return UUID(text)
    except ValueError:
        raise InvalidInputError.single(
            "patient",
            "is not a Patient id.",
            "give the Patient's id (a UUID), or Patient/{id}.",
        ) from None
