"""Treatment: series, sessions, versioned charts, lot recalls, outcomes and care documents.

A series comes from a signed consultation; a session starts after the day-of re-screen.

Writes that may race (cancelling a series, charting a session) name the version they were
based on; a stale one is 409 ``version-conflict`` and nothing is overwritten.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Response

from needlepoint.entrypoints.api.permissions import API, Context
from needlepoint.entrypoints.api.schemas.common import MAX_OFFSET, NOT_BLANK, Paging
from needlepoint.entrypoints.api.schemas.records import (
    CareDocumentIn,
    CareDocumentOut,
    CareDocumentPage,
    OutcomeIn,
    OutcomeOut,
    OutcomePage,
)
from needlepoint.entrypoints.api.schemas.treatment import (
    CancelSeriesIn,
    ChartHistory,
    ChartIn,
    ChartVersionOut,
    RecallOut,
    SeriesIn,
    SeriesOut,
    SeriesPage,
    SessionList,
    SessionOut,
    SessionStartIn,
    StartedSessionOut,
)
from needlepoint.entrypoints.api.security import ServicesDep, json_response

router = APIRouter(tags=["treatment"])

ChartVersionNumber = Annotated[int, Path(ge=1, le=MAX_OFFSET)]
LotNumber = Annotated[str, Path(min_length=1, max_length=100, pattern=NOT_BLANK)]


@router.post(f"{API}/consultations/{{consultation_id}}/series", status_code=201)
def create_series(
    consultation_id: UUID, body: SeriesIn, context: Context, services: ServicesDep
) -> SeriesOut:
    """Agree a series from a signed, treatable consultation; each plan change needs a reason."""
    series = services.treatment.create_series(body.to_domain(consultation_id), context=context)
    return SeriesOut.from_domain(series)


@router.get(f"{API}/series/{{series_id}}")
def read_series(series_id: UUID, context: Context, services: ServicesDep) -> SeriesOut:
    """One treatment series of the caller's clinic."""
    return SeriesOut.from_domain(services.treatment.get_series(series_id, context=context))


@router.get(f"{API}/patients/{{patient_id}}/series")
def list_series(
    patient_id: UUID, query: Paging, context: Context, services: ServicesDep
) -> SeriesPage:
    """A page of a patient's treatment series, newest first."""
    page = (query.offset, query.limit)
    found = services.treatment.list_series(patient_id, page=page, context=context)
    return SeriesPage.of([SeriesOut.from_domain(s) for s in found], query)


@router.post(f"{API}/series/{{series_id}}/cancel")
def cancel_series(
    series_id: UUID, body: CancelSeriesIn, context: Context, services: ServicesDep
) -> SeriesOut:
    """Stop a series before its end, with a reason; its booked visits to come are cancelled.

    409 ``version-conflict`` if it changed meanwhile.
    """
    series = services.treatment.cancel_series(body.to_domain(series_id), context=context)
    return SeriesOut.from_domain(series)


@router.get(f"{API}/series/{{series_id}}/sessions")
def list_sessions(series_id: UUID, context: Context, services: ServicesDep) -> SessionList:
    """Every session of a series, by number."""
    found = services.treatment.list_sessions(series_id, context=context)
    return SessionList(items=[SessionOut.from_domain(s) for s in found])


@router.post(f"{API}/series/{{series_id}}/sessions", status_code=201)
def start_session(
    series_id: UUID, body: SessionStartIn, context: Context, services: ServicesDep
) -> StartedSessionOut:
    """Start the next session after the day-of re-screen (409 ``contraindicated`` if blocked)."""
    session = services.treatment.start_session(
        series_id, rescreen_document=body.rescreen, context=context
    )
    return StartedSessionOut.from_started(session)


@router.post(f"{API}/sessions/{{session_id}}/chart", status_code=201)
def chart_session(
    session_id: UUID, body: ChartIn, context: Context, services: ServicesDep
) -> ChartVersionOut:
    """Chart a session (or amend its chart) as version ``expected_version + 1``."""
    version = services.treatment.chart_session(body.to_domain(session_id), context=context)
    return ChartVersionOut.from_domain(version)


@router.post(f"{API}/sessions/{{session_id}}/chart/{{version}}/sign")
def sign_chart(
    session_id: UUID, version: ChartVersionNumber, context: Context, services: ServicesDep
) -> ChartVersionOut:
    """Sign the newest version of a session's chart; it never changes after this."""
    signed = services.treatment.sign_chart(session_id, version=version, context=context)
    return ChartVersionOut.from_domain(signed)


@router.get(f"{API}/sessions/{{session_id}}/chart", response_model=ChartHistory)
def read_chart_history(session_id: UUID, context: Context, services: ServicesDep) -> Response:
    """Every version of a session's chart, oldest first."""
    history = services.treatment.chart_history(session_id, context=context)
    return json_response(ChartHistory(items=[ChartVersionOut.from_domain(v) for v in history]))


@router.get(f"{API}/recalls/{{lot}}")
def recall_lot(lot: LotNumber, context: Context, services: ServicesDep) -> RecallOut:
    """Everyone of the caller's clinic treated with a cartridge lot, and every session.

    ``items``: the patients, by name; ``treatments``: each session's day, zones and clinician.
    """
    return RecallOut.from_domain(services.treatment.recall_lot(lot, context=context))


@router.post(f"{API}/patients/{{patient_id}}/outcomes", status_code=201)
def record_outcome(
    patient_id: UUID, body: OutcomeIn, context: Context, services: ServicesDep
) -> OutcomeOut:
    """Record an outcome measurement (scar score, GAIS or satisfaction) for a patient."""
    measurement = services.records.record_outcome(body.to_domain(patient_id), context=context)
    return OutcomeOut.from_domain(measurement)


@router.get(f"{API}/patients/{{patient_id}}/outcomes")
def list_outcomes(
    patient_id: UUID, query: Paging, context: Context, services: ServicesDep
) -> OutcomePage:
    """A page of a patient's outcome measurements, oldest first."""
    page = (query.offset, query.limit)
    found = services.records.list_outcomes(patient_id, page=page, context=context)
    return OutcomePage.of([OutcomeOut.from_domain(m) for m in found], query)


@router.post(f"{API}/series/{{series_id}}/care-documents", status_code=201)
def issue_care_document(
    series_id: UUID, body: CareDocumentIn, context: Context, services: ServicesDep
) -> CareDocumentOut:
    """Keep a care document as given to the patient of a series."""
    document = services.records.issue_care_document(body.to_domain(series_id), context=context)
    return CareDocumentOut.from_domain(document)


@router.get(f"{API}/patients/{{patient_id}}/care-documents")
def list_care_documents(
    patient_id: UUID, query: Paging, context: Context, services: ServicesDep
) -> CareDocumentPage:
    """A page of a patient's care documents, newest first."""
    page = (query.offset, query.limit)
    found = services.records.list_care_documents(patient_id, page=page, context=context)
    return CareDocumentPage.of([CareDocumentOut.from_domain(d) for d in found], query)
