"""The unit of work over the database: one connection, one transaction, every repository."""

from __future__ import annotations

from sqlalchemy import Engine

from needlepoint.adapters.db.audit import SqlAuditLog
from needlepoint.adapters.db.calendar import SqlCalendarFeedRepository
from needlepoint.adapters.db.clearances import SqlClearanceRepository
from needlepoint.adapters.db.outbox import SqlOutboxRepository
from needlepoint.adapters.db.portal import (
    SqlCareAcknowledgementRepository,
    SqlCheckInRepository,
    SqlPortalAccessRepository,
)
from needlepoint.adapters.db.repositories import (
    SqlAssessmentRepository,
    SqlCareDocumentRepository,
    SqlChartRepository,
    SqlClinicRepository,
    SqlConsultationRepository,
    SqlOutcomeRepository,
    SqlPatientRepository,
    SqlSeriesRepository,
    SqlSessionRepository,
    SqlStaffRepository,
)
from needlepoint.adapters.db.scheduling import (
    SqlAppointmentRepository,
    SqlOpeningHoursRepository,
    SqlRoomRepository,
)
from needlepoint.adapters.db.transaction import Transaction
from needlepoint.adapters.db.worklists import SqlWorklistQueries
from needlepoint.services.ports import (
    AppointmentRepository,
    AssessmentRepository,
    AuditLog,
    CalendarFeedRepository,
    CareAcknowledgementRepository,
    CareDocumentRepository,
    ChartRepository,
    CheckInRepository,
    ClearanceRepository,
    ClinicRepository,
    ConsultationRepository,
    OpeningHoursRepository,
    OutboxRepository,
    OutcomeRepository,
    PatientRepository,
    PortalAccessRepository,
    RoomRepository,
    SeriesRepository,
    SessionRepository,
    StaffRepository,
    UnitOfWork,
    WorklistQueries,
)


class SqlAlchemyUnitOfWork(Transaction):
    """One transaction over every repository: all of it lands, or none of it.

    Use it as a context manager; leaving the block rolls back whatever was not committed.
    The transaction begins at the first statement (on SQLite with ``BEGIN IMMEDIATE``, so it
    holds the write lock from then until commit or rollback). The object may be entered again
    after it has been left, but not while it is in use.
    """

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        # Typed as the ports: the UnitOfWork protocol's attributes are invariant.
        self.clinics: ClinicRepository = SqlClinicRepository(self._connection)
        self.staff: StaffRepository = SqlStaffRepository(self._connection)
        self.patients: PatientRepository = SqlPatientRepository(self._connection)
        self.consultations: ConsultationRepository = SqlConsultationRepository(self._connection)
        self.audit: AuditLog = SqlAuditLog(self._connection)
        self.series: SeriesRepository = SqlSeriesRepository(self._connection)
        self.clearances: ClearanceRepository = SqlClearanceRepository(self._connection)
        self.sessions: SessionRepository = SqlSessionRepository(self._connection)
        self.charts: ChartRepository = SqlChartRepository(self._connection)
        self.outcomes: OutcomeRepository = SqlOutcomeRepository(self._connection)
        self.care_documents: CareDocumentRepository = SqlCareDocumentRepository(self._connection)
        self.assessments: AssessmentRepository = SqlAssessmentRepository(self._connection)
        self.rooms: RoomRepository = SqlRoomRepository(self._connection)
        self.opening_hours: OpeningHoursRepository = SqlOpeningHoursRepository(self._connection)
        self.appointments: AppointmentRepository = SqlAppointmentRepository(self._connection)
        self.outbox: OutboxRepository = SqlOutboxRepository(self._connection)
        self.calendar_feeds: CalendarFeedRepository = SqlCalendarFeedRepository(self._connection)
        self.portal_access: PortalAccessRepository = SqlPortalAccessRepository(self._connection)
        self.care_acknowledgements: CareAcknowledgementRepository = (
            SqlCareAcknowledgementRepository(self._connection)
        )
        self.check_ins: CheckInRepository = SqlCheckInRepository(self._connection)
        self.worklists: WorklistQueries = SqlWorklistQueries(self._connection)


def _implements_the_port(uow: SqlAlchemyUnitOfWork) -> UnitOfWork:
    """Never called: mypy checks here that the class satisfies ``services.ports.UnitOfWork``."""
    return uow
