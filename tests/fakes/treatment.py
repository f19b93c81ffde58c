"""Fakes of the treatment area's repositories (``services/treatment/ports.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from uuid import UUID

from fakes.database import FakeDatabase
from needlepoint.domain.recalls import LotUse
from needlepoint.domain.records import AlreadySignedError
from needlepoint.domain.treatment import (
    ChartVersion,
    SeriesExistsError,
    TreatmentSeries,
    TreatmentSession,
    VersionConflictError,
)


class FakeSeries:
    def __init__(self, database: FakeDatabase) -> None:
        self.rows = database.series

    def add(self, series: TreatmentSeries) -> None:
        if any(
            s.consultation_id == series.consultation_id and s.is_active for s in self.rows.values()
        ):
            raise SeriesExistsError(series.consultation_id, None)  # the partial unique index
        self.rows[series.id] = series

    def get(self, clinic_id: UUID, series_id: UUID) -> TreatmentSeries | None:
        found = self.rows.get(series_id)
        return found if found and found.clinic_id == clinic_id else None

    def active_for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[TreatmentSeries]:
        rows = [
            s
            for s in self.rows.values()
            if (s.clinic_id, s.patient_id) == (clinic_id, patient_id) and s.is_active
        ]
        return sorted(rows, key=lambda s: (s.created_at, str(s.id)))

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
    def __init__(self, database: FakeDatabase) -> None:
        self.rows = database.sessions

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

    def __init__(self, database: FakeDatabase) -> None:
        self.rows = database.charts
        self._patients = database.patients
        self._sessions = database.sessions
        self._staff = database.staff

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

    def lot_uses(self, clinic_id: UUID, lot: str) -> Sequence[LotUse]:
        return [
            LotUse(
                patient=self._patients[v.patient_id],
                session_id=v.session_id,
                session_number=self._sessions[v.session_id].number,
                started_at=self._sessions[v.session_id].started_at,
                chart_version=v.version,
                zones=tuple(z.zone for z in v.chart.zones),
                charted_by=v.created_by,
                charted_by_name=self._staff[v.created_by][0].display_name,
            )
            for v in self.rows.values()
            if v.clinic_id == clinic_id and v.chart.cartridge.lot == lot
        ]
