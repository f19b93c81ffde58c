"""Fakes of the repositories every area shares (``services/ports.py``): clinics, staff, patients
and the audit trail."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from uuid import UUID

from fakes.database import FakeDatabase
from needlepoint.domain import patient_search
from needlepoint.domain.contact import ClinicContact
from needlepoint.domain.patient_search import PatientKey, PatientSearch
from needlepoint.domain.records import AuditEvent, Clinic, PatientRecord, StaffMember
from needlepoint.domain.treatment import VersionConflictError


class FakeClinics:
    def __init__(self, database: FakeDatabase) -> None:
        self.rows = database.clinics

    def add(self, clinic: Clinic) -> None:
        self.rows[clinic.id] = clinic

    def get(self, clinic_id: UUID) -> Clinic | None:
        return self.rows.get(clinic_id)

    def save_contact(self, clinic_id: UUID, contact: ClinicContact) -> None:
        if clinic_id in self.rows:
            self.rows[clinic_id] = replace(self.rows[clinic_id], contact=contact)


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

    def save(self, patient: PatientRecord) -> None:
        stored = self.get(patient.clinic_id, patient.id)
        if stored is None or stored.version != patient.version - 1:
            current = None if stored is None else stored.version
            raise VersionConflictError("patient", patient.id, patient.version - 1, current)
        self.rows[patient.id] = patient

    def list(
        self,
        clinic_id: UUID,
        *,
        search: PatientSearch | None,
        offset: int,
        limit: int,
        after: PatientKey | None = None,
    ) -> Sequence[PatientRecord]:
        wanted = search or PatientSearch()
        rows = [
            p
            for p in self.rows.values()
            if p.clinic_id == clinic_id
            and patient_search.matches(
                wanted, names=(p.given_name, p.family_name), email=p.email, born_on=p.born_on
            )
        ]
        rows.sort(key=_order)
        if after is not None:
            start = (after.family_name, after.given_name, str(after.id))
            rows = [p for p in rows if _order(p) > start]
        return rows[offset : offset + limit]


def _order(patient: PatientRecord) -> tuple[str, str, str]:
    return (patient.family_name, patient.given_name, str(patient.id))


class FakeAuditLog:
    """The audit trail as a list (the hash chain is the database adapter's, tested there)."""

    def __init__(self, events: list[AuditEvent]) -> None:
        self.events = events

    def append(self, event: AuditEvent) -> None:
        self.events.append(event)
