"""What the printed documents show: the handout, the session summary and the outcome report.

The use cases that own each document (``treatment.printouts`` for the clinic,
``portal.printouts`` for the patient) read it through the same read model as its page, then
pass the values built here to the ``DocumentRenderer`` with one template of
``adapters/documents``. The values are plain text already worded and dated in the clinic's
time zone: the templates only lay them out, and no internal rule id reaches them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

from needlepoint.domain.care import CareItem, RedFlag
from needlepoint.domain.care_topics import heading
from needlepoint.domain.charting import OverrideKind, SessionChart
from needlepoint.domain.contact import ClinicContact
from needlepoint.domain.outcome_plot import day_label, plot
from needlepoint.domain.outcomes import OutcomeChart, OutcomePoint
from needlepoint.domain.records import PatientRecord

HANDOUT: Final = "handout.html"
SESSION_SUMMARY: Final = "session_summary.html"
OUTCOME_REPORT: Final = "outcome_report.html"

EMERGENCY: Final = "emergency"
"""The red flags' urgency that means "call emergency services now" (``care.yaml``)."""

_OVERRIDE_WORDS: Final = {
    OverrideKind.DEEPER_THAN_PLAN: "deeper than the plan",
    OverrideKind.UNSAFE_TOPICAL: "a product not advised on needled skin",
    OverrideKind.BEYOND_LICENCE: "beyond the licence (recorded before it became a hard limit)",
}


@dataclass(frozen=True, slots=True)
class ClinicHeader:
    """The clinic as a document names it: its name, and its address and phone when set."""

    name: str
    contact: ClinicContact | None


@dataclass(frozen=True, slots=True)
class HandoutFacts:
    """One handout: for whom, for which treatment and when, and the care around it."""

    clinic: ClinicHeader
    patient_name: str
    treatment: str
    """Which treatment, in words (``treatment 2 of 3``)."""
    at: datetime
    """When the treatment takes place, in the clinic's time zone."""
    dated_line: str
    """What the date rests on, in words (an appointment, a start, a provisional date)."""
    provisional: bool
    pre: tuple[CareItem, ...]
    post: tuple[CareItem, ...]
    red_flags: tuple[RedFlag, ...]


def words(code: str) -> str:
    """A code as words: ``pinpoint_bleeding`` → ``pinpoint bleeding``."""
    return code.replace("_", " ")


def when(at: datetime) -> str:
    """A day as a handout writes it: Tue 8 Dec 2026."""
    return f"{at:%a} {day_label(at.date())}"


def handout_values(facts: HandoutFacts) -> dict[str, Any]:
    """The values of ``handout.html``."""
    return {
        "title": f"Your skin treatment on {when(facts.at)}",
        **_clinic(facts.clinic),
        "patient_name": facts.patient_name,
        "treatment": facts.treatment,
        "dated_line": facts.dated_line,
        "provisional": facts.provisional,
        "pre": _care(facts.pre),
        "post": _care(facts.post),
        "call_flags": [
            {"sign": f.sign, "window": f.window} for f in facts.red_flags if f.urgency != EMERGENCY
        ],
        "emergency_flags": [f.sign for f in facts.red_flags if f.urgency == EMERGENCY],
    }


def _care(items: Iterable[CareItem]) -> list[dict[str, str]]:
    lines = []
    for item in items:
        starts, ends = day_label(item.starts_at.date()), day_label(item.ends_at.date())
        dates = starts if ends == starts else f"{starts} to {ends}"
        lines.append({"topic": heading(item.topic), "dates": dates, "text": item.instruction})
    return lines


def _clinic(clinic: ClinicHeader) -> dict[str, Any]:
    contact = clinic.contact
    return {
        "clinic_name": clinic.name,
        "clinic_address": contact.address if contact else "",
        "clinic_phone": contact.phone if contact else "",
        "clinic_hours": contact.phone_hours if contact else "",
    }


def _patient(patient: PatientRecord) -> dict[str, str]:
    return {
        "patient_name": f"{patient.given_name} {patient.family_name}",
        "born_on": day_label(patient.born_on),
    }


@dataclass(frozen=True, slots=True)
class SummaryFacts:
    """A charted session: who, when, the chart's newest version and the clinicians' names."""

    clinic: ClinicHeader
    patient: PatientRecord
    number: int
    of: int
    started_at: datetime | None
    """When the session started, in the clinic's time zone."""
    chart: SessionChart | None
    version: int
    charted_by: str
    signed_by: str
    signed_at: datetime | None
    """When the newest version was signed, in the clinic's time zone (None: not signed yet)."""


def summary_values(facts: SummaryFacts) -> dict[str, Any]:
    """The values of ``session_summary.html``: what was done, never a rule id."""
    chart = facts.chart
    started = "not started" if facts.started_at is None else _moment(facts.started_at)
    values: dict[str, Any] = {
        "title": f"Treatment session {facts.number} of {facts.of}",
        **_clinic(facts.clinic),
        **_patient(facts.patient),
        "started": started,
        "charted": chart is not None,
        "version": facts.version,
        "charted_by": facts.charted_by,
        "signed": "not signed yet"
        if facts.signed_at is None
        else f"{facts.signed_by}, {_moment(facts.signed_at)}",
    }
    if chart is None:
        return values
    numbing = chart.numbing
    return values | {
        "device": words(chart.device.value),
        "lot": chart.cartridge.lot,
        "lot_expires": day_label(chart.cartridge.expires_on),
        "numbing": "none" if numbing is None else numbing.product,
        "zones": [
            {
                "zone": words(str(z.zone)),
                "planned": _mm(z.planned_depth_mm),
                "delivered": _mm(z.delivered_depth_mm),
                "passes": z.passes,
            }
            for z in chart.zones
        ],
        "endpoint": "not recorded"
        if chart.endpoint_reached is None
        else words(chart.endpoint_reached.value),
        "products": list(chart.products_applied),
        "adverse_events": list(chart.adverse_events),
        "reasons": [
            f"{o.subject}: {_OVERRIDE_WORDS.get(o.kind, words(o.kind.value))}: {o.reason}"
            for o in chart.overrides
        ],
    }


def _mm(depth_mm: Decimal) -> str:
    return f"{depth_mm} mm"


def _moment(at: datetime) -> str:
    return f"{day_label(at.date())}, {at:%H:%M}"


def outcome_values(
    clinic: ClinicHeader, chart: OutcomeChart, *, with_band: bool, printed_on: date
) -> dict[str, Any]:
    """The values of ``outcome_report.html``: the scores over time, with the chart as SVG.

    ``with_band`` shows the range the evidence expects (the clinician's report); the
    patient's own report shows their scores only, as the portal does.
    """
    return {
        "title": "Outcome report",
        **_clinic(clinic),
        **_patient(chart.patient),
        "printed_on": day_label(printed_on),
        "scale": "" if chart.scale is None else words(chart.scale.value),
        "plot": plot(chart) if chart.points else None,
        "with_band": with_band,
        "behind": with_band and chart.behind,
        "rows": [_row(point, with_band=with_band) for point in chart.points],
    }


def _row(point: OutcomePoint, *, with_band: bool) -> dict[str, str]:
    low, high = point.expected_low, point.expected_high
    expected = "—" if high is None else f"{min(low or high, high)} to {max(low or high, high)}"
    if point.behind:
        against = "behind the expected range"
    elif point.sessions_done == 0:
        against = "baseline"
    else:
        against = "within or better"
    return {
        "measured": day_label(point.measurement.measured_on),
        "sessions": str(point.sessions_done),
        "score": str(point.measurement.value),
        "expected": expected if with_band else "",
        "against": against if with_band else "",
    }
