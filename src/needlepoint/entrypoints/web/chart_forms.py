"""Reading the session chart and day-of re-screen forms as the API's request bodies.

The chart form's fields are named as the API names them (``chart.zones[cheeks].passes``,
``chart.cartridge.expires_on``): the form is laid out as the body of ``ChartIn`` and read by
that model (``forms.parsed``), so the web and the API refuse the same input with the same field
and the same stable code. Only what a form cannot say as the API says it is turned first: the
clinic's wall times become instants (``web.wall_times``: a time the clocks skipped is refused),
the lines of a textarea become a list, and a reason typed beside a zone or a product becomes an
override. A problem with a list item or an override is named by the input it came from; only
the words are the web's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import tzinfo
from decimal import Decimal
from typing import Any, Final
from uuid import UUID

from needlepoint.domain.charting import OverrideKind
from needlepoint.domain.errors import FieldProblem, InputCode, InvalidInputError
from needlepoint.domain.vocabulary import Zone
from needlepoint.entrypoints.api.schemas.common import MAX_LIST
from needlepoint.entrypoints.api.schemas.treatment import ChartIn, SessionStartIn
from needlepoint.entrypoints.web import forms, wall_times
from needlepoint.services.treatment.charts import ChartEntry

RESCREEN_QUESTIONS: Final = (
    ("pregnant", "Pregnant, or could be pregnant"),
    ("breastfeeding", "Breastfeeding"),
    ("unwell_or_feverish", "Unwell or feverish today"),
    ("cold_sores", "Cold sore now or recently"),
    ("anticoagulant", "Taking an anticoagulant"),
    ("antiplatelet", "Taking an antiplatelet medicine"),
    ("immunosuppressed", "Immunosuppressed"),
)
"""The day-of re-screen checklist: history answers that may have changed since consultation."""

UNCHANGED: Final = "unchanged"
ANSWERS: Final = {"yes": True, "no": False}
HISTORY: Final = "rescreen.history."

CHART: Final = "chart"
PRODUCTS: Final = f"{CHART}.products_applied"
EVENTS: Final = f"{CHART}.adverse_events"
NUMBING: Final = f"{CHART}.numbing"
MAX_PASSES: Final = 50
MAX_LINE: Final = 500
_LINE_BREAK: Final = re.compile(r"\r\n|\r|\n")

DEEPER: Final = OverrideKind.DEEPER_THAN_PLAN.value
UNSAFE: Final = OverrideKind.UNSAFE_TOPICAL.value

WORDS: Final = {
    InputCode.NOT_A_WHOLE_NUMBER: ("is not a whole number.", f"give 0 to {MAX_PASSES}."),
    InputCode.OUT_OF_RANGE: ("is out of range.", f"give 0 to {MAX_PASSES}."),
}
"""The chart form's words for the codes whose Pydantic message is written for programmers
(``forms.WORDS`` has the rest); only the passes are whole numbers a person types."""
LINES_FIX: Final = f"give up to {MAX_LIST} lines of up to {MAX_LINE} characters."
VERSION_WORDS: Final = ("is not a chart version.", "reload the page and save again.")
NOT_AN_ANSWER: Final = ("is not an answer.", "choose unchanged, yes or no.")


def zone_field(zone: Zone, part: str) -> str:
    """The form field of one planned zone, named as the API names it.

    ``part`` is ``delivered_depth_mm``, ``passes`` or ``reason`` (the reason for going deeper
    than the plan, which the API takes as an override).
    """
    return f"{CHART}.zones[{zone.value}].{part}"


def product_reason_field(index: int) -> str:
    """The form field for the reason an unsafe product (line ``index``) was used."""
    return f"{PRODUCTS}[{index}].reason"


@dataclass(frozen=True, slots=True)
class ZoneRow:
    """One planned zone as the chart form shows it."""

    zone: Zone
    planned_mm: Decimal
    last_mm: Decimal | None
    """The depth delivered in this zone at the previous session, if any."""
    start_mm: Decimal | None = None
    """The depth the plan starts at (session 1 starts here when nothing was delivered yet)."""


def rescreen_answers(form: Mapping[str, str]) -> dict[str, Any]:
    """The day-of re-screen as ``SessionStartIn`` reads it: only the answers changed today.

    Yes and no are the API's true and false; any other answer is sent as given, so the
    services refuse it as they refuse it from the API (``rescreen.history.<name>``,
    ``not-yes-or-no``).
    """
    history = {
        name: ANSWERS.get(raw, raw)
        for name, _label in RESCREEN_QUESTIONS
        if (raw := form.get(name, UNCHANGED)) != UNCHANGED
    }
    given = {"rescreen": {"history": history}} if history else {}
    return forms.parsed(SessionStartIn, given).rescreen


def rescreen_problem(problem: FieldProblem) -> FieldProblem:
    """A re-screen problem in the web's words (the services word answers for JSON clients)."""
    if problem.field.startswith(HISTORY) and problem.code == InputCode.NOT_YES_OR_NO:
        return replace(problem, problem=NOT_AN_ANSWER[0], fix=NOT_AN_ANSWER[1])
    return problem


def chart_entry(
    form: Mapping[str, str], *, session_id: UUID, rows: Iterable[ZoneRow], time_zone: tzinfo
) -> ChartEntry:
    """The chart (or amendment) from the chart form, with an override for each reason given.

    The form's times are wall times in the clinic's ``time_zone``; every problem of the form
    is raised at once as ``InvalidInputError``.
    """
    rows = tuple(rows)
    numbing, refused_times = _numbing(form, time_zone)
    products = _lines(form.get(PRODUCTS, ""))
    overrides, sources = _overrides(form, rows, products)
    chart = {
        **_part(form, CHART, ("device", "endpoint_reached")),
        "cartridge": _part(form, f"{CHART}.cartridge", ("lot", "expires_on")),
        **({"numbing": numbing} if numbing else {}),
        "zones": [_zone(form, row) for row in rows],
        "products_applied": products,
        "adverse_events": _lines(form.get(EVENTS, "")),
        "overrides": overrides,
    }
    given: dict[str, Any] = {**forms.body(form, ("expected_version",)), "chart": chart}
    if notes := _one_line(form.get("notes", "")):
        given["notes"] = notes
    try:
        request = wall_times.parsed(ChartIn, given, refused_times)
    except InvalidInputError as error:
        raise InvalidInputError([_on_form(p, sources) for p in error.problems]) from None
    return request.to_domain(session_id)


def _zone(form: Mapping[str, str], row: ZoneRow) -> dict[str, Any]:
    given = _part(form, f"{CHART}.zones[{row.zone.value}]", ("delivered_depth_mm", "passes"))
    return {"zone": row.zone.value, "planned_depth_mm": str(row.planned_mm), **given}


def _numbing(form: Mapping[str, str], zone: tzinfo) -> tuple[dict[str, Any], list[FieldProblem]]:
    """The numbing given, its wall times as instants; a refused time is sent as typed."""
    numbing = _part(form, NUMBING, ("product", "applied_at", "removed_at"))
    times = {name: f"{NUMBING}.{name}" for name in ("applied_at", "removed_at")}
    return numbing, wall_times.read_instants(numbing, times, zone)


def _overrides(
    form: Mapping[str, str], rows: tuple[ZoneRow, ...], products: list[str]
) -> tuple[list[dict[str, str]], dict[str, str]]:
    """An override for each reason typed beside a zone or a product line, and its input.

    The services keep only the overrides a limit needs (a zone deeper than the plan, a flagged
    product). The inputs are keyed as a problem names the override: by its zone, else its
    place in the list.
    """
    typed = [
        (zone_field(row.zone, "reason"), {"kind": DEEPER, "zone": row.zone.value}) for row in rows
    ]
    typed += [
        (product_reason_field(index), {"kind": UNSAFE, "product": product})
        for index, product in enumerate(products)
    ]
    overrides: list[dict[str, str]] = []
    sources: dict[str, str] = {}
    for field, override in typed:
        reason = _one_line(form.get(field, ""))
        if reason:
            sources[override.get("zone", str(len(overrides)))] = field
            overrides.append({**override, "reason": reason})
    return overrides, sources


def _on_form(problem: FieldProblem, sources: Mapping[str, str]) -> FieldProblem:
    """A problem named by the form's input (a textarea for its lines, a reason's own box)."""
    field = problem.field
    for textarea in (PRODUCTS, EVENTS):
        if field.startswith(f"{textarea}["):
            field = textarea
    overrides = f"{CHART}.overrides["
    if field.startswith(overrides) and "]" in field:
        key, rest = field.removeprefix(overrides).split("]", 1)
        field = PRODUCTS if rest == ".product" else sources.get(key, field)
    said, fix = _words(field, problem)
    return replace(problem, field=field, problem=said, fix=fix)


def _words(field: str, problem: FieldProblem) -> tuple[str, str]:
    if field == "expected_version":
        return VERSION_WORDS
    if problem.code == InputCode.TOO_LONG:
        return "is too long.", LINES_FIX if field in (PRODUCTS, EVENTS) else "shorten it."
    return WORDS.get(problem.code, (problem.problem, problem.fix))


def _part(form: Mapping[str, str], prefix: str, names: Iterable[str]) -> dict[str, Any]:
    """The inputs ``<prefix>.<name>`` given, as one object of the body."""
    given = forms.body(form, [f"{prefix}.{name}" for name in names])
    return {name.removeprefix(f"{prefix}."): value for name, value in given.items()}


def _lines(text: str) -> list[str]:
    """A textarea's lines, each trimmed, blank lines left out."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def _one_line(text: str) -> str:
    """A textarea's text as the API's one-line text: its lines joined by a space, trimmed."""
    return " ".join(line.strip() for line in _LINE_BREAK.split(text) if line.strip())
