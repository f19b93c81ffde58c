"""The consultation report as plain data: the single source for the JSON and text outputs.

Decision first, then its reasons, the scar scores, the plan, the timelines, the red flags and
the expectations. Every recommendation carries its sources and evidence level; values that
rest on unverified knowledge say so. Decimal depths are strings ("1.5") so nothing is rounded.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, tzinfo
from typing import Any

from needlepoint import __version__
from needlepoint.domain.care import CareItem, CarePhase, RedFlag
from needlepoint.domain.evidence import Provenance
from needlepoint.domain.expectations import Expectation
from needlepoint.domain.planning import PlanReason, ZoneNotPlanned, ZonePlan
from needlepoint.domain.programme import OutOfScope, Programme
from needlepoint.domain.readiness import Prerequisite
from needlepoint.domain.scales.ecca import EccaResult
from needlepoint.domain.scales.goodman_baron_qualitative import GbQualitativeResult
from needlepoint.domain.scales.goodman_baron_quantitative import GbQuantitativeResult
from needlepoint.domain.scales.grading import ScarGrading, ZoneGrading
from needlepoint.domain.screening import Decision, Finding, ZoneExclusion
from needlepoint.services.consultation import decision_texts
from needlepoint.services.consultation.engine import ConsultationOutcome

Json = dict[str, Any]

OUT_OF_SCOPE_NOTE = (
    "Hair loss is outside needlepoint's scope: it plans no treatment for it and gives no "
    "expectations for it."
)


def build_report(outcome: ConsultationOutcome, *, cite: dict[str, str]) -> Json:
    """The full report for one consultation.

    ``cite`` maps every known source id to its citation; the report lists those it uses.
    """
    programme = outcome.programme
    report: Json = {
        "needlepoint_version": __version__,
        "clinic": {"name": outcome.clinic_name, "time_zone": outcome.time_zone},
        **_decision(programme),
        "findings": _findings(programme),
        "zone_exclusions": [_exclusion(e) for e in programme.screening.exclusions],
        "out_of_scope": [_out_of_scope(item) for item in programme.out_of_scope],
        "scar_scores": _grading(programme.grading),
        "plan": _plan(programme),
        "series": _series(programme),
        "first_session_at": _when(programme.first_session_at),
        "appointment_provisional": programme.appointment_provisional,
        "care": _care(programme.care_items, programme.consultation.consulted_on),
        "red_flags": [_red_flag(r) for r in programme.red_flags],
        "expectations": [_expectation(e) for e in programme.expectations],
        "adjuncts": [
            {"id": a.id, "suggestion": a.suggestion, "reason": a.reason, **_cited(a.provenance)}
            for a in programme.adjuncts
        ],
        "notes": [_reason(n) for n in programme.notes],
        "knowledge_versions": dict(sorted(programme.versions.items())),
    }
    report["sources"] = _sources_used(programme, cite)
    return report


def _decision(programme: Programme) -> Json:
    result = programme.screening
    return {
        "decision": programme.decision.value,
        "decision_summary": decision_texts.decision_summary(programme),
        "screening_decision": result.decision.value,
        "screened_on": result.on.isoformat(),
        "earliest_eligible_on": _day(programme.earliest_eligible_on),
        "treatable_zones": [z.value for z in result.treatable_zones],
    }


def _out_of_scope(item: OutOfScope) -> Json:
    cited = _cited(item.provenance) if item.provenance else {"sources": []}
    return {"indication": item.indication.value, "note": OUT_OF_SCOPE_NOTE, **cited}


def _cited(provenance: Provenance) -> Json:
    return {
        "sources": list(provenance.sources),
        "evidence": provenance.evidence.value,
        "unverified": provenance.is_unverified,
    }


def _findings(programme: Programme) -> list[Json]:
    """Every finding; one that needs clearance says how it stands on the first session day."""
    standing = {p.finding.rule_id: p for p in programme.prerequisites}
    return [_finding(f, standing.get(f.rule_id)) for f in programme.screening.findings]


def _finding(finding: Finding, prerequisite: Prerequisite | None) -> Json:
    return {
        "rule_id": finding.rule_id,
        "severity": finding.severity.value,
        "scope": finding.scope.value,
        "reason": finding.reason,
        "action": finding.action,
        "detail": finding.detail,
        "zones": [z.value for z in finding.zones],
        "clears_on": _day(finding.clears_on),
        "holds_programme": finding.holds_programme,
        "first_session": None if prerequisite is None else _first_session(prerequisite),
        **_cited(finding.provenance),
    }


def _first_session(prerequisite: Prerequisite) -> Json:
    return {
        "standing": prerequisite.standing.value,
        "first_session_on": prerequisite.first_session_on.isoformat(),
        "wait_ends_on": _day(prerequisite.wait_ends_on),
        "clear_before_first_session": prerequisite.is_to_be_cleared_first,
        "text": decision_texts.first_session_text(prerequisite),
    }


def _exclusion(exclusion: ZoneExclusion) -> Json:
    return {
        "zone": exclusion.zone.value,
        "rule_ids": list(exclusion.rule_ids),
        "permanent": exclusion.permanent,
        "until": _day(exclusion.until),
    }


def scar_scores(grading: ScarGrading) -> Json:
    """The scar grading as plain data: overall and per zone, with explanations and sources."""
    return _grading(grading)


def _grading(grading: ScarGrading) -> Json:
    return {
        "scales_version": grading.table_version,
        "overall": {
            "gb_qualitative": _qualitative(grading.gb_qualitative),
            "gb_quantitative": _total(grading.gb_quantitative),
            "ecca": _total(grading.ecca),
            "jacob_dominant_type": grading.dominant_jacob_type,
            "jacob_counts": {str(k): v for k, v in sorted(grading.jacob_counts.items())},
        },
        "zones": [_zone_grading(z) for z in grading.zones],
    }


def _zone_grading(zone: ZoneGrading) -> Json:
    return {
        "zone": zone.zone.value,
        "jacob": [
            {
                "type": j.scar_type.value,
                "boxcar_depth": j.boxcar_depth.value if j.boxcar_depth else None,
                "width_mm": str(j.width_mm),
                "count": j.count,
                "explanation": j.explanation,
                "sources": list(j.sources),
            }
            for j in zone.jacob
        ],
        "gb_qualitative": _qualitative(zone.gb_qualitative),
        "gb_quantitative": _total(zone.gb_quantitative),
        "ecca": _total(zone.ecca),
    }


def _qualitative(result: GbQualitativeResult | None) -> Json | None:
    if result is None:
        return None
    return {
        "grade": result.grade,
        "level": result.level.value,
        "explanation": result.explanation,
        "sources": list(result.sources),
        "unverified": result.unverified,
    }


def _total(result: GbQuantitativeResult | EccaResult | None) -> Json | None:
    """A scale scored as a total out of a maximum (GB quantitative, ECCA)."""
    if result is None:
        return None
    return {
        "total": result.total,
        "max_total": result.max_total,
        "explanation": result.explanation,
        "sources": list(result.sources),
        "unverified": result.unverified,
    }


def _plan(programme: Programme) -> Json:
    return {
        "zones": [_zone_plan(p) for p in programme.zone_plans],
        "not_planned": [_not_planned(n) for n in programme.not_planned],
    }


def _zone_plan(plan: ZonePlan) -> Json:
    step = plan.max_step_per_session_mm
    return {
        "zone": plan.zone.value,
        "indication": plan.indication.value,
        "severity": plan.severity.value,
        "depth_mm": {"min": str(plan.depth.min_mm), "max": str(plan.depth.max_mm)},
        "start_mm": str(plan.start_mm),
        "max_step_per_session_mm": None if step is None else str(step),
        "endpoint": plan.endpoint.value,
        "passes": {"min": plan.passes_min, "max": plan.passes_max},
        "reasons": [_reason(r) for r in plan.reasons],
        "unverified": any(r.provenance.is_unverified for r in plan.reasons),
    }


def _not_planned(item: ZoneNotPlanned) -> Json:
    return {
        "zone": item.zone.value,
        "indication": item.indication.value,
        "reason": _reason(item.reason),
    }


def _reason(reason: PlanReason) -> Json:
    return {"text": reason.text, **_cited(reason.provenance)}


def _series(programme: Programme) -> Json | None:
    series = programme.series
    if series is None:
        return None
    return {
        "subject_to_clearance": programme.decision is Decision.NEEDS_CLEARANCE,
        "clearance_before_first_session": any(
            p.is_to_be_cleared_first for p in programme.prerequisites
        ),
        "sessions": {
            "min": series.sessions.min_count,
            "default": series.sessions.default_count,
            "max": series.sessions.max_count,
        },
        "interval_days": {
            "min": series.interval.min_days,
            "default": series.interval.default_days,
            "max": series.interval.max_days,
        },
        "dated": [
            {
                "number": s.number,
                "on": s.on.isoformat(),
                "earliest_on": s.earliest_on.isoformat(),
                "latest_on": s.latest_on.isoformat(),
            }
            for s in series.dated
        ],
        "reasons": [_reason(r) for r in series.reasons],
    }


def _care(items: Iterable[CareItem], consulted_on: date) -> Json:
    """The care items by phase, in one pass.

    A timeline's thirty-odd items start and end at some fifteen moments; writing each moment
    once was a third of the report's care section (profiled, issue 13).
    """
    care: Json = {"pre": [], "post": []}
    stamps: dict[tuple[datetime, int, tzinfo | None], str] = {}
    for item in items:
        if item.phase in (CarePhase.PRE, CarePhase.POST):
            care[item.phase.value].append(_care_item(item, consulted_on, stamps))
    return care


def _care_item(
    item: CareItem, consulted_on: date, stamps: dict[tuple[datetime, int, tzinfo | None], str]
) -> Json:
    """One care item; ``short_lead_time`` when it should have begun before the consultation."""
    return {
        "id": item.id,
        "topic": item.topic,
        "instruction": item.instruction,
        "starts_at": _stamp(item.starts_at, stamps),
        "ends_at": _stamp(item.ends_at, stamps),
        "short_lead_time": item.starts_at.date() < consulted_on,
        **_cited(item.provenance),
    }


def _stamp(moment: datetime, stamps: dict[tuple[datetime, int, tzinfo | None], str]) -> str:
    """``_when`` for a moment, remembered in ``stamps``.

    The key holds the fold and the zone as well: two moments equal as wall times in one zone
    may still differ in offset (the repeated hour when clocks go back).
    """
    key = (moment, moment.fold, moment.tzinfo)
    text = stamps.get(key)
    if text is None:
        text = stamps[key] = moment.isoformat(timespec="minutes")
    return text


def _red_flag(flag: RedFlag) -> Json:
    return {
        "id": flag.id,
        "sign": flag.sign,
        "likely_cause": flag.likely_cause,
        "window": flag.window,
        "urgency": flag.urgency,
        **_cited(flag.provenance),
    }


def _expectation(expectation: Expectation) -> Json:
    improvement = expectation.improvement
    timing = expectation.timing
    return {
        "indication": expectation.indication.value,
        "after_sessions": expectation.sessions,
        "improvement_pct": None
        if improvement is None
        else {
            "low": str(improvement.low_pct),
            "mean": str(improvement.mean_pct),
            "high": str(improvement.high_pct),
            "shifted_for_severity": improvement.shifted_down,
            **_cited(improvement.provenance),
        },
        "timing": None
        if timing is None
        else {
            "results_show": timing.results_show,
            "judge_after": timing.judge_after,
            "remodelling": timing.remodelling,
            "caveat": timing.caveat,
            **_cited(timing.provenance),
        },
        "studies": [
            {"id": s.id, "summary": s.summary, "sessions": s.sessions, **_cited(s.provenance)}
            for s in expectation.studies
        ],
    }


def _sources_used(programme: Programme, cite: dict[str, str]) -> dict[str, str]:
    """Every source the report cites, with its citation, in id order."""
    used = {source for provenance in _provenances(programme) for source in provenance}
    used |= set(_grading_sources(programme.grading))
    return {source: cite.get(source, "(unknown source)") for source in sorted(used)}


def _provenances(programme: Programme) -> Iterable[tuple[str, ...]]:
    """The sources of every cited item that reaches the report."""
    yield from (f.provenance.sources for f in programme.screening.findings)
    for plan in programme.zone_plans:
        yield from (r.provenance.sources for r in plan.reasons)
    yield from (n.reason.provenance.sources for n in programme.not_planned)
    if programme.series is not None:
        yield from (r.provenance.sources for r in programme.series.reasons)
    yield from (i.provenance.sources for i in programme.care_items)
    yield from (r.provenance.sources for r in programme.red_flags)
    yield from (a.provenance.sources for a in programme.adjuncts)
    yield from (n.provenance.sources for n in programme.notes)
    yield from (o.provenance.sources for o in programme.out_of_scope if o.provenance)
    for expectation in programme.expectations:
        yield from _expectation_sources(expectation)


def _expectation_sources(expectation: Expectation) -> Iterable[tuple[str, ...]]:
    if expectation.improvement is not None:
        yield expectation.improvement.provenance.sources
    if expectation.timing is not None:
        yield expectation.timing.provenance.sources
    yield from (s.provenance.sources for s in expectation.studies)


def _grading_sources(grading: ScarGrading) -> Iterable[str]:
    results = [grading.gb_qualitative, grading.gb_quantitative, grading.ecca]
    for zone in grading.zones:
        results.extend([zone.gb_qualitative, zone.gb_quantitative, zone.ecca])
        for jacob in zone.jacob:
            yield from jacob.sources
    for result in results:
        if result is not None:
            yield from result.sources


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _when(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat(timespec="minutes")
