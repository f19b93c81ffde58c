"""Consultation: intake answers and the report made from them, and clearances of findings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, StringConstraints

from needlepoint.domain.clearances import Clearance, NewClearance
from needlepoint.domain.records import ConsultationRecord
from needlepoint.domain.vocabulary import Zone
from needlepoint.entrypoints.api.schemas.common import (
    NOT_BLANK,
    FromRecord,
    IsoDate,
    Reason,
    RequestModel,
)
from needlepoint.services.consultation import consultations as consultation_records

Appointment = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=NOT_BLANK)]
RuleIdText = Annotated[str, StringConstraints(min_length=1, max_length=80, pattern=r"^[a-z0-9-]+$")]


class ConsultationIn(RequestModel):
    """Intake answers for a consultation (the same document as ``needlepoint consult``).

    The clinic and the patient's birth date and sex come from the records.
    """

    document: dict[str, Any]
    appointment: Appointment | None = None
    supersedes: UUID | None = None

    def to_domain(self, patient_id: UUID) -> consultation_records.ConsultationRequest:
        """The consultation to record for ``patient_id``."""
        return consultation_records.ConsultationRequest(
            patient_id=patient_id,
            document=self.document,
            appointment=self.appointment,
            supersedes=self.supersedes,
        )


class ConsultationOut(FromRecord[ConsultationRecord]):
    """A consultation: the intake as given and the report exactly as it was produced."""

    id: UUID
    patient_id: UUID
    consulted_on: date
    decision: str
    status: str
    knowledge_versions: dict[str, str]
    intake: dict[str, Any]
    report: dict[str, Any]
    created_at: datetime
    created_by: UUID
    signed_at: datetime | None
    signed_by: UUID | None
    supersedes: UUID | None


class ClearanceIn(RequestModel):
    """Clear one finding of the consultation that needs clearance: which, why, until when."""

    rule_id: RuleIdText
    reason: Reason
    valid_until: IsoDate

    def to_domain(self, consultation_id: UUID) -> NewClearance:
        """The clearance as the service takes it."""
        return NewClearance(consultation_id, self.rule_id, self.reason, self.valid_until)


class ClearanceOut(FromRecord[Clearance]):
    """A recorded clearance: the finding cleared, why, who, when, and the last day it holds."""

    id: UUID
    patient_id: UUID
    consultation_id: UUID
    rule_id: str
    zones: list[Zone]
    reason: str
    cleared_by: UUID
    cleared_at: datetime
    valid_until: date


class ClearanceList(BaseModel):
    """A patient's clearances, newest first."""

    items: list[ClearanceOut]
