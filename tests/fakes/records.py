"""Fakes of the records area's repositories (``services/records/ports.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from uuid import UUID

from fakes.database import FakeDatabase
from needlepoint.domain.assessments import ScarAssessmentRecord
from needlepoint.domain.audit_view import AuditEntry, AuditFilter
from needlepoint.domain.break_glass import BreakGlassGrant
from needlepoint.domain.outcomes import CareDocument, OutcomeMeasurement
from needlepoint.domain.patient_changes import PatientChange


class FakeOutcomes:
    def __init__(self, database: FakeDatabase) -> None:
        self.rows = database.outcomes

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
    def __init__(self, database: FakeDatabase) -> None:
        self.rows = database.care_documents

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
    def __init__(self, database: FakeDatabase) -> None:
        self.rows = database.assessments

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


class FakePatientChanges:
    def __init__(self, database: FakeDatabase) -> None:
        self.rows = database.patient_changes
        self.staff = database.staff

    def add(self, change: PatientChange) -> None:
        self.rows.append(change)

    def for_patient(
        self, clinic_id: UUID, patient_id: UUID, *, limit: int
    ) -> Sequence[PatientChange]:
        rows = [c for c in self.rows if (c.clinic_id, c.patient_id) == (clinic_id, patient_id)]
        newest = sorted(rows, key=lambda c: c.version, reverse=True)[:limit]
        return [
            replace(c, changed_by_name=self.staff[c.changed_by][0].display_name) for c in newest
        ]


class FakeBreakGlass:
    def __init__(self, database: FakeDatabase) -> None:
        self.rows = database.break_glass_grants

    def add(self, grant: BreakGlassGrant) -> None:
        self.rows[grant.id] = grant

    def get(self, clinic_id: UUID, grant_id: UUID) -> BreakGlassGrant | None:
        found = self.rows.get(grant_id)
        return found if found is not None and found.clinic_id == clinic_id else None

    def for_clinic(self, clinic_id: UUID, *, limit: int) -> Sequence[BreakGlassGrant]:
        rows = [g for g in self.rows.values() if g.clinic_id == clinic_id]
        return sorted(rows, key=lambda g: g.granted_at, reverse=True)[:limit]


class FakeAuditTrail:
    """The events of the fake trail, numbered 1, 2, 3... in the order they were appended."""

    def __init__(self, database: FakeDatabase) -> None:
        self.database = database

    def page(
        self, clinic_id: UUID, wanted: AuditFilter, *, before_seq: int | None, limit: int
    ) -> Sequence[AuditEntry]:
        db = self.database
        staff = {m.id for m, _ in db.staff.values() if m.clinic_id == clinic_id}
        patients = {p.id for p in db.patients.values() if p.clinic_id == clinic_id}
        found = [
            AuditEntry(seq, event)
            for seq, event in enumerate(db.audit, start=1)
            if (event.actor_id in staff or event.patient_id in patients)
            and wanted.from_at <= event.at < wanted.to_at
            and (before_seq is None or seq < before_seq)
            and wanted.actor_id in {None, event.actor_id}
            and wanted.patient_id in {None, event.patient_id}
            and wanted.action in {None, event.action}
        ]
        return list(reversed(found))[:limit]
