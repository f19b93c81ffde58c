"""Reading the session chart and day-of re-screen forms into the services' inputs.

Fields are named as the API names them (``chart.zones[cheeks].delivered_depth_mm``,
``chart.cartridge.expires_on``, ``measured_on``), and every problem carries the same stable
code the API would give (``domain.errors.InputCode``, the domain's formats such as
``units.DEPTH_MM``, or a limit id), so both refuse the same input the same way. All problems of
a form are raised at once as ``InvalidInputError``; the page shows each beside its input.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from typing import Final, TypeVar
from uuid import UUID

from needlepoint.domain import charting, units
from needlepoint.domain.charting import Override, OverrideKind, SessionChart, ZoneTreatment
from needlepoint.domain.clinic_time import SkippedWallTimeError, wall_time_to_instant
from needlepoint.domain.errors import FieldProblem, InputCode, InvalidInputError
from needlepoint.domain.outcomes import OutcomeScale
from needlepoint.domain.planning import Endpoint
from needlepoint.domain.vocabulary import Device, Zone
from needlepoint.services.treatment.charts import ChartEntry

MAX_TEXT: Final = 500
MAX_LINES: Final = 20
MAX_PASSES: Final = 50
MAX_LOT: Final = 100
MAX_VERSION: Final = 1_000_000
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
E = TypeVar("E", Device, OutcomeScale, Endpoint)

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

CHART: Final = "chart"
PRODUCTS: Final = f"{CHART}.products_applied"


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


def rescreen_answers(form: Mapping[str, str]) -> dict[str, object]:
    """The day-of re-screen document: only the answers the clinician changed today."""
    history: dict[str, bool] = {}
    problems = []
    for name, _label in RESCREEN_QUESTIONS:
        raw = form.get(name, UNCHANGED)
        if raw == UNCHANGED:
            continue
        if raw not in ANSWERS:
            problems.append(
                FieldProblem(
                    f"rescreen.history.{name}",
                    "is not an answer.",
                    "choose unchanged, yes or no.",
                    InputCode.NOT_YES_OR_NO,
                )
            )
            continue
        history[name] = ANSWERS[raw]
    if problems:
        raise InvalidInputError(problems)
    return {"history": history} if history else {}


def chart_entry(
    form: Mapping[str, str], *, session_id: UUID, rows: Iterable[ZoneRow], time_zone: tzinfo
) -> ChartEntry:
    """The chart (or amendment) from the chart form, with an override for each reason given.

    The form's times are wall times in the clinic's ``time_zone``.
    """
    problems: list[FieldProblem] = []
    zones = tuple(_zone(form, row, problems) for row in rows)
    device = _choice(form, f"{CHART}.device", Device, problems)
    endpoint = _optional_choice(form, f"{CHART}.endpoint_reached", Endpoint, problems)
    cartridge = _cartridge(form, problems)
    numbing = _numbing(form, problems, time_zone)
    products = _lines(form, PRODUCTS, problems)
    events = _lines(form, f"{CHART}.adverse_events", problems)
    notes = _text(form, "notes", problems)
    expected = _whole(form, "expected_version", (0, MAX_VERSION), problems)
    if problems or device is None or cartridge is None or expected is None:
        raise InvalidInputError(problems)
    chart = SessionChart(
        device=device,
        cartridge=cartridge,
        numbing=numbing,
        zones=zones,
        endpoint_reached=endpoint,
        products_applied=products,
        adverse_events=events,
        overrides=(*_zone_overrides(form, zones), *_product_overrides(form, products)),
    )
    return ChartEntry(session_id, chart, expected, notes)


def _zone(form: Mapping[str, str], row: ZoneRow, problems: list[FieldProblem]) -> ZoneTreatment:
    depth_field = zone_field(row.zone, "delivered_depth_mm")
    depth = _read(units.DEPTH_MM, form.get(depth_field, "").strip(), depth_field, problems)
    passes = _whole(form, zone_field(row.zone, "passes"), (0, MAX_PASSES), problems)
    return ZoneTreatment(row.zone, row.planned_mm, depth or row.planned_mm, passes or 0)


def _zone_overrides(
    form: Mapping[str, str], zones: tuple[ZoneTreatment, ...]
) -> tuple[Override, ...]:
    """A reason typed beside a zone deeper than the plan (the API sends it as an override)."""
    overrides = []
    for zone in zones:
        reason = form.get(zone_field(zone.zone, "reason"), "").strip()
        if reason and zone.delivered_depth_mm > zone.planned_depth_mm:
            overrides.append(
                Override(OverrideKind.DEEPER_THAN_PLAN, reason[:MAX_TEXT], zone=zone.zone)
            )
    return tuple(overrides)


def _product_overrides(form: Mapping[str, str], products: tuple[str, ...]) -> tuple[Override, ...]:
    """A reason typed for a product line the topicals table flags."""
    overrides = []
    for index, product in enumerate(products):
        reason = form.get(product_reason_field(index), "").strip()
        if reason:
            overrides.append(
                Override(OverrideKind.UNSAFE_TOPICAL, reason[:MAX_TEXT], product=product)
            )
    return tuple(overrides)


def _cartridge(form: Mapping[str, str], problems: list[FieldProblem]) -> charting.Cartridge | None:
    field = f"{CHART}.cartridge.lot"
    lot = form.get(field, "").strip()
    if not lot:
        problems.append(
            FieldProblem(
                field, "is missing.", "type the lot number on the packet.", InputCode.REQUIRED
            )
        )
    elif len(lot) > MAX_LOT or _CONTROL.search(lot):
        problems.append(
            FieldProblem(
                field,
                "is not a lot number.",
                f"type up to {MAX_LOT} characters.",
                InputCode.NOT_TEXT,
            )
        )
    expires_on = _date(form, f"{CHART}.cartridge.expires_on", problems)
    if not lot or expires_on is None:
        return None
    return charting.Cartridge(lot, expires_on)


def _numbing(
    form: Mapping[str, str], problems: list[FieldProblem], zone: tzinfo
) -> charting.Numbing | None:
    prefix = f"{CHART}.numbing"
    product = form.get(f"{prefix}.product", "").strip()
    applied = clinic_moment(form, f"{prefix}.applied_at", problems, zone)
    removed = clinic_moment(form, f"{prefix}.removed_at", problems, zone)
    if not product:
        if applied or removed:
            problems.append(
                FieldProblem(
                    f"{prefix}.product",
                    "is missing.",
                    "name the numbing cream used.",
                    InputCode.REQUIRED,
                )
            )
        return None
    if applied is None:
        if not form.get(f"{prefix}.applied_at", "").strip():  # else its problem is said already
            problems.append(
                FieldProblem(
                    f"{prefix}.applied_at",
                    "is missing.",
                    "give when it was applied.",
                    InputCode.REQUIRED,
                )
            )
        return None
    return charting.Numbing(product[:MAX_TEXT], applied, removed)


def clinic_moment(
    form: Mapping[str, str], field: str, problems: list[FieldProblem], zone: tzinfo
) -> datetime | None:
    """A clinic wall time (``YYYY-MM-DDTHH:MM``) as a UTC instant; of a repeated hour, the first."""
    raw = form.get(field, "").strip()
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        problems.append(
            FieldProblem(
                field, "is not a time.", "give it as YYYY-MM-DDTHH:MM.", InputCode.NOT_A_TIME
            )
        )
        return None
    if moment.tzinfo is not None:
        return moment.astimezone(UTC)
    try:
        return wall_time_to_instant(moment.date(), moment.time(), zone)
    except SkippedWallTimeError:
        problems.append(
            FieldProblem(
                field,
                "is a time the clocks skipped.",
                "give the time the clock showed.",
                InputCode.NOT_A_TIME,
            )
        )
        return None


def _date(form: Mapping[str, str], field: str, problems: list[FieldProblem]) -> date | None:
    raw = form.get(field, "").strip()
    if not raw:
        problems.append(
            FieldProblem(field, "is missing.", "give it as YYYY-MM-DD.", InputCode.REQUIRED)
        )
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        problems.append(
            FieldProblem(field, "is not a date.", "give it as YYYY-MM-DD.", InputCode.NOT_A_DATE)
        )
        return None


def _read(
    rule: units.DecimalFormat, raw: str, field: str, problems: list[FieldProblem]
) -> Decimal | None:
    if not raw:
        problems.append(FieldProblem(field, "is missing.", rule.fix, InputCode.REQUIRED))
        return None
    value = rule.value_of(raw)
    if value is None:
        problems.append(FieldProblem(field, rule.problem, rule.fix, rule.code))
    return value


def _whole(
    form: Mapping[str, str], field: str, bounds: tuple[int, int], problems: list[FieldProblem]
) -> int | None:
    raw = form.get(field, "").strip()
    lowest, highest = bounds
    if not raw.isdigit() or len(raw) > len(str(highest)) + 1:
        code = InputCode.REQUIRED if not raw else InputCode.NOT_A_WHOLE_NUMBER
        problems.append(
            FieldProblem(field, "is not a whole number.", f"give {lowest} to {highest}.", code)
        )
        return None
    if not lowest <= int(raw) <= highest:
        problems.append(
            FieldProblem(
                field, "is out of range.", f"give {lowest} to {highest}.", InputCode.OUT_OF_RANGE
            )
        )
        return None
    return int(raw)


def _choice(
    form: Mapping[str, str], field: str, kind: type[E], problems: list[FieldProblem]
) -> E | None:
    raw = form.get(field, "")
    try:
        return kind(raw)
    except ValueError:
        code = InputCode.REQUIRED if not raw else InputCode.NOT_A_CHOICE
        problems.append(FieldProblem(field, "is not chosen.", "choose one from the list.", code))
        return None


def _optional_choice(
    form: Mapping[str, str], field: str, kind: type[E], problems: list[FieldProblem]
) -> E | None:
    if not form.get(field, ""):
        return None
    return _choice(form, field, kind, problems)


def _lines(form: Mapping[str, str], field: str, problems: list[FieldProblem]) -> tuple[str, ...]:
    lines = tuple(line.strip() for line in form.get(field, "").splitlines() if line.strip())
    if len(lines) > MAX_LINES or any(len(x) > MAX_TEXT for x in lines):
        problems.append(
            FieldProblem(
                field, "is too long.", f"give up to {MAX_LINES} short lines.", InputCode.TOO_LONG
            )
        )
    elif any(_CONTROL.search(x) for x in lines):
        problems.append(
            FieldProblem(
                field, "has characters that are not text.", "type plain text.", InputCode.NOT_TEXT
            )
        )
    return lines


def _text(form: Mapping[str, str], field: str, problems: list[FieldProblem]) -> str:
    text = form.get(field, "").strip()
    if len(text) > MAX_TEXT * 4:
        problems.append(
            FieldProblem(
                field, "is too long.", f"keep it under {MAX_TEXT * 4}.", InputCode.TOO_LONG
            )
        )
    elif _CONTROL.search(text):
        problems.append(
            FieldProblem(
                field, "has characters that are not text.", "type plain text.", InputCode.NOT_TEXT
            )
        )
    return text
