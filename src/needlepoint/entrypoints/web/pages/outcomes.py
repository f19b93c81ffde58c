"""Outcomes: the scar-score chart against the range the evidence expects, and a new score.

The chart is an inline SVG drawn by the server (no script): one point per scar score, the
expected range as a band, axis labels, and the same numbers as a table. A patient whose
newest score is worse than the whole expected range is flagged in words and with an icon.
The geometry is ``domain.outcome_plot``'s, which the outcome report PDF draws too.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from starlette.responses import RedirectResponse, Response

from needlepoint.domain.errors import FieldProblem, InvalidInputError
from needlepoint.domain.outcome_plot import Plot, plot
from needlepoint.domain.outcomes import OutcomeScale
from needlepoint.entrypoints.api.schemas.records import OutcomeIn
from needlepoint.entrypoints.web import forms, templates
from needlepoint.entrypoints.web.visits import StaffVisit, Visit
from needlepoint.services.access import PatientNotFoundError

__all__ = ["Plot", "plot", "record", "show"]


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
