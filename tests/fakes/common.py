"""Fakes of the repositories every area shares (``services/ports.py``): clinics, staff, patients
and the audit trail."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from fakes.database import FakeDatabase
from needlepoint.domain.records import AuditEvent, Clinic, PatientRecord, StaffMember


class FakeClinics:
    def __init__(self, database: FakeDatabase) -> None:
        self.rows = database.clinics

    def add(self, clinic: Clinic) -> None:
        self.rows[clinic.id] = clinic

    def get(self, clinic_id: UUID) -> Clinic | None:
        return self.rows.get(clinic_id)


class FakeStaff:
    def __init__(self, database: FakeDatabase) -> None:
        self.rows = database.staff

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
    def __init__(self, database: FakeDatabase) -> None:
        self.rows = database.patients

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


class FakeAuditLog:
    """The audit trail as a list (the hash chain is the database adapter's, tested there)."""

    def __init__(self, events: list[AuditEvent]) -> None:
        self.events = events

    def append(self, event: AuditEvent) -> None:
        self.events.append(event)
