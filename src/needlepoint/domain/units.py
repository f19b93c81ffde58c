"""Value objects that carry their unit in their name: millimetres and days."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

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


@dataclass(frozen=True, slots=True)
class DecimalFormat:
    """How a decimal is written on input: one rule for the API and the web forms.

    Accepted: a number, or plain decimal text (digits, an optional point and decimals; no
    exponent, sign ``+`` or spaces), within ``[low, high]`` (``low`` excluded if so said), with
    at most ``places`` decimal places. Anything else is refused with ``code``.
    """

    low: Decimal
    high: Decimal
    places: int
    code: str
    example: str
    low_excluded: bool = False

    def value_of(self, raw: object) -> Decimal | None:
        """The value, or None when ``raw`` is not written as this format accepts."""
        number = _decimal_of(raw, self.places)
        if number is None or not number.is_finite():
            return None
        above = number > self.low if self.low_excluded else number >= self.low
        exponent = number.normalize().as_tuple().exponent
        places_ok = isinstance(exponent, int) and -exponent <= self.places
        return number if above and number <= self.high and places_ok else None

    def read(self, raw: object, field: str) -> Decimal:
        """The value, or ``InvalidInputError`` naming ``field`` with this format's code."""
        value = self.value_of(raw)
        if value is None:
            raise InvalidInputError.single(field, self.problem, self.fix, self.code)
        return value

    @property
    def problem(self) -> str:
        """What is wrong with a refused value, in words."""
        lowest = f"above {self.low} and up to" if self.low_excluded else f"from {self.low} to"
        return f"is not a number {lowest} {self.high} with at most {self.places} decimal places."

    @property
    def fix(self) -> str:
        """How to write the value."""
        return f"write a number such as {self.example} (digits and a point; no exponent or spaces)."


def _decimal_of(raw: object, places: int) -> Decimal | None:
    if isinstance(raw, str):
        plain = rf"-?(?:0|[1-9][0-9]{{0,8}})(?:\.[0-9]{{1,{places}}})?"
        return Decimal(raw) if re.fullmatch(plain, raw) else None
    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal):
        return None
    return Decimal(str(raw)) if isinstance(raw, float) else Decimal(raw)


DEPTH_MM: Final = DecimalFormat(
    low=Decimal(0),
    high=Decimal("99.99"),
    places=2,
    code="not-a-depth",
    example="1.25",
    low_excluded=True,
)
"""A needle depth in millimetres (device setting) as written: above 0, in hundredths.

The depths a device, a zone or a licence allows are limits (``domain.limits``), not format."""

SCORE: Final = DecimalFormat(
    low=Decimal(-1000), high=Decimal(1000), places=2, code="not-a-score", example="12"
)
"""An outcome score as written; each scale's own range is checked by the scale."""
