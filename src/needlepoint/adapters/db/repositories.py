"""Repositories over the Core tables: rows in, frozen domain records out, and back.

Every read is scoped by clinic: asking with another clinic's id returns exactly what an
unknown id returns. Repositories run inside a unit of work and take the connection from it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    Connection,
    Executable,
    RowMapping,
    bindparam,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db import treatment_rows as rows
from needlepoint.domain.assessments import ScarAssessmentRecord
from needlepoint.domain.outcomes import CareDocument, OutcomeMeasurement
from needlepoint.domain.records import (
    AlreadySignedError,
    Clinic,
    ConsultationRecord,
    ConsultationStatus,
    PatientRecord,
    Role,
    StaffMember,
)
from needlepoint.domain.treatment import (
    ChartVersion,
    SeriesExistsError,
    TreatmentSeries,
    TreatmentSession,
    VersionConflictError,
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

    def for_clinic(self, clinic_id: UUID) -> Sequence[StaffMember]:
        """Every member of staff of the clinic, by name."""
        columns = t.staff_member.c
        query = (
            select(t.staff_member)
            .where(columns.clinic_id == clinic_id)
            .order_by(columns.display_name, columns.id)
        )
        return [_staff_from_row(row) for row in self._connection().execute(query).mappings()]

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


# --- treatment records ---------------------------------------------------------------------


class SqlSeriesRepository:
    """Treatment series; a status change is saved only over the version it was based on."""

    def __init__(self, connection: ConnectionSource) -> None:
        self._connection = connection

    def add(self, series: TreatmentSeries) -> None:
        """Store a new series; ``SeriesExistsError`` if its consultation has an active one.

        The partial unique index on active series per consultation decides, so two saves of one
        plan racing each other can never both land.
        """
        try:
            self._connection().execute(
                insert(t.treatment_series).values(rows.series_values(series))
            )
        except IntegrityError as error:
            if not any(mark in str(error.orig) for mark in ACTIVE_SERIES_CLASH):
                raise
            raise SeriesExistsError(series.consultation_id, None) from None

    def active_for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[TreatmentSeries]:
        """The patient's planned and in-progress series, oldest first."""
        columns = t.treatment_series.c
        query = (
            select(t.treatment_series)
            .where(
                columns.clinic_id == clinic_id,
                columns.patient_id == patient_id,
                columns.status.in_(["planned", "in_progress"]),
            )
            .order_by(columns.created_at, columns.id)
        )
        return [rows.series_from_row(row) for row in self._connection().execute(query).mappings()]

    def get(self, clinic_id: UUID, series_id: UUID) -> TreatmentSeries | None:
        """A series of this clinic, or None (also for another clinic's)."""
        found = self._connection().execute(
            _SERIES_BY_ID, {"clinic_id": clinic_id, "series_id": series_id}
        )
        row = found.mappings().one_or_none()
        return None if row is None else rows.series_from_row(row)

    def for_patient(
        self, clinic_id: UUID, patient_id: UUID, *, offset: int, limit: int
    ) -> Sequence[TreatmentSeries]:
        """A patient's series, newest first."""
        columns = t.treatment_series.c
        query = (
            select(t.treatment_series)
            .where(columns.clinic_id == clinic_id, columns.patient_id == patient_id)
            .order_by(columns.created_at.desc(), columns.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return [rows.series_from_row(row) for row in self._connection().execute(query).mappings()]

    def save(self, series: TreatmentSeries) -> None:
        """Store the new status and version; ``VersionConflictError`` if the row moved on."""
        columns = t.treatment_series.c
        statement = (
            update(t.treatment_series)
            .where(
                columns.id == series.id,
                columns.clinic_id == series.clinic_id,
                columns.version == series.version - 1,
            )
            .values(
                status=series.status.value,
                version=series.version,
                **rows.cancellation_values(series.cancellation),
            )
        )
        connection = self._connection()
        if connection.execute(statement).rowcount == 0:
            current = connection.execute(
                select(columns.version).where(columns.id == series.id)
            ).scalar_one_or_none()
            raise VersionConflictError("series", series.id, series.version - 1, current)


class SqlSessionRepository:
    """Treatment sessions; two sessions of a series never share a number."""

    def __init__(self, connection: ConnectionSource) -> None:
        self._connection = connection

    def add(self, session: TreatmentSession) -> None:
        """Store a new session; ``VersionConflictError`` if its number is already taken."""
        columns = t.treatment_session.c
        _insert_or_conflict(
            self._connection(),
            _INSERT_SESSION,
            rows.session_values(session),
            lambda: select(columns.id).where(
                columns.series_id == session.series_id, columns.number == session.number
            ),
            VersionConflictError("sessions of series", session.series_id, session.number - 1, None),
        )

    def get(self, clinic_id: UUID, session_id: UUID) -> TreatmentSession | None:
        """A session of this clinic, or None (also for another clinic's)."""
        found = self._connection().execute(
            _SESSION_BY_ID, {"clinic_id": clinic_id, "session_id": session_id}
        )
        row = found.mappings().one_or_none()
        return None if row is None else rows.session_from_row(row)

    def for_series(self, clinic_id: UUID, series_id: UUID) -> Sequence[TreatmentSession]:
        """The sessions of a series, by number."""
        columns = t.treatment_session.c
        query = (
            select(t.treatment_session)
            .where(columns.clinic_id == clinic_id, columns.series_id == series_id)
            .order_by(columns.number)
        )
        return [rows.session_from_row(row) for row in self._connection().execute(query).mappings()]

    def save_status(self, session: TreatmentSession) -> None:
        """Store a session's new status."""
        columns = t.treatment_session.c
        statement = (
            update(t.treatment_session)
            .where(columns.id == session.id, columns.clinic_id == session.clinic_id)
            .values(status=session.status.value)
        )
        self._connection().execute(statement)


class SqlChartRepository:
    """Chart versions: only ever added; signing sets the signature of an unsigned version."""

    def __init__(self, connection: ConnectionSource) -> None:
        self._connection = connection

    def add(self, version: ChartVersion) -> None:
        """Store a new version; ``VersionConflictError`` if another writer took its number."""
        columns = t.chart_version.c
        _insert_or_conflict(
            self._connection(),
            _INSERT_CHART,
            rows.chart_version_values(version),
            lambda: select(columns.id).where(
                columns.session_id == version.session_id, columns.version == version.version
            ),
            VersionConflictError(
                "chart of session", version.session_id, version.version - 1, version.version
            ),
        )

    def latest(self, clinic_id: UUID, session_id: UUID) -> ChartVersion | None:
        """The newest version of a session's chart, or None if it has none."""
        found = self._connection().execute(
            _LATEST_CHART, {"clinic_id": clinic_id, "session_id": session_id}
        )
        row = found.mappings().one_or_none()
        return None if row is None else rows.chart_version_from_row(row)

    def history(self, clinic_id: UUID, session_id: UUID) -> Sequence[ChartVersion]:
        """Every version of a session's chart, oldest first."""
        found = self._connection().execute(
            _CHART_HISTORY, {"clinic_id": clinic_id, "session_id": session_id}
        )
        return [rows.chart_version_from_row(row) for row in found.mappings()]

    def save_signature(self, version: ChartVersion) -> None:
        """Record the signature of an unsigned version; ``AlreadySignedError`` if signed."""
        if not version.is_signed:
            raise ValueError("save_signature needs the signed version (see ChartVersion.sign)")
        columns = t.chart_version.c
        statement = (
            update(t.chart_version)
            .where(
                columns.id == version.id,
                columns.clinic_id == version.clinic_id,
                columns.signed_at.is_(None),
            )
            .values(signed_at=version.signed_at, signed_by=version.signed_by)
        )
        if self._connection().execute(statement).rowcount == 0:
            raise AlreadySignedError("chart version", version.id)

    def patients_with_lot(self, clinic_id: UUID, lot: str) -> Sequence[PatientRecord]:
        """Every patient of this clinic charted with a cartridge lot, by name."""
        columns = t.chart_version.c
        charted = select(columns.patient_id).where(
            columns.clinic_id == clinic_id, columns.cartridge_lot == lot
        )
        patients = t.patient.c
        query = (
            select(t.patient)
            .where(patients.clinic_id == clinic_id, patients.id.in_(charted))
            .order_by(patients.family_name, patients.given_name, patients.id)
        )
        return [_patient_from_row(row) for row in self._connection().execute(query).mappings()]


class SqlOutcomeRepository:
    """Outcome measurements."""

    def __init__(self, connection: ConnectionSource) -> None:
        self._connection = connection

    def add(self, measurement: OutcomeMeasurement) -> None:
        """Store a new measurement."""
        values = rows.outcome_values(measurement)
        self._connection().execute(insert(t.outcome_measurement).values(values))

    def for_patient(
        self, clinic_id: UUID, patient_id: UUID, *, offset: int, limit: int
    ) -> Sequence[OutcomeMeasurement]:
        """A patient's measurements, oldest first."""
        columns = t.outcome_measurement.c
        query = (
            select(t.outcome_measurement)
            .where(columns.clinic_id == clinic_id, columns.patient_id == patient_id)
            .order_by(columns.measured_on, columns.recorded_at, columns.id)
            .offset(offset)
            .limit(limit)
        )
        return [rows.outcome_from_row(row) for row in self._connection().execute(query).mappings()]


class SqlCareDocumentRepository:
    """Care documents given to patients."""

    def __init__(self, connection: ConnectionSource) -> None:
        self._connection = connection

    def add(self, document: CareDocument) -> None:
        """Store a new document."""
        values = rows.care_document_values(document)
        self._connection().execute(insert(t.care_document).values(values))

    def for_patient(
        self, clinic_id: UUID, patient_id: UUID, *, offset: int, limit: int
    ) -> Sequence[CareDocument]:
        """A patient's care documents, newest first."""
        columns = t.care_document.c
        query = (
            select(t.care_document)
            .where(columns.clinic_id == clinic_id, columns.patient_id == patient_id)
            .order_by(columns.issued_at.desc(), columns.id.desc())
            .offset(offset)
            .limit(limit)
        )
        found = self._connection().execute(query).mappings()
        return [rows.care_document_from_row(row) for row in found]


class SqlAssessmentRepository:
    """Scar assessments: the raw zone inputs and the grading, as JSON."""

    def __init__(self, connection: ConnectionSource) -> None:
        self._connection = connection

    def add(self, assessment: ScarAssessmentRecord) -> None:
        """Store a new assessment."""
        values = {
            "id": assessment.id,
            "clinic_id": assessment.clinic_id,
            "patient_id": assessment.patient_id,
            "assessed_on": assessment.assessed_on,
            "assessed_by": assessment.assessed_by,
            "zones": [dict(zone) for zone in assessment.zones],
            "grading": dict(assessment.grading),
            "created_at": assessment.created_at,
        }
        self._connection().execute(insert(t.scar_assessment).values(values))

    def for_patient(
        self, clinic_id: UUID, patient_id: UUID, *, offset: int, limit: int
    ) -> Sequence[ScarAssessmentRecord]:
        """A patient's assessments, oldest first."""
        columns = t.scar_assessment.c
        query = (
            select(t.scar_assessment)
            .where(columns.clinic_id == clinic_id, columns.patient_id == patient_id)
            .order_by(columns.assessed_on, columns.created_at, columns.id)
            .offset(offset)
            .limit(limit)
        )
        found = self._connection().execute(query).mappings()
        return [_assessment_from_row(row) for row in found]


def _assessment_from_row(row: RowMapping) -> ScarAssessmentRecord:
    return ScarAssessmentRecord(
        id=row["id"],
        clinic_id=row["clinic_id"],
        patient_id=row["patient_id"],
        assessed_on=row["assessed_on"],
        assessed_by=row["assessed_by"],
        zones=tuple(row["zones"]),
        grading=row["grading"],
        created_at=row["created_at"],
    )


def _insert_or_conflict(
    connection: Connection,
    statement: Executable,
    values: dict[str, Any],
    taken: Callable[[], Executable],
    conflict: Exception,
) -> None:
    """Insert, turning "another writer took this number" into ``conflict``.

    The insert runs in a savepoint, so that after a clash the transaction can still record
    the refusal. On PostgreSQL a concurrent insert of the same key waits for the other
    transaction and fails once it commits; the row it committed is then visible here.
    """
    try:
        with connection.begin_nested():
            connection.execute(statement, values)
    except IntegrityError:
        if connection.execute(taken()).first() is not None:
            raise conflict from None
        raise


# Statements on the hot paths (a chart read, a chart write), built once with bound parameters:
# building a statement costs more than running it (~150 µs against ~80 µs on SQLite).

ACTIVE_SERIES_CLASH: Final = (
    "uq_treatment_series_consultation_id_active",  # PostgreSQL names the index
    "treatment_series.consultation_id",  # SQLite names the column
)
"""How each database says a second active series of one consultation was refused."""

_SERIES_BY_ID: Final = select(t.treatment_series).where(
    t.treatment_series.c.clinic_id == bindparam("clinic_id"),
    t.treatment_series.c.id == bindparam("series_id"),
)
_SESSION_BY_ID: Final = select(t.treatment_session).where(
    t.treatment_session.c.clinic_id == bindparam("clinic_id"),
    t.treatment_session.c.id == bindparam("session_id"),
)
_CHART_VERSIONS: Final = select(t.chart_version).where(
    t.chart_version.c.clinic_id == bindparam("clinic_id"),
    t.chart_version.c.session_id == bindparam("session_id"),
)
_CHART_HISTORY: Final = _CHART_VERSIONS.order_by(t.chart_version.c.version)
_LATEST_CHART: Final = _CHART_VERSIONS.order_by(t.chart_version.c.version.desc()).limit(1)
_INSERT_SESSION: Final = insert(t.treatment_session)
_INSERT_CHART: Final = insert(t.chart_version)
