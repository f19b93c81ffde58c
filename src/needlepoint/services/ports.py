"""Ports the services need from the outside world, as Protocols.

The database adapter (``adapters/db``) implements the repositories and the unit of work; tests
may use the in-memory fakes in ``tests/fakes.py``. Every repository method is scoped by clinic:
a record of another clinic is indistinguishable from one that does not exist.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self
from uuid import UUID

from needlepoint.domain.assessments import ScarAssessmentRecord
from needlepoint.domain.calendar import CalendarFeed, PatientCalendar
from needlepoint.domain.checkins import CheckIn, CheckInPhoto
from needlepoint.domain.clearances import Clearance
from needlepoint.domain.messages import (
    DeliveryOutcome,
    MessageKind,
    MessageStatus,
    OutboxLease,
    OutboxMessage,
)
from needlepoint.domain.outcomes import CareDocument, OutcomeMeasurement
from needlepoint.domain.portal import CareAcknowledgement, PatientSession, SignInLink
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

    def active_for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[TreatmentSeries]:
        """The patient's planned and in-progress series, oldest first."""
        ...

    def save(self, series: TreatmentSeries) -> None:
        """Store a changed series whose ``version`` is one more than the stored one.

        Raises ``VersionConflictError`` if the stored series is not at ``version - 1``.
        """
        ...


class ClearanceRepository(Protocol):
    """Clearances of findings needing clearance (ADR 0021)."""

    def add(self, clearance: Clearance) -> None:
        """Store a new clearance."""
        ...

    def for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[Clearance]:
        """Every clearance of a patient, newest first."""
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

    def cancel_pending(
        self,
        clinic_id: UUID,
        appointment_id: UUID,
        kinds: Collection[MessageKind] | None = None,
    ) -> int:
        """Cancel an appointment's messages not yet handed over (claimed ones too); how many.

        ``kinds`` limits it to messages of those kinds (None: every kind).
        """
        ...

    def for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[OutboxMessage]:
        """A patient's messages, soonest due first."""
        ...

    def cancel_pending_of_kind(self, clinic_id: UUID, patient_id: UUID, kind: MessageKind) -> int:
        """Cancel a patient's messages of one kind not yet handed over (e.g. recalls)."""
        ...

    def in_status(self, clinic_id: UUID, status: MessageStatus) -> Sequence[OutboxMessage]:
        """A clinic's messages in one status, soonest due first."""
        ...

    def resolve_uncertain(
        self, clinic_id: UUID, message_id: UUID, outcome: DeliveryOutcome
    ) -> OutboxMessage | None:
        """Settle an ``uncertain`` message (sent, or pending again); None if it is not one."""
        ...

    # --- Delivery (the worker), each call in its own short transaction (ADR 0016) ---

    def claim_due(self, lease: OutboxLease, *, limit: int) -> Sequence[OutboxMessage]:
        """Claim up to ``limit`` due messages for ``lease.worker_id``, counting an attempt.

        Due: ``pending`` with ``due_at`` reached, or ``sending`` whose lease has lapsed (a
        worker died before handing it over). Two workers never claim the same message.
        """
        ...

    def expire_handovers(self, now: datetime) -> Sequence[OutboxMessage]:
        """Mark ``uncertain`` every ``handing_over`` message whose lease lapsed; return them."""
        ...

    def start_handover(self, message_id: UUID, lease: OutboxLease) -> bool:
        """``sending`` → ``handing_over`` if this worker still holds a live lease on it.

        The lease is extended to ``lease.until``. False when the lease was lost or lapsed.
        """
        ...

    def settle(self, message_id: UUID, worker_id: str, outcome: DeliveryOutcome) -> bool:
        """Record how a claimed message's delivery ended, if this worker still holds it."""
        ...

    def release(self, worker_id: str, message_ids: Sequence[UUID]) -> int:
        """Give back claimed messages not yet handed over (``sending`` → ``pending``)."""
        ...


class CalendarFeedRepository(Protocol):
    """Patients' secret calendar feed links, stored as the SHA-256 of their tokens."""

    def add(self, feed: CalendarFeed) -> None:
        """Store a newly issued link."""
        ...

    def live_by_hash(self, token_hash: str) -> CalendarFeed | None:
        """The live link whose token has this SHA-256, or None (also when revoked)."""
        ...

    def live_for_patient(self, clinic_id: UUID, patient_id: UUID) -> CalendarFeed | None:
        """The patient's live link, or None."""
        ...

    def revoke_for_patient(self, clinic_id: UUID, patient_id: UUID, at: datetime) -> int:
        """Revoke every live link of the patient; how many there were."""
        ...


class CalendarRenderer(Protocol):
    """Writes a patient's calendar in a calendar file format (iCalendar in production)."""

    def __call__(self, calendar: PatientCalendar, *, stamped_at: datetime) -> bytes:
        """The calendar as bytes, stamped with the instant it was made."""
        ...


class PortalAccessRepository(Protocol):
    """The patient portal's sign-in: one-time links, link requests and patient sessions."""

    def patients_with_email(self, email: str) -> Sequence[PatientRecord]:
        """Every patient record with this email (ignoring case), in any clinic."""
        ...

    def add_link(self, link: SignInLink) -> None:
        """Store a new sign-in link (its token's hash)."""
        ...

    def link(self, token_hash: str) -> SignInLink | None:
        """A sign-in link by the hash of its token."""
        ...

    def use_link(self, link_id: UUID, at: datetime) -> bool:
        """Mark a link used; False when it was used already (two clicks: one wins)."""
        ...

    def add_request(self, email_hash: str, ip: str, at: datetime) -> None:
        """Record one request for a link, for throttling."""
        ...

    def requests_for_email(self, email_hash: str, *, since: datetime) -> int:
        """Requests for one email after ``since``."""
        ...

    def requests_from_ip(self, ip: str, *, since: datetime) -> int:
        """Requests from one address after ``since``."""
        ...

    def add_session(self, session: PatientSession) -> None:
        """Store a new patient session."""
        ...

    def session(self, id_hash: str) -> PatientSession | None:
        """A patient session by the hash of its token."""
        ...

    def touch_session(self, id_hash: str, at: datetime) -> None:
        """Record use of a session."""
        ...

    def revoke_session(self, id_hash: str, at: datetime) -> None:
        """End a session (a no-op if it has ended)."""
        ...


class CareAcknowledgementRepository(Protocol):
    """Care instructions a patient has marked as read, per item and day."""

    def add(self, acknowledgement: CareAcknowledgement) -> bool:
        """Store it; False (and nothing written) when that item was read that day already."""
        ...

    def for_day(self, clinic_id: UUID, patient_id: UUID, care_on: date) -> frozenset[str]:
        """The ids of the items a patient marked as read for one day."""
        ...


class CheckInRepository(Protocol):
    """Daily check-ins after a session, and their photos."""

    def add(self, check_in: CheckIn) -> None:
        """Store a new check-in."""
        ...

    def add_photo(self, photo: CheckInPhoto) -> None:
        """Store the photo of a stored check-in."""
        ...

    def get(self, clinic_id: UUID, check_in_id: UUID) -> CheckIn | None:
        """A check-in of this clinic (for its staff)."""
        ...

    def get_for_patient(
        self, clinic_id: UUID, patient_id: UUID, check_in_id: UUID
    ) -> CheckIn | None:
        """A check-in of this patient only (None for anyone else's)."""
        ...

    def for_patient(self, clinic_id: UUID, patient_id: UUID, *, limit: int) -> Sequence[CheckIn]:
        """A patient's check-ins, newest first."""
        ...

    def needing_attention(
        self, clinic_id: UUID, *, limit: int
    ) -> Sequence[tuple[CheckIn, PatientRecord]]:
        """Amber and red check-ins no clinician has reviewed: red first, then newest first."""
        ...

    def save_review(self, check_in: CheckIn) -> None:
        """Record that a clinician reviewed a check-in (the first review stays)."""
        ...

    def photo(self, clinic_id: UUID, photo_id: UUID) -> CheckInPhoto | None:
        """A check-in photo of this clinic (for its staff)."""
        ...

    def photo_for_patient(
        self, clinic_id: UUID, patient_id: UUID, photo_id: UUID
    ) -> CheckInPhoto | None:
        """A check-in photo of this patient only (None for anyone else's)."""
        ...


@dataclass(frozen=True, slots=True)
class SeriesToBook:
    """An active series with sessions still to hold: what its next due day is worked out from.

    Only the fields the worklist needs are read (no proposal or plan documents to parse).
    """

    patient: PatientRecord
    series_id: UUID
    sessions_planned: int
    interval_days: int
    sessions_held: int
    last_started_at: datetime | None
    """When the latest session held began (None before the first)."""
    first_proposed_on: date | None
    """The day the proposal dated the first session (None if it dated none)."""
    created_at: datetime


class WorklistQueries(Protocol):
    """The dashboard's read-side queries: one statement each, scoped to one clinic."""

    def charts_awaiting_signoff(
        self, clinic_id: UUID
    ) -> Sequence[tuple[PatientRecord, TreatmentSession, ChartVersion]]:
        """Started sessions whose newest chart version is unsigned, oldest chart first."""
        ...

    def series_to_book(self, clinic_id: UUID, *, booked_from: datetime) -> Sequence[SeriesToBook]:
        """Planned or in-progress series with fewer sessions held than planned.

        A series is left out when its next session (number held + 1) has an appointment
        attended, or booked to start at or after ``booked_from``. Ordered by patient (family
        name, given name, id), then newest series first.
        """
        ...

    def appointments_between(
        self, clinic_id: UUID, starts_at: datetime, ends_at: datetime
    ) -> Sequence[tuple[Appointment, PatientRecord, str, str]]:
        """Appointments not cancelled overlapping ``[starts_at, ends_at)``, earliest first.

        Each with its patient, the practitioner's display name and the room's name.
        """
        ...


class PhotoEncoder(Protocol):
    """Turns an uploaded photo into the bytes kept: JPEG, upright, without any metadata."""

    def reencode(self, data: bytes) -> tuple[bytes, int, int]:
        """The re-encoded JPEG and its width and height in pixels.

        Raises ``PhotoRejectedError`` subclasses: not JPEG or PNG, too large, too many
        pixels, or unreadable.
        """
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
    clearances: ClearanceRepository
    sessions: SessionRepository
    charts: ChartRepository
    outcomes: OutcomeRepository
    care_documents: CareDocumentRepository
    assessments: AssessmentRepository
    rooms: RoomRepository
    opening_hours: OpeningHoursRepository
    appointments: AppointmentRepository
    outbox: OutboxRepository
    calendar_feeds: CalendarFeedRepository
    portal_access: PortalAccessRepository
    care_acknowledgements: CareAcknowledgementRepository
    check_ins: CheckInRepository
    worklists: WorklistQueries

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
