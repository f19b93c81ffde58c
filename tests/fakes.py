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
from typing import Self  # noqa: E402
from uuid import UUID  # noqa: E402

from needlepoint.domain.records import (  # noqa: E402
    AlreadySignedError,
    AuditEvent,
    Clinic,
    ConsultationRecord,
    ConsultationStatus,
    PatientRecord,
    StaffMember,
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


class FakeUnitOfWork:
    """Commits by keeping what was staged; rolls back by restoring the snapshot."""

    def __init__(self) -> None:
        self.clinics = FakeClinics()
        self.staff = FakeStaff()
        self.patients = FakePatients()
        self.consultations = FakeConsultations()
        self.audit = FakeAuditLog()
        self.commits = 0
        self._snapshot: tuple[object, ...] = ()

    def _state(self) -> tuple[object, ...]:
        return (
            dict(self.clinics.rows),
            dict(self.staff.rows),
            dict(self.patients.rows),
            dict(self.consultations.rows),
            list(self.audit.events),
        )

    def __enter__(self) -> Self:
        self._snapshot = self._state()
        self._committed = False
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self._committed:
            clinics, staff, patients, consultations, events = self._snapshot
            self.clinics.rows = clinics  # type: ignore[assignment]
            self.staff.rows = staff  # type: ignore[assignment]
            self.patients.rows = patients  # type: ignore[assignment]
            self.consultations.rows = consultations  # type: ignore[assignment]
            self.audit.events = events  # type: ignore[assignment]

    def commit(self) -> None:
        self._committed = True
        self.commits += 1


class PlainHasher:
    """A transparent stand-in for Argon2 in unit tests (the real one is tested separately)."""

    def hash(self, password: str) -> str:
        return f"plain${password}"

    def verify(self, password: str, hashed: str) -> bool:
        return hashed == f"plain${password}"


__all__ = ["FakeUnitOfWork", "FixedClock", "PlainHasher", "replace"]
