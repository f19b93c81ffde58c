"""The programme: screening, grading, plan, dated series, care and expectations in one answer.

``propose_programme`` is the whole clinical engine as one pure function. The knowledge
tables, the screening day and the first appointment are arguments; nothing is read or
remembered. ``defer`` and ``decline`` never come with a plan, a dated series or timelines.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from decimal import Decimal

from needlepoint.domain import adjuncts as adjunct_rules
from needlepoint.domain import care, expectations, planning, screening
from needlepoint.domain.consultation import Consultation
from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.evidence import Provenance
from needlepoint.domain.scales.grading import ScaleTables, ScarGrading, grade_assessments
from needlepoint.domain.vocabulary import FACIAL_ZONES, Indication, Zone

OUT_OF_SCOPE = frozenset({Indication.HAIR_LOSS})


@dataclass(frozen=True, slots=True)
class ClinicalKnowledge:
    """Every knowledge table the engine uses, each with its version."""

    ruleset: screening.RuleSet
    scales: ScaleTables
    planning: planning.PlanningTables
    care: care.CareTables
    expectations: expectations.ExpectationTables
    adjuncts: tuple[adjunct_rules.Adjunct, ...]
    versions: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class FirstAppointment:
    """When the first session is wanted, in the clinic's time zone."""

    requested_at: datetime | None
    clinic_tz: tzinfo
    default_time: time


@dataclass(frozen=True, slots=True)
class Programme:
    """The engine's whole answer for one consultation."""

    consultation: Consultation
    screening: screening.Screening
    grading: ScarGrading
    zone_plans: tuple[planning.ZonePlan, ...]
    not_planned: tuple[planning.ZoneNotPlanned, ...]
    series: planning.SeriesProposal | None
    first_session_at: datetime | None
    appointment_provisional: bool
    care_items: tuple[care.CareItem, ...]
    red_flags: tuple[care.RedFlag, ...]
    expectations: tuple[expectations.Expectation, ...]
    adjuncts: tuple[adjunct_rules.Adjunct, ...]
    out_of_scope: tuple[Indication, ...]
    notes: tuple[planning.PlanReason, ...]
    versions: Mapping[str, str]


def propose_programme(
    consultation: Consultation,
    knowledge: ClinicalKnowledge,
    *,
    on: date,
    appointment: FirstAppointment,
) -> Programme:
    """Screen, grade, plan, date, time the care and set expectations for one consultation."""
    _check_appointment(consultation, appointment)
    result = screening.screen(consultation, knowledge.ruleset, on=on)
    grading = grade_assessments(consultation.scar_assessments, knowledge.scales)
    empty = _Plan((), (), None, None, False, (), (), ())
    plan = (
        _plan(consultation, knowledge, result, grading, appointment)
        if result.allows_series
        else empty
    )
    return Programme(
        consultation=consultation,
        screening=result,
        grading=grading,
        zone_plans=plan.zone_plans,
        not_planned=plan.not_planned,
        series=plan.series,
        first_session_at=plan.first_session_at,
        appointment_provisional=plan.provisional,
        care_items=plan.care_items,
        red_flags=knowledge.care.red_flags if plan.series else (),
        expectations=plan.expectations,
        adjuncts=_adjuncts(consultation, grading, knowledge, result),
        out_of_scope=tuple(i for i in consultation.indications if i in OUT_OF_SCOPE),
        notes=plan.notes,
        versions=knowledge.versions,
    )


def _check_appointment(consultation: Consultation, appointment: FirstAppointment) -> None:
    if appointment.requested_at is None:
        return
    if appointment.requested_at.tzinfo is None:
        raise InvalidInputError.single(
            "appointment",
            "the appointment has no time zone.",
            "give it in the clinic's local time, e.g. 2026-12-07T10:00.",
        )
    wanted = appointment.requested_at.astimezone(appointment.clinic_tz).date()
    if wanted < consultation.consulted_on:
        raise InvalidInputError.single(
            "appointment",
            f"{wanted} is before the consultation on {consultation.consulted_on}.",
            "book the first session on or after the consultation day.",
        )


@dataclass(frozen=True, slots=True)
class _Plan:
    zone_plans: tuple[planning.ZonePlan, ...]
    not_planned: tuple[planning.ZoneNotPlanned, ...]
    series: planning.SeriesProposal | None
    first_session_at: datetime | None
    provisional: bool
    care_items: tuple[care.CareItem, ...]
    expectations: tuple[expectations.Expectation, ...]
    notes: tuple[planning.PlanReason, ...]


def _plan(
    consultation: Consultation,
    knowledge: ClinicalKnowledge,
    result: screening.Screening,
    grading: ScarGrading,
    appointment: FirstAppointment,
) -> _Plan:
    tables = knowledge.planning
    requests = [
        _zone_request(consultation, zone, grading, tables) for zone in result.treatable_zones
    ]
    factors = planning.PatientFactors(
        device=consultation.device,
        fitzpatrick=consultation.patient.fitzpatrick,
        findings=tuple((f.rule_id, f.zones) for f in result.findings),
    )
    outcomes = [planning.plan_zone(r, factors, tables) for r in requests if r is not None]
    zone_plans = tuple(o for o in outcomes if isinstance(o, planning.ZonePlan))
    not_planned = tuple(o for o in outcomes if isinstance(o, planning.ZoneNotPlanned))
    if not zone_plans:
        return _Plan((), not_planned, None, None, False, (), (), ())
    series, notes = _series(zone_plans, tables, result, appointment)
    first_at, provisional = _first_session_at(series, appointment)
    context = care.CareContext(
        consultation=consultation,
        device=consultation.device,
        treated_zones=frozenset(p.zone for p in zone_plans),
        deepest_mm=max(p.depth.max_mm for p in zone_plans),
    )
    items = care.build_timeline(knowledge.care.templates, context, appointment_at=first_at)
    expected = _expectations(zone_plans, series, knowledge, grading)
    return _Plan(zone_plans, not_planned, series, first_at, provisional, items, expected, notes)


def _zone_request(
    consultation: Consultation,
    zone: Zone,
    grading: ScarGrading,
    tables: planning.PlanningTables,
) -> planning.ZoneRequest | None:
    indications = [i for i in consultation.indication_for(zone) if i not in OUT_OF_SCOPE]
    if not indications:
        return None
    indication = indications[0]
    band = planning.SeverityBand.ANY
    if indication is Indication.ACNE_SCARS:
        band = planning.severity_band_for_grade(grading.grade_for(zone), tables.grade_bands)
    return planning.ZoneRequest(
        zone=zone, indication=indication, severity=band, facial=zone in FACIAL_ZONES
    )


def _series(
    zone_plans: tuple[planning.ZonePlan, ...],
    tables: planning.PlanningTables,
    result: screening.Screening,
    appointment: FirstAppointment,
) -> tuple[planning.SeriesProposal, tuple[planning.PlanReason, ...]]:
    protocols = _protocols(zone_plans, tables)
    sessions, interval, reasons = planning.combine_protocols(protocols)
    start_on, start_notes = _start_on(result, appointment)
    dated = planning.propose_dates(start_on, sessions.default_count, interval)
    reasons.extend(start_notes)
    series = planning.SeriesProposal(
        sessions=sessions, interval=interval, dated=dated, reasons=tuple(reasons)
    )
    return series, tuple(start_notes)


def _protocols(
    zone_plans: tuple[planning.ZonePlan, ...], tables: planning.PlanningTables
) -> tuple[planning.Protocol, ...]:
    worst: dict[Indication, planning.SeverityBand] = {}
    order = list(planning.SeverityBand)
    for plan in zone_plans:
        current = worst.get(plan.indication)
        if current is None or order.index(plan.severity) > order.index(current):
            worst[plan.indication] = plan.severity
    found = (tables.protocol(indication, band) for indication, band in sorted(worst.items()))
    return tuple(p for p in found if p is not None)


def _start_on(
    result: screening.Screening, appointment: FirstAppointment
) -> tuple[date, list[planning.PlanReason]]:
    eligible = result.earliest_eligible_on or result.on
    if appointment.requested_at is None:
        return eligible, []
    wanted = appointment.requested_at.astimezone(appointment.clinic_tz).date()
    if wanted >= eligible:
        return wanted, []
    note = planning.PlanReason(
        f"The requested first appointment ({wanted}) is before the earliest eligible date "
        f"({eligible}); the series is proposed from {eligible}.",
        _screening_provenance(result),
    )
    return eligible, [note]


def _screening_provenance(result: screening.Screening) -> Provenance:
    """Sources of the finding that sets the earliest eligible date (the latest to clear)."""
    dated = [f for f in result.findings if f.clears_on is not None]
    latest = max(dated, key=lambda f: (f.clears_on or result.on, f.rule_id))
    return latest.provenance


def _first_session_at(
    series: planning.SeriesProposal, appointment: FirstAppointment
) -> tuple[datetime, bool]:
    first_on = series.dated[0].on
    if appointment.requested_at is None:
        local = datetime.combine(first_on, appointment.default_time, tzinfo=appointment.clinic_tz)
        return local, True
    local_time = appointment.requested_at.astimezone(appointment.clinic_tz).timetz()
    return datetime.combine(
        first_on, local_time.replace(tzinfo=None), tzinfo=appointment.clinic_tz
    ), False


def _expectations(
    zone_plans: tuple[planning.ZonePlan, ...],
    series: planning.SeriesProposal,
    knowledge: ClinicalKnowledge,
    grading: ScarGrading,
) -> tuple[expectations.Expectation, ...]:
    severity_by_indication = {p.indication: p.severity for p in zone_plans}
    icepick = grading.dominant_jacob_type is not None and grading.dominant_jacob_type == "icepick"
    return tuple(
        expectations.expect(
            indication,
            series.sessions.default_count,
            knowledge.expectations,
            severity=severity,
            icepick_dominant=icepick,
        )
        for indication, severity in sorted(severity_by_indication.items())
    )


def _adjuncts(
    consultation: Consultation,
    grading: ScarGrading,
    knowledge: ClinicalKnowledge,
    result: screening.Screening,
) -> tuple[adjunct_rules.Adjunct, ...]:
    if not result.allows_series:
        return ()
    context = adjunct_rules.AdjunctContext(consultation=consultation, grading=grading)
    return adjunct_rules.suggest(knowledge.adjuncts, context)


def deepest_planned_mm(programme: Programme) -> Decimal | None:
    """The deepest setting anywhere in the plan, or None when nothing is planned."""
    return max((p.depth.max_mm for p in programme.zone_plans), default=None)


def session_days(programme: Programme) -> tuple[date, ...]:
    """The proposed session days, in order (empty when no series is proposed)."""
    return tuple(s.on for s in programme.series.dated) if programme.series else ()


__all__ = [
    "ClinicalKnowledge",
    "FirstAppointment",
    "Programme",
    "deepest_planned_mm",
    "propose_programme",
    "session_days",
]
