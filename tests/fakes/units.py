"""One fake unit of work per area, each holding exactly its area's repositories.

Each is checked by mypy against its area's ``<Area>UnitOfWork`` protocol (the ``_is_*``
functions at the end), so a repository added to an area's port must get a fake here too. Units
of work built on one ``FakeDatabase`` share its tables, as areas share PostgreSQL. A service
that reaches past its area's port fails here (``AttributeError``), where ``FakeUnitOfWork``,
which holds every repository, would let it pass.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self
from uuid import UUID

from fakes.accounts import (
    FakeApiTokens,
    FakeLoginSessions,
    FakeResetLinks,
    FakeStaffStatus,
    FakeThrottle,
    FakeTwoStep,
)
from fakes.common import FakeAuditLog, FakeClinics, FakePatients, FakeStaff
from fakes.consent import FakeConsents, FakeConsentTemplates, FakeDocuments
from fakes.consultation import FakeClearances, FakeConsultations
from fakes.database import (
    FakeDatabase,
    FakeTransaction,
    Restore,
    restoring_all,
    saved_list,
    saved_rows,
)
from fakes.messaging import FakeOutbox
from fakes.photos import FakePhotos
from fakes.portal import FakeCareAcknowledgements, FakeCheckIns, FakePortalAccess
from fakes.records import (
    FakeAssessments,
    FakeAuditTrail,
    FakeBreakGlass,
    FakeCareDocuments,
    FakeOutcomes,
    FakePatientChanges,
)
from fakes.scheduling import (
    FakeAppointments,
    FakeCalendarFeeds,
    FakeOpeningHours,
    FakeRooms,
    FakeWorklists,
)
from fakes.treatment import FakeCharts, FakeSeries, FakeSessions
from needlepoint.domain.records import StaffMember
from needlepoint.services.accounts.ports import AccountsUnitOfWork, StaffUnitOfWork
from needlepoint.services.consultation.ports import ConsultationUnitOfWork
from needlepoint.services.messaging.ports import MessagingUnitOfWork
from needlepoint.services.portal.ports import PortalUnitOfWork
from needlepoint.services.records.ports import RecordsUnitOfWork
from needlepoint.services.scheduling.ports import SchedulingUnitOfWork, VisitsUnitOfWork
from needlepoint.services.treatment.ports import TreatmentUnitOfWork


class FakeConsultationUnitOfWork(FakeTransaction):
    def __init__(self, database: FakeDatabase | None = None) -> None:
        super().__init__(database)
        db = self.database
        self.audit = FakeAuditLog(db.audit)
        self.clinics = FakeClinics(db)
        self.patients = FakePatients(db)
        self.consultations = FakeConsultations(db)
        self.clearances = FakeClearances(db)


class FakeRecordsUnitOfWork(FakeTransaction):
    def __init__(self, database: FakeDatabase | None = None) -> None:
        super().__init__(database)
        db = self.database
        self.audit = FakeAuditLog(db.audit)
        self.clinics = FakeClinics(db)
        self.patients = FakePatients(db)
        self.consultations = FakeConsultations(db)
        self.series = FakeSeries(db)
        self.sessions = FakeSessions(db)
        self.charts = FakeCharts(db)
        self.appointments = FakeAppointments(db)
        self.outcomes = FakeOutcomes(db)
        self.care_documents = FakeCareDocuments(db)
        self.assessments = FakeAssessments(db)
        self.patient_changes = FakePatientChanges(db)
        self.break_glass = FakeBreakGlass(db)
        self.audit_trail = FakeAuditTrail(db)


class FakeTreatmentUnitOfWork(FakeTransaction):
    def __init__(self, database: FakeDatabase | None = None) -> None:
        super().__init__(database)
        db = self.database
        self.staff = FakeStaff(db)
        self.consent_templates = FakeConsentTemplates(db)
        self.consents = FakeConsents(db)
        self.documents = FakeDocuments(db)
        self.audit = FakeAuditLog(db.audit)
        self.clinics = FakeClinics(db)
        self.patients = FakePatients(db)
        self.consultations = FakeConsultations(db)
        self.clearances = FakeClearances(db)
        self.series = FakeSeries(db)
        self.sessions = FakeSessions(db)
        self.charts = FakeCharts(db)
        self.outcomes = FakeOutcomes(db)
        self.appointments = FakeAppointments(db)
        self.outbox = FakeOutbox(db)
        self.photos = FakePhotos(db)


class FakeSchedulingUnitOfWork(FakeTransaction):
    def __init__(self, database: FakeDatabase | None = None) -> None:
        super().__init__(database)
        db = self.database
        self.audit = FakeAuditLog(db.audit)
        self.clinics = FakeClinics(db)
        self.staff = FakeStaff(db)
        self.patients = FakePatients(db)
        self.consultations = FakeConsultations(db)
        self.clearances = FakeClearances(db)
        self.series = FakeSeries(db)
        self.sessions = FakeSessions(db)
        self.rooms = FakeRooms(db)
        self.opening_hours = FakeOpeningHours(db)
        self.appointments = FakeAppointments(db)
        self.calendar_feeds = FakeCalendarFeeds(db)
        self.worklists = FakeWorklists(db)
        self.check_ins = FakeCheckIns(db)
        self.outbox = FakeOutbox(db)


class FakeVisitsUnitOfWork(FakeTransaction):
    def __init__(self, database: FakeDatabase | None = None) -> None:
        super().__init__(database)
        db = self.database
        self.audit = FakeAuditLog(db.audit)
        self.clinics = FakeClinics(db)
        self.patients = FakePatients(db)
        self.consultations = FakeConsultations(db)
        self.clearances = FakeClearances(db)
        self.series = FakeSeries(db)
        self.sessions = FakeSessions(db)
        self.appointments = FakeAppointments(db)
        self.outbox = FakeOutbox(db)


class FakeMessagingUnitOfWork(FakeTransaction):
    def __init__(self, database: FakeDatabase | None = None) -> None:
        super().__init__(database)
        db = self.database
        self.audit = FakeAuditLog(db.audit)
        self.clinics = FakeClinics(db)
        self.patients = FakePatients(db)
        self.consultations = FakeConsultations(db)
        self.series = FakeSeries(db)
        self.appointments = FakeAppointments(db)
        self.outbox = FakeOutbox(db)


class FakePortalUnitOfWork(FakeTransaction):
    def __init__(self, database: FakeDatabase | None = None) -> None:
        super().__init__(database)
        db = self.database
        self.consent_templates = FakeConsentTemplates(db)
        self.consents = FakeConsents(db)
        self.documents = FakeDocuments(db)
        self.audit = FakeAuditLog(db.audit)
        self.clinics = FakeClinics(db)
        self.staff = FakeStaff(db)
        self.patients = FakePatients(db)
        self.consultations = FakeConsultations(db)
        self.series = FakeSeries(db)
        self.sessions = FakeSessions(db)
        self.charts = FakeCharts(db)
        self.outcomes = FakeOutcomes(db)
        self.appointments = FakeAppointments(db)
        self.outbox = FakeOutbox(db)
        self.portal_access = FakePortalAccess(db)
        self.care_acknowledgements = FakeCareAcknowledgements(db)
        self.check_ins = FakeCheckIns(db)
        self.photos = FakePhotos(db)


class FakeStaffUnitOfWork(FakeTransaction):
    def __init__(self, database: FakeDatabase | None = None) -> None:
        super().__init__(database)
        db = self.database
        self.audit = FakeAuditLog(db.audit)
        self.clinics = FakeClinics(db)
        self.staff = FakeStaff(db)


class FakeUnitOfWork(FakeTransaction):
    """Every repository of every area over one database: it serves as any area's unit of work.

    For tests that walk a patient through several areas with one object; a test of one area's
    use cases can take that area's fake instead, to prove the use case stays inside its port.
    """

    def __init__(self, database: FakeDatabase | None = None) -> None:
        super().__init__(database)
        db = self.database
        self.consent_templates = FakeConsentTemplates(db)
        self.consents = FakeConsents(db)
        self.documents = FakeDocuments(db)
        self.audit = FakeAuditLog(db.audit)
        self.clinics = FakeClinics(db)
        self.staff = FakeStaff(db)
        self.patients = FakePatients(db)
        self.consultations = FakeConsultations(db)
        self.clearances = FakeClearances(db)
        self.series = FakeSeries(db)
        self.sessions = FakeSessions(db)
        self.charts = FakeCharts(db)
        self.outcomes = FakeOutcomes(db)
        self.care_documents = FakeCareDocuments(db)
        self.assessments = FakeAssessments(db)
        self.patient_changes = FakePatientChanges(db)
        self.break_glass = FakeBreakGlass(db)
        self.audit_trail = FakeAuditTrail(db)
        self.rooms = FakeRooms(db)
        self.opening_hours = FakeOpeningHours(db)
        self.appointments = FakeAppointments(db)
        self.calendar_feeds = FakeCalendarFeeds(db)
        self.worklists = FakeWorklists(db)
        self.outbox = FakeOutbox(db)
        self.portal_access = FakePortalAccess(db)
        self.care_acknowledgements = FakeCareAcknowledgements(db)
        self.check_ins = FakeCheckIns(db)
        self.photos = FakePhotos(db)


class FakeAccountsUnitOfWork:
    """The account stores in memory; rolls back to the last commit, like FakeUnitOfWork."""

    def __init__(self, *members: StaffMember) -> None:
        self.members: dict[UUID, StaffMember] = {m.id: m for m in members}
        self.sessions = FakeLoginSessions(self.members)
        self.tokens = FakeApiTokens(self.members)
        self.throttle = FakeThrottle()
        self.staff = FakeStaffStatus(self.members)
        self.two_step = FakeTwoStep(self.members)
        self.reset_links = FakeResetLinks(self.members)
        self.outbox = FakeOutbox(FakeDatabase())
        self.audit = FakeAuditLog([])
        self.commits = 0
        self._restore = self._checkpoint()

    def _checkpoint(self) -> Restore:
        return restoring_all(
            [
                saved_rows(self.members),
                saved_rows(self.sessions.rows),
                saved_rows(self.tokens.rows),
                saved_rows(self.reset_links.rows),
                saved_rows(self.throttle.rows),
                saved_rows(self.two_step.totps),
                saved_rows(self.two_step.codes),
                saved_rows(self.two_step.challenges),
                saved_list(self.audit.events),
            ]
        )

    def __enter__(self) -> Self:
        self._restore = self._checkpoint()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    def rollback(self) -> None:
        self._restore()

    def commit(self) -> None:
        self._restore = self._checkpoint()
        self.commits += 1


# --- what mypy checks: each fake is its area's unit of work ----------------------------------


def _is_consultation(uow: FakeConsultationUnitOfWork) -> ConsultationUnitOfWork:
    return uow


def _is_records(uow: FakeRecordsUnitOfWork) -> RecordsUnitOfWork:
    return uow


def _is_treatment(uow: FakeTreatmentUnitOfWork) -> TreatmentUnitOfWork:
    return uow


def _is_scheduling(uow: FakeSchedulingUnitOfWork) -> SchedulingUnitOfWork:
    return uow


def _is_visits(uow: FakeVisitsUnitOfWork) -> VisitsUnitOfWork:
    return uow


def _is_messaging(uow: FakeMessagingUnitOfWork) -> MessagingUnitOfWork:
    return uow


def _is_portal(uow: FakePortalUnitOfWork) -> PortalUnitOfWork:
    return uow


def _is_staff(uow: FakeStaffUnitOfWork) -> StaffUnitOfWork:
    return uow


def _is_accounts(uow: FakeAccountsUnitOfWork) -> AccountsUnitOfWork:
    return uow


def _is_every_area(
    uow: FakeUnitOfWork,
) -> tuple[
    ConsultationUnitOfWork,
    RecordsUnitOfWork,
    TreatmentUnitOfWork,
    SchedulingUnitOfWork,
    VisitsUnitOfWork,
    MessagingUnitOfWork,
    PortalUnitOfWork,
    StaffUnitOfWork,
]:
    return uow, uow, uow, uow, uow, uow, uow, uow
