"""Treatment sessions: the day-of re-screen that starts one, its chart, amendments and sign-off.

The chart form is prefilled from the newest chart of this session (an amendment), else from
the depths delivered at the previous session (settings carry forward), else from the depth
the plan starts at (both are shown). Its fields are named as the API names them. A depth past
the device's cap, the zone's maximum or the clinician's licence is refused whatever the reason
(hard); a depth deeper than the plan, or a product unsafe on needled skin, is refused until a
reason is given (soft): the form then asks for the reason beside the depth or the product.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any

from starlette.responses import RedirectResponse, Response

from needlepoint.domain import charting, series_plan
from needlepoint.domain.charting import ContraindicatedError, SessionChart
from needlepoint.domain.clearances import ClearanceRequiredError
from needlepoint.domain.consent import ConsentRequiredError
from needlepoint.domain.errors import FieldProblem, InvalidInputError
from needlepoint.domain.planning import Endpoint
from needlepoint.domain.treatment import ChartVersion, VersionConflictError
from needlepoint.domain.vocabulary import Device
from needlepoint.entrypoints.web import chart_forms, forms, templates
from needlepoint.entrypoints.web.chart_forms import CHART, ZoneRow, zone_field
from needlepoint.entrypoints.web.visits import StaffVisit, Visit
from needlepoint.services.access import SeriesNotFoundError, SessionNotFoundError
from needlepoint.services.treatment.pages import ChartSheet

CONFLICT_DETAIL = (
    "Someone else changed this chart while you were editing it. Your changes were not saved. "
    "The form now shows the newest version: check it and make your changes again."
)


def start_form(visit: StaffVisit) -> Response:
    """The day-of re-screen checklist that starts the next session of a series."""
    series_id = visit.path_id("series_id", SeriesNotFoundError)
    series = visit.services.treatment.get_series(series_id, context=visit.context)
    return _start_page(visit, series, values={}, problems={}, findings=())


def start(visit: StaffVisit) -> Response:
    """Start the next session after the re-screen; an absolute finding shows the findings."""
    series_id = visit.path_id("series_id", SeriesNotFoundError)
    services, context = visit.services, visit.context
    try:
        answers = chart_forms.rescreen_answers(visit.form)
        session = services.treatment.start_session(
            series_id, rescreen_document=answers, context=context
        )
    except InvalidInputError as error:
        series = services.treatment.get_series(series_id, context=context)
        worded = [chart_forms.rescreen_problem(p) for p in error.problems]
        return _start_page(visit, series, visit.form, forms.by_field(worded), (), status=422)
    except ContraindicatedError as error:
        series = services.treatment.get_series(series_id, context=context)
        return _start_page(visit, series, visit.form, {}, error.findings, status=409)
    except ClearanceRequiredError as error:
        series = services.treatment.get_series(series_id, context=context)
        extra = {"uncleared": error.findings, "eligible_on": error.earliest_on}
        return _start_page(visit, series, visit.form, {}, (), status=409, extra=extra)
    except ConsentRequiredError as error:
        series = services.treatment.get_series(series_id, context=context)
        refusal = {"consent_refusal": error}
        return _start_page(visit, series, visit.form, {}, (), status=409, extra=refusal)
    return RedirectResponse(f"/sessions/{session.id}/chart", status_code=303)


def _start_page(
    visit: Visit,
    series: object,
    values: Mapping[str, str],
    problems: Mapping[str, FieldProblem],
    findings: tuple[object, ...],
    *,
    status: int = 200,
    extra: Mapping[str, object] | None = None,
) -> Response:
    page = {
        "series": series,
        "questions": chart_forms.RESCREEN_QUESTIONS,
        "values": values,
        "problems": problems,
        "findings": findings,
        "uncleared": (),
        "eligible_on": None,
        "consent_refusal": None,
        "current": "patients",
        **(extra or {}),
    }
    return templates.render(visit, "sessions/start.html", page, status=status)


def chart_form(visit: StaffVisit) -> Response:
    """The chart of a session: a new chart, or the newest version to amend, and its history."""
    session_id = visit.path_id("session_id", SessionNotFoundError)
    sheet = visit.services.treatment.session_chart_sheet(session_id, context=visit.context)
    return _chart_page(visit, sheet, _prefill(sheet, visit.time_zone), problems={})


def chart_save(visit: StaffVisit) -> Response:
    """Save the chart as the next version; refusals show the form again, saying why."""
    session_id = visit.path_id("session_id", SessionNotFoundError)
    services, context = visit.services, visit.context
    sheet = services.treatment.session_chart_sheet(session_id, context=context)
    problems: dict[str, FieldProblem] = {}
    try:
        entry = chart_forms.chart_entry(
            visit.form, session_id=session_id, rows=_rows(sheet), time_zone=visit.time_zone
        )
        services.treatment.chart_session(entry, context=context)
    except InvalidInputError as error:
        problems = forms.by_field(error.problems)
    except VersionConflictError:
        fresh = services.treatment.session_chart_sheet(session_id, context=context)
        values = _prefill(fresh, visit.time_zone)
        return _chart_page(visit, fresh, values, {}, detail=CONFLICT_DETAIL, status=409)
    else:
        return RedirectResponse(f"/sessions/{session_id}/chart?saved=1", status_code=303)
    return _chart_page(visit, sheet, visit.form, problems, status=422)


def sign(visit: StaffVisit) -> Response:
    """Sign the newest version of the chart (409 with a message if it changed meanwhile)."""
    session_id = visit.path_id("session_id", SessionNotFoundError)
    services, context = visit.services, visit.context
    try:
        version = int(visit.form.get("version", ""))
    except ValueError:
        raise InvalidInputError.single(
            "version", "is not a chart version.", "reload the page and sign again."
        ) from None
    try:
        services.treatment.sign_chart(session_id, version=version, context=context)
    except VersionConflictError:
        fresh = services.treatment.session_chart_sheet(session_id, context=context)
        values = _prefill(fresh, visit.time_zone)
        return _chart_page(visit, fresh, values, {}, detail=CONFLICT_DETAIL, status=409)
    return RedirectResponse(f"/sessions/{session_id}/chart?signed=1", status_code=303)


def _chart_page(
    visit: Visit,
    sheet: ChartSheet,
    values: Mapping[str, str],
    problems: Mapping[str, FieldProblem],
    *,
    detail: str = "",
    status: int = 200,
) -> Response:
    latest = sheet.history[-1] if sheet.history else None
    page: dict[str, Any] = {
        "sheet": sheet,
        "session": sheet.session,
        "series": sheet.series,
        "rows": _rows(sheet),
        "latest": latest,
        "values": values,
        "problems": problems,
        "detail": detail,
        "devices": [d.value for d in Device],
        "endpoints": [e.value for e in Endpoint],
        "licence": visit.staff.licence_max_depth_mm,
        "zone_field": zone_field,
        "product_reason_field": chart_forms.product_reason_field,
        "flagged_products": _flagged(problems, values),
        "rule_of": charting.rule_of,
        "saved": visit.query("saved") == "1",
        "signed": visit.query("signed") == "1",
        "current": "patients",
    }
    return templates.render(visit, "sessions/chart.html", page, status=status)


def _rows(sheet: ChartSheet) -> tuple[ZoneRow, ...]:
    last = {}
    if sheet.previous is not None:
        last = {z.zone: z.delivered_depth_mm for z in sheet.previous.chart.zones}
    excluded = set(sheet.session.excluded_zones)
    starts = series_plan.start_depths_mm(sheet.series.proposal, sheet.series.plan)
    return tuple(
        ZoneRow(planned.zone, planned.depth_max_mm, last.get(planned.zone), starts[planned.zone])
        for planned in sheet.series.plan.zones
        if planned.zone not in excluded
    )


def _flagged(problems: Mapping[str, FieldProblem], values: Mapping[str, str]) -> list[int]:
    """Product lines that need a reason: flagged by the services now, or given one before."""
    prefix = f"{chart_forms.PRODUCTS}["
    lines = {
        name[len(prefix) : name.index("]")]
        for name in (*problems, *values)
        if name.startswith(prefix) and "]" in name
    }
    return sorted(int(line) for line in lines if line.isdigit())


def _prefill(sheet: ChartSheet, time_zone: tzinfo) -> dict[str, str]:
    """The form's starting values: this session's newest chart, else plan and last session.

    Times are given as wall times in the clinic's ``time_zone``, as the form takes them back.
    """
    latest = sheet.history[-1] if sheet.history else None
    values = {"expected_version": str(latest.version if latest else 0)}
    source: ChartVersion | None = latest or sheet.previous
    for row in _rows(sheet):
        depth = row.last_mm or row.start_mm or row.planned_mm
        values[zone_field(row.zone, "delivered_depth_mm")] = str(depth)
        values[zone_field(row.zone, "passes")] = "2"
    if source is None:
        values[f"{CHART}.device"] = (sheet.device or Device.PEN).value
        return values
    chart = source.chart
    values[f"{CHART}.device"] = chart.device.value
    endpoint = chart.endpoint_reached
    values[f"{CHART}.endpoint_reached"] = endpoint.value if endpoint else ""
    for zone in chart.zones:
        values[zone_field(zone.zone, "passes")] = str(zone.passes)
    if latest is None:
        return values  # a new chart: only the settings carry forward from the last session
    return values | _amended(chart, time_zone)


def _amended(chart: SessionChart, time_zone: tzinfo) -> dict[str, str]:
    """The form's values for amending a chart: everything it recorded."""
    values = {
        zone_field(z.zone, "delivered_depth_mm"): str(z.delivered_depth_mm) for z in chart.zones
    }
    for override in chart.overrides:
        if override.zone is not None:
            values[zone_field(override.zone, "reason")] = override.reason
        elif override.product in chart.products_applied:
            index = chart.products_applied.index(override.product)
            values[chart_forms.product_reason_field(index)] = override.reason
    values[f"{CHART}.cartridge.lot"] = chart.cartridge.lot
    values[f"{CHART}.cartridge.expires_on"] = chart.cartridge.expires_on.isoformat()
    if chart.numbing is not None:
        values[f"{CHART}.numbing.product"] = chart.numbing.product
        values[f"{CHART}.numbing.applied_at"] = _local(chart.numbing.applied_at, time_zone)
        values[f"{CHART}.numbing.removed_at"] = _local(chart.numbing.removed_at, time_zone)
    values[chart_forms.PRODUCTS] = "\n".join(chart.products_applied)
    values[f"{CHART}.adverse_events"] = "\n".join(chart.adverse_events)
    return values


def _local(moment: datetime | None, time_zone: tzinfo) -> str:
    return "" if moment is None else f"{moment.astimezone(time_zone):%Y-%m-%dT%H:%M}"
