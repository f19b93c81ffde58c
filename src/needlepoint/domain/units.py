"""Value objects that carry their unit in their name: millimetres and days."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from needlepoint.domain.errors import InvalidDepthRangeError, InvalidInputError


@dataclass(frozen=True, slots=True)
class DepthRange:
    """A needle-depth range in millimetres (device setting), both ends inclusive."""

    min_mm: Decimal
    max_mm: Decimal

    def __post_init__(self) -> None:
        if not (Decimal(0) < self.min_mm <= self.max_mm):
            raise InvalidDepthRangeError(self.min_mm, self.max_mm)

    def contains(self, depth_mm: Decimal) -> bool:
        """Whether a depth lies inside this range."""
        return self.min_mm <= depth_mm <= self.max_mm

    def capped_at(self, cap_mm: Decimal) -> DepthRange:
        """This range with no end above ``cap_mm`` (the minimum is pulled down too)."""
        return DepthRange(min_mm=min(self.min_mm, cap_mm), max_mm=min(self.max_mm, cap_mm))

    def __str__(self) -> str:
        if self.min_mm == self.max_mm:
            return f"{self.min_mm} mm"
        return f"{self.min_mm}–{self.max_mm} mm"


@dataclass(frozen=True, slots=True)
class DayRange:
    """A whole-day range (minimum, default, maximum), as for an interval between sessions."""

    min_days: int
    default_days: int
    max_days: int

    def __post_init__(self) -> None:
        if not (0 <= self.min_days <= self.default_days <= self.max_days):
            raise InvalidInputError.single(
                "interval_days",
                f"{self.min_days}/{self.default_days}/{self.max_days} is not ordered.",
                "use minimum ≤ default ≤ maximum, all ≥ 0.",
            )

    def contains(self, days: int) -> bool:
        """Whether a number of days lies inside this range."""
        return self.min_days <= days <= self.max_days


@dataclass(frozen=True, slots=True)
class CountRange:
    """A range of session counts (minimum, default, maximum)."""

    min_count: int
    default_count: int
    max_count: int

    def __post_init__(self) -> None:
        if not (1 <= self.min_count <= self.default_count <= self.max_count):
            raise InvalidInputError.single(
                "sessions",
                f"{self.min_count}/{self.default_count}/{self.max_count} is not ordered.",
                "use 1 ≤ minimum ≤ default ≤ maximum.",
            )
