"""The treatment area's ports: treatment series, sessions and chart versions.

Every repository method is scoped by clinic: a record of another clinic is indistinguishable
from one that does not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from needlepoint.domain.records import (
    PatientRecord,
)
from needlepoint.domain.treatment import ChartVersion, TreatmentSeries, TreatmentSession
from needlepoint.services.ports import (
    HasAppointments,
    HasAudit,
    HasCharts,
    HasClearances,
    HasClinics,
    HasConsultations,
    HasOutbox,
    HasOutcomes,
    HasPatients,
    HasSeries,
    HasSessions,
    Transaction,
)


class SeriesRepository(Protocol):
    """Treatment series of one clinic."""

    def add(self, series: TreatmentSeries) -> None:
        """Store a new series."""
        ...

    def get(self, clinic_id: UUID, series_id: UUID) -> TreatmentSeries | None:
        """A series of this clinic, or None (also for another clinic's)."""
        ...

    def for_patient(
        self, clinic_id: UUID, patient_id: UUID, *, offset: int, limit: int
    ) -> Sequence[TreatmentSeries]:
        """A patient's series, newest first."""
        ...

    def active_for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[TreatmentSeries]:
        """The patient's planned and in-progress series, oldest first."""
        ...

    def save(self, series: TreatmentSeries) -> None:
        """Store a changed series whose ``version`` is one more than the stored one.

        Raises ``VersionConflictError`` if the stored series is not at ``version - 1``.
        """
        ...


class SessionRepository(Protocol):
    """Treatment sessions of one clinic."""

    def add(self, session: TreatmentSession) -> None:
        """Store a new session; ``VersionConflictError`` if its number is already taken."""
        ...

    def get(self, clinic_id: UUID, session_id: UUID) -> TreatmentSession | None:
        """A session of this clinic, or None (also for another clinic's)."""
        ...

    def for_series(self, clinic_id: UUID, series_id: UUID) -> Sequence[TreatmentSession]:
        """The sessions of a series, by number."""
        ...

    def save_status(self, session: TreatmentSession) -> None:
        """Store a session's new status."""
        ...


class ChartRepository(Protocol):
    """Chart versions. A version is only ever added; a signed version never changes."""

    def add(self, version: ChartVersion) -> None:
        """Store a new version; ``VersionConflictError`` if that version number exists."""
        ...

    def latest(self, clinic_id: UUID, session_id: UUID) -> ChartVersion | None:
        """The newest version of a session's chart, or None if it has none."""
        ...

    def history(self, clinic_id: UUID, session_id: UUID) -> Sequence[ChartVersion]:
        """Every version of a session's chart, oldest first."""
        ...

    def save_signature(self, version: ChartVersion) -> None:
        """Record the signature of an unsigned version; ``AlreadySignedError`` if signed."""
        ...

    def patients_with_lot(self, clinic_id: UUID, lot: str) -> Sequence[PatientRecord]:
        """Every patient of this clinic charted with a cartridge lot, in any chart version."""
        ...


class TreatmentUnitOfWork(
    Transaction,
    HasAudit,
    HasClinics,
    HasPatients,
    HasConsultations,
    HasClearances,
    HasSeries,
    HasSessions,
    HasCharts,
    HasOutcomes,
    HasAppointments,
    HasOutbox,
    Protocol,
):
    """One transaction over series, sessions and charts, with what their gates read."""
