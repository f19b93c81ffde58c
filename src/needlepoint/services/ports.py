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
from needlepoint.domain.messages import OutboxMessage
from needlepoint.domain.outcomes import CareDocument, OutcomeMeasurement
from needlepoint.domain.records import (
    AuditEvent,
    Clinic,
    ConsultationRecord,
    PatientRecord,
    StaffMember,
)
from needlepoint.domain.scheduling import Appointment, OpeningHours, Room
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

    def for_clinic(self, clinic_id: UUID) -> Sequence[StaffMember]:
        """Every member of staff of the clinic, active or not, by name."""
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


class RoomRepository(Protocol):
    """A clinic's treatment rooms."""

    def add(self, room: Room) -> None:
        """Store a new room (names are unique within a clinic)."""
        ...

    def get(self, clinic_id: UUID, room_id: UUID) -> Room | None:
        """A room by id."""
        ...

    def for_clinic(self, clinic_id: UUID) -> Sequence[Room]:
        """Every room of the clinic, by name."""
        ...

    def save(self, room: Room) -> None:
        """Store a changed room (its name or whether it is in use)."""
        ...


class OpeningHoursRepository(Protocol):
    """When a clinic is open, per weekday, in its local time."""

    def for_clinic(self, clinic_id: UUID) -> Sequence[OpeningHours]:
        """Every opening period of the clinic, by weekday then opening time."""
        ...

    def replace(self, clinic_id: UUID, hours: Sequence[OpeningHours]) -> None:
        """Replace the clinic's whole week of opening hours."""
        ...


class AppointmentRepository(Protocol):
    """Appointments; the database refuses overlapping ones (``SlotTakenError``)."""

    def add(self, appointment: Appointment) -> None:
        """Store a new appointment; raises ``SlotTakenError`` on a double booking."""
        ...

    def hold(
        self, clinic_id: UUID, practitioner_ids: Sequence[UUID], room_ids: Sequence[UUID]
    ) -> None:
        """Hold these practitioners' and rooms' calendars until the unit of work ends."""
        ...

    def get(self, clinic_id: UUID, appointment_id: UUID) -> Appointment | None:
        """An appointment by id."""
        ...

    def save(self, appointment: Appointment) -> None:
        """Store a changed appointment whose version is one past the stored one.

        Raises ``VersionConflictError`` when someone else changed it first, and
        ``SlotTakenError`` when the new time overlaps another booking.
        """
        ...

    def for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[Appointment]:
        """A patient's appointments, earliest first, cancelled ones included."""
        ...

    def between(
        self, clinic_id: UUID, starts_at: datetime, ends_at: datetime
    ) -> Sequence[Appointment]:
        """Every appointment of the clinic not cancelled that overlaps ``[starts_at, ends_at)``."""
        ...


class OutboxRepository(Protocol):
    """Messages waiting to be delivered, written in the caller's transaction."""

    def add(self, message: OutboxMessage) -> bool:
        """Queue a message; False (and nothing written) when its idempotency key is queued."""
        ...

    def cancel_pending(self, clinic_id: UUID, appointment_id: UUID) -> int:
        """Cancel every message of an appointment not yet handed to a worker; how many."""
        ...

    def for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[OutboxMessage]:
        """A patient's messages, soonest due first."""
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
    rooms: RoomRepository
    opening_hours: OpeningHoursRepository
    appointments: AppointmentRepository
    outbox: OutboxRepository

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
