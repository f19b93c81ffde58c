"""Ports the services need from the outside world, as Protocols.

The database adapter (``adapters/db``) implements the repositories and the unit of work; tests
may use the in-memory fakes in ``tests/fakes.py``. Every repository method is scoped by clinic:
a record of another clinic is indistinguishable from one that does not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self
from uuid import UUID

from needlepoint.domain.assessments import ScarAssessmentRecord
from needlepoint.domain.outcomes import CareDocument, OutcomeMeasurement
from needlepoint.domain.records import (
    AuditEvent,
    Clinic,
    ConsultationRecord,
    PatientRecord,
    StaffMember,
)
from needlepoint.domain.treatment import ChartVersion, TreatmentSeries, TreatmentSession


class Clock(Protocol):
    """Tells the time. The domain never asks; services pass "today" in."""

    def now(self) -> datetime:
        """The current instant, time-zone aware (UTC)."""
        ...

    def today(self) -> date:
        """Today's date in UTC."""
        ...


class PasswordHasher(Protocol):
    """Hashes and checks passwords (Argon2id in production)."""

    def hash(self, password: str) -> str:
        """A salted hash of the password."""
        ...

    def verify(self, password: str, hashed: str) -> bool:
        """Whether the password matches the hash."""
        ...


class ClinicRepository(Protocol):
    """Clinics."""

    def add(self, clinic: Clinic) -> None:
        """Store a new clinic."""
        ...

    def get(self, clinic_id: UUID) -> Clinic | None:
        """A clinic by id."""
        ...


class StaffRepository(Protocol):
    """Staff accounts. Password hashes are stored beside, never inside, the domain value."""

    def add(self, member: StaffMember, *, password_hash: str) -> None:
        """Store a new member of staff with their password hash."""
        ...

    def get(self, clinic_id: UUID, member_id: UUID) -> StaffMember | None:
        """A member of staff of one clinic."""
        ...

    def by_email(self, email: str) -> tuple[StaffMember, str] | None:
        """A member of staff and their password hash, by sign-in email (any clinic)."""
        ...


class PatientRepository(Protocol):
    """Patients of one clinic."""

    def add(self, patient: PatientRecord) -> None:
        """Store a new patient."""
        ...

    def get(self, clinic_id: UUID, patient_id: UUID) -> PatientRecord | None:
        """A patient of this clinic, or None (also for another clinic's patient)."""
        ...

    def list(
        self, clinic_id: UUID, *, search: str | None, offset: int, limit: int
    ) -> Sequence[PatientRecord]:
        """Patients of this clinic, by family then given name, optionally filtered by name."""
        ...


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


class SeriesRepository(Protocol):
    """Treatment series of one clinic."""

    def add(self, series: TreatmentSeries) -> None:
        """Store a new series."""
        ...

    def get(self, clinic_id: UUID, series_id: UUID) -> TreatmentSeries | None:
        """A series of this clinic, or None (also for another clinic's)."""
        ...

    def for_patient(
        self, clinic_id: UUID, patient_id: UUID, *, offset: int, limit: int
    ) -> Sequence[TreatmentSeries]:
        """A patient's series, newest first."""
        ...

    def save(self, series: TreatmentSeries) -> None:
        """Store a changed series whose ``version`` is one more than the stored one.

        Raises ``VersionConflictError`` if the stored series is not at ``version - 1``.
        """
        ...


class SessionRepository(Protocol):
    """Treatment sessions of one clinic."""

    def add(self, session: TreatmentSession) -> None:
        """Store a new session; ``VersionConflictError`` if its number is already taken."""
        ...

    def get(self, clinic_id: UUID, session_id: UUID) -> TreatmentSession | None:
        """A session of this clinic, or None (also for another clinic's)."""
        ...

    def for_series(self, clinic_id: UUID, series_id: UUID) -> Sequence[TreatmentSession]:
        """The sessions of a series, by number."""
        ...

    def save_status(self, session: TreatmentSession) -> None:
        """Store a session's new status."""
        ...


class ChartRepository(Protocol):
    """Chart versions. A version is only ever added; a signed version never changes."""

    def add(self, version: ChartVersion) -> None:
        """Store a new version; ``VersionConflictError`` if that version number exists."""
        ...

    def latest(self, clinic_id: UUID, session_id: UUID) -> ChartVersion | None:
        """The newest version of a session's chart, or None if it has none."""
        ...

    def history(self, clinic_id: UUID, session_id: UUID) -> Sequence[ChartVersion]:
        """Every version of a session's chart, oldest first."""
        ...

    def save_signature(self, version: ChartVersion) -> None:
        """Record the signature of an unsigned version; ``AlreadySignedError`` if signed."""
        ...

    def patients_with_lot(self, clinic_id: UUID, lot: str) -> Sequence[PatientRecord]:
        """Every patient of this clinic charted with a cartridge lot, in any chart version."""
        ...


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


class AuditLog(Protocol):
    """The append-only, hash-chained audit trail."""

    def append(self, event: AuditEvent) -> None:
        """Append one event, chained to the previous one."""
        ...


class UnitOfWork(Protocol):
    """One transaction over every repository: all of it lands, or none of it."""

    clinics: ClinicRepository
    staff: StaffRepository
    patients: PatientRepository
    consultations: ConsultationRepository
    audit: AuditLog
    series: SeriesRepository
    sessions: SessionRepository
    charts: ChartRepository
    outcomes: OutcomeRepository
    care_documents: CareDocumentRepository
    assessments: AssessmentRepository

    def __enter__(self) -> Self:
        """Begin the transaction."""
        ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back unless committed."""
        ...

    def commit(self) -> None:
        """Make everything done in this unit of work durable."""
        ...

    def rollback(self) -> None:
        """Undo everything done since the last commit; the unit of work stays usable."""
        ...
