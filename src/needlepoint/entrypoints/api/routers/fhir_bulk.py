"""FHIR Bulk Data ``$export`` of the caller's clinic (HL7 Bulk Data Access IG; docs/fhir.md).

The system-level kick-off ``GET /fhir/R4B/$export`` exports the caller's clinic (a member of
staff belongs to one clinic, so the clinic is the system as they see it). Admins only.

1. Kick-off with ``Prefer: respond-async`` → 202, ``Content-Location`` naming the status URL.
2. Poll the status URL → 202 with ``X-Progress`` while running; 200 with the manifest when
   done (each file's url and count); 500 with an OperationOutcome when the export failed.
3. Download each file (the same authentication: ``requiresAccessToken`` is true).
4. ``DELETE`` the status URL → 202: a running export is cancelled, a finished one deleted;
   either way its files go, and its status URL answers 404 from then on.

Another clinic's job answers exactly like an unknown one (404).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any, Final
from uuid import UUID

from fastapi import APIRouter, Header, Path, Query, Request
from starlette.responses import FileResponse, JSONResponse, Response

from needlepoint.domain.bulk_export import BulkJobNotFoundError, ExportedFile, JobStatus, manifest
from needlepoint.domain.errors import InvalidInputError
from needlepoint.entrypoints.api.permissions import Context
from needlepoint.entrypoints.api.security import ServicesDep

FHIR: Final = "/fhir/R4B"
KICK_OFF: Final = f"{FHIR}/$export"
STATUS: Final = f"{FHIR}/$export-status/{{job_id}}"
FILE: Final = f"{FHIR}/$export-files/{{job_id}}/{{file_name}}"
NDJSON_TYPE: Final = "application/fhir+ndjson"
OUTPUT_FORMATS: Final = frozenset({NDJSON_TYPE, "application/ndjson", "ndjson"})
RETRY_AFTER_SECONDS: Final = 2
FILE_NAME_PATTERN: Final = r"^[A-Z][A-Za-z]{1,63}\.ndjson$"

_OUTCOME: Final = {"content": {"application/fhir+json": {"schema": {"type": "object"}}}}
_ERRORS: Final[dict[int | str, dict[str, Any]]] = {
    status: {"description": f"{HTTPStatus(status).phrase}: an OperationOutcome.", **_OUTCOME}
    for status in (400, 401, 403, 404, 405, 409, 413, 422, 429, 500)
}
"""Every refusal on these paths is an OperationOutcome (application/fhir+json)."""
_TEXT: Final = {"schema": {"type": "string"}}
_KICK_OFF_ANSWERS: Final[dict[int | str, dict[str, Any]]] = {
    202: {
        "description": "Accepted: poll the status URL named in Content-Location.",
        "headers": {"Content-Location": _TEXT},
    },
    **_ERRORS,
}
_STATUS_ANSWERS: Final[dict[int | str, dict[str, Any]]] = {
    **_ERRORS,
    200: {
        "description": "Done: the manifest (each file's url and count).",
        "content": {"application/json": {"schema": {"type": "object"}}},
    },
    202: {"description": "Still running.", "headers": {"X-Progress": _TEXT, "Retry-After": _TEXT}},
    500: {"description": "The export failed: an OperationOutcome.", **_OUTCOME},
}
_CANCEL_ANSWERS: Final[dict[int | str, dict[str, Any]]] = {
    202: {"description": "Cancelled, or deleted; its files are gone."},
    **_ERRORS,
}
_FILE_ANSWERS: Final[dict[int | str, dict[str, Any]]] = {
    200: {
        "description": "One resource per line.",
        "content": {NDJSON_TYPE: {"schema": {"type": "string"}}},
    },
    **_ERRORS,
}
FileName = Annotated[
    str,
    Path(pattern=FILE_NAME_PATTERN, description="A file the manifest names, e.g. Patient.ndjson."),
]

router = APIRouter(tags=["fhir bulk export"])


@router.get(KICK_OFF, status_code=202, response_class=Response, responses=_KICK_OFF_ANSWERS)
def kick_off(
    request: Request,
    context: Context,
    services: ServicesDep,
    prefer: Annotated[str | None, Header()] = None,
    output_format: Annotated[str | None, Query(alias="_outputFormat")] = None,
) -> Response:
    """Begin an export of your clinic (admins); 202 and the status URL in Content-Location."""
    if prefer is None or "respond-async" not in prefer.lower():
        raise InvalidInputError.single(
            "Prefer", "a bulk export runs asynchronously", "send the header Prefer: respond-async"
        )
    if output_format is not None and output_format not in OUTPUT_FORMATS:
        raise InvalidInputError.single(
            "_outputFormat",
            f"{output_format!r} is not offered",
            f"leave it out or ask for {NDJSON_TYPE}",
        )
    job = services.bulk_export.start(str(request.url), context=context)
    status_url = str(request.url_for("export_status", job_id=str(job.id)))
    return Response(status_code=202, headers={"Content-Location": status_url})


@router.get(STATUS, response_class=Response, responses=_STATUS_ANSWERS)
def export_status(
    job_id: UUID, request: Request, context: Context, services: ServicesDep
) -> Response:
    """202 with X-Progress while the export runs; 200 and the manifest once it is done."""
    job = services.bulk_export.status(job_id, context=context)
    if job.status is JobStatus.RUNNING:
        headers = {"X-Progress": job.progress, "Retry-After": str(RETRY_AFTER_SECONDS)}
        return Response(status_code=202, headers=headers)
    if job.status is JobStatus.CANCELLED:
        raise BulkJobNotFoundError("no such export job")
    if job.status is JobStatus.FAILED:
        return JSONResponse(_outcome("the export failed; start a new one"), status_code=500)

    def url_of(exported: ExportedFile) -> str:
        url = request.url_for("export_file", job_id=str(job.id), file_name=exported.file_name)
        return str(url)

    return JSONResponse(manifest(job, url_of=url_of), headers={"Expires": "0"})


@router.delete(STATUS, status_code=202, response_class=Response, responses=_CANCEL_ANSWERS)
def cancel_export(job_id: UUID, context: Context, services: ServicesDep) -> Response:
    """Cancel a running export, or delete a finished one; its files are deleted (202)."""
    services.bulk_export.cancel(job_id, context=context)
    return Response(status_code=202)


@router.get(FILE, response_class=Response, responses=_FILE_ANSWERS)
def export_file(
    job_id: UUID, file_name: FileName, context: Context, services: ServicesDep
) -> FileResponse:
    """One NDJSON file of a completed export (its download audited)."""
    path = services.bulk_export.file(job_id, file_name, context=context)
    return FileResponse(path, media_type=NDJSON_TYPE)


def _outcome(text: str) -> dict[str, object]:
    issue = {"severity": "error", "code": "exception", "diagnostics": text}
    return {"resourceType": "OperationOutcome", "issue": [issue]}
