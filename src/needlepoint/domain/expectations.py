"""Expectations: what the evidence says may happen after N sessions, and when.

Nothing here is a promise. Every statement carries its sources; modelled numbers are
flagged as unverified defaults. For acne scars the expected mean reduction of the
quantitative scar score after *n* sessions follows ``E_max · (1 − e^(−k·n))`` with an
interval of ± a spread, shifted down for severe or icepick-dominant scarring.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from needlepoint.domain.evidence import Provenance
from needlepoint.domain.planning import SeverityBand
from needlepoint.domain.vocabulary import Indication


@dataclass(frozen=True, slots=True)
class StudyResult:
    """One study's result used to set expectations."""

    id: str
    indication: Indication
    summary: str
    sessions: int | None
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class ResponseModel:
    """Saturating response model for the mean % reduction of a scar score."""

    e_max: Decimal
    k_per_session: Decimal
    spread_pp: Decimal
    severe_shift_pp: Decimal
    provenance: Provenance

    def mean_reduction_pct(self, sessions: int) -> Decimal:
        """Modelled mean % reduction after a number of sessions."""
        fraction = float(self.e_max) * (1 - math.exp(-float(self.k_per_session) * sessions))
        return Decimal(str(round(fraction * 100, 1)))


@dataclass(frozen=True, slots=True)
class IndicationTiming:
    """When results show and how long remodelling goes on, for one indication."""

    indication: Indication
    results_show: str
    judge_after: str
    remodelling: str
    caveat: str
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class ExpectationTables:
    """Evidence rows, timing rows and the acne-scar response model."""

    studies: tuple[StudyResult, ...]
    timings: Mapping[Indication, IndicationTiming]
    acne_model: ResponseModel
    version: str


@dataclass(frozen=True, slots=True)
class ImprovementRange:
    """A modelled range of % improvement, never a promise."""

    low_pct: Decimal
    mean_pct: Decimal
    high_pct: Decimal
    shifted_down: bool
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class Expectation:
    """What to expect for one indication after the planned number of sessions."""

    indication: Indication
    sessions: int
    improvement: ImprovementRange | None
    timing: IndicationTiming | None
    studies: tuple[StudyResult, ...]


def acne_improvement(model: ResponseModel, sessions: int, *, shift_down: bool) -> ImprovementRange:
    """Modelled improvement range for acne scars after ``sessions`` sessions."""
    mean = model.mean_reduction_pct(sessions)
    if shift_down:
        mean = max(Decimal(0), mean - model.severe_shift_pp)
    return ImprovementRange(
        low_pct=max(Decimal(0), mean - model.spread_pp),
        mean_pct=mean,
        high_pct=min(Decimal(100), mean + model.spread_pp),
        shifted_down=shift_down,
        provenance=model.provenance,
    )


def expect(
    indication: Indication,
    sessions: int,
    tables: ExpectationTables,
    *,
    severity: SeverityBand,
    icepick_dominant: bool,
) -> Expectation:
    """What the evidence says to expect for an indication after the planned sessions."""
    improvement = None
    if indication is Indication.ACNE_SCARS:
        shift = severity is SeverityBand.SEVERE or icepick_dominant
        improvement = acne_improvement(tables.acne_model, sessions, shift_down=shift)
    return Expectation(
        indication=indication,
        sessions=sessions,
        improvement=improvement,
        timing=tables.timings.get(indication),
        studies=tuple(s for s in tables.studies if s.indication is indication),
    )
