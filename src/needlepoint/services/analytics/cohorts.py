"""Use case: the clinic's cohort analytics, with the published band beside each estimate.

One read: the data version (a cheap aggregate), the clinic's series facts when the cache has
none for that version, and one audit event for the aggregate read (no patient named). The
report, its charts and its CSV are computed outside the transaction and kept in a small
per-process cache keyed by the clinic, the data version and the filter (ADR 0045): a new
series, session or outcome changes the version, so nothing stale is ever served.
"""

from __future__ import annotations

import csv
import io
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final
from uuid import UUID

from needlepoint.domain import cohorts
from needlepoint.domain.cohorts import (
    CohortCell,
    CohortFilter,
    CohortReport,
    Estimate,
    SeriesFacts,
)
from needlepoint.domain.expectations import ExpectationTables, acne_improvement
from needlepoint.domain.outcomes import OutcomeScale
from needlepoint.domain.planning import SeverityBand, severity_band_for_grade
from needlepoint.domain.programme import ClinicalKnowledge
from needlepoint.domain.vocabulary import Indication
from needlepoint.services import audit, permissions
from needlepoint.services.analytics.ports import CohortCharts, CohortReading
from needlepoint.services.permissions import Action
from needlepoint.services.ports import Clock

MAX_SERIES: Final = 50_000
"""The most series one report reads (ADR 0034: every query is bounded)."""
CACHED_VIEWS: Final = 64
"""Reports kept per process (least recently used dropped first)."""
SUPPRESSED_NOTE: Final = f"suppressed: fewer than {cohorts.MIN_CELL_PATIENTS} patients"
UNITS: Final = {
    OutcomeScale.GB_QUANTITATIVE: "points on the Goodman & Baron quantitative score",
    OutcomeScale.GB_QUALITATIVE: "grades on the Goodman & Baron qualitative scale",
    OutcomeScale.ECCA: "points on the ECCA score",
}


class Chart(StrEnum):
    """The charts of a cohort."""

    FOREST = "forest"
    CURVES = "curves"


@dataclass(frozen=True, slots=True)
class EvidenceBand:
    """What the published evidence expects after a number of sessions (% score reduction)."""

    sessions: int
    low_pct: float
    mean_pct: float
    high_pct: float
    severity: SeverityBand
    unverified: bool
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CohortView:
    """The report as shown: suppressed cells and estimates, bands, charts and the CSV."""

    report: CohortReport
    unit: str
    bands: dict[int, EvidenceBand]
    csv_text: str
    data_version: str

    @property
    def shown_cells(self) -> tuple[CohortCell, ...]:
        """The cells with numbers."""
        return tuple(c for c in self.report.cells if isinstance(c, CohortCell))

    @property
    def shown_estimates(self) -> tuple[Estimate, ...]:
        """The estimates with numbers."""
        return tuple(e for e in self.report.estimates if isinstance(e, Estimate))


@dataclass
class CohortCache:
    """Per-process: the clinic's series facts, recent views and charts, under the data version."""

    capacity: int = CACHED_VIEWS
    _charts: OrderedDict[tuple[UUID, str, CohortFilter, Chart], str] = field(
        default_factory=OrderedDict
    )
    _facts: dict[UUID, tuple[str, tuple[SeriesFacts, ...]]] = field(default_factory=dict)
    _views: OrderedDict[tuple[UUID, str, CohortFilter], CohortView] = field(
        default_factory=OrderedDict
    )
    _prepared: dict[tuple[UUID, str, OutcomeScale], cohorts.Prepared] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def facts(self, clinic_id: UUID, version: str) -> tuple[SeriesFacts, ...] | None:
        """The facts read at this version, if kept."""
        with self._lock:
            kept = self._facts.get(clinic_id)
        return kept[1] if kept is not None and kept[0] == version else None

    def keep_facts(self, clinic_id: UUID, version: str, facts: tuple[SeriesFacts, ...]) -> None:
        """Keep the facts read at a version (replacing an older version's)."""
        with self._lock:
            self._facts[clinic_id] = (version, facts)

    def prepared(
        self, key: tuple[UUID, str, OutcomeScale], facts: Sequence[SeriesFacts]
    ) -> cohorts.Prepared:
        """The facts read at a version with their outcomes on a scale (computed once)."""
        version, scale = key[1], key[2]
        with self._lock:
            found = self._prepared.get(key)
        if found is not None:
            return found
        made = cohorts.prepare(facts, scale)
        with self._lock:
            self._prepared = {
                k: v for k, v in self._prepared.items() if k[0] != key[0] or k[1] == version
            }
            self._prepared[key] = made
        return made

    def view(self, key: tuple[UUID, str, CohortFilter]) -> CohortView | None:
        """A view computed at this version for this filter, if kept."""
        with self._lock:
            found = self._views.get(key)
            if found is not None:
                self._views.move_to_end(key)
        return found

    def keep_view(self, key: tuple[UUID, str, CohortFilter], view: CohortView) -> None:
        """Keep a view, dropping the least recently used beyond the capacity."""
        with self._lock:
            self._views[key] = view
            while len(self._views) > self.capacity:
                self._views.popitem(last=False)

    def chart(self, key: tuple[UUID, str, CohortFilter, Chart]) -> str | None:
        """A chart drawn at this version for this filter, if kept."""
        with self._lock:
            return self._charts.get(key)

    def keep_chart(self, key: tuple[UUID, str, CohortFilter, Chart], svg: str) -> None:
        """Keep a chart, dropping the oldest beyond the capacity."""
        with self._lock:
            self._charts[key] = svg
            while len(self._charts) > self.capacity:
                self._charts.popitem(last=False)


@dataclass(frozen=True, slots=True)
class Presentation:
    """What a view is drawn with: the knowledge tables, the charts, the few-patients threshold."""

    knowledge: ClinicalKnowledge
    charts: CohortCharts
    few_patients: int = cohorts.FEW_PATIENTS_DEFAULT


def cohort_view(
    *,
    wanted: CohortFilter,
    context: audit.RequestContext,
    uow: CohortReading,
    clock: Clock,
    cache: CohortCache,
    presentation: Presentation,
) -> CohortView:
    """The clinic's cohort analytics for a filter; the aggregate read is audited."""
    permissions.require(context, Action.ANALYTICS_READ)
    clinic_id = context.actor.clinic_id
    with uow:
        version = uow.cohorts.data_version(clinic_id)
        kept = cache.view((clinic_id, version, wanted))
        facts = None if kept is not None else cache.facts(clinic_id, version)
        if kept is None and facts is None:
            facts = tuple(uow.cohorts.series_facts(clinic_id, limit=MAX_SERIES))
            cache.keep_facts(clinic_id, version, facts)
        access = audit.Access("analytics.read", "cohort", "*", None)
        audit.record(uow, context, access, at=clock.now())
        uow.commit()
    if kept is not None:
        return kept
    read = facts or ()
    prepared = cache.prepared((clinic_id, version, wanted.scale), read)
    view = _view((read, prepared), wanted, version, presentation)
    cache.keep_view((clinic_id, version, wanted), view)
    return view


def cohort_chart(
    *,
    wanted: tuple[CohortFilter, Chart],
    context: audit.RequestContext,
    uow: CohortReading,
    clock: Clock,
    cache: CohortCache,
    presentation: Presentation,
) -> str:
    """One chart of the cohort as SVG (drawn once per data version and filter)."""
    permissions.require(context, Action.ANALYTICS_READ)
    cohort, chart = wanted
    view = cohort_view(
        wanted=cohort, context=context, uow=uow, clock=clock, cache=cache, presentation=presentation
    )
    key = (context.actor.clinic_id, view.data_version, cohort, chart)
    kept = cache.chart(key)
    if kept is not None:
        return kept
    charts = presentation.charts
    if chart is Chart.FOREST:
        svg = charts.forest_plot(view.report.estimates, unit=view.unit)
    else:
        svg = charts.outcome_curves(view.report.cells, unit=view.unit)
    cache.keep_chart(key, svg)
    return svg


def _view(
    read: tuple[Sequence[SeriesFacts], cohorts.Prepared],
    wanted: CohortFilter,
    version: str,
    presentation: Presentation,
) -> CohortView:
    facts, prepared = read
    found = cohorts.report(facts, wanted, few_patients=presentation.few_patients, prepared=prepared)
    unit = UNITS.get(wanted.scale, "points")
    return CohortView(
        report=found,
        unit=unit,
        bands=evidence_bands(found, presentation.knowledge),
        csv_text=cohort_csv(found),
        data_version=version,
    )


def evidence_bands(found: CohortReport, knowledge: ClinicalKnowledge) -> dict[int, EvidenceBand]:
    """The published (modelled) band per number of sessions shown, where the tables have one.

    Only acne scars on the quantitative score have a band in ``expectations.yaml``; the
    severity is the baseline grade's when the filter names one.
    """
    wanted = found.wanted
    if wanted.indication != Indication.ACNE_SCARS.value:
        return {}
    if wanted.scale is not OutcomeScale.GB_QUANTITATIVE:
        return {}
    severity = severity_band_for_grade(wanted.baseline_grade, knowledge.planning.grade_bands)
    sessions = {c.sessions for c in found.cells if isinstance(c, CohortCell)}
    return {n: _band(knowledge.expectations, n, severity) for n in sorted(sessions)}


def _band(tables: ExpectationTables, sessions: int, severity: SeverityBand) -> EvidenceBand:
    model = tables.acne_model
    shown = acne_improvement(model, sessions, shift_down=severity is SeverityBand.SEVERE)
    return EvidenceBand(
        sessions=sessions,
        low_pct=float(shown.low_pct),
        mean_pct=float(shown.mean_pct),
        high_pct=float(shown.high_pct),
        severity=severity,
        unverified=shown.provenance.is_unverified,
        sources=shown.provenance.sources,
    )


def cohort_csv(found: CohortReport) -> str:
    """The aggregated table as CSV: a suppressed cell or estimate has blank numbers and a note."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "row",
            "sessions",
            "reference_sessions",
            "horizon",
            "patients",
            "mean_improvement",
            "ci95_low",
            "ci95_high",
            "share_improved_one_grade",
            "few_patients",
            "note",
        ]
    )
    for cell in found.cells:
        if isinstance(cell, CohortCell):
            share = (
                "" if cell.share_improved_one_grade is None else _num(cell.share_improved_one_grade)
            )
            writer.writerow(
                ["cell", cell.sessions, "", cell.horizon.value, cell.patients,
                 _num(cell.mean_improvement), "", "", share, _yes(cell.few_patients), ""]
            )  # fmt: skip
        else:
            writer.writerow(
                ["cell", cell.sessions, "", cell.horizon.value,
                 "", "", "", "", "", "", SUPPRESSED_NOTE]
            )  # fmt: skip
    for shown in found.estimates:
        if isinstance(shown, Estimate):
            note = "adjusted for baseline grade and Fitzpatrick group" if shown.adjusted else ""
            writer.writerow(
                ["difference", shown.sessions, shown.reference_sessions, shown.horizon.value,
                 shown.patients, _num(shown.difference), _num(shown.low), _num(shown.high), "",
                 _yes(shown.few_patients), note]
            )  # fmt: skip
        else:
            writer.writerow(
                ["difference", shown.sessions, shown.reference_sessions, shown.horizon.value,
                 "", "", "", "", "", "", SUPPRESSED_NOTE]
            )  # fmt: skip
    return out.getvalue()


def _num(value: float) -> str:
    return f"{value:.2f}"


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"
