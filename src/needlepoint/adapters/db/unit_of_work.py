"""The unit of work over the database: one session, one transaction, every repository."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from needlepoint.adapters.db.audit import SqlAuditLog
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
from needlepoint.services.ports import (
    AssessmentRepository,
    AuditLog,
    CareDocumentRepository,
    ChartRepository,
    ClinicRepository,
    ConsultationRepository,
    OutcomeRepository,
    PatientRepository,
    SeriesRepository,
    SessionRepository,
    StaffRepository,
    UnitOfWork,
)


class SqlAlchemyUnitOfWork:
    """One transaction over every repository: all of it lands, or none of it.

    Use it as a context manager; leaving the block rolls back whatever was not committed.
    The transaction begins at the first statement (on SQLite with ``BEGIN IMMEDIATE``, so it
    holds the write lock from then until commit or rollback). The object may be entered again
    after it has been left, but not while it is in use.
    """

    def __init__(self, bind: Engine | sessionmaker[Session]) -> None:
        self._new_session: Callable[[], Session] = (
            bind if isinstance(bind, sessionmaker) else _session_factory(bind)
        )
        self._session: Session | None = None
        # Typed as the ports: the UnitOfWork protocol's attributes are invariant.
        self.clinics: ClinicRepository = SqlClinicRepository(self._connection)
        self.staff: StaffRepository = SqlStaffRepository(self._connection)
        self.patients: PatientRepository = SqlPatientRepository(self._connection)
        self.consultations: ConsultationRepository = SqlConsultationRepository(self._connection)
        self.audit: AuditLog = SqlAuditLog(self._connection)
        self.series: SeriesRepository = SqlSeriesRepository(self._connection)
        self.sessions: SessionRepository = SqlSessionRepository(self._connection)
        self.charts: ChartRepository = SqlChartRepository(self._connection)
        self.outcomes: OutcomeRepository = SqlOutcomeRepository(self._connection)
        self.care_documents: CareDocumentRepository = SqlCareDocumentRepository(self._connection)
        self.assessments: AssessmentRepository = SqlAssessmentRepository(self._connection)

    def __enter__(self) -> Self:
        """Open the session; the transaction begins with the first statement."""
        if self._session is not None:
            raise RuntimeError("this unit of work is already in use")
        self._session = self._new_session()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back anything not committed and release the connection."""
        session, self._session = self._session, None
        if session is not None:
            session.close()

    def commit(self) -> None:
        """Make everything done so far durable."""
        self._active().commit()

    def rollback(self) -> None:
        """Undo everything done since the last commit."""
        self._active().rollback()

    def _active(self) -> Session:
        if self._session is None:
            raise RuntimeError("use the unit of work inside a 'with' block")
        return self._session

    def _connection(self) -> Connection:
        return self._active().connection()


def _session_factory(engine: Engine) -> Callable[[], Session]:
    def new_session() -> Session:
        return Session(bind=engine)

    return new_session


def _implements_the_port(uow: SqlAlchemyUnitOfWork) -> UnitOfWork:
    """Never called: mypy checks here that the class satisfies ``services.ports.UnitOfWork``."""
    return uow
