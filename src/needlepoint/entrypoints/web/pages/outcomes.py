"""Outcomes: the scar-score chart against the range the evidence expects, and a new score.

The chart is an inline SVG drawn by the server (no script): one point per scar score, the
expected range as a band, axis labels, and the same numbers as a table. A patient whose
newest score is worse than the whole expected range is flagged in words and with an icon.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final
from uuid import UUID

from starlette.responses import RedirectResponse, Response

from needlepoint.domain.errors import FieldProblem, InvalidInputError
from needlepoint.domain.outcomes import OutcomeChart, OutcomeScale
from needlepoint.entrypoints.api.schemas.records import OutcomeIn
from needlepoint.entrypoints.web import forms, templates
from needlepoint.entrypoints.web.visits import StaffVisit, Visit
from needlepoint.services.access import PatientNotFoundError

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


def show(visit: StaffVisit) -> Response:
    """A patient's outcome chart, table and the form for a new measurement."""
    return _page(visit, visit.path_id("patient_id", PatientNotFoundError), values={}, problems={})


def record(visit: StaffVisit) -> Response:
    """Record a measurement; on a problem, the page again naming each field."""
    patient_id = visit.path_id("patient_id", PatientNotFoundError)
    try:
        given = forms.body(visit.form, ("scale", "value", "measured_on", "note"))
        new = forms.parsed(OutcomeIn, given).to_domain(patient_id)
        visit.services.records.record_outcome(new, context=visit.context)
    except InvalidInputError as error:
        problems = forms.by_field(error.problems)
        return _page(visit, patient_id, values=visit.form, problems=problems, status=422)
    return RedirectResponse(f"/patients/{patient_id}/outcomes", status_code=303)


def _page(
    visit: Visit,
    patient_id: UUID,
    *,
    values: object,
    problems: dict[str, FieldProblem],
    status: int = 200,
) -> Response:
    chart = visit.services.treatment.outcome_chart(patient_id, context=visit.context)
    page: dict[str, Any] = {
        "chart": chart,
        "patient": chart.patient,
        "plot": plot(chart) if chart.points else None,
        "scales": [s.value for s in OutcomeScale],
        "values": values,
        "problems": problems,
        "today": visit.today().isoformat(),
        "current": "patients",
    }
    return templates.render(visit, "outcomes/show.html", page, status=status)


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
            templates.day(p.measurement.measured_on),
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
