"""A page of a clinic's patients with their whole records, read in a few set-based queries.

A bulk export reads every patient's record (``services/interop/bulk_reads.py``). One at a
time that is about a dozen queries a patient, each a round trip; ``PageRecords`` reads a page
of patients' rows with one ``IN (…)`` query per table (sessions, charts and consents by the
page's series and sessions) inside the caller's transaction, and answers the repositories'
read methods from them, in each method's own order. Any other call, or one for another
clinic or a patient outside the page, goes to the database as usual.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from uuid import UUID

from sqlalchemy import ColumnElement, RowMapping, Select, func, select

from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.consultation.consultations import (
    SqlConsultationRepository,
    _consultation_from_row,
)
from needlepoint.adapters.db.records.assessments import (
    SqlAssessmentRepository,
    _assessment_from_row,
)
from needlepoint.adapters.db.records.care_documents import (
    SqlCareDocumentRepository,
    care_document_from_row,
)
from needlepoint.adapters.db.records.outcomes import SqlOutcomeRepository, outcome_from_row
from needlepoint.adapters.db.repository import ConnectionSource
from needlepoint.adapters.db.scheduling.appointments import (
    SqlAppointmentRepository,
    appointment_from_row,
)
from needlepoint.adapters.db.shared.patients import SqlPatientRepository, patient_from_row
from needlepoint.adapters.db.treatment import rows
from needlepoint.adapters.db.treatment.charts import SqlChartRepository
from needlepoint.adapters.db.treatment.consents import SqlConsentRepository, _consent
from needlepoint.adapters.db.treatment.photos import (
    _DESCRIBED,
    SqlPhotoRepository,
    _photo_from_row,
    _reading_from_row,
)
from needlepoint.adapters.db.treatment.series import SqlSeriesRepository
from needlepoint.adapters.db.treatment.sessions import SqlSessionRepository
from needlepoint.domain.assessments import ScarAssessmentRecord
from needlepoint.domain.consent import SignedConsent
from needlepoint.domain.outcomes import CareDocument, OutcomeMeasurement
from needlepoint.domain.photos import ClinicalPhoto, RednessReading
from needlepoint.domain.records import ConsultationRecord, PatientRecord
from needlepoint.domain.scheduling.appointments import Appointment
from needlepoint.domain.treatment import ChartVersion, TreatmentSeries, TreatmentSession

Record = TypeVar("Record")
Found = TypeVar("Found")
Grouped = dict[UUID, list[Record]]
KEY = "page_key"


class PageRecords:
    """The records of one page of a clinic's patients, read at once (``PatientRows``)."""

    def __init__(
        self, connection: ConnectionSource, clinic_id: UUID, patient_ids: Sequence[UUID]
    ) -> None:
        read = _Reader(connection, clinic_id)

        def held(keys: Sequence[UUID], found: Grouped[Record]) -> _Held[list[Record]]:
            return _Held(clinic_id, frozenset(keys), found)

        series = read.grouped(t.treatment_series, "patient_id", patient_ids, rows.series_from_row)
        series_ids = [s.id for found in series.values() for s in found]
        sessions = read.grouped(t.treatment_session, "series_id", series_ids, rows.session_from_row)
        session_ids = [s.id for found in sessions.values() for s in found]
        self.patients = _PagePatients(
            connection, _Held(clinic_id, frozenset(patient_ids), read.patients(patient_ids))
        )
        self.series = _PageSeries(connection, held(patient_ids, series))
        self.sessions = _PageSessions(connection, held(series_ids, sessions))
        self.charts = _PageCharts(
            connection, _Held(clinic_id, frozenset(session_ids), read.latest_charts(session_ids))
        )
        self.consultations = _PageConsultations(
            connection,
            held(
                patient_ids,
                read.grouped(t.consultation, "patient_id", patient_ids, _consultation_from_row),
            ),
        )
        self.assessments = _PageAssessments(
            connection,
            held(
                patient_ids,
                read.grouped(t.scar_assessment, "patient_id", patient_ids, _assessment_from_row),
            ),
        )
        self.outcomes = _PageOutcomes(
            connection,
            held(
                patient_ids,
                read.grouped(t.outcome_measurement, "patient_id", patient_ids, outcome_from_row),
            ),
        )
        self.care_documents = _PageCareDocuments(
            connection,
            held(
                patient_ids,
                read.grouped(t.care_document, "patient_id", patient_ids, care_document_from_row),
            ),
        )
        self.appointments = _PageAppointments(
            connection,
            held(
                patient_ids,
                read.grouped(t.appointment, "patient_id", patient_ids, appointment_from_row),
            ),
        )
        self.consents = _PageConsents(
            connection,
            held(series_ids, read.grouped(t.signed_consent, "series_id", series_ids, _consent)),
        )
        self.photos = _PagePhotos(
            connection,
            held(patient_ids, read.photos(patient_ids)),
            held(patient_ids, read.readings(patient_ids)),
        )


ORDERS: dict[str, Callable[[Any], tuple[ColumnElement[Any], ...]]] = {
    "treatment_series": lambda c: (c.created_at.desc(), c.id.desc()),
    "treatment_session": lambda c: (c.number,),
    "consultation": lambda c: (c.consulted_on.desc(), c.created_at.desc(), c.id.desc()),
    "scar_assessment": lambda c: (c.assessed_on, c.created_at, c.id),
    "outcome_measurement": lambda c: (c.measured_on, c.recorded_at, c.id),
    "care_document": lambda c: (c.issued_at.desc(), c.id.desc()),
    "appointment": lambda c: (c.starts_at, c.id),
    "signed_consent": lambda c: (c.signed_at, c.id),
}
"""Each table's order, as its repository's read method orders one patient's (or series') rows."""


class _Reader:
    def __init__(self, connection: ConnectionSource, clinic_id: UUID) -> None:
        self._connection = connection
        self._clinic_id = clinic_id

    def grouped(
        self,
        table: Any,
        key: str,
        keys: Sequence[UUID],
        convert: Callable[[RowMapping], Record],
    ) -> Grouped[Record]:
        """The rows whose ``key`` is one of ``keys``, converted, grouped by it, in order."""
        columns = table.c
        query = select(table, columns[key].label(KEY)).where(
            columns.clinic_id == self._clinic_id, columns[key].in_(keys)
        )
        return self._grouped(query.order_by(*ORDERS[table.name](columns)), keys, convert)

    def patients(self, patient_ids: Sequence[UUID]) -> dict[UUID, PatientRecord]:
        query = select(t.patient).where(
            t.patient.c.clinic_id == self._clinic_id, t.patient.c.id.in_(patient_ids)
        )
        found = self._connection().execute(query).mappings()
        return {row["id"]: patient_from_row(row) for row in found} if patient_ids else {}

    def latest_charts(self, session_ids: Sequence[UUID]) -> dict[UUID, ChartVersion]:
        columns = t.chart_version.c
        newest = (
            select(columns.session_id, func.max(columns.version).label("newest"))
            .where(columns.clinic_id == self._clinic_id, columns.session_id.in_(session_ids))
            .group_by(columns.session_id)
            .subquery()
        )
        query = select(t.chart_version).join(
            newest,
            (newest.c.session_id == columns.session_id) & (newest.c.newest == columns.version),
        )
        if not session_ids:
            return {}
        connection = self._connection()
        found = connection.execute(query.where(columns.clinic_id == self._clinic_id)).mappings()
        return {row["session_id"]: rows.chart_version_from_row(connection, row) for row in found}

    def photos(self, patient_ids: Sequence[UUID]) -> Grouped[ClinicalPhoto]:
        photo = t.clinical_photo.c
        query = (
            select(*_DESCRIBED, photo.patient_id.label(KEY))
            .where(photo.clinic_id == self._clinic_id, photo.patient_id.in_(patient_ids))
            .order_by(photo.taken_on, photo.created_at, photo.id)
        )
        return self._grouped(query, patient_ids, _photo_from_row)

    def readings(self, patient_ids: Sequence[UUID]) -> Grouped[RednessReading]:
        photo, reading = t.clinical_photo.c, t.redness_reading.c
        query = (
            select(
                t.redness_reading,
                photo.session_id,
                photo.taken_on,
                photo.view,
                photo.zone,
                reading.patient_id.label(KEY),
            )
            .join(t.clinical_photo, photo.id == reading.photo_id)
            .where(reading.clinic_id == self._clinic_id, reading.patient_id.in_(patient_ids))
            .order_by(photo.taken_on, reading.recorded_at, reading.id)
        )
        return self._grouped(query, patient_ids, _reading_from_row)

    def _grouped(
        self, query: Select[Any], keys: Sequence[UUID], convert: Callable[[RowMapping], Record]
    ) -> Grouped[Record]:
        grouped: Grouped[Record] = defaultdict(list)
        if not keys:
            return grouped
        for row in self._connection().execute(query).mappings():
            grouped[row[KEY]].append(convert(row))
        return grouped


@dataclass(frozen=True, slots=True)
class _Held(Generic[Found]):
    """What a page read, by key, and which clinic and keys it read it for."""

    clinic_id: UUID
    keys: frozenset[UUID]
    found: Mapping[UUID, Found]

    def holds(self, clinic_id: UUID, key: UUID) -> bool:
        """Whether the page read this key of this clinic (else the database answers)."""
        return clinic_id == self.clinic_id and key in self.keys


def _listed(held: _Held[list[Record]], key: UUID) -> list[Record]:
    return held.found.get(key, [])


class _PagePatients(SqlPatientRepository):
    def __init__(self, connection: ConnectionSource, held: _Held[PatientRecord]) -> None:
        super().__init__(connection)
        self._held = held

    def get(self, clinic_id: UUID, patient_id: UUID) -> PatientRecord | None:
        if self._held.holds(clinic_id, patient_id):
            return self._held.found.get(patient_id)
        return super().get(clinic_id, patient_id)


class _PageSeries(SqlSeriesRepository):
    def __init__(self, connection: ConnectionSource, held: _Held[list[TreatmentSeries]]) -> None:
        super().__init__(connection)
        self._held = held

    def for_patient(
        self, clinic_id: UUID, patient_id: UUID, *, offset: int, limit: int
    ) -> Sequence[TreatmentSeries]:
        if self._held.holds(clinic_id, patient_id):
            return _listed(self._held, patient_id)[offset : offset + limit]
        return super().for_patient(clinic_id, patient_id, offset=offset, limit=limit)


class _PageSessions(SqlSessionRepository):
    def __init__(self, connection: ConnectionSource, held: _Held[list[TreatmentSession]]) -> None:
        super().__init__(connection)
        self._held = held

    def for_series(self, clinic_id: UUID, series_id: UUID) -> Sequence[TreatmentSession]:
        if self._held.holds(clinic_id, series_id):
            return _listed(self._held, series_id)
        return super().for_series(clinic_id, series_id)


class _PageCharts(SqlChartRepository):
    def __init__(self, connection: ConnectionSource, held: _Held[ChartVersion]) -> None:
        super().__init__(connection)
        self._held = held

    def latest(self, clinic_id: UUID, session_id: UUID) -> ChartVersion | None:
        if self._held.holds(clinic_id, session_id):
            return self._held.found.get(session_id)
        return super().latest(clinic_id, session_id)


class _PageConsultations(SqlConsultationRepository):
    def __init__(self, connection: ConnectionSource, held: _Held[list[ConsultationRecord]]) -> None:
        super().__init__(connection)
        self._held = held

    def for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[ConsultationRecord]:
        if self._held.holds(clinic_id, patient_id):
            return _listed(self._held, patient_id)
        return super().for_patient(clinic_id, patient_id)


class _PageAssessments(SqlAssessmentRepository):
    def __init__(
        self, connection: ConnectionSource, held: _Held[list[ScarAssessmentRecord]]
    ) -> None:
        super().__init__(connection)
        self._held = held

    def for_patient(
        self, clinic_id: UUID, patient_id: UUID, *, offset: int, limit: int
    ) -> Sequence[ScarAssessmentRecord]:
        if self._held.holds(clinic_id, patient_id):
            return _listed(self._held, patient_id)[offset : offset + limit]
        return super().for_patient(clinic_id, patient_id, offset=offset, limit=limit)


class _PageOutcomes(SqlOutcomeRepository):
    def __init__(self, connection: ConnectionSource, held: _Held[list[OutcomeMeasurement]]) -> None:
        super().__init__(connection)
        self._held = held

    def for_patient(
        self, clinic_id: UUID, patient_id: UUID, *, offset: int, limit: int
    ) -> Sequence[OutcomeMeasurement]:
        if self._held.holds(clinic_id, patient_id):
            return _listed(self._held, patient_id)[offset : offset + limit]
        return super().for_patient(clinic_id, patient_id, offset=offset, limit=limit)


class _PageCareDocuments(SqlCareDocumentRepository):
    def __init__(self, connection: ConnectionSource, held: _Held[list[CareDocument]]) -> None:
        super().__init__(connection)
        self._held = held

    def for_patient(
        self, clinic_id: UUID, patient_id: UUID, *, offset: int, limit: int
    ) -> Sequence[CareDocument]:
        if self._held.holds(clinic_id, patient_id):
            return _listed(self._held, patient_id)[offset : offset + limit]
        return super().for_patient(clinic_id, patient_id, offset=offset, limit=limit)


class _PageAppointments(SqlAppointmentRepository):
    def __init__(self, connection: ConnectionSource, held: _Held[list[Appointment]]) -> None:
        super().__init__(connection)
        self._held = held

    def for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[Appointment]:
        if self._held.holds(clinic_id, patient_id):
            return _listed(self._held, patient_id)
        return super().for_patient(clinic_id, patient_id)


class _PageConsents(SqlConsentRepository):
    def __init__(self, connection: ConnectionSource, held: _Held[list[SignedConsent]]) -> None:
        super().__init__(connection)
        self._held = held

    def for_series(self, clinic_id: UUID, series_id: UUID) -> Sequence[SignedConsent]:
        if self._held.holds(clinic_id, series_id):
            return _listed(self._held, series_id)
        return super().for_series(clinic_id, series_id)


class _PagePhotos(SqlPhotoRepository):
    def __init__(
        self,
        connection: ConnectionSource,
        photos: _Held[list[ClinicalPhoto]],
        readings: _Held[list[RednessReading]],
    ) -> None:
        super().__init__(connection)
        self._photos, self._readings = photos, readings

    def for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[ClinicalPhoto]:
        if self._photos.holds(clinic_id, patient_id):
            return _listed(self._photos, patient_id)
        return super().for_patient(clinic_id, patient_id)

    def readings_for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[RednessReading]:
        if self._readings.holds(clinic_id, patient_id):
            return _listed(self._readings, patient_id)
        return super().readings_for_patient(clinic_id, patient_id)
