"""Cohort analytics: what happened to a clinic's patients after their series (ADR 0045).

Pure and deterministic. A cohort is the clinic's treated series that match a filter (the
indication, the baseline grade, the Fitzpatrick group, a zone, the device, the depth band, the
interval band, the number of sessions done); the unit counted is the **patient** (a patient's
most recent matching series stands for them).

The outcome of a series on a scar scale is its **improvement**: the baseline score minus the
score at a follow-up, so a positive number is a lower (better) score.

- **Baseline**: the latest score on the scale measured on or before the day of the first
  session.
- **Follow-ups**: 3 months (91 days) and 6 months (182 days) after the last session, each
  ± 30 days; the score measured closest to the target inside the window counts, and only a
  score measured after the last session.
- **Improved by at least one grade**: the Goodman & Baron qualitative grade at the follow-up
  is at least one grade below the baseline grade.

Honesty rules: a cell with fewer than ``MIN_CELL_PATIENTS`` patients is suppressed (its
numbers never leave this module: a ``SuppressedCell`` has none); a cell, or the smaller group
of a comparison, with fewer than ``few_patients`` patients (default 20, an inferred convention
[INF]) is flagged. Estimates are
differences between groups adjusted for the baseline grade and the Fitzpatrick group by
ordinary least squares, with a 95 % confidence interval; they describe associations in this
clinic's records, not effects of the treatment.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Final

from needlepoint.domain.outcomes import OutcomeScale

MIN_CELL_PATIENTS: Final = 5
"""Cells with fewer patients are suppressed: never shown, exported or served."""
FEW_PATIENTS_DEFAULT: Final = 20
"""Estimates from fewer patients are flagged "few patients" (an inferred convention [INF])."""
WINDOW_DAYS: Final = 30
"""Half-width of each follow-up window, in days."""

SCAR_SCALES: Final = (OutcomeScale.GB_QUANTITATIVE, OutcomeScale.GB_QUALITATIVE, OutcomeScale.ECCA)
"""The scales analysed: scar scores, where lower is better."""


class Horizon(StrEnum):
    """A follow-up time after the last session."""

    THREE_MONTHS = "3_months"
    SIX_MONTHS = "6_months"

    @property
    def target_days(self) -> int:
        """Days after the last session the follow-up aims at."""
        return 91 if self is Horizon.THREE_MONTHS else 182

    @property
    def label(self) -> str:
        """The horizon in words."""
        return "3 months" if self is Horizon.THREE_MONTHS else "6 months"


class FitzpatrickGroup(StrEnum):
    """Fitzpatrick skin types grouped as in the pigmentation-risk literature."""

    I_II = "I-II"
    III_IV = "III-IV"
    V_VI = "V-VI"

    @classmethod
    def of(cls, fitzpatrick: int) -> FitzpatrickGroup:
        """The group of a Fitzpatrick skin type (1–6)."""
        if fitzpatrick <= 2:  # noqa: PLR2004 - the types' own numbers
            return cls.I_II
        return cls.III_IV if fitzpatrick <= 4 else cls.V_VI  # noqa: PLR2004


class DepthBand(StrEnum):
    """The deepest planned needle depth of a series, banded."""

    UP_TO_0_5_MM = "up_to_0.5_mm"
    OVER_0_5_TO_1_MM = "0.5_to_1_mm"
    OVER_1_TO_1_5_MM = "1_to_1.5_mm"
    OVER_1_5_MM = "over_1.5_mm"

    @classmethod
    def of(cls, depth_mm: Decimal) -> DepthBand:
        """The band of a depth in millimetres (upper ends inclusive)."""
        if depth_mm <= Decimal("0.5"):
            return cls.UP_TO_0_5_MM
        if depth_mm <= Decimal(1):
            return cls.OVER_0_5_TO_1_MM
        return cls.OVER_1_TO_1_5_MM if depth_mm <= Decimal("1.5") else cls.OVER_1_5_MM


class IntervalBand(StrEnum):
    """The planned interval between sessions, banded."""

    UNDER_4_WEEKS = "under_4_weeks"
    FROM_4_TO_6_WEEKS = "4_to_6_weeks"
    OVER_6_WEEKS = "over_6_weeks"

    @classmethod
    def of(cls, interval_days: int) -> IntervalBand:
        """The band of an interval in days (28 and 42 days fall in 4 to 6 weeks)."""
        if interval_days < 28:  # noqa: PLR2004 - four weeks
            return cls.UNDER_4_WEEKS
        return cls.FROM_4_TO_6_WEEKS if interval_days <= 42 else cls.OVER_6_WEEKS  # noqa: PLR2004


@dataclass(frozen=True, slots=True)
class Score:
    """One scar score of a series."""

    scale: OutcomeScale
    measured_on: date
    value: Decimal


@dataclass(frozen=True, slots=True)
class SeriesFacts:
    """What the analytics know of one treated series (no name, no contact details)."""

    series_id: str
    patient_id: str
    indications: tuple[str, ...]
    fitzpatrick: int
    device: str
    zones: tuple[str, ...]
    max_depth_mm: Decimal
    interval_days: int
    sessions_done: int
    first_session_on: date | None
    last_session_on: date | None
    scores: tuple[Score, ...]


@dataclass(frozen=True, slots=True)
class CohortFilter:
    """Which series form the cohort (None: any), the scale analysed and the reference group."""

    indication: str | None = None
    baseline_grade: int | None = None
    fitzpatrick: FitzpatrickGroup | None = None
    zone: str | None = None
    device: str | None = None
    depth_band: DepthBand | None = None
    interval_band: IntervalBand | None = None
    sessions: int | None = None
    scale: OutcomeScale = OutcomeScale.GB_QUANTITATIVE
    reference_sessions: int = 3


@dataclass(frozen=True, slots=True)
class SeriesOutcome:
    """One patient's series: its baseline and improvement at each horizon on the scale."""

    sessions_done: int
    fitzpatrick_group: FitzpatrickGroup
    baseline: Decimal
    baseline_grade: int | None
    improvement: Mapping[Horizon, float]
    """Baseline minus follow-up, for the horizons with a follow-up score."""
    grade_improved: Mapping[Horizon, bool]
    """Whether the qualitative grade fell by at least one, where both grades are known."""


def baseline_score(facts: SeriesFacts, scale: OutcomeScale) -> Score | None:
    """The latest score on the scale measured on or before the first session's day."""
    if facts.first_session_on is None:
        return None
    before = [
        s for s in facts.scores if s.scale is scale and s.measured_on <= facts.first_session_on
    ]
    return max(before, key=lambda s: s.measured_on, default=None)


def follow_up_score(facts: SeriesFacts, scale: OutcomeScale, horizon: Horizon) -> Score | None:
    """The score closest to the horizon's target, inside its window, after the last session."""
    last = facts.last_session_on
    if last is None:
        return None
    target = last + timedelta(days=horizon.target_days)
    inside = [
        s
        for s in facts.scores
        if s.scale is scale
        and s.measured_on > last
        and abs((s.measured_on - target).days) <= WINDOW_DAYS
    ]
    return min(
        inside, key=lambda s: (abs((s.measured_on - target).days), s.measured_on), default=None
    )


def matches(facts: SeriesFacts, wanted: CohortFilter) -> bool:
    """Whether a series belongs to the cohort (the baseline grade is checked with the outcome)."""
    checks = (
        wanted.indication is None or wanted.indication in facts.indications,
        wanted.fitzpatrick is None or FitzpatrickGroup.of(facts.fitzpatrick) is wanted.fitzpatrick,
        wanted.zone is None or wanted.zone in facts.zones,
        wanted.device is None or wanted.device == facts.device,
        wanted.depth_band is None or DepthBand.of(facts.max_depth_mm) is wanted.depth_band,
        wanted.interval_band is None
        or IntervalBand.of(facts.interval_days) is wanted.interval_band,
        wanted.sessions is None or wanted.sessions == facts.sessions_done,
    )
    return all(checks) and facts.sessions_done > 0


def outcome_of(facts: SeriesFacts, scale: OutcomeScale) -> SeriesOutcome | None:
    """The series' outcome on a scale, or None without a baseline score."""
    baseline = baseline_score(facts, scale)
    if baseline is None:
        return None
    grade = baseline_score(facts, OutcomeScale.GB_QUALITATIVE)
    improvement: dict[Horizon, float] = {}
    improved: dict[Horizon, bool] = {}
    for horizon in Horizon:
        later = follow_up_score(facts, scale, horizon)
        if later is not None:
            improvement[horizon] = float(baseline.value - later.value)
        later_grade = follow_up_score(facts, OutcomeScale.GB_QUALITATIVE, horizon)
        if grade is not None and later_grade is not None:
            improved[horizon] = grade.value - later_grade.value >= 1
    return SeriesOutcome(
        sessions_done=facts.sessions_done,
        fitzpatrick_group=FitzpatrickGroup.of(facts.fitzpatrick),
        baseline=baseline.value,
        baseline_grade=None if grade is None else int(grade.value),
        improvement=improvement,
        grade_improved=improved,
    )


Prepared = tuple[tuple[SeriesFacts, SeriesOutcome | None], ...]
"""Each series with its outcome on one scale (None without a baseline): computed once per
data version and scale, then filtered for each cohort."""


def prepare(facts: Iterable[SeriesFacts], scale: OutcomeScale) -> Prepared:
    """Every series with its outcome on the scale."""
    return tuple((one, outcome_of(one, scale)) for one in facts)


def cohort_outcomes(
    facts: Iterable[SeriesFacts], wanted: CohortFilter, *, prepared: Prepared | None = None
) -> list[SeriesOutcome]:
    """One outcome per patient: their most recent matching series with a baseline."""
    pairs = prepared if prepared is not None else prepare(facts, wanted.scale)
    latest: dict[str, tuple[SeriesFacts, SeriesOutcome | None]] = {}
    for one, outcome in pairs:
        if not matches(one, wanted):
            continue
        kept = latest.get(one.patient_id)
        if kept is None or (one.last_session_on or date.min) > (
            kept[0].last_session_on or date.min
        ):
            latest[one.patient_id] = (one, outcome)
    return [
        outcome
        for _, outcome in latest.values()
        if outcome is not None
        and (wanted.baseline_grade is None or outcome.baseline_grade == wanted.baseline_grade)
    ]


# --- cells and suppression -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CohortCell:
    """One group at one horizon, shown because it holds at least ``MIN_CELL_PATIENTS``."""

    sessions: int
    horizon: Horizon
    patients: int
    mean_improvement: float
    mean_baseline: float
    share_improved_one_grade: float | None
    """Share of the patients with both grades whose grade fell by one or more (None: no grades)."""
    few_patients: bool


@dataclass(frozen=True, slots=True)
class SuppressedCell:
    """A group at a horizon with fewer than ``MIN_CELL_PATIENTS``: it carries no numbers."""

    sessions: int
    horizon: Horizon


Cell = CohortCell | SuppressedCell


@dataclass(frozen=True, slots=True)
class RawCell:
    """A cell before suppression (never leaves the domain unsuppressed)."""

    sessions: int
    horizon: Horizon
    improvements: tuple[float, ...]
    baselines: tuple[float, ...]
    grades_improved: tuple[bool, ...]


def suppress(raw: RawCell, *, few_patients: int = FEW_PATIENTS_DEFAULT) -> Cell:
    """The cell as it may be shown: suppressed under ``MIN_CELL_PATIENTS`` patients."""
    patients = len(raw.improvements)
    if patients < MIN_CELL_PATIENTS:
        return SuppressedCell(raw.sessions, raw.horizon)
    graded = raw.grades_improved
    share = sum(graded) / len(graded) if len(graded) >= MIN_CELL_PATIENTS else None
    return CohortCell(
        sessions=raw.sessions,
        horizon=raw.horizon,
        patients=patients,
        mean_improvement=sum(raw.improvements) / patients,
        mean_baseline=sum(raw.baselines) / patients,
        share_improved_one_grade=share,
        few_patients=patients < few_patients,
    )


def raw_cells(outcomes: Sequence[SeriesOutcome]) -> list[RawCell]:
    """Every (sessions, horizon) group present, sessions ascending."""
    cells: list[RawCell] = []
    for sessions in sorted({o.sessions_done for o in outcomes}):
        for horizon in Horizon:
            group = [
                o for o in outcomes if o.sessions_done == sessions and horizon in o.improvement
            ]
            if not group:
                continue
            cells.append(
                RawCell(
                    sessions=sessions,
                    horizon=horizon,
                    improvements=tuple(o.improvement[horizon] for o in group),
                    baselines=tuple(float(o.baseline) for o in group),
                    grades_improved=tuple(
                        o.grade_improved[horizon] for o in group if horizon in o.grade_improved
                    ),
                )
            )
    return cells


# --- estimates -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Estimate:
    """A group's difference in mean improvement from the reference group, with its 95 % CI."""

    sessions: int
    reference_sessions: int
    horizon: Horizon
    difference: float
    low: float
    high: float
    patients: int
    """Patients in both groups together."""
    adjusted: bool
    """Whether the baseline grade and the Fitzpatrick group were adjusted for."""
    few_patients: bool
    """Whether the smaller of the two groups has fewer patients than the threshold."""


@dataclass(frozen=True, slots=True)
class SuppressedEstimate:
    """A comparison where either group has fewer than ``MIN_CELL_PATIENTS``: no numbers."""

    sessions: int
    reference_sessions: int
    horizon: Horizon


@dataclass(frozen=True, slots=True)
class Observation:
    """One patient in a comparison: the outcome, whether in the compared group, covariates."""

    outcome: float
    in_group: bool
    baseline_grade: int | None = None
    fitzpatrick_group: FitzpatrickGroup | None = None


@dataclass(frozen=True, slots=True)
class Fit:
    """The group coefficient of a least-squares fit and its 95 % interval."""

    difference: float
    low: float
    high: float
    adjusted: bool


def t_quantile_975(degrees_of_freedom: int) -> float:
    """The 97.5th percentile of Student's t (Cornish–Fisher expansion; exact enough for df ≥ 3)."""
    z = 1.959963984540054
    df = max(degrees_of_freedom, 1)
    return (
        z
        + (z**3 + z) / (4 * df)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * df**3)
    )


def _design_row(obs: Observation, levels: Sequence[tuple[str, object]]) -> list[float]:
    row = [1.0, 1.0 if obs.in_group else 0.0]
    for kind, level in levels:
        value = obs.baseline_grade if kind == "grade" else obs.fitzpatrick_group
        row.append(1.0 if value == level else 0.0)
    return row


def _levels(observations: Sequence[Observation]) -> list[tuple[str, object]]:
    """Dummy columns: each level present but the first, of each covariate."""
    grades = sorted({o.baseline_grade for o in observations}, key=lambda g: -1 if g is None else g)
    groups = sorted({o.fitzpatrick_group for o in observations}, key=str)
    return [("grade", g) for g in grades[1:]] + [("fitzpatrick", f) for f in groups[1:]]


def _inverse(matrix: list[list[float]]) -> list[list[float]] | None:
    """The inverse of a symmetric matrix by Gauss–Jordan, or None when it is singular."""
    size = len(matrix)
    work = [row[:] + [1.0 if i == j else 0.0 for j in range(size)] for i, row in enumerate(matrix)]
    for col in range(size):
        pivot = max(range(col, size), key=lambda r: abs(work[r][col]))
        if abs(work[pivot][col]) < 1e-9:  # noqa: PLR2004 - numerical tolerance
            return None
        work[col], work[pivot] = work[pivot], work[col]
        scale = work[col][col]
        work[col] = [v / scale for v in work[col]]
        for r in range(size):
            if r != col and work[r][col] != 0.0:
                factor = work[r][col]
                work[r] = [a - factor * b for a, b in zip(work[r], work[col], strict=True)]
    return [row[size:] for row in work]


@dataclass(slots=True)
class _Pattern:
    """The patients sharing one row of the design: how many, and their outcomes' sums."""

    row: list[float]
    count: int = 0
    total: float = 0.0
    squares: float = 0.0


def _patterns(
    observations: Sequence[Observation], levels: Sequence[tuple[str, object]], shift: float
) -> list[_Pattern]:
    """The observations grouped by design row (a design of indicators has few distinct rows)."""
    found: dict[tuple[bool, int | None, FitzpatrickGroup | None], _Pattern] = {}
    for obs in observations:
        key = (obs.in_group, obs.baseline_grade, obs.fitzpatrick_group)
        pattern = found.get(key)
        if pattern is None:
            pattern = found[key] = _Pattern(_design_row(obs, levels))
        value = obs.outcome - shift
        pattern.count += 1
        pattern.total += value
        pattern.squares += value * value
    return list(found.values())


def least_squares(observations: Sequence[Observation], *, adjust: bool = True) -> Fit | None:
    """Regress the outcome on the group (and the covariates); None when it cannot be fitted.

    The normal equations are summed over the distinct design rows (every column is an
    indicator), so the cost is one pass over the patients whatever their number.
    """
    levels = _levels(observations) if adjust else []
    width = 2 + len(levels)
    if len(observations) <= width:
        return None
    shift = sum(o.outcome for o in observations) / len(observations)
    patterns = _patterns(observations, levels, shift)
    xtx = [[0.0] * width for _ in range(width)]
    xty = [0.0] * width
    yty = 0.0
    for pattern in patterns:
        yty += pattern.squares
        for i, a in enumerate(pattern.row):
            if a == 0.0:
                continue
            xty[i] += a * pattern.total
            for j, b in enumerate(pattern.row):
                xtx[i][j] += a * b * pattern.count
    inverse = _inverse(xtx)
    if inverse is None:
        return least_squares(observations, adjust=False) if adjust else None
    beta = [sum(inverse[i][j] * xty[j] for j in range(width)) for i in range(width)]
    residual = yty - sum(b * v for b, v in zip(beta, xty, strict=True))
    df = len(observations) - width
    spread = math.sqrt(max(residual / df, 0.0) * max(inverse[1][1], 0.0))
    margin = t_quantile_975(df) * spread
    return Fit(beta[1], beta[1] - margin, beta[1] + margin, adjusted=bool(levels))


def estimate(
    outcomes: Sequence[SeriesOutcome],
    groups: tuple[int, int],
    horizon: Horizon,
    *,
    few_patients: int = FEW_PATIENTS_DEFAULT,
) -> Estimate | SuppressedEstimate:
    """The difference in improvement of ``groups[0]`` sessions over ``groups[1]`` at a horizon."""
    sessions, reference = groups
    chosen = [
        o for o in outcomes if o.sessions_done in (sessions, reference) and horizon in o.improvement
    ]
    in_group = sum(1 for o in chosen if o.sessions_done == sessions)
    if min(in_group, len(chosen) - in_group) < MIN_CELL_PATIENTS:
        return SuppressedEstimate(sessions, reference, horizon)
    observations = [
        Observation(
            o.improvement[horizon],
            o.sessions_done == sessions,
            o.baseline_grade,
            o.fitzpatrick_group,
        )
        for o in chosen
    ]
    fit = least_squares(observations)
    if fit is None:
        return SuppressedEstimate(sessions, reference, horizon)
    return Estimate(
        sessions=sessions,
        reference_sessions=reference,
        horizon=horizon,
        difference=fit.difference,
        low=fit.low,
        high=fit.high,
        patients=len(chosen),
        adjusted=fit.adjusted,
        few_patients=min(in_group, len(chosen) - in_group) < few_patients,
    )


def _compared(outcomes: Sequence[SeriesOutcome], horizon: Horizon, reference: int) -> list[int]:
    """The numbers of sessions with a follow-up at the horizon, when the reference has one too.

    A group with no patient at all is not a comparison (like an absent cell); one with 1 to 4
    is a suppressed comparison.
    """
    present = {o.sessions_done for o in outcomes if horizon in o.improvement}
    return sorted(present - {reference}) if reference in present else []


# --- the report ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CohortReport:
    """The cohort's cells and estimates, already suppressed."""

    wanted: CohortFilter
    patients: int
    """Patients in the cohort with a baseline; 0 when under ``MIN_CELL_PATIENTS`` (suppressed)."""
    cells: tuple[Cell, ...]
    estimates: tuple[Estimate | SuppressedEstimate, ...]
    few_patients: int
    series_considered: int = field(default=0)

    @property
    def cohort_suppressed(self) -> bool:
        """Whether the whole cohort is too small to show."""
        return self.patients == 0


def report(
    facts: Sequence[SeriesFacts],
    wanted: CohortFilter,
    *,
    few_patients: int = FEW_PATIENTS_DEFAULT,
    prepared: Prepared | None = None,
) -> CohortReport:
    """The cohort's table and its estimates against the reference number of sessions.

    ``prepared`` (from ``prepare(facts, wanted.scale)``) saves recomputing every outcome.
    """
    outcomes = cohort_outcomes(facts, wanted, prepared=prepared)
    cells = tuple(suppress(raw, few_patients=few_patients) for raw in raw_cells(outcomes))
    estimates = tuple(
        estimate(
            outcomes, (sessions, wanted.reference_sessions), horizon, few_patients=few_patients
        )
        for horizon in Horizon
        for sessions in _compared(outcomes, horizon, wanted.reference_sessions)
    )
    patients = len(outcomes) if len(outcomes) >= MIN_CELL_PATIENTS else 0
    return CohortReport(
        wanted=wanted,
        patients=patients,
        cells=cells,
        estimates=estimates,
        few_patients=few_patients,
        series_considered=len(facts),
    )
