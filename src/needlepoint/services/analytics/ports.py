"""The analytics area's ports: the clinic's treated series read in bulk, and the charts.

Every read is scoped by clinic. The series facts carry no name or contact detail.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from needlepoint.domain.cohorts import Cell, Estimate, SeriesFacts, SuppressedEstimate
from needlepoint.services.ports import HasAudit, Transaction


class CohortReads(Protocol):
    """The clinic's treated series, and a cheap token that changes whenever they may have."""

    def data_version(self, clinic_id: UUID) -> str:
        """Changes whenever a series, a session or an outcome of the clinic is added or changed."""
        ...

    def series_facts(self, clinic_id: UUID, *, limit: int) -> Sequence[SeriesFacts]:
        """At most ``limit`` of the clinic's series with at least one session done, newest first."""
        ...


class HasCohorts(Protocol):
    """A unit of work holding CohortReads."""

    @property
    def cohorts(self) -> CohortReads:
        """The cohort reads, in this unit of work's transaction."""
        ...


class CohortReading(Transaction, HasCohorts, HasAudit, Protocol):
    """Read the clinic's series in bulk and audit the aggregate read."""


class AnalyticsUnitOfWork(Transaction, HasCohorts, HasAudit, Protocol):
    """Every repository the analytics area uses."""


class CohortCharts(Protocol):
    """Draws the cohort's charts as SVG (an adapter: matplotlib, Agg)."""

    def forest_plot(self, estimates: Sequence[Estimate | SuppressedEstimate], *, unit: str) -> str:
        """The estimates and their 95 % intervals, one row each (suppressed ones left out)."""
        ...

    def outcome_curves(self, cells: Sequence[Cell], *, unit: str) -> str:
        """Mean improvement at each follow-up, one line per number of sessions."""
        ...
