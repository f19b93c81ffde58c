"""The redness chart: an inline SVG drawn by the server, as the outcome chart is (no script).

One point per redness reading, in the order the photos were taken, joined by a line; the
axis is CIELAB a* (more positive: redder). The page shows the same numbers in a table, with
each reading's change from the first of its view: the index compares photos of one patient
under the clinic's standard lighting, and says nothing on its own (ADR 0028).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from needlepoint.domain.outcome_plot import BOTTOM, HEIGHT, LEFT, RIGHT, TOP, WIDTH
from needlepoint.domain.photos import RednessReading
from needlepoint.entrypoints.web import templates

TICKS: Final = 4
MIN_SPAN: Final = 4.0
"""The a* axis spans at least this much, so that small differences are not blown up."""


@dataclass(frozen=True, slots=True)
class RednessPlot:
    """The SVG geometry of the redness chart, in user units (the outcome chart's frame)."""

    points: tuple[tuple[float, float, str, str], ...]
    """x, y, label (day and view), value."""
    line: str
    y_ticks: tuple[tuple[float, str], ...]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom_y: int = HEIGHT - BOTTOM
    right_x: int = WIDTH - RIGHT
    top: int = TOP


def redness_plot(readings: Sequence[RednessReading]) -> RednessPlot:
    """Where each reading and the axis ticks go."""
    values = [float(r.a_star) for r in readings]
    low, high = min(values), max(values)
    middle, half = (low + high) / 2, max(high - low, MIN_SPAN) * 0.6
    bottom, top = middle - half, middle + half
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = len(readings)

    def x(index: int) -> float:
        return round(LEFT + (inner_w / 2 if count == 1 else inner_w * index / (count - 1)), 1)

    def y(value: float) -> float:
        return round(TOP + inner_h * (top - value) / (top - bottom), 1)

    points = tuple(
        (
            x(i),
            y(float(r.a_star)),
            f"{templates.day(r.taken_on)}, {templates.words(r.view)}",
            _shown(r.a_star),
        )
        for i, r in enumerate(readings)
    )
    line = " ".join(f"{px},{py}" for px, py, *_ in points)
    ticks = tuple(
        (y(bottom + (top - bottom) * k / TICKS), f"{bottom + (top - bottom) * k / TICKS:.1f}")
        for k in range(TICKS + 1)
    )
    return RednessPlot(points, line, ticks)


def _shown(value: Decimal) -> str:
    return f"{value:.2f}"
