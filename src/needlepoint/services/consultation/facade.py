"""The consultation area's facade: the clinical engine, consultation records and clearances.

Entrypoints call the use cases here. Other areas import only this module and the area's
``ports`` (the import contract "Areas meet only at their facades" checks it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from needlepoint.domain.clearances import Clearance, NewClearance
from needlepoint.domain.records import ConsultationRecord
from needlepoint.knowledge import catalogue, reference
from needlepoint.services import audit as audit_service
from needlepoint.services.consultation import clearances, intake, reports
from needlepoint.services.consultation import consultations as consultation_records
from needlepoint.services.consultation import engine as consultations
from needlepoint.services.consultation.clearances import earliest_start_on, require_cleared
from needlepoint.services.consultation.consultations import (
    ConsultationNotFoundError,
    ConsultationNotSignedError,
)
from needlepoint.services.consultation.consulting import Consulting
from needlepoint.services.consultation.engine import Engine, consult
from needlepoint.services.consultation.intake import Closed, ScarAssessmentIn, parse_consultation
from needlepoint.services.consultation.ports import ConsultationUnitOfWork
from needlepoint.services.consultation.reports import Json, build_report, scar_scores
from needlepoint.services.ports import Clock

__all__ = [
    "Closed",
    "Consultation",
    "ConsultationNotFoundError",
    "ConsultationNotSignedError",
    "Consulting",
    "Engine",
    "Json",
    "ScarAssessmentIn",
    "build_report",
    "consult",
    "earliest_start_on",
    "parse_consultation",
    "require_cleared",
    "scar_scores",
]


@dataclass(frozen=True, slots=True)
class Consultation:
    """The clinical engine, consultation records and clearances."""

    unit_of_work: Callable[[], ConsultationUnitOfWork]
    clock: Clock
    engine: Engine

    def consult(
        self, document: Any, *, appointment: str | None
    ) -> consultations.ConsultationOutcome:
        """Screen, grade, plan and time a programme for a consultation document."""
        return Consulting(self.engine, self.clock).consult(document, appointment=appointment)

    def consultation_report(self, document: Any, *, appointment: str | None) -> reports.Json:
        """The full consultation report as plain data (decision first)."""
        consulting = Consulting(self.engine, self.clock)
        return consulting.consultation_report(document, appointment=appointment)

    def consultation_schema(self) -> dict[str, Any]:
        """The JSON Schema of the consultation file."""
        return intake.consultation_schema()

    def knowledge_tables(self) -> tuple[catalogue.TableInfo, ...]:
        """Every knowledge table with its version and the sources it cites."""
        return catalogue.describe_tables()

    def knowledge_reference(self) -> str:
        """Every knowledge table rendered as Markdown."""
        return reference.render_markdown()

    def knowledge_rows(self, table: str) -> tuple[catalogue.RowInfo, ...]:
        """The rows of one knowledge table with their provenance."""
        return catalogue.describe_rows(table)

    def record_consultation(
        self,
        request: consultation_records.ConsultationRequest,
        *,
        context: audit_service.RequestContext,
    ) -> ConsultationRecord:
        """Screen and plan from intake answers; keep the result as a draft consultation."""
        return consultation_records.record_consultation(
            request=request,
            context=context,
            uow=self.unit_of_work(),
            engine=self.engine,
            clock=self.clock,
        )

    def get_consultation(
        self, consultation_id: UUID, *, context: audit_service.RequestContext
    ) -> ConsultationRecord:
        """One consultation of the actor's clinic."""
        uow = self.unit_of_work()
        return consultation_records.get_consultation(
            consultation_id=consultation_id, context=context, uow=uow, clock=self.clock
        )

    def sign_consultation(
        self, consultation_id: UUID, *, context: audit_service.RequestContext
    ) -> ConsultationRecord:
        """Sign a draft consultation of the actor's clinic."""
        uow = self.unit_of_work()
        return consultation_records.sign_consultation(
            consultation_id=consultation_id, context=context, uow=uow, clock=self.clock
        )

    def record_clearance(
        self, new: NewClearance, *, context: audit_service.RequestContext
    ) -> Clearance:
        """Clear one finding of a signed consultation, until a day (ADR 0021)."""
        return clearances.record_clearance(
            new=new,
            context=context,
            uow=self.unit_of_work(),
            clock=self.clock,
            limits=self.engine.knowledge.limits,
        )

    def list_clearances(
        self, patient_id: UUID, *, context: audit_service.RequestContext
    ) -> Sequence[Clearance]:
        """Every clearance of a patient, newest first."""
        return clearances.list_clearances(
            patient_id=patient_id,
            context=context,
            uow=self.unit_of_work(),
            clock=self.clock,
        )
