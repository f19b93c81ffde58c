"""The consultation area's ports: consultation records and clearances.

Every repository method is scoped by clinic: a record of another clinic is indistinguishable
from one that does not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from needlepoint.domain.clearances import Clearance
from needlepoint.domain.records import (
    ConsultationRecord,
)
from needlepoint.services.ports import (
    HasAudit,
    HasClearances,
    HasClinics,
    HasConsultations,
    HasPatients,
    Transaction,
)


class ConsultationRepository(Protocol):
    """Consultations. A signed consultation is never updated (the adapter enforces it too)."""

    def add(self, record: ConsultationRecord) -> None:
        """Store a new consultation."""
        ...

    def get(self, clinic_id: UUID, consultation_id: UUID) -> ConsultationRecord | None:
        """A consultation of this clinic."""
        ...

    def for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[ConsultationRecord]:
        """A patient's consultations, newest first."""
        ...

    def save_signature(self, record: ConsultationRecord) -> None:
        """Record the signature of a draft (refuses to touch an already signed row)."""
        ...


class ClearanceRepository(Protocol):
    """Clearances of findings needing clearance (ADR 0021)."""

    def add(self, clearance: Clearance) -> None:
        """Store a new clearance."""
        ...

    def for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[Clearance]:
        """Every clearance of a patient, newest first."""
        ...


class ConsultationUnitOfWork(
    Transaction,
    HasAudit,
    HasClinics,
    HasPatients,
    HasConsultations,
    HasClearances,
    Protocol,
):
    """One transaction over consultations and their clearances."""


class ConsultationRecording(
    Transaction, HasAudit, HasClinics, HasPatients, HasConsultations, Protocol
):
    """Record a consultation of a patient of the clinic (audited)."""


class ConsultationsTransaction(Transaction, HasAudit, HasConsultations, Protocol):
    """Read or sign one consultation (audited)."""


class ClearanceRecording(
    Transaction, HasAudit, HasClinics, HasConsultations, HasClearances, Protocol
):
    """Record a clearance of a signed consultation's finding, dated in the clinic's zone."""


class ClearanceReads(Transaction, HasAudit, HasClearances, Protocol):
    """List a patient's clearances (audited)."""


class ClearanceChecks(HasConsultations, HasClearances, Protocol):
    """Read a series' consultation and the patient's clearances (the clearance gate)."""
