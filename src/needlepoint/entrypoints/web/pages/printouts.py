"""The clinic's PDF documents: a session's handout, a session summary and an outcome report.

Each is the PDF of the page it is downloaded from (the handout, the session chart, the outcome
chart), read through the same use case and the same action of the action table, audited the
same way; another clinic's record answers exactly like a missing one. See ``docs/pdf.md``.
"""

from __future__ import annotations

from typing import Final
from uuid import UUID

from starlette.responses import Response

from needlepoint.entrypoints.web.pages.handouts import session_number
from needlepoint.entrypoints.web.visits import StaffVisit
from needlepoint.services.access import (
    PatientNotFoundError,
    SeriesNotFoundError,
    SessionNotFoundError,
)

PDF: Final = "application/pdf"


def pdf_response(data: bytes, filename: str) -> Response:
    """A PDF download, never cached (it holds patient data)."""
    headers = {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    }
    return Response(data, media_type=PDF, headers=headers)


def handout(visit: StaffVisit) -> Response:
    """The handout of ``?session=N`` of a series as PDF (the first session when not given)."""
    series_id: UUID = visit.path_id("series_id", SeriesNotFoundError)
    number = session_number(visit.query("session") or "1")
    data = visit.services.treatment.handout_pdf(series_id, number, context=visit.context)
    return pdf_response(data, f"handout-session-{number}.pdf")


def session_summary(visit: StaffVisit) -> Response:
    """A session's summary (its newest chart) as PDF."""
    session_id = visit.path_id("session_id", SessionNotFoundError)
    data = visit.services.treatment.session_summary_pdf(session_id, context=visit.context)
    return pdf_response(data, f"session-{session_id}.pdf")


def outcome_report(visit: StaffVisit) -> Response:
    """A patient's outcome report as PDF."""
    patient_id = visit.path_id("patient_id", PatientNotFoundError)
    data = visit.services.treatment.outcome_report_pdf(patient_id, context=visit.context)
    return pdf_response(data, "outcome-report.pdf")
