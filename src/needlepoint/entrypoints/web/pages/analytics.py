"""Cohort analytics: what happened to the clinic's patients after their series (ADR 0045).

Clinicians and admins (``analytics.read``); front desk is refused like on other clinical pages.
The filter form, the table (cells under 5 patients suppressed), the published band beside
each number of sessions, and two charts drawn on the server as SVG (``<img>`` from this
origin, each inside a ``<figure>`` whose caption and table say the same in words). The CSV
export holds the aggregated table only.
"""

from __future__ import annotations

from typing import Any, Final

from starlette.responses import Response

from needlepoint.domain.cohorts import MIN_CELL_PATIENTS, CohortFilter, Horizon
from needlepoint.domain.errors import InvalidInputError
from needlepoint.entrypoints import cohort_query
from needlepoint.entrypoints.web import forms, templates
from needlepoint.entrypoints.web.visits import StaffVisit
from needlepoint.services.analytics.facade import Chart

PATH: Final = "/analytics"
CSV_PATH: Final = "/analytics/cohorts.csv"
FOREST_PATH: Final = "/analytics/forest.svg"
CURVES_PATH: Final = "/analytics/curves.svg"
SVG: Final = "image/svg+xml"


def show(visit: StaffVisit) -> Response:
    """The filter form and the cohort's table, estimates, bands and charts."""
    given = {name: visit.query(name) for name in cohort_query.FIELDS}
    try:
        wanted = cohort_query.cohort_filter(given)
    except InvalidInputError as error:
        return _page(visit, given, None, problems=forms.by_field(error.problems), status=422)
    return _page(visit, given, wanted, problems={})


def export(visit: StaffVisit) -> Response:
    """The aggregated table as CSV (suppressed cells blank, with a note)."""
    wanted = _wanted(visit)
    view = visit.services.analytics.cohort_view(wanted, context=visit.context)
    return Response(
        view.csv_text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="cohort-analytics.csv"'},
    )


def forest(visit: StaffVisit) -> Response:
    """The forest plot as SVG."""
    return _chart(visit, Chart.FOREST)


def curves(visit: StaffVisit) -> Response:
    """The outcome-over-time curves as SVG."""
    return _chart(visit, Chart.CURVES)


def _chart(visit: StaffVisit, chart: Chart) -> Response:
    svg = visit.services.analytics.cohort_chart(_wanted(visit), chart, context=visit.context)
    return Response(svg, media_type=SVG, headers={"Cache-Control": "private, no-store"})


def _wanted(visit: StaffVisit) -> CohortFilter:
    return cohort_query.cohort_filter({name: visit.query(name) for name in cohort_query.FIELDS})


def _page(
    visit: StaffVisit,
    given: dict[str, str],
    wanted: CohortFilter | None,
    *,
    problems: dict[str, Any],
    status: int = 200,
) -> Response:
    view = None
    if wanted is not None:
        view = visit.services.analytics.cohort_view(wanted, context=visit.context)
    query = cohort_query.query_of(wanted) if wanted is not None else ""
    page: dict[str, Any] = {
        "view": view,
        "values": given,
        "choices": cohort_query.CHOICES,
        "problems": problems,
        "query": query,
        "horizons": list(Horizon),
        "minimum": MIN_CELL_PATIENTS,
        "paths": {"csv": CSV_PATH, "forest": FOREST_PATH, "curves": CURVES_PATH},
        "current": "analytics",
    }
    return templates.render(visit, "analytics/show.html", page, status=status)
