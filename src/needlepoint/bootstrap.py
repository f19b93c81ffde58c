"""The composition root: settings → adapters → services. The one place things are wired."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from needlepoint.adapters import secret_file
from needlepoint.adapters.clock import SystemClock
from needlepoint.adapters.passwords import Argon2PasswordHasher
from needlepoint.config import Settings, SettingsError
from needlepoint.domain.assessments import ScarAssessmentRecord
from needlepoint.domain.clearances import Clearance, NewClearance
from needlepoint.domain.messages import Channel, OutboxMessage
from needlepoint.domain.outcomes import CareDocument, OutcomeMeasurement
from needlepoint.domain.programme import ClinicalKnowledge
from needlepoint.domain.records import Clinic, ConsultationRecord, PatientRecord, StaffMember
from needlepoint.domain.reminders import ReminderPolicy
from needlepoint.domain.scheduling import Appointment, OpeningHours, Room, Slot
from needlepoint.domain.treatment import ChartVersion, TreatmentSeries, TreatmentSession
from needlepoint.knowledge import catalogue, reference
from needlepoint.knowledge import checkins as checkin_tables
from needlepoint.knowledge import reminders as reminder_tables
from needlepoint.services import audit as audit_service
from needlepoint.services import clinics
from needlepoint.services.accounts import api_tokens
from needlepoint.services.accounts import sign_in as sessions
from needlepoint.services.accounts import staff as accounts
from needlepoint.services.consultation import clearances, intake, reports
from needlepoint.services.consultation import consultations as consultation_records
from needlepoint.services.consultation import engine as consultations
from needlepoint.services.messaging import delivery
from needlepoint.services.messaging import reminders as reminder_service
from needlepoint.services.portal import pages as portal_service
from needlepoint.services.ports import Clock, PasswordHasher, UnitOfWork
from needlepoint.services.records import assessments, outcomes, patients
from needlepoint.services.records import programme as programme_overview
from needlepoint.services.scheduling import booking as scheduling
from needlepoint.services.scheduling import calendar_feeds as calendar_service
from needlepoint.services.scheduling import dashboard as worklists
from needlepoint.services.treatment import charts
from needlepoint.services.treatment import pages as clinical_pages
from needlepoint.services.treatment import series as treatment
from needlepoint.services.treatment import sessions as rescreen


class Database:
    """The database, opened on first use: commands that never touch it never import it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Any = None
        self._handover_engine: Any = None

    def _opened(self) -> Any:
        if self._engine is None:
            from needlepoint.adapters.db import engine  # noqa: PLC0415 - deferred on purpose

            self._engine = engine.make_engine(self.url)
        return self._engine

    def unit_of_work(self) -> UnitOfWork:
        """A new unit of work (one transaction)."""
        from needlepoint.adapters.db import unit_of_work  # noqa: PLC0415 - deferred on purpose

        return unit_of_work.SqlAlchemyUnitOfWork(self._opened())

    def upgrade(self) -> None:
        """Apply every migration up to the newest."""
        from needlepoint.adapters.db import migrate  # noqa: PLC0415 - deferred on purpose

        migrate.upgrade(self.url)

    def backup(self, directory: Path, *, at: datetime) -> Any:
        """A consistent, integrity-checked backup written into ``directory``."""
        from needlepoint.adapters.db import backup  # noqa: PLC0415 - deferred on purpose

        return backup.backup(self.url, directory, at=at)

    def restore(self, source: Path) -> Any:
        """Replace the database's content with a backup, verified before and after."""
        from needlepoint.adapters.db import backup  # noqa: PLC0415 - deferred on purpose

        if self._engine is not None:
            self._engine.dispose()
        return backup.restore(self.url, source)

    def has_clinics(self) -> bool:
        """Whether any clinic exists yet (a demo is only seeded into an empty database)."""
        from sqlalchemy import func, select  # noqa: PLC0415 - deferred on purpose

        from needlepoint.adapters.db.tables import clinic  # noqa: PLC0415

        with self._opened().connect() as conn:
            return bool(conn.execute(select(func.count()).select_from(clinic)).scalar_one())

    def verify_audit(self) -> Any:
        """Walk the audit hash chain; the report names the first bad row, if any."""
        from needlepoint.adapters.db import audit  # noqa: PLC0415 - deferred on purpose

        return audit.verify_chain(self._opened())

    def handover_unit_of_work(self) -> UnitOfWork:
        """A unit of work whose commit survives the process being killed, not a power loss.

        Only the outbox worker's hand-over records use it (ADR 0016): SQLite commits without
        waiting for the disk (``synchronous=NORMAL`` in WAL mode), PostgreSQL with
        ``synchronous_commit=off``.
        """
        from needlepoint.adapters.db import engine, unit_of_work  # noqa: PLC0415 - deferred

        if self._handover_engine is None:
            self._handover_engine = engine.make_engine(self.url, light_commits=True)
        return unit_of_work.SqlAlchemyUnitOfWork(self._handover_engine)

    def accounts_unit_of_work(self) -> sessions.AccountsUnitOfWork:
        """A new unit of work over sessions, API tokens and sign-in attempts."""
        from needlepoint.adapters.db import accounts as db_accounts  # noqa: PLC0415 - deferred

        return db_accounts.SqlAccountsUnitOfWork(self._opened())

    def close(self) -> None:
        """Release the database's connections (it opens again on next use)."""
        for opened in (self._engine, self._handover_engine):
            if opened is not None:
                opened.dispose()
        self._engine = self._handover_engine = None

    def check_durability(self) -> dict[str, str]:
        """The durability settings; raises ``DurabilityError`` naming any unsafe one."""
        from needlepoint.adapters.db import engine  # noqa: PLC0415 - deferred on purpose

        return engine.check_durability(self._opened())


class DummyPasswordHash:
    """An Argon2id hash of a random password, made once: unknown emails are checked against it.

    Checking a password against it takes as long as checking a real one, so an unknown email
    and a wrong password cannot be told apart by timing (ecosystem.md scenario AU-4).
    """

    def __init__(self) -> None:
        self._value: str | None = None

    def of(self, hasher: PasswordHasher) -> str:
        """The hash, made on first use."""
        if self._value is None:
            self._value = hasher.hash(secrets.token_urlsafe(32))
        return self._value


@dataclass(frozen=True, slots=True)
class Services:
    """The use cases, wired to real adapters. Entrypoints call these and nothing deeper."""

    settings: Settings
    clock: Clock
    knowledge: ClinicalKnowledge
    citations: dict[str, str]
    database: Database
    hasher: PasswordHasher
    dummy_hash: DummyPasswordHash = field(default_factory=DummyPasswordHash)
    session_cache: sessions.SessionCache = field(default_factory=sessions.SessionCache)

    def consult(
        self, document: Any, *, appointment: str | None
    ) -> consultations.ConsultationOutcome:
        """Screen, grade, plan and time a programme for a consultation document."""
        return consultations.consult(
            document=document,
            knowledge=self.knowledge,
            clock=self.clock,
            appointment=appointment,
            default_session_time=self.settings.default_session_time,
        )

    def consultation_report(self, document: Any, *, appointment: str | None) -> reports.Json:
        """The full consultation report as plain data (decision first)."""
        outcome = self.consult(document, appointment=appointment)
        return reports.build_report(outcome, cite=self.citations)

    def consultation_schema(self) -> dict[str, Any]:
        """The JSON Schema of the consultation file."""
        return intake.consultation_schema()

    def knowledge_tables(self) -> tuple[catalogue.TableInfo, ...]:
        """Every knowledge table with its version and the sources it cites."""
        return catalogue.describe_tables()

    def add_clinic(self, *, name: str, time_zone: str) -> Clinic:
        """Create a clinic."""
        return clinics.add_clinic(name=name, time_zone=time_zone, uow=self.database.unit_of_work())

    def clinic_time_zone(self, clinic_id: UUID) -> str:
        """A clinic's IANA time zone, which every time shown to its staff is given in."""
        return clinics.time_zone_of(clinic_id=clinic_id, uow=self.database.unit_of_work())

    def add_staff(
        self,
        new: accounts.NewStaff,
        *,
        context: audit_service.RequestContext | audit_service.OperatorContext,
    ) -> StaffMember:
        """Create a member of staff with an Argon2id-hashed password (audited)."""
        return accounts.add_staff(
            new=new,
            context=context,
            uow=self.database.unit_of_work(),
            hasher=self.hasher,
            clock=self.clock,
        )

    def knowledge_reference(self) -> str:
        """Every knowledge table rendered as Markdown."""
        return reference.render_markdown()

    def knowledge_rows(self, table: str) -> tuple[catalogue.RowInfo, ...]:
        """The rows of one knowledge table with their provenance."""
        return catalogue.describe_rows(table)

    # --- Patient records, as the API asks for them (each read and write is audited) ---

    def register_patient(
        self, new: patients.NewPatient, *, context: audit_service.RequestContext
    ) -> PatientRecord:
        """Register a patient in the actor's clinic."""
        return patients.register_patient(
            new=new,
            context=context,
            uow=self.database.unit_of_work(),
            clock=self.clock,
            max_age_years=self.knowledge.limits.max_age_years,
        )

    def get_patient(
        self, patient_id: UUID, *, context: audit_service.RequestContext
    ) -> PatientRecord:
        """One patient of the actor's clinic."""
        uow = self.database.unit_of_work()
        return patients.get_patient(
            patient_id=patient_id, context=context, uow=uow, clock=self.clock
        )

    def search_patients(
        self, search: str | None, *, page: tuple[int, int], context: audit_service.RequestContext
    ) -> Sequence[PatientRecord]:
        """A page (offset, limit) of the actor's clinic's patients, optionally by name."""
        uow = self.database.unit_of_work()
        return patients.search_patients(
            search=search, page=page, context=context, uow=uow, clock=self.clock
        )

    def record_consultation(
        self,
        request: consultation_records.ConsultationRequest,
        *,
        context: audit_service.RequestContext,
    ) -> ConsultationRecord:
        """Screen and plan from intake answers; keep the result as a draft consultation."""
        engine = consultation_records.Engine(
            knowledge=self.knowledge,
            citations=self.citations,
            default_session_time=self.settings.default_session_time,
        )
        return consultation_records.record_consultation(
            request=request,
            context=context,
            uow=self.database.unit_of_work(),
            engine=engine,
            clock=self.clock,
        )

    def get_consultation(
        self, consultation_id: UUID, *, context: audit_service.RequestContext
    ) -> ConsultationRecord:
        """One consultation of the actor's clinic."""
        uow = self.database.unit_of_work()
        return consultation_records.get_consultation(
            consultation_id=consultation_id, context=context, uow=uow, clock=self.clock
        )

    def sign_consultation(
        self, consultation_id: UUID, *, context: audit_service.RequestContext
    ) -> ConsultationRecord:
        """Sign a draft consultation of the actor's clinic."""
        uow = self.database.unit_of_work()
        return consultation_records.sign_consultation(
            consultation_id=consultation_id, context=context, uow=uow, clock=self.clock
        )

    # --- Treatment: series, sessions, charts, recalls, outcomes, care documents ---

    def _clinical_engine(self) -> consultation_records.Engine:
        return consultation_records.Engine(
            knowledge=self.knowledge,
            citations=self.citations,
            default_session_time=self.settings.default_session_time,
        )

    def create_series(
        self, new: treatment.NewSeries, *, context: audit_service.RequestContext
    ) -> TreatmentSeries:
        """Agree a treatment series from a signed consultation (changes need reasons)."""
        return treatment.create_series_from_consultation(
            new=new,
            context=context,
            uow=self.database.unit_of_work(),
            engine=self._clinical_engine(),
            clock=self.clock,
        )

    def record_clearance(
        self, new: NewClearance, *, context: audit_service.RequestContext
    ) -> Clearance:
        """Clear one finding of a signed consultation, until a day (ADR 0021)."""
        return clearances.record_clearance(
            new=new,
            context=context,
            uow=self.database.unit_of_work(),
            clock=self.clock,
            limits=self.knowledge.limits,
        )

    def list_clearances(
        self, patient_id: UUID, *, context: audit_service.RequestContext
    ) -> Sequence[Clearance]:
        """Every clearance of a patient, newest first."""
        return clearances.list_clearances(
            patient_id=patient_id,
            context=context,
            uow=self.database.unit_of_work(),
            clock=self.clock,
        )

    def get_series(
        self, series_id: UUID, *, context: audit_service.RequestContext
    ) -> TreatmentSeries:
        """One treatment series of the actor's clinic."""
        uow = self.database.unit_of_work()
        return treatment.get_series(series_id=series_id, context=context, uow=uow, clock=self.clock)

    def list_series(
        self, patient_id: UUID, *, page: tuple[int, int], context: audit_service.RequestContext
    ) -> Sequence[TreatmentSeries]:
        """A page (offset, limit) of a patient's treatment series, newest first."""
        uow = self.database.unit_of_work()
        return treatment.list_series(
            patient_id=patient_id, page=page, context=context, uow=uow, clock=self.clock
        )

    def cancel_series(
        self,
        cancellation: treatment.SeriesCancellation,
        *,
        context: audit_service.RequestContext,
    ) -> TreatmentSeries:
        """Stop a series before its end, with a reason, if it is still at the expected version."""
        return treatment.cancel_series(
            cancellation=cancellation,
            context=context,
            uow=self.database.unit_of_work(),
            clock=self.clock,
        )

    def list_sessions(
        self, series_id: UUID, *, context: audit_service.RequestContext
    ) -> Sequence[TreatmentSession]:
        """The sessions of a series, by number."""
        uow = self.database.unit_of_work()
        return treatment.list_sessions(
            series_id=series_id, context=context, uow=uow, clock=self.clock
        )

    def start_session(
        self,
        series_id: UUID,
        *,
        rescreen_document: Mapping[str, Any],
        context: audit_service.RequestContext,
    ) -> TreatmentSession:
        """Start the next session of a series after the day-of re-screen."""
        return rescreen.start_session(
            series_id=series_id,
            rescreen_document=rescreen_document,
            context=context,
            uow=self.database.unit_of_work(),
            engine=self._clinical_engine(),
            clock=self.clock,
        )

    def chart_session(
        self, entry: charts.ChartEntry, *, context: audit_service.RequestContext
    ) -> ChartVersion:
        """Chart a started session (or amend its chart) as the next version."""
        uow = self.database.unit_of_work()
        return charts.chart_session(
            entry=entry, context=context, uow=uow, clock=self.clock, knowledge=self.knowledge
        )

    def sign_chart(
        self, session_id: UUID, *, version: int, context: audit_service.RequestContext
    ) -> ChartVersion:
        """Sign the newest version of a session's chart."""
        return charts.sign_chart(
            session_id=session_id,
            version=version,
            context=context,
            uow=self.database.unit_of_work(),
            clock=self.clock,
        )

    def chart_history(
        self, session_id: UUID, *, context: audit_service.RequestContext
    ) -> tuple[ChartVersion, ...]:
        """Every version of a session's chart, oldest first."""
        uow = self.database.unit_of_work()
        return charts.get_chart_history(
            session_id=session_id, context=context, uow=uow, clock=self.clock
        )

    def recall_lot(
        self, lot: str, *, context: audit_service.RequestContext
    ) -> tuple[PatientRecord, ...]:
        """Every patient of the actor's clinic treated with a cartridge lot."""
        uow = self.database.unit_of_work()
        return charts.recall_lot(lot=lot, context=context, uow=uow, clock=self.clock)

    def record_outcome(
        self, new: outcomes.NewOutcome, *, context: audit_service.RequestContext
    ) -> OutcomeMeasurement:
        """Record an outcome measurement for a patient of the actor's clinic."""
        return outcomes.record_outcome(
            new=new,
            context=context,
            uow=self.database.unit_of_work(),
            engine=self._clinical_engine(),
            clock=self.clock,
        )

    def list_outcomes(
        self, patient_id: UUID, *, page: tuple[int, int], context: audit_service.RequestContext
    ) -> Sequence[OutcomeMeasurement]:
        """A page (offset, limit) of a patient's outcome measurements, oldest first."""
        uow = self.database.unit_of_work()
        return outcomes.list_outcomes(
            patient_id=patient_id, page=page, context=context, uow=uow, clock=self.clock
        )

    def issue_care_document(
        self, new: outcomes.NewCareDocument, *, context: audit_service.RequestContext
    ) -> CareDocument:
        """Keep a care document as given to the patient of a series."""
        uow = self.database.unit_of_work()
        return outcomes.issue_care_document(new=new, context=context, uow=uow, clock=self.clock)

    def list_care_documents(
        self, patient_id: UUID, *, page: tuple[int, int], context: audit_service.RequestContext
    ) -> Sequence[CareDocument]:
        """A page (offset, limit) of a patient's care documents, newest first."""
        uow = self.database.unit_of_work()
        return outcomes.list_care_documents(
            patient_id=patient_id, page=page, context=context, uow=uow, clock=self.clock
        )

    def record_assessment(
        self, new: assessments.NewAssessment, *, context: audit_service.RequestContext
    ) -> ScarAssessmentRecord:
        """Grade and keep a scar assessment for a patient of the actor's clinic."""
        return assessments.record_assessment(
            new=new,
            context=context,
            uow=self.database.unit_of_work(),
            engine=self._clinical_engine(),
            clock=self.clock,
        )

    def list_assessments(
        self, patient_id: UUID, *, page: tuple[int, int], context: audit_service.RequestContext
    ) -> Sequence[ScarAssessmentRecord]:
        """A page (offset, limit) of a patient's scar assessments, oldest first."""
        uow = self.database.unit_of_work()
        return assessments.list_assessments(
            patient_id=patient_id, page=page, context=context, uow=uow, clock=self.clock
        )

    # --- Sign-in sessions, API tokens and throttling ---

    def prepare_logins(self) -> None:
        """Make the dummy password hash now (at server start-up), not on the first login."""
        self.dummy_hash.of(self.hasher)

    def log_in(self, credentials: sessions.Credentials) -> sessions.IssuedSession:
        """Check credentials (throttled before hashing) and open a session.

        The sign-in, or its refusal, is audited (one event each) in the service's transaction.
        """
        return sessions.log_in(
            credentials=credentials,
            check=self._check_password,
            uow=self.database.accounts_unit_of_work(),
            clock=self.clock,
            cache=self.session_cache,
        )

    def record_refusal(self, refusal: audit_service.Refusal) -> None:
        """Audit a refused sign-in or a refused operation."""
        uow = self.database.unit_of_work()
        audit_service.record_refusal(refusal=refusal, uow=uow, clock=self.clock)

    def _check_password(self, email: str, password: str) -> StaffMember | None:
        return accounts.authenticate(
            email=email,
            password=password,
            uow=self.database.unit_of_work(),
            hasher=self.hasher,
            dummy_hash=self.dummy_hash.of(self.hasher),
        )

    def log_out(self, token: str, *, request_id: str) -> None:
        """End the session whose token this is (audited)."""
        sessions.log_out(
            token=token,
            request_id=request_id,
            uow=self.database.accounts_unit_of_work(),
            clock=self.clock,
            cache=self.session_cache,
        )

    def resolve_session(self, token: str) -> StaffMember | None:
        """The member of staff of a live session (its use is recorded), else None."""
        uow = self.database.accounts_unit_of_work()
        return sessions.resolve_session(
            token=token, uow=uow, clock=self.clock, cache=self.session_cache
        )

    def recall_session(self, token: str) -> StaffMember | None:
        """The member of a session confirmed moments ago, without touching the database.

        None means "ask ``resolve_session``", not "signed out".
        """
        return sessions.recall_session(token=token, cache=self.session_cache, clock=self.clock)

    def resolve_api_token(self, token: str) -> StaffMember | None:
        """The member of staff a live API token acts as, else None."""
        uow = self.database.accounts_unit_of_work()
        return api_tokens.resolve_api_token(token=token, uow=uow)

    def issue_api_token(
        self, name: str, *, staff_id: UUID, context: audit_service.RequestContext
    ) -> sessions.IssuedToken:
        """A new API token for a member of the actor's clinic (the secret is shown once)."""
        return api_tokens.issue_api_token(
            name=name,
            staff_id=staff_id,
            context=context,
            uow=self.database.accounts_unit_of_work(),
            clock=self.clock,
        )

    def revoke_api_token(self, token_id: UUID, *, context: audit_service.RequestContext) -> None:
        """Stop one API token of the actor's clinic working (audited)."""
        uow = self.database.accounts_unit_of_work()
        api_tokens.revoke_api_token(token_id=token_id, context=context, uow=uow, clock=self.clock)

    def deactivate_staff(self, staff_id: UUID, *, context: audit_service.RequestContext) -> None:
        """Stop a member of the actor's clinic signing in; their sessions and tokens end."""
        uow = self.database.accounts_unit_of_work()
        sessions.deactivate_staff(
            staff_id=staff_id, context=context, uow=uow, clock=self.clock, cache=self.session_cache
        )

    # --- The patient portal and check-ins (ADR 0017) ---

    @property
    def portal(self) -> portal_service.PortalServices:
        """The patient portal's use cases, and the clinic's side of check-ins."""
        from needlepoint.adapters.photos import JpegReencoder  # noqa: PLC0415 - Pillow on use

        return portal_service.PortalServices(
            unit_of_work=self.database.unit_of_work,
            clock=self.clock,
            knowledge=self.knowledge,
            triage_rules=checkin_tables.load_triage_rules(),
            photos=JpegReencoder(),
            link_lifetime=timedelta(minutes=self.settings.portal_link_minutes),
            portal_url=self.settings.portal_url,
        )

    # --- The web app: its server secret, worklists and a patient's programme at a glance ---

    def web_secret(self) -> bytes:
        """The secret the web app derives CSRF tokens from: the setting, else the data-dir file."""
        if self.settings.web_secret:
            return self.settings.web_secret.encode("utf-8")
        return secret_file.load_or_create(self.settings.web_secret_file)

    def dashboard(
        self, *, clinical: bool, context: audit_service.RequestContext
    ) -> worklists.Dashboard:
        """Today's appointments and the worklists, in one transaction and one audit event."""
        uow = self.database.unit_of_work()
        return worklists.dashboard(clinical=clinical, context=context, uow=uow, clock=self.clock)

    def patient_schedule(
        self, patient_id: UUID, *, context: audit_service.RequestContext
    ) -> programme_overview.PatientProgramme:
        """A patient with their series and sessions, without clinical content."""
        uow = self.database.unit_of_work()
        return programme_overview.patient_schedule(
            patient_id=patient_id, context=context, uow=uow, clock=self.clock
        )

    def patient_programme(
        self, patient_id: UUID, *, context: audit_service.RequestContext
    ) -> programme_overview.PatientProgramme:
        """A patient's whole programme: schedule, consultations, charts, scores and documents."""
        uow = self.database.unit_of_work()
        return programme_overview.patient_programme(
            patient_id=patient_id, context=context, uow=uow, clock=self.clock
        )

    def session_chart_sheet(
        self, session_id: UUID, *, context: audit_service.RequestContext
    ) -> clinical_pages.ChartSheet:
        """A session with its plan, its chart history and the previous session's chart."""
        uow = self.database.unit_of_work()
        return clinical_pages.chart_sheet(
            session_id=session_id, context=context, uow=uow, clock=self.clock
        )

    def session_handout(
        self, series_id: UUID, number: int, *, context: audit_service.RequestContext
    ) -> clinical_pages.Handout:
        """The pre-care and aftercare timeline for the booked date of one session."""
        return clinical_pages.session_handout(
            series_id=series_id,
            number=number,
            context=context,
            uow=self.database.unit_of_work(),
            engine=self._clinical_engine(),
            clock=self.clock,
        )

    def outcome_chart(
        self, patient_id: UUID, *, context: audit_service.RequestContext
    ) -> clinical_pages.OutcomeChart:
        """A patient's outcome measurements with scar scores against the expected range."""
        uow = self.database.unit_of_work()
        return clinical_pages.outcome_chart(
            patient_id=patient_id,
            context=context,
            uow=uow,
            knowledge=self.knowledge,
            clock=self.clock,
        )

    def preview_scar_scores(self, zones: Sequence[Mapping[str, Any]]) -> reports.Json:
        """The scores scar counts would be graded with, without keeping them (face map)."""
        from needlepoint.services.records import scar_preview  # noqa: PLC0415 - web preview only

        return scar_preview.preview_scar_scores(zones=zones, engine=self._clinical_engine())

    # --- Scheduling: set-up, slots, booking a series, changes (ADR 0015) ---

    def _booking(self) -> scheduling.Booking:
        return scheduling.Booking(
            self.knowledge.planning, self.knowledge.limits, self.on_appointment_change
        )

    def on_appointment_change(self, uow: UnitOfWork, appointment: Appointment, change: str) -> None:
        """Keep the outbox in step with an appointment (in the booking's unit of work)."""
        reminder_service.follow_appointment_change(
            uow=uow,
            appointment=appointment,
            change=change,
            policy=self.reminder_policy(),
            now=self.clock.now(),
        )

    def clinic_setup(self, *, context: audit_service.RequestContext) -> scheduling.ClinicSetup:
        """The clinic's rooms, opening hours, practitioners and the booked session length."""
        uow = self.database.unit_of_work()
        return scheduling.clinic_setup(context=context, uow=uow, tables=self.knowledge.planning)

    def add_room(self, name: str, *, context: audit_service.RequestContext) -> Room:
        """Add a treatment room."""
        uow = self.database.unit_of_work()
        return scheduling.add_room(name=name, context=context, uow=uow, clock=self.clock)

    def set_opening_hours(
        self, hours: Sequence[tuple[int, time, time]], *, context: audit_service.RequestContext
    ) -> tuple[OpeningHours, ...]:
        """Replace the clinic's week of opening hours (local times)."""
        uow = self.database.unit_of_work()
        return scheduling.set_opening_hours(hours=hours, context=context, uow=uow, clock=self.clock)

    def propose_series_booking(
        self,
        series_id: UUID,
        *,
        context: audit_service.RequestContext,
        practitioner_id: UUID | None = None,
    ) -> scheduling.SeriesBooking:
        """Free slots for every session of a series still to book."""
        return scheduling.propose_series_booking(
            series_id=series_id,
            context=context,
            uow=self.database.unit_of_work(),
            clock=self.clock,
            booking=self._booking(),
            practitioner_id=practitioner_id,
        )

    def book_series(
        self,
        series_id: UUID,
        choices: Sequence[scheduling.SlotChoice],
        *,
        context: audit_service.RequestContext,
    ) -> tuple[Appointment, ...]:
        """Book sessions of a series, all or nothing."""
        return scheduling.book_series(
            series_id=series_id,
            choices=choices,
            context=context,
            uow=self.database.unit_of_work(),
            clock=self.clock,
            booking=self._booking(),
        )

    def reschedule_appointment(
        self, move: scheduling.Move, *, context: audit_service.RequestContext
    ) -> Appointment:
        """Move a booked appointment; intervals are re-checked."""
        uow = self.database.unit_of_work()
        return scheduling.reschedule(
            move=move, context=context, uow=uow, clock=self.clock, booking=self._booking()
        )

    def change_appointment_status(
        self, change: scheduling.StatusChange, *, context: audit_service.RequestContext
    ) -> Appointment:
        """Cancel an appointment, or record attendance or a no-show."""
        uow = self.database.unit_of_work()
        return scheduling.change_status(
            change=change, context=context, uow=uow, clock=self.clock, booking=self._booking()
        )

    def free_slots(
        self,
        on: date,
        *,
        context: audit_service.RequestContext,
        practitioner_id: UUID | None = None,
    ) -> tuple[Slot, ...]:
        """Every free treatment slot of a local day."""
        return scheduling.slots_on(
            on=on,
            context=context,
            uow=self.database.unit_of_work(),
            clock=self.clock,
            booking=self._booking(),
            practitioner_id=practitioner_id,
        )

    def day_list(
        self, on: date, *, context: audit_service.RequestContext
    ) -> tuple[scheduling.DayAppointment, ...]:
        """The clinic's appointments on a local day."""
        uow = self.database.unit_of_work()
        return scheduling.day_list(on=on, context=context, uow=uow, clock=self.clock)

    def get_appointment(
        self, appointment_id: UUID, *, context: audit_service.RequestContext
    ) -> scheduling.DayAppointment:
        """One appointment with its patient, practitioner and room."""
        uow = self.database.unit_of_work()
        return scheduling.get_appointment(
            appointment_id=appointment_id, context=context, uow=uow, clock=self.clock
        )

    def patient_appointments(
        self, patient_id: UUID, *, context: audit_service.RequestContext
    ) -> tuple[Appointment, ...]:
        """A patient's appointments, earliest first."""
        uow = self.database.unit_of_work()
        return scheduling.patient_appointments(
            patient_id=patient_id, context=context, uow=uow, clock=self.clock
        )

    # --- Calendar feeds: a patient's secret link to their appointments (ADR 0018) ---

    def issue_calendar_feed(
        self, patient_id: UUID, *, context: audit_service.RequestContext
    ) -> calendar_service.IssuedFeed:
        """A new secret calendar link for a patient (shown once); the old link stops working."""
        uow = self.database.unit_of_work()
        return calendar_service.issue_feed(
            patient_id=patient_id, context=context, uow=uow, clock=self.clock
        )

    def revoke_calendar_feed(
        self, patient_id: UUID, *, context: audit_service.RequestContext
    ) -> int:
        """Stop a patient's calendar link working; how many live links there were."""
        uow = self.database.unit_of_work()
        return calendar_service.revoke_feed(
            patient_id=patient_id, context=context, uow=uow, clock=self.clock
        )

    def calendar_feed_status(
        self, patient_id: UUID, *, context: audit_service.RequestContext
    ) -> calendar_service.FeedStatus:
        """A patient and their live calendar link (without its token), if any."""
        uow = self.database.unit_of_work()
        return calendar_service.feed_status(
            patient_id=patient_id, context=context, uow=uow, clock=self.clock
        )

    def calendar_feed(self, token: str, *, request_id: str) -> bytes:
        """The iCalendar feed a secret link opens (``CalendarFeedNotFoundError`` otherwise)."""
        from needlepoint.adapters import ics  # noqa: PLC0415 - icalendar loads on first use

        making = calendar_service.FeedMaking(
            care_templates=self.knowledge.care.templates, renderer=ics.render_calendar
        )
        return calendar_service.render_feed(
            token=token,
            request_id=request_id,
            making=making,
            uow=self.database.unit_of_work(),
            clock=self.clock,
        )

    # --- Reminders: the outbox and the worker that delivers it (ADR 0016) ---

    def reminder_policy(self) -> ReminderPolicy:
        """The follow-up schedule, the portal's address and whether SMS is on."""
        return ReminderPolicy(
            schedule=reminder_tables.load_reminder_schedule(),
            portal_url=self.settings.portal_url,
            sms_enabled=self.settings.sms is not None,
            care_templates=self.knowledge.care.templates,
        )

    def message_channels(self) -> dict[Channel, delivery.MessageChannel]:
        """Email over SMTP (required) and SMS (a gateway, or a channel that fails saying why).

        Raises ``SettingsError`` naming the setting when email is not set up or not secure.
        """
        from needlepoint.adapters import email, sms  # noqa: PLC0415 - the worker's only

        smtp, gateway = self.settings.smtp, self.settings.sms
        if smtp is None:
            raise SettingsError(
                "NEEDLEPOINT_SMTP_HOST is not set; set it (and NEEDLEPOINT_SMTP_FROM) to the "
                "SMTP server reminders are sent through."
            )
        config = email.SmtpConfig(
            host=smtp.host,
            port=smtp.port,
            sender=smtp.sender,
            security=email.SmtpSecurity(smtp.security),
            username=smtp.username,
            password=smtp.password,
            allow_plaintext=smtp.allow_plaintext,
            ca_file=smtp.ca_file,
        )
        try:
            channels: dict[Channel, delivery.MessageChannel] = {
                Channel.EMAIL: email.SmtpChannel(config),
                Channel.SMS: sms.UnconfiguredSmsChannel(),
            }
            if gateway is not None:
                channels[Channel.SMS] = sms.SmsGatewayChannel(
                    sms.SmsGatewayConfig(
                        url=gateway.gateway_url,
                        token=gateway.token,
                        sender=gateway.sender,
                        allow_plaintext=gateway.allow_plaintext,
                    )
                )
        except ValueError as error:
            raise SettingsError(
                f"{error}. Fix: NEEDLEPOINT_SMTP_SECURITY, NEEDLEPOINT_SMS_GATEWAY_URL, or the "
                "matching *_ALLOW_PLAINTEXT setting."
            ) from None
        return channels

    def run_worker(
        self, settings: delivery.WorkerSettings, loop: delivery.WorkerLoop
    ) -> delivery.DeliveryReport:
        """Deliver due outbox messages, each exactly once, until stopped (or idle, once)."""
        return delivery.run_worker(
            units=self.database.unit_of_work,
            handover_units=self.database.handover_unit_of_work,
            channels=self.message_channels(),
            settings=settings,
            clock=self.clock,
            loop=loop,
        )

    def resolve_uncertain_message(
        self, message_id: UUID, *, arrived: bool, context: audit_service.RequestContext
    ) -> OutboxMessage:
        """Record whether an uncertain message arrived; if not, it is queued to send again."""
        return delivery.resolve_uncertain_message(
            message_id=message_id,
            arrived=arrived,
            context=context,
            uow=self.database.unit_of_work(),
            clock=self.clock,
        )

    def uncertain_messages(
        self, *, context: audit_service.RequestContext
    ) -> Sequence[OutboxMessage]:
        """Messages that may or may not have been delivered (a worker stopped mid-hand-over)."""
        uow = self.database.unit_of_work()
        return delivery.list_uncertain_messages(context=context, uow=uow, clock=self.clock)


def bootstrap(settings: Settings | None = None, *, clock: Clock | None = None) -> Services:
    """Build the services from settings (read from the environment when not given)."""
    settings = settings or Settings.from_env()
    return Services(
        settings=settings,
        clock=clock or SystemClock(),
        knowledge=catalogue.load_knowledge(),
        citations={s.id: s.citation for s in catalogue.sources().sources},
        database=Database(settings.effective_database_url),
        hasher=Argon2PasswordHasher(),
    )
