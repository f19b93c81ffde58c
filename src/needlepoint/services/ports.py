"""Ports the services need from the outside world, as Protocols.

The database adapter (``adapters/db``) implements the repositories and the unit of work; tests
may use the in-memory fakes in ``tests/fakes.py``. Every repository method is scoped by clinic:
a record of another clinic is indistinguishable from one that does not exist.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, Self
from uuid import UUID

from needlepoint.domain.audit_view import AuditEntry, AuditFilter
from needlepoint.domain.break_glass import BreakGlassGrant
from needlepoint.domain.contact import ClinicContact
from needlepoint.domain.patient_search import PatientKey, PatientSearch
from needlepoint.domain.records import (
    AuditEvent,
    Clinic,
    PatientRecord,
    StaffMember,
)

if TYPE_CHECKING:
    from needlepoint.services.consultation.ports import ClearanceRepository, ConsultationRepository
    from needlepoint.services.messaging.ports import OutboxRepository
    from needlepoint.services.portal.ports import (
        CareAcknowledgementRepository,
        CheckInRepository,
        PortalAccessRepository,
    )
    from needlepoint.services.records.ports import (
        AssessmentRepository,
        CareDocumentRepository,
        OutcomeRepository,
        PatientChangeRepository,
    )
    from needlepoint.services.scheduling.ports import (
        AppointmentRepository,
        CalendarFeedRepository,
        OpeningHoursRepository,
        RoomRepository,
        WorklistQueries,
    )
    from needlepoint.services.treatment.ports import (
        ChartRepository,
        ConsentRepository,
        ConsentTemplateRepository,
        DocumentRepository,
        PhotoRepository,
        SeriesRepository,
        SessionRepository,
    )


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


class DocumentRenderer(Protocol):
    """Lays a document out as PDF from one of its templates (WeasyPrint in production).

    ``template`` names the document (``signed_consent.html``); ``values`` are what it shows;
    ``images`` are images by name with their media type (a drawn signature). No resource
    outside the renderer's own is ever fetched (``adapters/pdf.py``).
    """

    def render_pdf(
        self,
        template: str,
        values: Mapping[str, Any],
        *,
        images: Mapping[str, tuple[bytes, str]] | None = None,
        created_at: datetime | None = None,
    ) -> bytes:
        """The PDF bytes of the document."""
        ...


class ClinicRepository(Protocol):
    """Clinics."""

    def add(self, clinic: Clinic) -> None:
        """Store a new clinic."""
        ...

    def get(self, clinic_id: UUID) -> Clinic | None:
        """A clinic by id."""
        ...

    def save_contact(self, clinic_id: UUID, contact: ClinicContact) -> None:
        """Replace how patients reach a clinic (its phone number, address and hours)."""
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

    def save(self, patient: PatientRecord) -> None:
        """Store edited details whose ``version`` is one past the stored one.

        Raises ``VersionConflictError`` if the stored patient is not at ``version - 1``.
        """
        ...

    def list(
        self,
        clinic_id: UUID,
        *,
        search: PatientSearch | None,
        offset: int,
        limit: int,
        after: PatientKey | None = None,
    ) -> Sequence[PatientRecord]:
        """Patients of this clinic found by ``search``, by family name, given name and id.

        ``after`` is the key of the last patient of the previous page (keyset paging): the
        page starts after it in this order.
        """
        ...


class AuditLog(Protocol):
    """The append-only, hash-chained audit trail."""

    def append(self, event: AuditEvent) -> None:
        """Append one event, chained to the previous one."""
        ...


class BreakGlassRepository(Protocol):
    """Break-glass grants (ADR 0038): only ever added, never changed."""

    def add(self, grant: BreakGlassGrant) -> None:
        """Store a new grant."""
        ...

    def get(self, clinic_id: UUID, grant_id: UUID) -> BreakGlassGrant | None:
        """One grant of the clinic, or None."""
        ...

    def for_clinic(self, clinic_id: UUID, *, limit: int) -> Sequence[BreakGlassGrant]:
        """The clinic's newest ``limit`` grants, newest first."""
        ...


class AuditTrailReads(Protocol):
    """The audit trail read back for a clinic's admin (ADR 0038).

    A clinic's events are those of its staff, and those about its patients.
    """

    def page(
        self, clinic_id: UUID, wanted: AuditFilter, *, before_seq: int | None, limit: int
    ) -> Sequence[AuditEntry]:
        """Up to ``limit`` events, newest first, numbered below ``before_seq`` (if given)."""
        ...


class Transaction(Protocol):
    """One transaction: all of it lands, or none of it.

    Each area's unit of work (``services/<area>/ports.py``) is a transaction holding just the
    repositories its use cases read and write.
    """

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


class HasClinics(Protocol):
    """A unit of work holding ClinicRepository."""

    @property
    def clinics(self) -> ClinicRepository:
        """The clinics, in this unit of work's transaction."""
        ...


class HasStaff(Protocol):
    """A unit of work holding StaffRepository."""

    @property
    def staff(self) -> StaffRepository:
        """The staff, in this unit of work's transaction."""
        ...


class HasPatients(Protocol):
    """A unit of work holding PatientRepository."""

    @property
    def patients(self) -> PatientRepository:
        """The patients, in this unit of work's transaction."""
        ...


class HasPatientChanges(Protocol):
    """A unit of work holding PatientChangeRepository."""

    @property
    def patient_changes(self) -> PatientChangeRepository:
        """The record of patients' edits, in this unit of work's transaction."""
        ...


class HasAudit(Protocol):
    """A unit of work holding AuditLog."""

    @property
    def audit(self) -> AuditLog:
        """The audit, in this unit of work's transaction."""
        ...


class HasBreakGlass(Protocol):
    """A unit of work holding BreakGlassRepository."""

    @property
    def break_glass(self) -> BreakGlassRepository:
        """The break-glass grants, in this unit of work's transaction."""
        ...


class HasAuditTrail(Protocol):
    """A unit of work holding AuditTrailReads."""

    @property
    def audit_trail(self) -> AuditTrailReads:
        """The audit trail read back, in this unit of work's transaction."""
        ...


class HasConsultations(Protocol):
    """A unit of work holding ConsultationRepository."""

    @property
    def consultations(self) -> ConsultationRepository:
        """The consultations, in this unit of work's transaction."""
        ...


class HasClearances(Protocol):
    """A unit of work holding ClearanceRepository."""

    @property
    def clearances(self) -> ClearanceRepository:
        """The clearances, in this unit of work's transaction."""
        ...


class HasOutcomes(Protocol):
    """A unit of work holding OutcomeRepository."""

    @property
    def outcomes(self) -> OutcomeRepository:
        """The outcomes, in this unit of work's transaction."""
        ...


class HasCareDocuments(Protocol):
    """A unit of work holding CareDocumentRepository."""

    @property
    def care_documents(self) -> CareDocumentRepository:
        """The care documents, in this unit of work's transaction."""
        ...


class HasAssessments(Protocol):
    """A unit of work holding AssessmentRepository."""

    @property
    def assessments(self) -> AssessmentRepository:
        """The assessments, in this unit of work's transaction."""
        ...


class HasSeries(Protocol):
    """A unit of work holding SeriesRepository."""

    @property
    def series(self) -> SeriesRepository:
        """The series, in this unit of work's transaction."""
        ...


class HasSessions(Protocol):
    """A unit of work holding SessionRepository."""

    @property
    def sessions(self) -> SessionRepository:
        """The sessions, in this unit of work's transaction."""
        ...


class HasCharts(Protocol):
    """A unit of work holding ChartRepository."""

    @property
    def charts(self) -> ChartRepository:
        """The charts, in this unit of work's transaction."""
        ...


class HasRooms(Protocol):
    """A unit of work holding RoomRepository."""

    @property
    def rooms(self) -> RoomRepository:
        """The rooms, in this unit of work's transaction."""
        ...


class HasOpeningHours(Protocol):
    """A unit of work holding OpeningHoursRepository."""

    @property
    def opening_hours(self) -> OpeningHoursRepository:
        """The opening hours, in this unit of work's transaction."""
        ...


class HasAppointments(Protocol):
    """A unit of work holding AppointmentRepository."""

    @property
    def appointments(self) -> AppointmentRepository:
        """The appointments, in this unit of work's transaction."""
        ...


class HasCalendarFeeds(Protocol):
    """A unit of work holding CalendarFeedRepository."""

    @property
    def calendar_feeds(self) -> CalendarFeedRepository:
        """The calendar feeds, in this unit of work's transaction."""
        ...


class HasWorklists(Protocol):
    """A unit of work holding WorklistQueries."""

    @property
    def worklists(self) -> WorklistQueries:
        """The worklists, in this unit of work's transaction."""
        ...


class HasOutbox(Protocol):
    """A unit of work holding OutboxRepository."""

    @property
    def outbox(self) -> OutboxRepository:
        """The outbox, in this unit of work's transaction."""
        ...


class HasPortalAccess(Protocol):
    """A unit of work holding PortalAccessRepository."""

    @property
    def portal_access(self) -> PortalAccessRepository:
        """The portal access, in this unit of work's transaction."""
        ...


class HasCareAcknowledgements(Protocol):
    """A unit of work holding CareAcknowledgementRepository."""

    @property
    def care_acknowledgements(self) -> CareAcknowledgementRepository:
        """The care acknowledgements, in this unit of work's transaction."""
        ...


class HasCheckIns(Protocol):
    """A unit of work holding CheckInRepository."""

    @property
    def check_ins(self) -> CheckInRepository:
        """The check ins, in this unit of work's transaction."""
        ...


class HasConsentTemplates(Protocol):
    """A unit of work holding ConsentTemplateRepository."""

    @property
    def consent_templates(self) -> ConsentTemplateRepository:
        """The consent template versions, in this unit of work's transaction."""
        ...


class HasConsents(Protocol):
    """A unit of work holding ConsentRepository."""

    @property
    def consents(self) -> ConsentRepository:
        """The signed consents, in this unit of work's transaction."""
        ...


class HasDocuments(Protocol):
    """A unit of work holding DocumentRepository."""

    @property
    def documents(self) -> DocumentRepository:
        """The stored documents, in this unit of work's transaction."""
        ...


class HasPhotos(Protocol):
    """A unit of work holding PhotoRepository."""

    @property
    def photos(self) -> PhotoRepository:
        """The clinical photos, in this unit of work's transaction."""
        ...
