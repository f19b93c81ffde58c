"""Break-glass access and the audit trail (ADR 0038): request and response models."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field, StringConstraints

from needlepoint.domain.audit_view import MAX_PAGE_EVENTS, AuditEntry, AuditFilter
from needlepoint.domain.break_glass import BreakGlassGrant
from needlepoint.entrypoints.api.schemas.common import PRINTABLE, FromRecord, RequestModel
from needlepoint.entrypoints.api.schemas.records import PatientOut
from needlepoint.services.records.facade import BrokenGlassRead

ActionId = Annotated[str, StringConstraints(max_length=80, pattern=PRINTABLE)]


class BreakGlassIn(RequestModel):
    """Why the glass is broken: what the emergency is (required, 15 to 500 characters)."""

    reason: Annotated[str, StringConstraints(max_length=2000)] | None = None


class BreakGlassGrantOut(FromRecord[BreakGlassGrant]):
    """Emergency access of one member of staff to one patient's clinical record, until expiry."""

    id: UUID
    actor_id: UUID
    patient_id: UUID
    reason: str
    granted_at: datetime
    expires_at: datetime


class BreakGlassGrantList(BaseModel):
    """The clinic's newest break-glass grants, newest first."""

    items: list[BreakGlassGrantOut]


class ConsultationBrief(BaseModel):
    """A consultation as an emergency needs it: when, what was decided, and its findings."""

    id: UUID
    consulted_on: date
    status: str
    decision: str
    findings: Any = None


class BrokenGlassRecordOut(BaseModel):
    """A patient's clinical record read under break-glass access (every read audited high)."""

    grant: BreakGlassGrantOut
    patient: PatientOut
    consultations: list[ConsultationBrief]
    charted_sessions: list[UUID]
    outcome_count: int
    assessment_count: int
    care_document_count: int

    @classmethod
    def of(cls, read: BrokenGlassRead) -> BrokenGlassRecordOut:
        """From the read."""
        programme = read.programme
        clinical = programme.clinical
        consultations = [] if clinical is None else clinical.consultations
        return cls(
            grant=BreakGlassGrantOut.from_domain(read.grant),
            patient=PatientOut.from_domain(programme.patient),
            consultations=[
                ConsultationBrief(
                    id=c.id,
                    consulted_on=c.consulted_on,
                    status=c.status.value,
                    decision=c.decision,
                    findings=c.report.get("findings"),
                )
                for c in consultations
            ],
            charted_sessions=[] if clinical is None else list(clinical.charts),
            outcome_count=0 if clinical is None else len(clinical.outcomes),
            assessment_count=0 if clinical is None else len(clinical.assessments),
            care_document_count=0 if clinical is None else len(clinical.care_documents),
        )


class AuditQuery(RequestModel):
    """Which events: ``from_at`` ≤ at < ``to_at`` (at most 92 days), and which page.

    Optionally one actor, patient or action; ``before_seq``: the ``next_before_seq`` of the
    page before.
    """

    from_at: AwareDatetime
    to_at: AwareDatetime
    actor_id: UUID | None = None
    patient_id: UUID | None = None
    action: ActionId | None = None
    before_seq: Annotated[int, Field(ge=1)] | None = None
    limit: Annotated[int, Field(ge=1, le=MAX_PAGE_EVENTS)] = 50

    def to_filter(self) -> AuditFilter:
        """The domain's filter."""
        return AuditFilter(self.from_at, self.to_at, self.actor_id, self.patient_id, self.action)


class AuditExportQuery(RequestModel):
    """Which events to export (at most 92 days), and as what: CSV or JSON lines."""

    from_at: AwareDatetime
    to_at: AwareDatetime
    actor_id: UUID | None = None
    patient_id: UUID | None = None
    action: ActionId | None = None
    format: Annotated[str, StringConstraints(pattern="^(csv|jsonl)$")] = "csv"

    def to_filter(self) -> AuditFilter:
        """The domain's filter."""
        return AuditFilter(self.from_at, self.to_at, self.actor_id, self.patient_id, self.action)


class AuditEventOut(BaseModel):
    """One audit event: who, in what role, did what to which record, how it went."""

    seq: int
    at: datetime
    actor_id: UUID | None
    actor_role: str
    action: str
    resource_type: str
    resource_id: str
    patient_id: UUID | None
    outcome: str
    request_id: str
    severity: str
    break_glass_id: UUID | None

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditEventOut:
        """From a stored event."""
        e = entry.event
        return cls(
            seq=entry.seq,
            at=e.at,
            actor_id=e.actor_id,
            actor_role=e.actor_role,
            action=e.action,
            resource_type=e.resource_type,
            resource_id=e.resource_id,
            patient_id=e.patient_id,
            outcome=e.outcome,
            request_id=e.request_id,
            severity=e.severity,
            break_glass_id=e.break_glass_id,
        )


class AuditEventPage(BaseModel):
    """A page of audit events, newest first; ``next_before_seq`` is null on the last page."""

    items: list[AuditEventOut]
    next_before_seq: int | None
