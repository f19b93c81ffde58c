"""Break-glass access and the audit trail (ADR 0038, scenarios AC-5 and AC-6).

Any member of staff may break the glass on one patient, giving a reason; the grant opens the
patient's clinical record for at most 60 minutes, every read audited with severity high.
Admins alone see the grants and the audit trail, and export it (CSV or JSON lines, streamed).
"""

from __future__ import annotations

from typing import Annotated, Any, Final
from uuid import UUID

from fastapi import APIRouter, Query
from starlette.responses import StreamingResponse

from needlepoint.entrypoints import audit_export
from needlepoint.entrypoints.api.permissions import API, Context
from needlepoint.entrypoints.api.schemas.audit import (
    AuditEventOut,
    AuditEventPage,
    AuditExportQuery,
    AuditQuery,
    BreakGlassGrantList,
    BreakGlassGrantOut,
    BreakGlassIn,
    BrokenGlassRecordOut,
)
from needlepoint.entrypoints.api.security import ServicesDep

router = APIRouter(prefix=API, tags=["audit"])


@router.post("/patients/{patient_id}/break-glass", status_code=201)
def break_glass(
    patient_id: UUID, body: BreakGlassIn, context: Context, services: ServicesDep
) -> BreakGlassGrantOut:
    """Open one patient's clinical record in an emergency (422 naming ``reason`` without one).

    The grant lasts at most 60 minutes; it and every read under it are audited, severity high.
    """
    grant = services.records.open_break_glass(patient_id, body.reason, context=context)
    return BreakGlassGrantOut.from_domain(grant)


@router.get("/break-glass/{grant_id}/record")
def read_under_break_glass(
    grant_id: UUID, context: Context, services: ServicesDep
) -> BrokenGlassRecordOut:
    """The patient's clinical record under your live grant; 403 once it has lapsed."""
    read = services.records.read_under_break_glass(grant_id, context=context)
    return BrokenGlassRecordOut.of(read)


@router.get("/break-glass")
def list_break_glass(context: Context, services: ServicesDep) -> BreakGlassGrantList:
    """The clinic's newest break-glass grants, newest first (admins)."""
    grants = services.records.break_glass_grants(context=context)
    return BreakGlassGrantList(items=[BreakGlassGrantOut.from_domain(g) for g in grants])


@router.get("/audit/events")
def audit_events(
    query: Annotated[AuditQuery, Query()], context: Context, services: ServicesDep
) -> AuditEventPage:
    """A page of the clinic's audit events, newest first (admins; at most 92 days)."""
    entries = services.records.audit_page(
        query.to_filter(), before_seq=query.before_seq, limit=query.limit, context=context
    )
    following = entries[-1].seq if len(entries) == query.limit else None
    return AuditEventPage(items=[AuditEventOut.of(e) for e in entries], next_before_seq=following)


_EXPORT_ANSWER: Final[dict[int | str, dict[str, Any]]] = {
    200: {
        "description": "The events, one a line: CSV (format=csv) or JSON lines (format=jsonl).",
        "content": {
            media.split(";")[0]: {"schema": {"type": "string"}}
            for media in audit_export.MEDIA_TYPES.values()
        },
    }
}


@router.get("/audit/export", responses=_EXPORT_ANSWER, response_class=StreamingResponse)
def export_audit(
    query: Annotated[AuditExportQuery, Query()], context: Context, services: ServicesDep
) -> StreamingResponse:
    """Every audit event of the range (at most 92 days), newest first, as CSV or JSON lines.

    Admins only; the export itself is audited before the first line is sent.
    """
    entries = services.records.audit_export(query.to_filter(), context=context)
    name = f"audit-{query.from_at:%Y%m%d}-{query.to_at:%Y%m%d}.{query.format}"
    return StreamingResponse(
        audit_export.lines(entries, query.format),
        media_type=audit_export.MEDIA_TYPES[query.format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
