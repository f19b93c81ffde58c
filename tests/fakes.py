"""Hand-written fakes for ports (no mocks)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time


class FixedClock:
    """A clock stopped at one instant."""

    def __init__(self, today: date, at: time = time(12, 0)) -> None:
        self._now = datetime.combine(today, at, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def today(self) -> date:
        return self._now.date()


# --- in-memory unit of work -------------------------------------------------------------

from collections.abc import Collection, Sequence  # noqa: E402
from dataclasses import dataclass, replace  # noqa: E402
from types import TracebackType  # noqa: E402
from typing import Any, Self  # noqa: E402
from uuid import UUID  # noqa: E402

from needlepoint.domain.assessments import ScarAssessmentRecord  # noqa: E402
from needlepoint.domain.calendar import CalendarFeed  # noqa: E402
from needlepoint.domain.clearances import Clearance  # noqa: E402
from needlepoint.domain.messages import (  # noqa: E402
    DeliveryOutcome,
    MessageKind,
    MessageStatus,
    OutboxLease,
    OutboxMessage,
)
from needlepoint.domain.outcomes import CareDocument, OutcomeMeasurement  # noqa: E402
from needlepoint.domain.records import (  # noqa: E402
    AlreadySignedError,
    AuditEvent,
    Clinic,
    ConsultationRecord,
    ConsultationStatus,
    PatientRecord,
    StaffMember,
)
from needlepoint.domain.scheduling import Appointment, AppointmentStatus  # noqa: E402
from needlepoint.domain.treatment import (  # noqa: E402
    ChartVersion,
    SeriesExistsError,
    SeriesStatus,
    SessionStatus,
    TreatmentSeries,
    TreatmentSession,
    VersionConflictError,
)
from needlepoint.services.scheduling.ports import SeriesToBook  # noqa: E402


class FakeClinics:
    def __init__(self) -> None:
        self.rows: dict[UUID, Clinic] = {}

    def add(self, clinic: Clinic) -> None:
        self.rows[clinic.id] = clinic

    def get(self, clinic_id: UUID) -> Clinic | None:
        return self.rows.get(clinic_id)


class FakeStaff:
    def __init__(self) -> None:
        self.rows: dict[UUID, tuple[StaffMember, str]] = {}

    def add(self, member: StaffMember, *, password_hash: str) -> None:
        self.rows[member.id] = (member, password_hash)

    def get(self, clinic_id: UUID, member_id: UUID) -> StaffMember | None:
        found = self.rows.get(member_id)
        return found[0] if found and found[0].clinic_id == clinic_id else None

    def by_email(self, email: str) -> tuple[StaffMember, str] | None:
        return next((row for row in self.rows.values() if row[0].email == email), None)

    def for_clinic(self, clinic_id: UUID) -> Sequence[StaffMember]:
        members = [m for m, _ in self.rows.values() if m.clinic_id == clinic_id]
        return sorted(members, key=lambda m: (m.display_name, m.id))


class FakePatients:
    def __init__(self) -> None:
        self.rows: dict[UUID, PatientRecord] = {}

    def add(self, patient: PatientRecord) -> None:
        self.rows[patient.id] = patient

    def get(self, clinic_id: UUID, patient_id: UUID) -> PatientRecord | None:
        found = self.rows.get(patient_id)
        return found if found and found.clinic_id == clinic_id else None

    def list(
        self, clinic_id: UUID, *, search: str | None, offset: int, limit: int
    ) -> Sequence[PatientRecord]:
        needle = (search or "").lower()
        rows = [
            p
            for p in self.rows.values()
            if p.clinic_id == clinic_id
            and (needle in p.given_name.lower() or needle in p.family_name.lower())
        ]
        rows.sort(key=lambda p: (p.family_name, p.given_name, str(p.id)))
        return rows[offset : offset + limit]


class FakeConsultations:
    def __init__(self) -> None:
        self.rows: dict[UUID, ConsultationRecord] = {}

    def add(self, record: ConsultationRecord) -> None:
        self.rows[record.id] = record

    def get(self, clinic_id: UUID, consultation_id: UUID) -> ConsultationRecord | None:
        found = self.rows.get(consultation_id)
        return found if found and found.clinic_id == clinic_id else None

    def for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[ConsultationRecord]:
        rows = [
            r for r in self.rows.values() if (r.clinic_id, r.patient_id) == (clinic_id, patient_id)
        ]
        return sorted(rows, key=lambda r: r.created_at, reverse=True)

    def save_signature(self, record: ConsultationRecord) -> None:
        if self.rows[record.id].status is ConsultationStatus.SIGNED:
            raise AlreadySignedError("consultation", record.id)
        self.rows[record.id] = record


class FakeAuditLog:
    def __init__(self) -> None:
        self.events: list[AuditEvent] = []

    def append(self, event: AuditEvent) -> None:
        self.events.append(event)


class FakeSeries:
    def __init__(self) -> None:
        self.rows: dict[UUID, TreatmentSeries] = {}

    def add(self, series: TreatmentSeries) -> None:
        if any(
            s.consultation_id == series.consultation_id and s.is_active for s in self.rows.values()
        ):
            raise SeriesExistsError(series.consultation_id, None)  # the partial unique index
        self.rows[series.id] = series

    def get(self, clinic_id: UUID, series_id: UUID) -> TreatmentSeries | None:
        found = self.rows.get(series_id)
        return found if found and found.clinic_id == clinic_id else None

    def active_for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[TreatmentSeries]:
        rows = [
            s
            for s in self.rows.values()
            if (s.clinic_id, s.patient_id) == (clinic_id, patient_id) and s.is_active
        ]
        return sorted(rows, key=lambda s: (s.created_at, str(s.id)))

    def for_patient(
        self, clinic_id: UUID, patient_id: UUID, *, offset: int, limit: int
    ) -> Sequence[TreatmentSeries]:
        rows = [
            s for s in self.rows.values() if (s.clinic_id, s.patient_id) == (clinic_id, patient_id)
        ]
        rows.sort(key=lambda s: (s.created_at, str(s.id)), reverse=True)
        return rows[offset : offset + limit]

    def save(self, series: TreatmentSeries) -> None:
        stored = self.rows[series.id]
        if stored.version != series.version - 1:
            raise VersionConflictError("series", series.id, series.version - 1, stored.version)
        self.rows[series.id] = series


class FakeClearances:
    def __init__(self) -> None:
        self.rows: dict[UUID, Clearance] = {}

    def add(self, clearance: Clearance) -> None:
        self.rows[clearance.id] = clearance

    def for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[Clearance]:
        rows = [
            c for c in self.rows.values() if (c.clinic_id, c.patient_id) == (clinic_id, patient_id)
        ]
        return sorted(rows, key=lambda c: (c.cleared_at, str(c.id)), reverse=True)


class FakeSessions:
    def __init__(self) -> None:
        self.rows: dict[UUID, TreatmentSession] = {}

    def add(self, session: TreatmentSession) -> None:
        if any(
            (s.series_id, s.number) == (session.series_id, session.number)
            for s in self.rows.values()
        ):
            raise VersionConflictError(
                "sessions of series", session.series_id, session.number - 1, None
            )
        self.rows[session.id] = session

    def get(self, clinic_id: UUID, session_id: UUID) -> TreatmentSession | None:
        found = self.rows.get(session_id)
        return found if found and found.clinic_id == clinic_id else None

    def for_series(self, clinic_id: UUID, series_id: UUID) -> Sequence[TreatmentSession]:
        rows = [
            s for s in self.rows.values() if (s.clinic_id, s.series_id) == (clinic_id, series_id)
        ]
        return sorted(rows, key=lambda s: s.number)

    def save_status(self, session: TreatmentSession) -> None:
        self.rows[session.id] = replace(self.rows[session.id], status=session.status)


class FakeCharts:
    """Keyed by (session, version) like the UNIQUE constraint; signed versions never change."""

    def __init__(self, patients: FakePatients) -> None:
        self.rows: dict[tuple[UUID, int], ChartVersion] = {}
        self._patients = patients

    def add(self, version: ChartVersion) -> None:
        key = (version.session_id, version.version)
        if key in self.rows:
            raise VersionConflictError(
                "chart of session", version.session_id, version.version - 1, version.version
            )
        self.rows[key] = version

    def latest(self, clinic_id: UUID, session_id: UUID) -> ChartVersion | None:
        history = self.history(clinic_id, session_id)
        return history[-1] if history else None

    def history(self, clinic_id: UUID, session_id: UUID) -> Sequence[ChartVersion]:
        rows = [
            v for v in self.rows.values() if (v.clinic_id, v.session_id) == (clinic_id, session_id)
        ]
        return sorted(rows, key=lambda v: v.version)

    def save_signature(self, version: ChartVersion) -> None:
        key = (version.session_id, version.version)
        if self.rows[key].is_signed:
            raise AlreadySignedError("chart version", version.id)
        self.rows[key] = version

    def patients_with_lot(self, clinic_id: UUID, lot: str) -> Sequence[PatientRecord]:
        ids = {
            v.patient_id
            for v in self.rows.values()
            if v.clinic_id == clinic_id and v.chart.cartridge.lot == lot
        }
        found = [p for p in self._patients.rows.values() if p.id in ids]
        return sorted(found, key=lambda p: (p.family_name, p.given_name, str(p.id)))


class FakeOutcomes:
    def __init__(self) -> None:
        self.rows: dict[UUID, OutcomeMeasurement] = {}

    def add(self, measurement: OutcomeMeasurement) -> None:
        self.rows[measurement.id] = measurement

    def for_patient(
        self, clinic_id: UUID, patient_id: UUID, *, offset: int, limit: int
    ) -> Sequence[OutcomeMeasurement]:
        rows = [
            m for m in self.rows.values() if (m.clinic_id, m.patient_id) == (clinic_id, patient_id)
        ]
        rows.sort(key=lambda m: (m.measured_on, m.recorded_at, str(m.id)))
        return rows[offset : offset + limit]


class FakeCareDocuments:
    def __init__(self) -> None:
        self.rows: dict[UUID, CareDocument] = {}

    def add(self, document: CareDocument) -> None:
        self.rows[document.id] = document

    def for_patient(
        self, clinic_id: UUID, patient_id: UUID, *, offset: int, limit: int
    ) -> Sequence[CareDocument]:
        rows = [
            d for d in self.rows.values() if (d.clinic_id, d.patient_id) == (clinic_id, patient_id)
        ]
        rows.sort(key=lambda d: (d.issued_at, str(d.id)), reverse=True)
        return rows[offset : offset + limit]


class FakeAssessments:
    def __init__(self) -> None:
        self.rows: dict[UUID, ScarAssessmentRecord] = {}

    def add(self, assessment: ScarAssessmentRecord) -> None:
        self.rows[assessment.id] = assessment

    def for_patient(
        self, clinic_id: UUID, patient_id: UUID, *, offset: int, limit: int
    ) -> Sequence[ScarAssessmentRecord]:
        rows = [
            a for a in self.rows.values() if (a.clinic_id, a.patient_id) == (clinic_id, patient_id)
        ]
        rows.sort(key=lambda a: (a.assessed_on, a.created_at, str(a.id)))
        return rows[offset : offset + limit]


class FakeCalendarFeeds:
    def __init__(self) -> None:
        self.rows: dict[UUID, CalendarFeed] = {}

    def add(self, feed: CalendarFeed) -> None:
        self.rows[feed.id] = feed

    def live_by_hash(self, token_hash: str) -> CalendarFeed | None:
        return next((f for f in self.rows.values() if f.token_hash == token_hash and f.live), None)

    def live_for_patient(self, clinic_id: UUID, patient_id: UUID) -> CalendarFeed | None:
        live = [
            f
            for f in self.rows.values()
            if (f.clinic_id, f.patient_id) == (clinic_id, patient_id) and f.live
        ]
        return max(live, key=lambda f: f.created_at, default=None)

    def revoke_for_patient(self, clinic_id: UUID, patient_id: UUID, at: datetime) -> int:
        live = [
            f
            for f in self.rows.values()
            if (f.clinic_id, f.patient_id) == (clinic_id, patient_id) and f.live
        ]
        for feed in live:
            self.rows[feed.id] = replace(feed, revoked_at=at)
        return len(live)


class FakeUnitOfWork:
    """Commits by keeping what was staged; rolls back to the last commit (or the start)."""

    def __init__(self) -> None:
        self.clinics = FakeClinics()
        self.staff = FakeStaff()
        self.patients = FakePatients()
        self.consultations = FakeConsultations()
        self.audit = FakeAuditLog()
        self.series = FakeSeries()
        self.clearances = FakeClearances()
        self.sessions = FakeSessions()
        self.charts = FakeCharts(self.patients)
        self.outcomes = FakeOutcomes()
        self.care_documents = FakeCareDocuments()
        self.assessments = FakeAssessments()
        self.calendar_feeds = FakeCalendarFeeds()
        self.outbox = FakeOutbox()
        self.appointments = FakeAppointments()
        self.check_ins = FakeCheckIns()
        self.worklists = FakeWorklists(self)
        self.commits = 0
        self._snapshot = self._state()

    def _tables(self) -> tuple[Any, ...]:
        return (
            self.clinics,
            self.staff,
            self.patients,
            self.consultations,
            self.series,
            self.clearances,
            self.sessions,
            self.charts,
            self.outcomes,
            self.care_documents,
            self.assessments,
            self.calendar_feeds,
            self.outbox,
            self.appointments,
        )

    def _state(self) -> tuple[list[dict[Any, Any]], list[AuditEvent]]:
        return [dict(table.rows) for table in self._tables()], list(self.audit.events)

    def _restore(self, state: tuple[list[dict[Any, Any]], list[AuditEvent]]) -> None:
        rows, events = state
        for table, saved in zip(self._tables(), rows, strict=True):
            table.rows = dict(saved)
        self.audit.events = list(events)

    def __enter__(self) -> Self:
        self._snapshot = self._state()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._restore(self._snapshot)

    def commit(self) -> None:
        self._snapshot = self._state()
        self.commits += 1

    def rollback(self) -> None:
        self._restore(self._snapshot)


class PlainHasher:
    """A transparent stand-in for Argon2 in unit tests (the real one is tested separately)."""

    def hash(self, password: str) -> str:
        return f"plain${password}"

    def verify(self, password: str, hashed: str) -> bool:
        return hashed == f"plain${password}"


__all__ = ["FakeUnitOfWork", "FixedClock", "PlainHasher", "replace"]


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """A queued message with the worker lease the table keeps beside it."""

    message: OutboxMessage
    lease_owner: str | None = None
    lease_until: datetime | None = None


class FakeAppointments:
    """Appointments kept in a dict; overlaps are not checked here (the databases do that)."""

    def __init__(self) -> None:
        self.rows: dict[UUID, Appointment] = {}

    def add(self, appointment: Appointment) -> None:
        self.rows[appointment.id] = appointment

    def get(self, clinic_id: UUID, appointment_id: UUID) -> Appointment | None:
        found = self.rows.get(appointment_id)
        return found if found and found.clinic_id == clinic_id else None

    def save(self, appointment: Appointment) -> None:
        self.rows[appointment.id] = appointment

    def hold(self, clinic_id: UUID, practitioner_ids: Any, room_ids: Any) -> None:
        """Nothing to lock in memory."""

    def for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[Appointment]:
        mine = [
            a for a in self.rows.values() if (a.clinic_id, a.patient_id) == (clinic_id, patient_id)
        ]
        return sorted(mine, key=lambda a: (a.starts_at, a.id))

    def between(
        self, clinic_id: UUID, starts_at: datetime, ends_at: datetime
    ) -> Sequence[Appointment]:
        found = [
            a
            for a in self.rows.values()
            if a.clinic_id == clinic_id and a.occupies and a.overlaps(starts_at, ends_at)
        ]
        return sorted(found, key=lambda a: (a.starts_at, a.id))


class FakeOutbox:
    """The outbox in memory, with the worker's claim, hand-over and settle rules."""

    def __init__(self) -> None:
        self.rows: dict[UUID, OutboxRow] = {}

    def add(self, message: OutboxMessage) -> bool:
        same = [
            r for r in self.rows.values() if r.message.idempotency_key == message.idempotency_key
        ]
        if same and same[0].message.status is not MessageStatus.CANCELLED:
            return False
        kept_id = same[0].message.id if same else message.id
        self.rows[kept_id] = OutboxRow(replace(message, id=kept_id))
        return True

    def _set(self, row: OutboxRow, **changes: Any) -> None:
        owner = changes.pop("lease_owner", row.lease_owner)
        until = changes.pop("lease_until", row.lease_until)
        self.rows[row.message.id] = OutboxRow(replace(row.message, **changes), owner, until)

    def _cancel(self, keep: Any) -> int:
        chosen = [
            r for r in self.rows.values() if r.message.status is MessageStatus.PENDING and keep(r)
        ]
        for row in chosen:
            self._set(row, status=MessageStatus.CANCELLED)
        return len(chosen)

    def cancel_pending(
        self, clinic_id: UUID, appointment_id: UUID, kinds: Collection[MessageKind] | None = None
    ) -> int:
        return self._cancel(
            lambda r: (
                (r.message.clinic_id, r.message.appointment_id) == (clinic_id, appointment_id)
                and (kinds is None or r.message.kind in kinds)
            )
        )

    def cancel_pending_of_kind(self, clinic_id: UUID, patient_id: UUID, kind: MessageKind) -> int:
        return self._cancel(
            lambda r: (
                (r.message.clinic_id, r.message.patient_id, r.message.kind)
                == (clinic_id, patient_id, kind)
            )
        )

    def _sorted(self, keep: Any) -> list[OutboxMessage]:
        found = [r.message for r in self.rows.values() if keep(r)]
        return sorted(found, key=lambda m: (m.due_at, str(m.id)))

    def for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[OutboxMessage]:
        return self._sorted(
            lambda r: (r.message.clinic_id, r.message.patient_id) == (clinic_id, patient_id)
        )

    def in_status(self, clinic_id: UUID, status: MessageStatus) -> Sequence[OutboxMessage]:
        return self._sorted(
            lambda r: r.message.clinic_id == clinic_id and r.message.status is status
        )

    def claim_due(self, lease: OutboxLease, *, limit: int) -> Sequence[OutboxMessage]:
        def due(row: OutboxRow) -> bool:
            m = row.message
            if m.status is MessageStatus.PENDING:
                return m.due_at <= lease.now
            lapsed = row.lease_until is not None and row.lease_until < lease.now
            return m.status is MessageStatus.SENDING and lapsed

        for message in self._sorted(due)[:limit]:
            self._set(
                self.rows[message.id],
                status=MessageStatus.SENDING,
                attempts=message.attempts + 1,
                lease_owner=lease.worker_id,
                lease_until=lease.until,
            )
        return self._sorted(
            lambda r: r.lease_owner == lease.worker_id and r.message.status is MessageStatus.SENDING
        )[:limit]

    def expire_handovers(self, now: datetime) -> Sequence[OutboxMessage]:
        lapsed = self._sorted(
            lambda r: (
                r.message.status is MessageStatus.HANDING_OVER
                and r.lease_until is not None
                and r.lease_until < now
            )
        )
        for message in lapsed:
            self._set(
                self.rows[message.id],
                status=MessageStatus.UNCERTAIN,
                lease_owner=None,
                lease_until=None,
            )
        return [self.rows[m.id].message for m in lapsed]

    def start_handover(self, message_id: UUID, lease: OutboxLease) -> bool:
        row = self.rows.get(message_id)
        if (
            row is None
            or row.message.status is not MessageStatus.SENDING
            or row.lease_owner != lease.worker_id
            or row.lease_until is None
            or row.lease_until < lease.now
        ):
            return False
        self._set(row, status=MessageStatus.HANDING_OVER, lease_until=lease.until)
        return True

    def settle(self, message_id: UUID, worker_id: str, outcome: DeliveryOutcome) -> bool:
        row = self.rows.get(message_id)
        held = {MessageStatus.SENDING, MessageStatus.HANDING_OVER}
        if row is None or row.lease_owner != worker_id or row.message.status not in held:
            return False
        changes: dict[str, Any] = {"status": outcome.status, "last_error": outcome.error}
        if outcome.status is MessageStatus.SENT:
            changes["sent_at"] = outcome.at
        if outcome.retry_at is not None:
            changes["due_at"] = outcome.retry_at
        self._set(row, lease_owner=None, lease_until=None, **changes)
        return True

    def release(self, worker_id: str, message_ids: Sequence[UUID]) -> int:
        chosen = [
            self.rows[i]
            for i in message_ids
            if i in self.rows
            and self.rows[i].lease_owner == worker_id
            and self.rows[i].message.status is MessageStatus.SENDING
        ]
        for row in chosen:
            self._set(
                row,
                status=MessageStatus.PENDING,
                attempts=row.message.attempts - 1,
                lease_owner=None,
                lease_until=None,
            )
        return len(chosen)


class FakeCheckIns:
    """The clinic's side of check-ins only: ``attention`` is what needs it, in list order."""

    def __init__(self) -> None:
        self.attention: list[tuple[Any, PatientRecord]] = []

    def needing_attention(self, clinic_id: UUID, *, limit: int) -> Sequence[tuple[Any, Any]]:
        return [row for row in self.attention if row[1].clinic_id == clinic_id][:limit]


class FakeWorklists:
    """The dashboard's queries over the other fakes' rows (the SQL is tested on both databases).

    ``rooms`` names rooms by id: the fake unit of work keeps no rooms.
    """

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow
        self.rooms: dict[UUID, str] = {}

    def charts_awaiting_signoff(
        self, clinic_id: UUID
    ) -> Sequence[tuple[PatientRecord, TreatmentSession, ChartVersion]]:
        found = []
        for session in self._uow.sessions.rows.values():
            chart = self._uow.charts.latest(clinic_id, session.id)
            patient = self._uow.patients.get(clinic_id, session.patient_id)
            started = session.status is SessionStatus.STARTED
            if started and chart is not None and not chart.is_signed and patient is not None:
                found.append((patient, session, chart))
        return sorted(found, key=lambda f: (f[2].created_at, f[0].family_name, f[0].given_name))

    def series_to_book(self, clinic_id: UUID, *, booked_from: datetime) -> Sequence[SeriesToBook]:
        found = []
        for patient in self._uow.patients.list(clinic_id, search=None, offset=0, limit=10**6):
            for series in self._uow.series.for_patient(
                clinic_id, patient.id, offset=0, limit=10**6
            ):
                sessions = self._uow.sessions.for_series(clinic_id, series.id)
                active = series.status in {SeriesStatus.PLANNED, SeriesStatus.IN_PROGRESS}
                if not active or len(sessions) >= series.plan.sessions:
                    continue
                if self._next_taken(series, len(sessions) + 1, booked_from):
                    continue
                found.append(self._to_book(patient, series, sessions))
        return found

    @staticmethod
    def _to_book(
        patient: PatientRecord, series: TreatmentSeries, sessions: Sequence[TreatmentSession]
    ) -> SeriesToBook:
        started = [s.started_at for s in sessions if s.started_at is not None]
        dated = series.proposal.get("series", {}).get("dated") or []
        return SeriesToBook(
            patient=patient,
            series_id=series.id,
            sessions_planned=series.plan.sessions,
            interval_days=series.plan.interval_days,
            sessions_held=len(sessions),
            last_started_at=max(started) if started else None,
            first_proposed_on=date.fromisoformat(str(dated[0]["on"])) if dated else None,
            created_at=series.created_at,
        )

    def _next_taken(self, series: TreatmentSeries, number: int, booked_from: datetime) -> bool:
        return any(
            a.series_id == series.id
            and a.session_number == number
            and (
                a.status is AppointmentStatus.ATTENDED
                or (a.status is AppointmentStatus.BOOKED and a.starts_at >= booked_from)
            )
            for a in self._uow.appointments.rows.values()
        )

    def appointments_between(
        self, clinic_id: UUID, starts_at: datetime, ends_at: datetime
    ) -> Sequence[tuple[Appointment, PatientRecord, str, str]]:
        found = []
        for appointment in self._uow.appointments.between(clinic_id, starts_at, ends_at):
            patient = self._uow.patients.get(clinic_id, appointment.patient_id)
            member = self._uow.staff.get(clinic_id, appointment.practitioner_id)
            if patient is not None and member is not None:
                room = self.rooms.get(appointment.room_id, "?")
                found.append((appointment, patient, member.display_name, room))
        return found


# --- actors ------------------------------------------------------------------------------

from needlepoint.domain.records import Role  # noqa: E402
from needlepoint.services.audit import RequestContext  # noqa: E402


def as_admin(context: RequestContext) -> RequestContext:
    """The same person acting as their clinic's admin, to set the clinic up in a fixture.

    The action table checks the actor's role, so fixtures that open a clinic's calendar with
    a clinician's context use this rather than creating a second account.
    """
    return replace(context, actor=replace(context.actor, role=Role.ADMIN))


# --- the machine's operator ----------------------------------------------------------------

from needlepoint.services.audit import OperatorContext  # noqa: E402

OPERATOR = OperatorContext(request_id="test-setup")
"""The machine's operator, creating staff accounts in fixtures (as ``needlepoint user add``)."""

SETUP_CLOCK = FixedClock(date(2026, 11, 1))
"""The clock fixtures create staff accounts by (their audit events are stamped with it)."""


# --- the account stores (services.sessions.AccountsUnitOfWork) -----------------------------

from collections.abc import Mapping  # noqa: E402

from needlepoint.domain.throttling import ThrottleCount  # noqa: E402
from needlepoint.services.accounts.sign_in import ApiToken, LoginSession  # noqa: E402


class FakeLoginSessions:
    def __init__(self, members: dict[UUID, StaffMember]) -> None:
        self.rows: dict[str, LoginSession] = {}
        self._members = members

    def add(self, session: LoginSession) -> None:
        self.rows[session.id_hash] = session

    def get(self, id_hash: str) -> tuple[LoginSession, StaffMember] | None:
        session = self.rows.get(id_hash)
        return None if session is None else (session, self._members[session.staff_id])

    def touch(self, id_hash: str, at: datetime) -> None:
        self.rows[id_hash] = replace(self.rows[id_hash], last_seen_at=at)

    def revoke(self, id_hash: str, at: datetime) -> None:
        session = self.rows.get(id_hash)
        if session is not None and session.revoked_at is None:
            self.rows[id_hash] = replace(session, revoked_at=at)

    def revoke_all(self, staff_id: UUID, at: datetime) -> None:
        for id_hash, session in list(self.rows.items()):
            if session.staff_id == staff_id:
                self.revoke(id_hash, at)


class FakeApiTokens:
    def __init__(self, members: dict[UUID, StaffMember]) -> None:
        self.rows: dict[UUID, ApiToken] = {}
        self._members = members

    def add(self, token: ApiToken) -> None:
        self.rows[token.id] = token

    def by_hash(self, token_hash: str) -> tuple[ApiToken, StaffMember] | None:
        found = next((t for t in self.rows.values() if t.token_hash == token_hash), None)
        return None if found is None else (found, self._members[found.staff_id])

    def get(self, clinic_id: UUID, token_id: UUID) -> ApiToken | None:
        token = self.rows.get(token_id)
        ours = token is not None and self._members[token.staff_id].clinic_id == clinic_id
        return token if ours else None

    def revoke(self, token_id: UUID, at: datetime) -> None:
        token = self.rows[token_id]
        if token.revoked_at is None:
            self.rows[token_id] = replace(token, revoked_at=at)

    def revoke_all(self, staff_id: UUID, at: datetime) -> None:
        for token in list(self.rows.values()):
            if token.staff_id == staff_id:
                self.revoke(token.id, at)


class FakeThrottle:
    """Counts per key; ``lock`` is trivially exclusive here (one thread, one transaction)."""

    def __init__(self) -> None:
        self.rows: dict[str, ThrottleCount] = {}

    def lock(self, keys: Sequence[str]) -> Mapping[str, ThrottleCount]:
        for key in keys:
            self.rows.setdefault(key, ThrottleCount())
        return {key: self.rows[key] for key in keys}

    def save(self, counts: Mapping[str, ThrottleCount]) -> None:
        self.rows.update(counts)


class FakeStaffStatus:
    def __init__(self, members: dict[UUID, StaffMember]) -> None:
        self.rows = members

    def get(self, clinic_id: UUID, staff_id: UUID) -> StaffMember | None:
        member = self.rows.get(staff_id)
        return member if member is not None and member.clinic_id == clinic_id else None

    def deactivate(self, clinic_id: UUID, staff_id: UUID) -> None:
        if self.get(clinic_id, staff_id) is not None:
            self.rows[staff_id] = replace(self.rows[staff_id], active=False)


class FakeAccountsUnitOfWork:
    """The account stores in memory; rolls back to the last commit, like FakeUnitOfWork."""

    def __init__(self, *members: StaffMember) -> None:
        self.members: dict[UUID, StaffMember] = {m.id: m for m in members}
        self.sessions = FakeLoginSessions(self.members)
        self.tokens = FakeApiTokens(self.members)
        self.throttle = FakeThrottle()
        self.staff = FakeStaffStatus(self.members)
        self.audit = FakeAuditLog()
        self.commits = 0
        self._snapshot = self._state()

    def _state(self) -> tuple[dict[Any, Any], ...]:
        tables = (self.members, self.sessions.rows, self.tokens.rows, self.throttle.rows)
        return (*(dict(table) for table in tables), {"events": list(self.audit.events)})

    def __enter__(self) -> Self:
        self._snapshot = self._state()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    def rollback(self) -> None:
        members, sessions, tokens, throttle, audit = self._snapshot
        for table, saved in (
            (self.members, members),
            (self.sessions.rows, sessions),
            (self.tokens.rows, tokens),
            (self.throttle.rows, throttle),
        ):
            table.clear()
            table.update(saved)
        self.audit.events = list(audit["events"])

    def commit(self) -> None:
        self._snapshot = self._state()
        self.commits += 1
