"""The records area's ports: outcome measurements, care documents, scar assessments, edits.

Every repository method is scoped by clinic: a record of another clinic is indistinguishable
from one that does not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from needlepoint.domain.assessments import ScarAssessmentRecord
from needlepoint.domain.outcomes import CareDocument, OutcomeMeasurement
from needlepoint.domain.patient_changes import PatientChange
from needlepoint.services.ports import (
    HasAppointments,
    HasAssessments,
    HasAudit,
    HasAuditTrail,
    HasBreakGlass,
    HasCareDocuments,
    HasCharts,
    HasClinics,
    HasConsultations,
    HasOutcomes,
    HasPatientChanges,
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


class PatientChangeRepository(Protocol):
    """The record of what each edit of a patient's details changed (only ever added to)."""

    def add(self, change: PatientChange) -> None:
        """Store one edit's changes."""
        ...

    def for_patient(
        self, clinic_id: UUID, patient_id: UUID, *, limit: int
    ) -> Sequence[PatientChange]:
        """A patient's last ``limit`` edits, newest first."""
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
    HasPatientChanges,
    HasBreakGlass,
    HasAuditTrail,
    Protocol,
):
    """One transaction over patients and their records, and what a programme view reads."""


class PatientChanges(Transaction, HasAudit, HasPatients, HasPatientChanges, Protocol):
    """Edit a patient's details recording what changed, or read that record (audited)."""


class AssessmentRecording(Transaction, HasAudit, HasClinics, HasPatients, HasAssessments, Protocol):
    """Record a scar assessment of a patient (dated in the clinic's zone; audited)."""


class AssessmentReads(Transaction, HasAudit, HasPatients, HasAssessments, Protocol):
    """List a patient's scar assessments (audited)."""


class OutcomeRecording(
    Transaction,
    HasAudit,
    HasClinics,
    HasPatients,
    HasConsultations,
    HasSeries,
    HasOutcomes,
    Protocol,
):
    """Record an outcome measurement, checked against the patient's consultations and series."""


class OutcomeReads(Transaction, HasAudit, HasPatients, HasOutcomes, Protocol):
    """List a patient's outcome measurements (audited)."""


class CareDocumentIssue(Transaction, HasAudit, HasSeries, HasCareDocuments, Protocol):
    """Issue a care document for a treatment series (audited)."""


class CareDocumentReads(Transaction, HasAudit, HasPatients, HasCareDocuments, Protocol):
    """List a patient's care documents (audited)."""


class SeriesCourses(HasSeries, HasSessions, Protocol):
    """Read a patient's treatment series with their sessions."""


class ScheduleReads(
    Transaction, HasAudit, HasPatients, HasSeries, HasSessions, HasAppointments, Protocol
):
    """Read a patient's schedule: their series, sessions and appointments (audited)."""


class ClinicalRecordReads(
    HasConsultations, HasCharts, HasAssessments, HasOutcomes, HasCareDocuments, Protocol
):
    """Read a patient's clinical record: consultations, charts, assessments, outcomes, documents."""


class ProgrammeReads(ScheduleReads, ClinicalRecordReads, Protocol):
    """Read a patient's whole programme: their schedule and clinical record (audited)."""


class ProgrammeRows(SeriesCourses, HasAppointments, ClinicalRecordReads, Protocol):
    """Read a patient's programme inside the caller's transaction (the caller audits)."""


class ProgrammeRecord(ProgrammeRows, HasAudit, Protocol):
    """Read a patient's programme inside a use case's transaction (it records the reads)."""


class BreakGlassOpening(Transaction, HasAudit, HasPatients, HasBreakGlass, Protocol):
    """Grant break-glass access to one patient's record (audited, ADR 0038)."""


class BreakGlassGrants(Transaction, HasAudit, HasBreakGlass, Protocol):
    """List the clinic's break-glass grants, for an admin (audited)."""


class AuditTrailRead(Transaction, HasAudit, HasAuditTrail, Protocol):
    """Read a page of the audit trail back, for an admin (audited)."""


class BreakGlassUse(ProgrammeReads, HasBreakGlass, Protocol):
    """Grant break-glass access and read a patient's programme under it (ADR 0038)."""


class AuditTrailView(Transaction, HasAudit, HasAuditTrail, HasBreakGlass, Protocol):
    """Read the audit trail and the break-glass grants back, for an admin (ADR 0038)."""
