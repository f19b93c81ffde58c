"""The clinic's PDF documents: a session's handout, a session summary, an outcome report.

Each answers ``application/pdf``, is checked against the same action as the record it prints
(``care_document.read``, ``chart.read``, ``outcome.read``) and audited as its read; another
clinic's record answers 404 exactly like a missing one. See ``docs/pdf.md``.
"""

from __future__ import annotations

from typing import Annotated, Any, Final
from uuid import UUID

from fastapi import APIRouter, Path, Response

from needlepoint.entrypoints.api.permissions import API, Context
from needlepoint.entrypoints.api.security import ServicesDep

router = APIRouter(tags=["documents"])

PDF: Final = "application/pdf"
_PDF_ANSWER: Final[dict[int | str, dict[str, Any]]] = {
    200: {"content": {PDF: {"schema": {"type": "string", "format": "binary"}}}}
}
MAX_SESSION: Final = 50

SessionNumber = Annotated[int, Path(ge=1, le=MAX_SESSION, description="The session's number.")]


def _pdf(data: bytes, filename: str) -> Response:
    disposition = f'attachment; filename="{filename}"'
    headers = {"Content-Disposition": disposition, "Cache-Control": "no-store"}
    return Response(data, media_type=PDF, headers=headers)


@router.get(
    f"{API}/series/{{series_id}}/sessions/{{number}}/handout",
    responses=_PDF_ANSWER,
    response_class=Response,
)
def session_handout_pdf(
    series_id: UUID, number: SessionNumber, context: Context, services: ServicesDep
) -> Response:
    """The patient handout of one session as PDF: the clinic, dated care, the red flags."""
    data = services.treatment.handout_pdf(series_id, number, context=context)
    return _pdf(data, f"handout-session-{number}.pdf")


@router.get(
    f"{API}/sessions/{{session_id}}/summary", responses=_PDF_ANSWER, response_class=Response
)
def session_summary_pdf(session_id: UUID, context: Context, services: ServicesDep) -> Response:
    """A session's summary from the newest version of its chart, as PDF."""
    data = services.treatment.session_summary_pdf(session_id, context=context)
    return _pdf(data, f"session-{session_id}.pdf")


@router.get(
    f"{API}/patients/{{patient_id}}/outcome-report", responses=_PDF_ANSWER, response_class=Response
)
def outcome_report_pdf(patient_id: UUID, context: Context, services: ServicesDep) -> Response:
    """A patient's outcome report (scar scores, the expected range, the chart) as PDF."""
    data = services.treatment.outcome_report_pdf(patient_id, context=context)
    return _pdf(data, "outcome-report.pdf")
