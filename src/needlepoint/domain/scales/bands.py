"""Lesion-count bands shared by the count-based scales (GB quantitative, ECCA)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CountBand:
    """A band of lesion counts (both ends inclusive; no maximum for the last band)."""

    min_count: int
    max_count: int | None

    def contains(self, count: int) -> bool:
        """Whether a lesion count falls in this band."""
        return self.min_count <= count and (self.max_count is None or count <= self.max_count)

    @property
    def label(self) -> str:
        """The band as a clinician writes it, e.g. ``11–20`` or ``> 20``."""
        if self.max_count is None:
            return f"> {self.min_count - 1}"
        if self.max_count == self.min_count:
            return str(self.min_count)
        return f"{self.min_count}–{self.max_count}"
