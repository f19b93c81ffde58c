"""Adjunct suggestions: other treatments the evidence pairs with needling, as suggestions only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from needlepoint.domain.consultation import Consultation
from needlepoint.domain.evidence import Provenance
from needlepoint.domain.scales.grading import ScarGrading


@dataclass(frozen=True, slots=True)
class AdjunctContext:
    """What an adjunct trigger may look at."""

    consultation: Consultation
    grading: ScarGrading


AdjunctTrigger = Callable[[AdjunctContext], bool]


@dataclass(frozen=True, slots=True)
class Adjunct:
    """A suggestion, the reason for it, and its sources."""

    id: str
    suggestion: str
    reason: str
    trigger_name: str
    trigger: AdjunctTrigger
    provenance: Provenance


def suggest(adjuncts: tuple[Adjunct, ...], context: AdjunctContext) -> tuple[Adjunct, ...]:
    """The adjuncts whose trigger holds, in table order."""
    return tuple(a for a in adjuncts if a.trigger(context))
