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


class SeriesSessions(HasSeries, HasSessions, Protocol):
    """Read a series and its sessions."""


class SeriesReads(Transaction, HasAudit, HasSeries, Protocol):
    """Read one treatment series (audited)."""


class PatientSeriesReads(Transaction, HasAudit, HasPatients, HasSeries, Protocol):
    """List a patient's treatment series (audited)."""


class SessionReads(Transaction, HasAudit, HasSeries, HasSessions, Protocol):
    """List the sessions of a series (audited)."""


class AppointmentWithdrawal(HasAppointments, HasOutbox, Protocol):
    """Cancel a stopped series' future appointments and withdraw their messages."""


class SeriesEnding(HasAudit, HasSeries, AppointmentWithdrawal, Protocol):
    """Stop series and their future appointments, in the caller's transaction (audited)."""


class SeriesCancelling(Transaction, SeriesEnding, Protocol):
    """Cancel a series with its future appointments (audited)."""


class SeriesCreation(
    Transaction,
    HasClinics,
    HasConsultations,
    HasClearances,
    SeriesEnding,
    Protocol,
):
    """Agree a series from a signed consultation: cleared, superseding overlapping ones."""


class SessionStart(
    Transaction,
    HasAudit,
    HasClinics,
    HasConsultations,
    HasClearances,
    HasSeries,
    HasSessions,
    HasAppointments,
    HasOutbox,
    Protocol,
):
    """Start a session: rescreen, check clearances, attend the day's appointment (audited).

    It holds what scheduling's ``attend_session`` takes (``VisitsUnitOfWork``).
    """


class Charting(Transaction, HasAudit, HasClinics, HasSeries, HasSessions, HasCharts, Protocol):
    """Chart a session of a series, dated in the clinic's zone (audited)."""


class ChartSigning(Transaction, HasAudit, HasSeries, HasSessions, HasCharts, Protocol):
    """Sign a session's latest chart version (audited)."""


class ChartHistoryReads(Transaction, HasAudit, HasSessions, HasCharts, Protocol):
    """Read every version of a session's chart (audited)."""


class LotRecall(Transaction, HasAudit, HasCharts, Protocol):
    """Find the patients charted with a cartridge lot (audited)."""


class ChartSheetReads(
    Transaction, HasAudit, HasConsultations, HasSeries, HasSessions, HasCharts, Protocol
):
    """Read a session's chart sheet: its chart, series and planned device (audited)."""


class HandoutReads(
    Transaction,
    HasAudit,
    HasClinics,
    HasPatients,
    HasConsultations,
    HasSeries,
    HasSessions,
    HasAppointments,
    Protocol,
):
    """Read what a session's handout is made from: patient, plan, care and next visit."""


class OutcomeChartReads(
    Transaction, HasAudit, HasPatients, HasSeries, HasSessions, HasOutcomes, Protocol
):
    """Read a patient's outcome chart: measurements beside their series' sessions (audited)."""
