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

from collections.abc import Sequence  # noqa: E402
from dataclasses import replace  # noqa: E402
from types import TracebackType  # noqa: E402
from typing import Any, Self  # noqa: E402
from uuid import UUID  # noqa: E402

from needlepoint.domain.assessments import ScarAssessmentRecord  # noqa: E402
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
from needlepoint.domain.treatment import (  # noqa: E402
    ChartVersion,
    TreatmentSeries,
    TreatmentSession,
    VersionConflictError,
)


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
        self.rows[series.id] = series

    def get(self, clinic_id: UUID, series_id: UUID) -> TreatmentSeries | None:
        found = self.rows.get(series_id)
        return found if found and found.clinic_id == clinic_id else None

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


class FakeUnitOfWork:
    """Commits by keeping what was staged; rolls back to the last commit (or the start)."""

    def __init__(self) -> None:
        self.clinics = FakeClinics()
        self.staff = FakeStaff()
        self.patients = FakePatients()
        self.consultations = FakeConsultations()
        self.audit = FakeAuditLog()
        self.series = FakeSeries()
        self.sessions = FakeSessions()
        self.charts = FakeCharts(self.patients)
        self.outcomes = FakeOutcomes()
        self.care_documents = FakeCareDocuments()
        self.assessments = FakeAssessments()
        self.commits = 0
        self._snapshot = self._state()

    def _tables(self) -> tuple[Any, ...]:
        return (
            self.clinics,
            self.staff,
            self.patients,
            self.consultations,
            self.series,
            self.sessions,
            self.charts,
            self.outcomes,
            self.care_documents,
            self.assessments,
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
