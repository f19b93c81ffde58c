"""The analytics area's facade: the clinic's cohort analytics (ADR 0045).

Entrypoints call the use case here. No other area imports this one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from needlepoint.domain.cohorts import CohortFilter
from needlepoint.services import audit as audit_service
from needlepoint.services.analytics import cohorts
from needlepoint.services.analytics.cohorts import Chart, CohortCache, CohortView, Presentation
from needlepoint.services.analytics.ports import AnalyticsUnitOfWork
from needlepoint.services.ports import Clock

__all__ = ["Analytics", "Chart", "CohortView", "Presentation"]


@dataclass(frozen=True, slots=True)
class Analytics:
    """Cohort analytics over the clinic's treated series."""

    unit_of_work: Callable[[], AnalyticsUnitOfWork]
    clock: Clock
    presentation: Presentation
    cache: CohortCache = field(default_factory=CohortCache)

    def cohort_view(
        self, wanted: CohortFilter, *, context: audit_service.RequestContext
    ) -> CohortView:
        """The cohort's table, estimates, published bands, charts and CSV."""
        return cohorts.cohort_view(
            wanted=wanted,
            context=context,
            uow=self.unit_of_work(),
            clock=self.clock,
            cache=self.cache,
            presentation=self.presentation,
        )

    def cohort_chart(
        self, wanted: CohortFilter, chart: Chart, *, context: audit_service.RequestContext
    ) -> str:
        """One of the cohort's charts as SVG (the forest plot or the outcome curves)."""
        return cohorts.cohort_chart(
            wanted=(wanted, chart),
            context=context,
            uow=self.unit_of_work(),
            clock=self.clock,
            cache=self.cache,
            presentation=self.presentation,
        )
