"""Where the scar-score chart's points, expected band and ticks go, as SVG user units.

One geometry for the outcome chart on the clinician's page and in the outcome report PDF: both
draw it as an inline SVG built on the server (no script, no outside request).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final

from needlepoint.domain.outcomes import OutcomeChart

WIDTH: Final = 640
HEIGHT: Final = 320
LEFT: Final = 56
RIGHT: Final = 16
TOP: Final = 16
BOTTOM: Final = 48


@dataclass(frozen=True, slots=True)
class Plot:
    """The SVG geometry of the scar-score chart, in user units."""

    points: tuple[tuple[float, float, str, str, bool], ...]
    """x, y, date label, score, behind."""
    line: str
    band: str
    y_ticks: tuple[tuple[float, str], ...]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom_y: int = HEIGHT - BOTTOM
    right_x: int = WIDTH - RIGHT
    top: int = TOP


def day_label(day: date) -> str:
    """A date as clinics write it: 7 Dec 2026."""
    return f"{day.day} {day:%b %Y}"


def plot(chart: OutcomeChart) -> Plot:
    """Where each score, the expected band and the axis ticks go in the SVG."""
    values = [p.measurement.value for p in chart.points]
    values += [p.expected_high for p in chart.points if p.expected_high is not None]
    top_value = float(max(values) * Decimal("1.15")) or 1.0
    inner_w = WIDTH - LEFT - RIGHT
    inner_h = HEIGHT - TOP - BOTTOM
    count = len(chart.points)

    def x(index: int) -> float:
        return LEFT + (inner_w / 2 if count == 1 else inner_w * index / (count - 1))

    def y(value: Decimal | float) -> float:
        return round(TOP + inner_h * (1 - float(value) / top_value), 1)

    points = tuple(
        (
            round(x(i), 1),
            y(p.measurement.value),
            day_label(p.measurement.measured_on),
            str(p.measurement.value),
            p.behind,
        )
        for i, p in enumerate(chart.points)
    )
    line = " ".join(f"{px},{py}" for px, py, *_ in points)
    banded = [(i, p) for i, p in enumerate(chart.points) if p.expected_high is not None]
    upper = [f"{round(x(i), 1)},{y(p.expected_low or 0)}" for i, p in banded]
    lower = [f"{round(x(i), 1)},{y(p.expected_high or 0)}" for i, p in reversed(banded)]
    if len(banded) == 1:  # a single point: a short band around it, so it shows
        i, p = banded[0]
        left, right = round(x(i) - 8, 1), round(x(i) + 8, 1)
        high, low = y(p.expected_low or 0), y(p.expected_high or 0)
        upper = [f"{left},{high}", f"{right},{high}"]
        lower = [f"{right},{low}", f"{left},{low}"]
    ticks = tuple((y(top_value * k / 4), f"{top_value * k / 4:.0f}") for k in range(5))
    return Plot(points, line, " ".join(upper + lower), ticks)
