"""Repositories over the Core tables: rows in, frozen domain records out, and back.

Every read is scoped by clinic: asking with another clinic's id returns exactly what an
unknown id returns. Repositories run inside a unit of work and take the connection from it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Connection, RowMapping, func, insert, or_, select, update

from needlepoint.adapters.db import tables as t
from needlepoint.domain.records import (
    AlreadySignedError,
    Clinic,
    ConsultationRecord,
    ConsultationStatus,
    PatientRecord,
    Role,
    StaffMember,
)
from needlepoint.domain.vocabulary import Sex

ConnectionSource = Callable[[], Connection]
"""Returns the unit of work's current connection (inside its transaction)."""


class SqlClinicRepository:
    """Clinics."""

    def __init__(self, connection: ConnectionSource) -> None:
        self._connection = connection

    def add(self, clinic: Clinic) -> None:
        """Store a new clinic."""
        values = {"id": clinic.id, "name": clinic.name, "time_zone": clinic.time_zone}
        self._connection().execute(insert(t.clinic).values(values))

    def get(self, clinic_id: UUID) -> Clinic | None:
        """A clinic by id."""
        query = select(t.clinic).where(t.clinic.c.id == clinic_id)
        row = self._connection().execute(query).mappings().one_or_none()
        if row is None:
            return None
        return Clinic(id=row["id"], name=row["name"], time_zone=row["time_zone"])


class SqlStaffRepository:
    """Staff accounts; the password hash is kept beside the record."""

    def __init__(self, connection: ConnectionSource) -> None:
        self._connection = connection

    def add(self, member: StaffMember, *, password_hash: str) -> None:
        """Store a new member of staff with their password hash."""
        values = {**_staff_values(member), "password_hash": password_hash}
        self._connection().execute(insert(t.staff_member).values(values))

    def get(self, clinic_id: UUID, member_id: UUID) -> StaffMember | None:
        """A member of staff of this clinic, or None (also for another clinic's)."""
        query = select(t.staff_member).where(
            t.staff_member.c.clinic_id == clinic_id, t.staff_member.c.id == member_id
        )
        row = self._connection().execute(query).mappings().one_or_none()
        return None if row is None else _staff_from_row(row)

    def by_email(self, email: str) -> tuple[StaffMember, str] | None:
        """A member of staff and their password hash, by exact sign-in email (any clinic)."""
        query = select(t.staff_member).where(t.staff_member.c.email == email)
        row = self._connection().execute(query).mappings().one_or_none()
        return None if row is None else (_staff_from_row(row), row["password_hash"])


class SqlPatientRepository:
    """Patients of one clinic."""

    def __init__(self, connection: ConnectionSource) -> None:
        self._connection = connection

    def add(self, patient: PatientRecord) -> None:
        """Store a new patient."""
        self._connection().execute(insert(t.patient).values(_patient_values(patient)))

    def get(self, clinic_id: UUID, patient_id: UUID) -> PatientRecord | None:
        """A patient of this clinic, or None (also for another clinic's patient)."""
        query = select(t.patient).where(
            t.patient.c.clinic_id == clinic_id, t.patient.c.id == patient_id
        )
        row = self._connection().execute(query).mappings().one_or_none()
        return None if row is None else _patient_from_row(row)

    def list(
        self, clinic_id: UUID, *, search: str | None, offset: int, limit: int
    ) -> Sequence[PatientRecord]:
        """Patients of this clinic by family name, given name and id.

        ``search`` matches part of the given or family name, ignoring case and surrounding
        blanks; ``%`` and ``_`` in it are literal characters. A blank search matches everyone.
        """
        columns = t.patient.c
        query = select(t.patient).where(columns.clinic_id == clinic_id)
        if search and search.strip():
            query = query.where(_name_contains(search.strip()))
        query = query.order_by(columns.family_name, columns.given_name, columns.id)
        rows = self._connection().execute(query.offset(offset).limit(limit)).mappings()
        return [_patient_from_row(row) for row in rows]


class SqlConsultationRepository:
    """Consultations; a signed one is never updated (the database refuses too)."""

    def __init__(self, connection: ConnectionSource) -> None:
        self._connection = connection

    def add(self, record: ConsultationRecord) -> None:
        """Store a new consultation."""
        self._connection().execute(insert(t.consultation).values(_consultation_values(record)))

    def get(self, clinic_id: UUID, consultation_id: UUID) -> ConsultationRecord | None:
        """A consultation of this clinic, or None (also for another clinic's)."""
        query = select(t.consultation).where(
            t.consultation.c.clinic_id == clinic_id, t.consultation.c.id == consultation_id
        )
        row = self._connection().execute(query).mappings().one_or_none()
        return None if row is None else _consultation_from_row(row)

    def for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[ConsultationRecord]:
        """A patient's consultations, newest first."""
        columns = t.consultation.c
        query = (
            select(t.consultation)
            .where(columns.clinic_id == clinic_id, columns.patient_id == patient_id)
            .order_by(columns.consulted_on.desc(), columns.created_at.desc(), columns.id.desc())
        )
        rows = self._connection().execute(query).mappings()
        return [_consultation_from_row(row) for row in rows]

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


def _name_contains(search: str) -> ColumnElement[bool]:
    needle = search.lower()
    return or_(
        func.lower(t.patient.c.given_name).contains(needle, autoescape=True),
        func.lower(t.patient.c.family_name).contains(needle, autoescape=True),
    )


def _staff_values(member: StaffMember) -> dict[str, Any]:
    return {
        "id": member.id,
        "clinic_id": member.clinic_id,
        "email": member.email,
        "display_name": member.display_name,
        "role": member.role.value,
        "licence_max_depth_mm": member.licence_max_depth_mm,
        "active": member.active,
    }


def _staff_from_row(row: RowMapping) -> StaffMember:
    return StaffMember(
        id=row["id"],
        clinic_id=row["clinic_id"],
        email=row["email"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        licence_max_depth_mm=row["licence_max_depth_mm"],
        active=row["active"],
    )


def _patient_values(patient: PatientRecord) -> dict[str, Any]:
    return {
        "id": patient.id,
        "clinic_id": patient.clinic_id,
        "given_name": patient.given_name,
        "family_name": patient.family_name,
        "born_on": patient.born_on,
        "sex": patient.sex.value,
        "email": patient.email,
        "phone": patient.phone,
        "created_at": patient.created_at,
    }


def _patient_from_row(row: RowMapping) -> PatientRecord:
    return PatientRecord(
        id=row["id"],
        clinic_id=row["clinic_id"],
        given_name=row["given_name"],
        family_name=row["family_name"],
        born_on=row["born_on"],
        sex=Sex(row["sex"]),
        email=row["email"],
        phone=row["phone"],
        created_at=row["created_at"],
    )


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
