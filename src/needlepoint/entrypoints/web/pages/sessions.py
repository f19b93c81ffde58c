"""Treatment sessions: the day-of re-screen that starts one, its chart, amendments and sign-off.

The chart form is prefilled from the newest chart of this session (an amendment), else from
the plan and the depths delivered at the previous session (settings carry forward; both are
shown). A depth past the plan or the clinician's licence is refused by the services until a
reason is given: the form then names the zone and asks for the reason beside its depth.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Any
from uuid import UUID

from starlette.responses import RedirectResponse, Response

from needlepoint.domain.charting import (
    ContraindicatedError,
    ExpiredCartridgeError,
    OverrideRequiredError,
)
from needlepoint.domain.errors import FieldProblem, InvalidInputError
from needlepoint.domain.planning import Endpoint
from needlepoint.domain.treatment import ChartVersion, VersionConflictError
from needlepoint.domain.vocabulary import Device
from needlepoint.entrypoints.web import chart_forms, forms, templates
from needlepoint.entrypoints.web.chart_forms import ZoneRow, zone_field
from needlepoint.entrypoints.web.visits import Visit
from needlepoint.services.clinical_pages import ChartSheet
from needlepoint.services.treatment import SeriesNotFoundError, SessionNotFoundError

CONFLICT_DETAIL = (
    "Someone else changed this chart while you were editing it. Your changes were not saved. "
    "The form now shows the newest version: check it and make your changes again."
)


def start_form(visit: Visit) -> Response:
    """The day-of re-screen checklist that starts the next session of a series."""
    series_id = _id(visit, "series_id", SeriesNotFoundError)
    series = visit.services.get_series(series_id, context=visit.context)
    return _start_page(visit, series, values={}, problems={}, findings=())


def start(visit: Visit) -> Response:
    """Start the next session after the re-screen; an absolute finding shows the findings."""
    series_id = _id(visit, "series_id", SeriesNotFoundError)
    services, context = visit.services, visit.context
    try:
        answers = chart_forms.rescreen_answers(visit.form)
        session = services.start_session(series_id, rescreen_document=answers, context=context)
    except InvalidInputError as error:
        series = services.get_series(series_id, context=context)
        problems = forms.by_field(error.problems)
        return _start_page(visit, series, visit.form, problems, (), status=422)
    except ContraindicatedError as error:
        series = services.get_series(series_id, context=context)
        return _start_page(visit, series, visit.form, {}, error.findings, status=409)
    return RedirectResponse(f"/sessions/{session.id}/chart", status_code=303)


def _start_page(
    visit: Visit,
    series: object,
    values: Mapping[str, str],
    problems: Mapping[str, FieldProblem],
    findings: tuple[object, ...],
    *,
    status: int = 200,
) -> Response:
    page = {
        "series": series,
        "questions": chart_forms.RESCREEN_QUESTIONS,
        "values": values,
        "problems": problems,
        "findings": findings,
        "current": "patients",
    }
    return templates.render(visit, "sessions/start.html", page, status=status)


def chart_form(visit: Visit) -> Response:
    """The chart of a session: a new chart, or the newest version to amend, and its history."""
    session_id = _id(visit, "session_id", SessionNotFoundError)
    sheet = visit.services.session_chart_sheet(session_id, context=visit.context)
    return _chart_page(visit, sheet, _prefill(sheet, visit.time_zone), problems={})


def chart_save(visit: Visit) -> Response:
    """Save the chart as the next version; refusals show the form again, saying why."""
    session_id = _id(visit, "session_id", SessionNotFoundError)
    services, context = visit.services, visit.context
    sheet = services.session_chart_sheet(session_id, context=context)
    rows = _rows(sheet)
    licence = visit.staff.licence_max_depth_mm
    problems: dict[str, FieldProblem] = {}
    try:
        entry = chart_forms.chart_entry(
            visit.form,
            session_id=session_id,
            rows=rows,
            licence_max_depth_mm=licence,
            time_zone=visit.time_zone,
        )
        services.chart_session(entry, context=context)
    except InvalidInputError as error:
        problems = _zone_problems(forms.by_field(error.problems))
    except ExpiredCartridgeError as error:
        problems = {
            "cartridge_expires_on": FieldProblem(
                "cartridge_expires_on",
                f"is past: the cartridge expired on {templates.day(error.expires_on)}.",
                "open a cartridge that is in date, and give its lot and expiry.",
            )
        }
    except OverrideRequiredError as error:
        problems = _override_problems(error)
    except VersionConflictError:
        fresh = services.session_chart_sheet(session_id, context=context)
        values = _prefill(fresh, visit.time_zone)
        return _chart_page(visit, fresh, values, {}, detail=CONFLICT_DETAIL, status=409)
    else:
        return RedirectResponse(f"/sessions/{session_id}/chart?saved=1", status_code=303)
    return _chart_page(visit, sheet, visit.form, problems, status=422)


def sign(visit: Visit) -> Response:
    """Sign the newest version of the chart (409 with a message if it changed meanwhile)."""
    session_id = _id(visit, "session_id", SessionNotFoundError)
    services, context = visit.services, visit.context
    try:
        version = int(visit.form.get("version", ""))
    except ValueError:
        raise InvalidInputError.single(
            "version", "is not a chart version.", "reload the page and sign again."
        ) from None
    try:
        services.sign_chart(session_id, version=version, context=context)
    except VersionConflictError:
        fresh = services.session_chart_sheet(session_id, context=context)
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
    return tuple(
        ZoneRow(planned.zone, planned.depth_max_mm, last.get(planned.zone))
        for planned in sheet.series.plan.zones
        if planned.zone not in excluded
    )


def _prefill(sheet: ChartSheet, time_zone: tzinfo) -> dict[str, str]:
    """The form's starting values: this session's newest chart, else plan and last session.

    Times are given as wall times in the clinic's ``time_zone``, as the form takes them back.
    """
    latest = sheet.history[-1] if sheet.history else None
    values = {"expected_version": str(latest.version if latest else 0)}
    source: ChartVersion | None = latest or sheet.previous
    for row in _rows(sheet):
        values[zone_field(row.zone, "depth")] = str(row.last_mm or row.planned_mm)
        values[zone_field(row.zone, "passes")] = "2"
    if source is None:
        values["device"] = Device.PEN.value
        return values
    chart = source.chart
    values["device"] = chart.device.value
    values["endpoint_reached"] = chart.endpoint_reached.value if chart.endpoint_reached else ""
    for zone in chart.zones:
        values[zone_field(zone.zone, "passes")] = str(zone.passes)
    if latest is None:
        return values  # a new chart: only the settings carry forward from the last session
    for zone in chart.zones:
        values[zone_field(zone.zone, "depth")] = str(zone.delivered_depth_mm)
    for override in chart.overrides:
        values[zone_field(override.zone, "reason")] = override.reason
    values["cartridge_lot"] = chart.cartridge.lot
    values["cartridge_expires_on"] = chart.cartridge.expires_on.isoformat()
    if chart.numbing is not None:
        values["numbing_product"] = chart.numbing.product
        values["numbing_applied_at"] = _local(chart.numbing.applied_at, time_zone)
        values["numbing_removed_at"] = _local(chart.numbing.removed_at, time_zone)
    values["products_applied"] = "\n".join(chart.products_applied)
    values["adverse_events"] = "\n".join(chart.adverse_events)
    return values


def _local(moment: datetime | None, time_zone: tzinfo) -> str:
    return "" if moment is None else f"{moment.astimezone(time_zone):%Y-%m-%dT%H:%M}"


def _override_problems(error: OverrideRequiredError) -> dict[str, FieldProblem]:
    problems: dict[str, FieldProblem] = {}
    for missing in error.missing:
        name = zone_field(missing.zone, "depth")
        limit = "the plan" if missing.kind == "deeper_than_plan" else "your licence"
        text = (
            f"{_mm(missing.delivered_mm)} mm is deeper than {limit} ({_mm(missing.limit_mm)} mm)."
        )
        if name in problems:
            text = f"{problems[name].problem} {text}"
        problems[name] = FieldProblem(name, text, "give the reason for going deeper below.")
    return problems


def _mm(value: Decimal) -> str:
    """A depth as written on the plan: 1.5, 1.25, 1.0 (no trailing zeros past the first)."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0")
        text += "0" if text.endswith(".") else ""
    return text


def _zone_problems(problems: dict[str, FieldProblem]) -> dict[str, FieldProblem]:
    """The services name a zone ``zones[cheeks]``; the form's field is ``zone-cheeks-depth``."""
    renamed = {}
    for given, problem in problems.items():
        name = given
        if given.startswith("zones[") and given.endswith("]"):
            name = f"zone-{given[6:-1]}-depth"
        renamed[name] = FieldProblem(name, problem.problem, problem.fix)
    return renamed


def _id(visit: Visit, name: str, missing: type[Exception]) -> UUID:
    raw = visit.request.path_params[name]
    try:
        return UUID(raw)
    except ValueError:
        raise missing(f"no record {raw!r}") from None
