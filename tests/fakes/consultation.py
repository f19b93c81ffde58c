"""Fakes of the consultation area's repositories (``services/consultation/ports.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from fakes.database import FakeDatabase
from needlepoint.domain.clearances import Clearance
from needlepoint.domain.records import AlreadySignedError, ConsultationRecord, ConsultationStatus


class FakeConsultations:
    def __init__(self, database: FakeDatabase) -> None:
        self.rows = database.consultations

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


class FakeClearances:
    def __init__(self, database: FakeDatabase) -> None:
        self.rows = database.clearances

    def add(self, clearance: Clearance) -> None:
        self.rows[clearance.id] = clearance

    def for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[Clearance]:
        rows = [
            c for c in self.rows.values() if (c.clinic_id, c.patient_id) == (clinic_id, patient_id)
        ]
        return sorted(rows, key=lambda c: (c.cleared_at, str(c.id)), reverse=True)
