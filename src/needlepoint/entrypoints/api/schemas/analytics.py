"""Cohort analytics (ADR 0045): response models. A suppressed cell or estimate has no numbers."""

from __future__ import annotations

from pydantic import BaseModel

from needlepoint.domain.cohorts import Cell, CohortCell, Estimate, SuppressedEstimate
from needlepoint.services.analytics.facade import CohortView


class CohortCellOut(BaseModel):
    """One number of sessions at one follow-up; ``suppressed`` (under 5 patients) has no numbers."""

    sessions: int
    horizon: str
    suppressed: bool
    patients: int | None = None
    mean_improvement: float | None = None
    share_improved_one_grade: float | None = None
    few_patients: bool | None = None

    @classmethod
    def of(cls, cell: Cell) -> CohortCellOut:
        """The cell as served."""
        if not isinstance(cell, CohortCell):
            return cls(sessions=cell.sessions, horizon=cell.horizon.value, suppressed=True)
        return cls(
            sessions=cell.sessions,
            horizon=cell.horizon.value,
            suppressed=False,
            patients=cell.patients,
            mean_improvement=round(cell.mean_improvement, 3),
            share_improved_one_grade=cell.share_improved_one_grade,
            few_patients=cell.few_patients,
        )


class EstimateOut(BaseModel):
    """A difference in mean improvement from the reference group with its 95 % interval."""

    sessions: int
    reference_sessions: int
    horizon: str
    suppressed: bool
    difference: float | None = None
    ci95_low: float | None = None
    ci95_high: float | None = None
    patients: int | None = None
    adjusted_for_baseline_grade_and_fitzpatrick: bool | None = None
    few_patients: bool | None = None

    @classmethod
    def of(cls, shown: Estimate | SuppressedEstimate) -> EstimateOut:
        """The estimate as served."""
        common = {
            "sessions": shown.sessions,
            "reference_sessions": shown.reference_sessions,
            "horizon": shown.horizon.value,
        }
        if not isinstance(shown, Estimate):
            return cls(**common, suppressed=True)
        return cls(
            **common,
            suppressed=False,
            difference=round(shown.difference, 3),
            ci95_low=round(shown.low, 3),
            ci95_high=round(shown.high, 3),
            patients=shown.patients,
            adjusted_for_baseline_grade_and_fitzpatrick=shown.adjusted,
            few_patients=shown.few_patients,
        )


class EvidenceBandOut(BaseModel):
    """The published (modelled) % reduction of the score expected after a number of sessions."""

    sessions: int
    low_pct: float
    mean_pct: float
    high_pct: float
    severity: str
    unverified: bool
    sources: list[str]


class CohortReportOut(BaseModel):
    """The cohort's table and estimates; associations in this clinic's records, not effects."""

    patients: int | None
    """Patients in the cohort; null when fewer than 5 (suppressed)."""
    scale: str
    unit: str
    cells: list[CohortCellOut]
    estimates: list[EstimateOut]
    evidence_bands: list[EvidenceBandOut]
    few_patients_below: int

    @classmethod
    def of(cls, view: CohortView) -> CohortReportOut:
        """The view as served."""
        report = view.report
        return cls(
            patients=None if report.cohort_suppressed else report.patients,
            scale=report.wanted.scale.value,
            unit=view.unit,
            cells=[CohortCellOut.of(c) for c in report.cells],
            estimates=[EstimateOut.of(e) for e in report.estimates],
            evidence_bands=[
                EvidenceBandOut(
                    sessions=b.sessions,
                    low_pct=b.low_pct,
                    mean_pct=b.mean_pct,
                    high_pct=b.high_pct,
                    severity=b.severity.value,
                    unverified=b.unverified,
                    sources=list(b.sources),
                )
                for b in view.bands.values()
            ],
            few_patients_below=report.few_patients,
        )
