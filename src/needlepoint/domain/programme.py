"""The programme: screening, grading, plan, dated series, care and expectations in one answer.

``propose_programme`` is the whole clinical engine as one pure function. The knowledge
tables, the screening day and the first appointment are arguments; nothing is read or
remembered. The programme's decision starts from the screening decision and is never more
permissive: when no zone can be planned, ``proceed`` becomes ``defer`` (a zone needs grading)
or ``decline`` (nothing here can be planned). ``defer`` and ``decline`` never come with a plan,
a dated series or timelines. With a dated series, every finding that needs clearance says how
it stands on the first session day (``readiness``): cleared first, or passed by its wait.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo

from needlepoint.domain import adjuncts as adjunct_rules
from needlepoint.domain import care, expectations, planning, readiness, screening
from needlepoint.domain.consultation import Consultation
from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.evidence import Provenance
from needlepoint.domain.limits import LimitTable
from needlepoint.domain.scales.grading import ScaleTables, ScarGrading, grade_assessments
from needlepoint.domain.screening import Decision
from needlepoint.domain.topicals import TopicalTable
from needlepoint.domain.vocabulary import FACIAL_ZONES, Indication, Zone

OUT_OF_SCOPE = frozenset({Indication.HAIR_LOSS})
OUT_OF_SCOPE_RULE = "hair-loss-out-of-scope"
_SEVERITY_ORDER = list(planning.SeverityBand)


@dataclass(frozen=True, slots=True)
class ClinicalKnowledge:
    """Every knowledge table the engine uses, each with its version."""

    ruleset: screening.RuleSet
    scales: ScaleTables
    planning: planning.PlanningTables
    care: care.CareTables
    expectations: expectations.ExpectationTables
    adjuncts: tuple[adjunct_rules.Adjunct, ...]
    limits: LimitTable
    topicals: TopicalTable
    versions: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class FirstAppointment:
    """When the first session is wanted, in the clinic's time zone."""

    requested_at: datetime | None
    clinic_tz: tzinfo
    default_time: time


@dataclass(frozen=True, slots=True)
class OutOfScope:
    """An indication needlepoint does not plan, and the rule that says so."""

    indication: Indication
    provenance: Provenance | None


@dataclass(frozen=True, slots=True)
class Programme:
    """The engine's whole answer for one consultation."""

    consultation: Consultation
    decision: Decision
    earliest_eligible_on: date | None
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
    out_of_scope: tuple[OutOfScope, ...]
    notes: tuple[planning.PlanReason, ...]
    versions: Mapping[str, str]
    prerequisites: tuple[readiness.Prerequisite, ...] = ()

    @property
    def first_session_on(self) -> date | None:
        """The proposed day of the first session, if a series is proposed."""
        return None if self.series is None else self.series.dated[0].on


@dataclass(frozen=True, slots=True)
class _Plan:
    zone_plans: tuple[planning.ZonePlan, ...] = ()
    not_planned: tuple[planning.ZoneNotPlanned, ...] = ()
    series: planning.SeriesProposal | None = None
    first_session_at: datetime | None = None
    provisional: bool = False
    care_items: tuple[care.CareItem, ...] = ()
    expectations: tuple[expectations.Expectation, ...] = ()
    notes: tuple[planning.PlanReason, ...] = ()


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
    plan = _plan(consultation, knowledge, result, grading, appointment)
    decision = _final_decision(result.decision, plan)
    if decision is not result.decision:
        plan = _Plan(not_planned=plan.not_planned, notes=plan.notes)
    return Programme(
        consultation=consultation,
        decision=decision,
        earliest_eligible_on=result.earliest_eligible_on if decision is result.decision else None,
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
        adjuncts=_adjuncts(consultation, grading, knowledge) if plan.series else (),
        out_of_scope=_out_of_scope(consultation, knowledge.ruleset),
        notes=plan.notes,
        versions=knowledge.versions,
        prerequisites=_prerequisites(result, plan.series),
    )


def _prerequisites(
    result: screening.Screening, series: planning.SeriesProposal | None
) -> tuple[readiness.Prerequisite, ...]:
    """How each finding that needs clearance stands on the first session day of the series."""
    return () if series is None else readiness.prerequisites(result, series.dated[0].on)


def _final_decision(decision: Decision, plan: _Plan) -> Decision:
    """Never proceed without a plan: defer if a zone only needs grading, else decline."""
    if decision not in (Decision.PROCEED, Decision.NEEDS_CLEARANCE) or plan.zone_plans:
        return decision
    return Decision.DEFER if any(n.needs_grade for n in plan.not_planned) else Decision.DECLINE


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


def _plan(
    consultation: Consultation,
    knowledge: ClinicalKnowledge,
    result: screening.Screening,
    grading: ScarGrading,
    appointment: FirstAppointment,
) -> _Plan:
    if not result.allows_series:
        return _Plan()
    start_on, start_notes = _start_on(result, appointment)
    outcomes = _zone_outcomes(consultation, knowledge, result, grading, start_on)
    zone_plans = tuple(o for o in outcomes if isinstance(o, planning.ZonePlan))
    not_planned = tuple(o for o in outcomes if isinstance(o, planning.ZoneNotPlanned))
    notes = (*start_notes, *_shared_zone_notes(consultation, knowledge.planning))
    if not zone_plans:
        return _Plan(not_planned=not_planned, notes=notes)
    series = _series(zone_plans, knowledge.planning, start_on)
    first_at, provisional = _first_session_at(series, appointment)
    items = care.build_timeline(
        knowledge.care.templates, _care_context(consultation, zone_plans), appointment_at=first_at
    )
    expected = _expectations(zone_plans, series, knowledge, grading)
    return _Plan(zone_plans, not_planned, series, first_at, provisional, items, expected, notes)


def _zone_outcomes(
    consultation: Consultation,
    knowledge: ClinicalKnowledge,
    result: screening.Screening,
    grading: ScarGrading,
    start_on: date,
) -> list[planning.ZonePlan | planning.ZoneNotPlanned]:
    """Plan every treatable zone, shaped by findings on the consultation and first-session days.

    A finding that applies on either day narrows the plan (e.g. an isotretinoin course whose
    waiting period ends before the first session still counts as recent exposure then).
    """
    later = screening.findings_on(consultation, knowledge.ruleset, result, day=start_on)
    findings = {(f.rule_id, f.zones) for f in (*result.findings, *later)}
    factors = planning.PatientFactors(
        device=consultation.device,
        fitzpatrick=consultation.patient.fitzpatrick,
        findings=tuple(sorted(findings)),
    )
    requests = (
        _zone_request(consultation, z, grading, knowledge.planning) for z in result.treatable_zones
    )
    return [planning.plan_zone(r, factors, knowledge.planning) for r in requests if r is not None]


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


def _shared_zone_notes(
    consultation: Consultation, tables: planning.PlanningTables
) -> list[planning.PlanReason]:
    """Say so when a zone is asked for under several indications: it is planned for the first."""
    notes = []
    for zone in consultation.requested_zones:
        indications = [i for i in consultation.indication_for(zone) if i not in OUT_OF_SCOPE]
        if len(indications) > 1:
            others = ", ".join(i.replace("_", " ") for i in indications[1:])
            notes.append(
                planning.PlanReason(
                    f"{tables.zones[zone].label} is requested for several indications; its depth "
                    f"follows {indications[0].replace('_', ' ')} (listed first), not {others}. "
                    "Reorder the treatments to change this.",
                    tables.zones[zone].provenance,
                )
            )
    return notes


def _series(
    zone_plans: tuple[planning.ZonePlan, ...], tables: planning.PlanningTables, start_on: date
) -> planning.SeriesProposal:
    sessions, interval, reasons = planning.combine_protocols(_protocols(zone_plans, tables))
    dated = planning.propose_dates(start_on, sessions.default_count, interval)
    return planning.SeriesProposal(
        sessions=sessions, interval=interval, dated=dated, reasons=tuple(reasons)
    )


def _worst_severity(
    zone_plans: Iterable[planning.ZonePlan],
) -> dict[Indication, planning.SeverityBand]:
    """The most severe band planned for each indication."""
    worst: dict[Indication, planning.SeverityBand] = {}
    for plan in zone_plans:
        current = worst.get(plan.indication)
        if current is None or _SEVERITY_ORDER.index(plan.severity) > _SEVERITY_ORDER.index(current):
            worst[plan.indication] = plan.severity
    return worst


def _protocols(
    zone_plans: tuple[planning.ZonePlan, ...], tables: planning.PlanningTables
) -> tuple[planning.TreatmentProtocol, ...]:
    worst = _worst_severity(zone_plans)
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
    local_time = appointment.requested_at.astimezone(appointment.clinic_tz).time()
    return datetime.combine(first_on, local_time, tzinfo=appointment.clinic_tz), False


def _care_context(
    consultation: Consultation, zone_plans: tuple[planning.ZonePlan, ...]
) -> care.CareContext:
    return care.CareContext(
        consultation=consultation,
        device=consultation.device,
        treated_zones=frozenset(p.zone for p in zone_plans),
        deepest_mm=max(p.depth.max_mm for p in zone_plans),
    )


def _expectations(
    zone_plans: tuple[planning.ZonePlan, ...],
    series: planning.SeriesProposal,
    knowledge: ClinicalKnowledge,
    grading: ScarGrading,
) -> tuple[expectations.Expectation, ...]:
    icepick = grading.dominant_jacob_type is not None and grading.dominant_jacob_type == "icepick"
    return tuple(
        expectations.expect(
            indication,
            series.sessions.default_count,
            knowledge.expectations,
            severity=severity,
            icepick_dominant=icepick,
        )
        for indication, severity in sorted(_worst_severity(zone_plans).items())
    )


def _adjuncts(
    consultation: Consultation, grading: ScarGrading, knowledge: ClinicalKnowledge
) -> tuple[adjunct_rules.Adjunct, ...]:
    context = adjunct_rules.AdjunctContext(consultation=consultation, grading=grading)
    return adjunct_rules.suggest(knowledge.adjuncts, context)


def _out_of_scope(consultation: Consultation, ruleset: screening.RuleSet) -> tuple[OutOfScope, ...]:
    rule = next((r for r in ruleset.rules if r.id == OUT_OF_SCOPE_RULE), None)
    provenance = rule.provenance if rule else None
    return tuple(
        OutOfScope(indication=i, provenance=provenance)
        for i in consultation.indications
        if i in OUT_OF_SCOPE
    )
