"""Use case: a consultation report from a document, with the engine alone (no records).

``needlepoint consult`` needs only this: no database, no other area, no settings beyond the
engine's. The facade's ``Consultation`` runs the same two steps through it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from needlepoint.services.consultation import reports
from needlepoint.services.consultation.engine import ConsultationOutcome, Engine, consult

if TYPE_CHECKING:
    from needlepoint.services.ports import Clock


@dataclass(frozen=True, slots=True)
class Consulting:
    """The clinical engine and the clock: consult a document, build its report."""

    engine: Engine
    clock: Clock

    def consult(self, document: Any, *, appointment: str | None) -> ConsultationOutcome:
        """Screen, grade, plan and time a programme for a consultation document."""
        return consult(
            document=document,
            knowledge=self.engine.knowledge,
            clock=self.clock,
            appointment=appointment,
            default_session_time=self.engine.default_session_time,
        )

    def consultation_report(self, document: Any, *, appointment: str | None) -> reports.Json:
        """The full consultation report as plain data (decision first)."""
        outcome = self.consult(document, appointment=appointment)
        return reports.build_report(outcome, cite=self.engine.citations)
