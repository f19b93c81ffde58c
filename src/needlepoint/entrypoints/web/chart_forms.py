"""Reading the session chart, day-of re-screen and outcome forms into the services' inputs.

Every problem names its field (``zone-<zone>-depth``, ``cartridge_expires_on``…) so the page
shows it beside its input; all problems of a form are raised at once as ``InvalidInputError``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Final, TypeVar
from uuid import UUID

from needlepoint.domain import charting
from needlepoint.domain.charting import Override, SessionChart, ZoneTreatment
from needlepoint.domain.errors import FieldProblem, InvalidInputError
from needlepoint.domain.outcomes import OutcomeScale
from needlepoint.domain.planning import Endpoint
from needlepoint.domain.vocabulary import Device, Zone
from needlepoint.services.charts import ChartEntry
from needlepoint.services.outcomes import NewOutcome

MAX_TEXT: Final = 500
MAX_LINES: Final = 20
MAX_PASSES: Final = 50
MAX_DEPTH: Final = Decimal("3.0")
MAX_LOT: Final = 100
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
E = TypeVar("E", Device, OutcomeScale)

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


def zone_field(zone: Zone, part: str) -> str:
    """The form field of one planned zone: ``zone-cheeks-depth``, ``zone-cheeks-reason``."""
    return f"zone-{zone.value}-{part}"


@dataclass(frozen=True, slots=True)
class ZoneRow:
    """One planned zone as the chart form shows it."""

    zone: Zone
    planned_mm: Decimal
    last_mm: Decimal | None
    """The depth delivered in this zone at the previous session, if any."""


def rescreen_answers(form: Mapping[str, str]) -> dict[str, object]:
    """The day-of re-screen document: only the answers the clinician changed today."""
    history: dict[str, bool] = {}
    problems = []
    for name, _label in RESCREEN_QUESTIONS:
        raw = form.get(name, UNCHANGED)
        if raw == UNCHANGED:
            continue
        if raw not in ANSWERS:
            problems.append(FieldProblem(name, "is not an answer.", "choose unchanged, yes or no."))
            continue
        history[name] = ANSWERS[raw]
    if problems:
        raise InvalidInputError(problems)
    return {"history": history} if history else {}


def chart_entry(
    form: Mapping[str, str],
    *,
    session_id: UUID,
    rows: Iterable[ZoneRow],
    licence_max_depth_mm: Decimal | None,
    time_zone: tzinfo,
) -> ChartEntry:
    """The chart (or amendment) from the chart form, with an override for each reason given.

    The form's times are wall times in the clinic's ``time_zone``.
    """
    problems: list[FieldProblem] = []
    zones = tuple(_zone(form, row, problems) for row in rows)
    treated = tuple(z for z in zones if z is not None)
    device = _choice(form, "device", Device, problems, "choose the device used.")
    endpoint = _optional_choice(form, "endpoint_reached", Endpoint, problems)
    cartridge = _cartridge(form, problems)
    numbing = _numbing(form, problems, time_zone)
    products = _lines(form, "products_applied", problems)
    events = _lines(form, "adverse_events", problems)
    notes = _text(form, "notes", problems)
    expected = _whole(form, "expected_version", 0, 1_000_000, problems)
    if problems or device is None or cartridge is None or expected is None:
        raise InvalidInputError(problems)
    chart = SessionChart(
        device=device,
        cartridge=cartridge,
        numbing=numbing,
        zones=treated,
        endpoint_reached=endpoint,
        products_applied=products,
        adverse_events=events,
        overrides=_overrides(form, treated, licence_max_depth_mm),
    )
    return ChartEntry(session_id, chart, expected, notes)


def new_outcome(form: Mapping[str, str], patient_id: UUID) -> NewOutcome:
    """The outcome measurement to record, from the outcome form."""
    problems: list[FieldProblem] = []
    scale = _choice(form, "scale", OutcomeScale, problems, "choose the scale measured on.")
    value = _decimal(form, "value", problems, "give the score as a number, e.g. 12.")
    measured_on = _date(form, "measured_on", problems)
    note = _text(form, "note", problems) or None
    if problems or scale is None or value is None or measured_on is None:
        raise InvalidInputError(problems)
    return NewOutcome(patient_id, scale, value, measured_on, note=note)


def _zone(form: Mapping[str, str], row: ZoneRow, problems: list[FieldProblem]) -> ZoneTreatment:
    depth_field = zone_field(row.zone, "depth")
    depth = _decimal(form, depth_field, problems, "give the depth in mm, e.g. 1.25.")
    if depth is not None and not Decimal(0) < depth <= MAX_DEPTH:
        problems.append(
            FieldProblem(depth_field, "is not a needle depth.", f"give 0.1 to {MAX_DEPTH} mm.")
        )
    passes = _whole(form, zone_field(row.zone, "passes"), 0, MAX_PASSES, problems)
    return ZoneTreatment(row.zone, row.planned_mm, depth or row.planned_mm, passes or 0)


def _overrides(
    form: Mapping[str, str], zones: tuple[ZoneTreatment, ...], licence: Decimal | None
) -> tuple[Override, ...]:
    needed = charting.missing_overrides(zones, (), licence_max_depth_mm=licence)
    overrides = []
    for missing in needed:
        reason = form.get(zone_field(missing.zone, "reason"), "").strip()
        if reason and not _CONTROL.search(reason):
            overrides.append(Override(missing.zone, missing.kind, reason[:MAX_TEXT]))
    return tuple(overrides)


def _cartridge(form: Mapping[str, str], problems: list[FieldProblem]) -> charting.Cartridge | None:
    lot = form.get("cartridge_lot", "").strip()
    if not lot or len(lot) > MAX_LOT or _CONTROL.search(lot):
        problems.append(
            FieldProblem("cartridge_lot", "is missing.", "type the lot number on the packet.")
        )
    expires_on = _date(form, "cartridge_expires_on", problems)
    if not lot or expires_on is None:
        return None
    return charting.Cartridge(lot, expires_on)


def _numbing(
    form: Mapping[str, str], problems: list[FieldProblem], zone: tzinfo
) -> charting.Numbing | None:
    product = form.get("numbing_product", "").strip()
    applied = clinic_moment(form, "numbing_applied_at", problems, zone)
    removed = clinic_moment(form, "numbing_removed_at", problems, zone)
    if not product:
        if applied or removed:
            problems.append(
                FieldProblem("numbing_product", "is missing.", "name the numbing cream used.")
            )
        return None
    if applied is None:
        if not form.get("numbing_applied_at", "").strip():  # else its problem is said already
            problems.append(
                FieldProblem("numbing_applied_at", "is missing.", "give when it was applied.")
            )
        return None
    if removed is not None and removed < applied:
        problems.append(
            FieldProblem("numbing_removed_at", "is before it was applied.", "check the times.")
        )
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
        problems.append(FieldProblem(field, "is not a time.", "give it as YYYY-MM-DDTHH:MM."))
        return None
    if moment.tzinfo is not None:
        return moment.astimezone(UTC)
    instant = moment.replace(tzinfo=zone).astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != moment:
        problems.append(
            FieldProblem(field, "is a time the clocks skipped.", "give the time the clock showed.")
        )
        return None
    return instant


def _date(form: Mapping[str, str], field: str, problems: list[FieldProblem]) -> date | None:
    try:
        return date.fromisoformat(form.get(field, "").strip())
    except ValueError:
        problems.append(FieldProblem(field, "is not a date.", "give it as YYYY-MM-DD."))
        return None


def _decimal(
    form: Mapping[str, str], field: str, problems: list[FieldProblem], fix: str
) -> Decimal | None:
    raw = form.get(field, "").strip()
    try:
        value = Decimal(raw)
    except InvalidOperation:
        problems.append(FieldProblem(field, "is not a number.", fix))
        return None
    if not value.is_finite():
        problems.append(FieldProblem(field, "is not a number.", fix))
        return None
    return value


def _whole(
    form: Mapping[str, str], field: str, lowest: int, highest: int, problems: list[FieldProblem]
) -> int | None:
    raw = form.get(field, "").strip()
    if not raw.isdigit() or not lowest <= int(raw) <= highest:
        problems.append(
            FieldProblem(field, "is not a whole number.", f"give {lowest} to {highest}.")
        )
        return None
    return int(raw)


def _choice(
    form: Mapping[str, str], field: str, kind: type[E], problems: list[FieldProblem], fix: str
) -> E | None:
    try:
        return kind(form.get(field, ""))
    except ValueError:
        problems.append(FieldProblem(field, "is not chosen.", fix))
        return None


def _optional_choice(
    form: Mapping[str, str], field: str, kind: type[Endpoint], problems: list[FieldProblem]
) -> Endpoint | None:
    raw = form.get(field, "")
    if not raw:
        return None
    try:
        return kind(raw)
    except ValueError:
        problems.append(FieldProblem(field, "is not an endpoint.", "choose one from the list."))
        return None


def _lines(form: Mapping[str, str], field: str, problems: list[FieldProblem]) -> tuple[str, ...]:
    lines = tuple(line.strip() for line in form.get(field, "").splitlines() if line.strip())
    if len(lines) > MAX_LINES or any(len(x) > MAX_TEXT or _CONTROL.search(x) for x in lines):
        problems.append(FieldProblem(field, "is too long.", f"give up to {MAX_LINES} short lines."))
    return lines


def _text(form: Mapping[str, str], field: str, problems: list[FieldProblem]) -> str:
    text = form.get(field, "").strip()
    if len(text) > MAX_TEXT * 4 or _CONTROL.search(text):
        problems.append(FieldProblem(field, "is too long.", f"keep it under {MAX_TEXT * 4}."))
    return text
