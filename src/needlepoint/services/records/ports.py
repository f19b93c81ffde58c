"""The records area's ports: outcome measurements, care documents and scar assessments.

Every repository method is scoped by clinic: a record of another clinic is indistinguishable
from one that does not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from needlepoint.domain.assessments import ScarAssessmentRecord
from needlepoint.domain.outcomes import CareDocument, OutcomeMeasurement
from needlepoint.services.ports import (
    HasAppointments,
    HasAssessments,
    HasAudit,
    HasCareDocuments,
    HasCharts,
    HasClinics,
    HasConsultations,
    HasOutcomes,
    HasPatients,
    HasSeries,
    HasSessions,
    Transaction,
)


class OutcomeRepository(Protocol):
    """Outcome measurements."""

    def add(self, measurement: OutcomeMeasurement) -> None:
        """Store a new measurement."""
        ...

    def for_patient(
        self, clinic_id: UUID, patient_id: UUID, *, offset: int, limit: int
    ) -> Sequence[OutcomeMeasurement]:
        """A patient's measurements, oldest first (a course over time)."""
        ...


class CareDocumentRepository(Protocol):
    """Care documents given to patients."""

    def add(self, document: CareDocument) -> None:
        """Store a new document."""
        ...

    def for_patient(
        self, clinic_id: UUID, patient_id: UUID, *, offset: int, limit: int
    ) -> Sequence[CareDocument]:
        """A patient's care documents, newest first."""
        ...


class AssessmentRepository(Protocol):
    """Scar assessments."""

    def add(self, assessment: ScarAssessmentRecord) -> None:
        """Store a new assessment."""
        ...

    def for_patient(
        self, clinic_id: UUID, patient_id: UUID, *, offset: int, limit: int
    ) -> Sequence[ScarAssessmentRecord]:
        """A patient's assessments, oldest first (a course over time)."""
        ...


class RecordsUnitOfWork(
    Transaction,
    HasAudit,
    HasClinics,
    HasPatients,
    HasConsultations,
    HasSeries,
    HasSessions,
    HasCharts,
    HasAppointments,
    HasOutcomes,
    HasCareDocuments,
    HasAssessments,
    Protocol,
):
    """One transaction over patients and their records, and what a programme view reads."""
