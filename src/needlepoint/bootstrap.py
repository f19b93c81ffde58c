"""The composition root: settings → adapters → services. The one place things are wired."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from needlepoint.adapters.clock import SystemClock
from needlepoint.config import Settings
from needlepoint.domain.programme import ClinicalKnowledge
from needlepoint.knowledge import catalogue, reference
from needlepoint.services import consultations, intake, reports
from needlepoint.services.ports import Clock


@dataclass(frozen=True, slots=True)
class Services:
    """The use cases, wired to real adapters. Entrypoints call these and nothing deeper."""

    settings: Settings
    clock: Clock
    knowledge: ClinicalKnowledge
    citations: dict[str, str]

    def consult(
        self, document: Any, *, appointment: str | None
    ) -> consultations.ConsultationOutcome:
        """Screen, grade, plan and time a programme for a consultation document."""
        return consultations.consult(
            document=document,
            knowledge=self.knowledge,
            clock=self.clock,
            appointment=appointment,
            default_session_time=self.settings.default_session_time,
        )

    def consultation_report(self, document: Any, *, appointment: str | None) -> reports.Json:
        """The full consultation report as plain data (decision first)."""
        outcome = self.consult(document, appointment=appointment)
        return reports.build_report(outcome, cite=self.citations)

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


def bootstrap(settings: Settings | None = None, *, clock: Clock | None = None) -> Services:
    """Build the services from settings (read from the environment when not given)."""
    settings = settings or Settings.from_env()
    return Services(
        settings=settings,
        clock=clock or SystemClock(),
        knowledge=catalogue.load_knowledge(),
        citations={s.id: s.citation for s in catalogue.sources().sources},
    )
