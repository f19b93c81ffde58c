"""Provenance: which sources back a piece of clinical knowledge, and how strongly.

Evidence levels follow ``shared/reference/clinical.md``: WS (well supported), SS (single
source), PR (practice sources only) and INF (an inferred default to configure, not a fact).
Anything tagged INF is reported as *unverified* wherever it reaches an output.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class EvidenceLevel(StrEnum):
    """How strongly a value is supported."""

    WELL_SUPPORTED = "WS"
    SINGLE_SOURCE = "SS"
    PRACTICE = "PR"
    INFERRED = "INF"


@dataclass(frozen=True, slots=True)
class Provenance:
    """The sources behind a value, its evidence level, and a caveat if any."""

    sources: tuple[str, ...]
    evidence: EvidenceLevel
    note: str = ""
    unverified: bool = False

    @property
    def is_unverified(self) -> bool:
        """True for inferred defaults and for values flagged as awaiting verification."""
        return self.unverified or self.evidence is EvidenceLevel.INFERRED
