"""Consultations; a signed one is never updated (the database refuses too)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping, insert, select, update

from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.repository import SqlRepository, of_patient
from needlepoint.domain.records import AlreadySignedError, ConsultationRecord, ConsultationStatus


class SqlConsultationRepository(SqlRepository):
    """Consultations; a signed one is never updated (the database refuses too)."""

    def add(self, record: ConsultationRecord) -> None:
        """Store a new consultation."""
        self._connection().execute(insert(t.consultation).values(_consultation_values(record)))

    def get(self, clinic_id: UUID, consultation_id: UUID) -> ConsultationRecord | None:
        """A consultation of this clinic, or None (also for another clinic's)."""
        query = select(t.consultation).where(
            t.consultation.c.clinic_id == clinic_id, t.consultation.c.id == consultation_id
        )
        return self._one(query, _consultation_from_row)

    def for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[ConsultationRecord]:
        """A patient's consultations, newest first."""
        columns = t.consultation.c
        query = of_patient(t.consultation, clinic_id, patient_id).order_by(
            columns.consulted_on.desc(), columns.created_at.desc(), columns.id.desc()
        )
        return self._all(query, _consultation_from_row)

    def save_signature(self, record: ConsultationRecord) -> None:
        """Record the signature of a draft; raises AlreadySignedError if no draft row changed."""
        if record.status is not ConsultationStatus.SIGNED:
            raise ValueError("save_signature needs the signed record (see ConsultationRecord.sign)")
        columns = t.consultation.c
        statement = (
            update(t.consultation)
            .where(
                columns.id == record.id,
                columns.clinic_id == record.clinic_id,
                columns.status == ConsultationStatus.DRAFT.value,
            )
            .values(
                status=record.status.value, signed_at=record.signed_at, signed_by=record.signed_by
            )
        )
        if self._connection().execute(statement).rowcount == 0:
            raise AlreadySignedError("consultation", record.id)


def _consultation_values(record: ConsultationRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "clinic_id": record.clinic_id,
        "patient_id": record.patient_id,
        "consulted_on": record.consulted_on,
        "intake": dict(record.intake),
        "report": dict(record.report),
        "decision": record.decision,
        "knowledge_versions": dict(record.knowledge_versions),
        "status": record.status.value,
        "created_at": record.created_at,
        "created_by": record.created_by,
        "signed_at": record.signed_at,
        "signed_by": record.signed_by,
        "supersedes_id": record.supersedes,
    }


def _consultation_from_row(row: RowMapping) -> ConsultationRecord:
    return ConsultationRecord(
        id=row["id"],
        clinic_id=row["clinic_id"],
        patient_id=row["patient_id"],
        consulted_on=row["consulted_on"],
        intake=row["intake"],
        report=row["report"],
        decision=row["decision"],
        knowledge_versions=row["knowledge_versions"],
        status=ConsultationStatus(row["status"]),
        created_at=row["created_at"],
        created_by=row["created_by"],
        signed_at=row["signed_at"],
        signed_by=row["signed_by"],
        supersedes=row["supersedes_id"],
    )
