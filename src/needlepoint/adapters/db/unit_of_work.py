"""The unit of work over the database: one connection, one transaction.

One class serves every area: each area's use cases see it through their own port
(``services/<area>/ports.py``), which names just the repositories they use. A repository is
made the first time it is asked for, so a unit of work costs only what its use case touches.
"""

from __future__ import annotations

from functools import cached_property

from needlepoint.adapters.db.analytics.cohorts import SqlCohortReads
from needlepoint.adapters.db.consultation.clearances import SqlClearanceRepository
from needlepoint.adapters.db.consultation.consultations import SqlConsultationRepository
from needlepoint.adapters.db.interop.bulk_jobs import SqlBulkJobRepository
from needlepoint.adapters.db.messaging.outbox import SqlOutboxRepository
from needlepoint.adapters.db.portal.access import SqlPortalAccessRepository
from needlepoint.adapters.db.portal.care_acknowledgements import SqlCareAcknowledgementRepository
from needlepoint.adapters.db.portal.check_ins import SqlCheckInRepository
from needlepoint.adapters.db.records.assessments import SqlAssessmentRepository
from needlepoint.adapters.db.records.care_documents import SqlCareDocumentRepository
from needlepoint.adapters.db.records.outcomes import SqlOutcomeRepository
from needlepoint.adapters.db.records.patient_changes import SqlPatientChangeRepository
from needlepoint.adapters.db.scheduling.appointments import SqlAppointmentRepository
from needlepoint.adapters.db.scheduling.calendar_feeds import SqlCalendarFeedRepository
from needlepoint.adapters.db.scheduling.opening_hours import SqlOpeningHoursRepository
from needlepoint.adapters.db.scheduling.rooms import SqlRoomRepository
from needlepoint.adapters.db.scheduling.worklists import SqlWorklistQueries
from needlepoint.adapters.db.shared.audit import SqlAuditLog
from needlepoint.adapters.db.shared.break_glass import SqlAuditTrailReads, SqlBreakGlassRepository
from needlepoint.adapters.db.shared.clinics import SqlClinicRepository
from needlepoint.adapters.db.shared.patients import SqlPatientRepository
from needlepoint.adapters.db.shared.staff import SqlStaffRepository
from needlepoint.adapters.db.transaction import Transaction
from needlepoint.adapters.db.treatment.charts import SqlChartRepository
from needlepoint.adapters.db.treatment.consent_templates import SqlConsentTemplateRepository
from needlepoint.adapters.db.treatment.consents import SqlConsentRepository
from needlepoint.adapters.db.treatment.documents import SqlDocumentRepository
from needlepoint.adapters.db.treatment.photos import SqlPhotoRepository
from needlepoint.adapters.db.treatment.series import SqlSeriesRepository
from needlepoint.adapters.db.treatment.sessions import SqlSessionRepository
from needlepoint.services.accounts.ports import StaffUnitOfWork
from needlepoint.services.analytics.ports import AnalyticsUnitOfWork
from needlepoint.services.consultation.ports import ConsultationUnitOfWork
from needlepoint.services.messaging.ports import MessagingUnitOfWork
from needlepoint.services.portal.ports import PortalUnitOfWork
from needlepoint.services.records.ports import RecordsUnitOfWork
from needlepoint.services.scheduling.ports import SchedulingUnitOfWork
from needlepoint.services.treatment.ports import TreatmentUnitOfWork


class SqlAlchemyUnitOfWork(Transaction):
    """One transaction over the repositories: all of it lands, or none of it.

    Use it as a context manager; leaving the block rolls back whatever was not committed.
    The transaction begins at the first statement (on SQLite with ``BEGIN IMMEDIATE``, so it
    holds the write lock from then until commit or rollback). The object may be entered again
    after it has been left, but not while it is in use.
    """

    @cached_property
    def clinics(self) -> SqlClinicRepository:
        """The clinics."""
        return SqlClinicRepository(self._connection)

    @cached_property
    def staff(self) -> SqlStaffRepository:
        """The members of staff."""
        return SqlStaffRepository(self._connection)

    @cached_property
    def patients(self) -> SqlPatientRepository:
        """The patients."""
        return SqlPatientRepository(self._connection)

    @cached_property
    def patient_changes(self) -> SqlPatientChangeRepository:
        """The record of patients' edits."""
        return SqlPatientChangeRepository(self._connection)

    @cached_property
    def consultations(self) -> SqlConsultationRepository:
        """The consultation records."""
        return SqlConsultationRepository(self._connection)

    @cached_property
    def audit(self) -> SqlAuditLog:
        """The audit trail."""
        return SqlAuditLog(self._connection)

    @cached_property
    def break_glass(self) -> SqlBreakGlassRepository:
        """Break-glass grants (ADR 0038)."""
        return SqlBreakGlassRepository(self._connection)

    @cached_property
    def audit_trail(self) -> SqlAuditTrailReads:
        """The audit trail read back for an admin (ADR 0038)."""
        return SqlAuditTrailReads(self._connection)

    @cached_property
    def series(self) -> SqlSeriesRepository:
        """The treatment series."""
        return SqlSeriesRepository(self._connection)

    @cached_property
    def clearances(self) -> SqlClearanceRepository:
        """The clearances of findings."""
        return SqlClearanceRepository(self._connection)

    @cached_property
    def sessions(self) -> SqlSessionRepository:
        """The treatment sessions."""
        return SqlSessionRepository(self._connection)

    @cached_property
    def charts(self) -> SqlChartRepository:
        """The chart versions."""
        return SqlChartRepository(self._connection)

    @cached_property
    def consent_templates(self) -> SqlConsentTemplateRepository:
        """The consent template versions."""
        return SqlConsentTemplateRepository(self._connection)

    @cached_property
    def consents(self) -> SqlConsentRepository:
        """The signed consents."""
        return SqlConsentRepository(self._connection)

    @cached_property
    def documents(self) -> SqlDocumentRepository:
        """The stored documents (a signed consent's PDF)."""
        return SqlDocumentRepository(self._connection)

    @cached_property
    def outcomes(self) -> SqlOutcomeRepository:
        """The outcome measurements."""
        return SqlOutcomeRepository(self._connection)

    @cached_property
    def care_documents(self) -> SqlCareDocumentRepository:
        """The care documents issued."""
        return SqlCareDocumentRepository(self._connection)

    @cached_property
    def assessments(self) -> SqlAssessmentRepository:
        """The scar assessments."""
        return SqlAssessmentRepository(self._connection)

    @cached_property
    def rooms(self) -> SqlRoomRepository:
        """The treatment rooms."""
        return SqlRoomRepository(self._connection)

    @cached_property
    def opening_hours(self) -> SqlOpeningHoursRepository:
        """The opening hours."""
        return SqlOpeningHoursRepository(self._connection)

    @cached_property
    def appointments(self) -> SqlAppointmentRepository:
        """The appointments."""
        return SqlAppointmentRepository(self._connection)

    @cached_property
    def outbox(self) -> SqlOutboxRepository:
        """The outbox."""
        return SqlOutboxRepository(self._connection)

    @cached_property
    def calendar_feeds(self) -> SqlCalendarFeedRepository:
        """The calendar feed links."""
        return SqlCalendarFeedRepository(self._connection)

    @cached_property
    def portal_access(self) -> SqlPortalAccessRepository:
        """The portal's sign-in links and sessions."""
        return SqlPortalAccessRepository(self._connection)

    @cached_property
    def care_acknowledgements(self) -> SqlCareAcknowledgementRepository:
        """The care steps patients marked as read."""
        return SqlCareAcknowledgementRepository(self._connection)

    @cached_property
    def check_ins(self) -> SqlCheckInRepository:
        """The check-ins and their photos."""
        return SqlCheckInRepository(self._connection)

    @cached_property
    def photos(self) -> SqlPhotoRepository:
        """The clinical photos, their readings and the copies made from them."""
        return SqlPhotoRepository(self._connection)

    @cached_property
    def bulk_jobs(self) -> SqlBulkJobRepository:
        """The FHIR Bulk Data export jobs."""
        return SqlBulkJobRepository(self._connection)

    @cached_property
    def worklists(self) -> SqlWorklistQueries:
        """The dashboard's queries."""
        return SqlWorklistQueries(self._connection)

    @cached_property
    def cohorts(self) -> SqlCohortReads:
        """The clinic's series read in bulk for cohort analytics."""
        return SqlCohortReads(self._connection)


def _implements_the_ports(
    uow: SqlAlchemyUnitOfWork,
) -> tuple[
    StaffUnitOfWork,
    ConsultationUnitOfWork,
    RecordsUnitOfWork,
    TreatmentUnitOfWork,
    SchedulingUnitOfWork,
    MessagingUnitOfWork,
    PortalUnitOfWork,
    AnalyticsUnitOfWork,
]:
    """Never called: mypy checks here that the class satisfies every area's unit of work."""
    return uow, uow, uow, uow, uow, uow, uow, uow
