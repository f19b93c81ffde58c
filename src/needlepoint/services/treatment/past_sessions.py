"""Recording a finished course from the past in one go: its sessions, charted and signed.

The demo's synthetic cohort (``needlepoint demo --cohort``) and the analytics bench hold
hundreds to thousands of completed series. Starting each session through the day-of re-screen
and the consent gate (which renders the signed form as a PDF) would take minutes per hundred
series, so a past course is written here in one transaction instead: every chart is checked
against the plan and the depth caps exactly as ``chart_session`` checks it (on the session's
own day), every session and chart is audited, and the series ends completed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

from needlepoint.domain import charting, treatment
from needlepoint.domain.charting import SessionChart
from needlepoint.domain.errors import FieldProblem, InputCode, InvalidInputError
from needlepoint.domain.programme import ClinicalKnowledge
from needlepoint.domain.treatment import (
    ChartVersion,
    SeriesStatus,
    SessionStatus,
    TreatmentSeries,
    TreatmentSession,
)
from needlepoint.services import audit, permissions
from needlepoint.services.access import series_access, series_or_raise, session_access
from needlepoint.services.permissions import Action
from needlepoint.services.ports import Clock
from needlepoint.services.treatment.ports import PastSessionRecording, PastSessionWrites

PAST_SESSIONS = "visits"
"""The request's name for the list of past sessions (``visits.<index>.<field>``)."""


@dataclass(frozen=True, slots=True)
class PastVisit:
    """One session of a finished course: when it was held and its chart as signed that day."""

    at: datetime
    chart: SessionChart


def record_past_sessions(
    *,
    series_id: UUID,
    visits: Sequence[PastVisit],
    context: audit.RequestContext,
    uow: PastSessionRecording,
    clock: Clock,
    knowledge: ClinicalKnowledge,
) -> TreatmentSeries:
    """Record every session of a planned series as held on past days; the series is completed.

    Raises:
        InvalidInputError: Not one visit per planned session, a visit not in the past, two
            visits closer than the plan's interval, or a chart that breaks a hard stop.
        InvalidTransitionError: The series has sessions already, or is not planned.
    """
    permissions.require(context, Action.CHART_SIGN)
    if context.actor.licence_max_depth_mm is None:
        raise treatment.LicenceRequiredError(context.actor.id)
    now = clock.now()
    with uow:
        series = series_or_raise(uow, context, series_id)
        if series.status is not SeriesStatus.PLANNED or uow.sessions.for_series(
            context.actor.clinic_id, series.id
        ):
            raise treatment.InvalidTransitionError(
                f"series {series.id} is not a planned series without sessions"
            )
        _check_days(series, visits, now)
        for number, visit in enumerate(visits, start=1):
            _record_visit(uow, context, series, (number, visit), (knowledge, now))
        started = series.started()
        uow.series.save(started)
        completed = started.completed()
        uow.series.save(completed)
        audit.record(uow, context, series_access("series.record_past", series), at=now)
        uow.commit()
    return completed


def _check_days(series: TreatmentSeries, visits: Sequence[PastVisit], now: datetime) -> None:
    problems: list[FieldProblem] = []
    if len(visits) != series.plan.sessions:
        problems.append(
            FieldProblem(
                PAST_SESSIONS,
                f"holds {len(visits)} sessions but the plan has {series.plan.sessions}.",
                "give one visit per planned session.",
                InputCode.MISMATCH,
            )
        )
    interval = timedelta(days=series.plan.interval_days)
    for index, visit in enumerate(visits):
        if visit.at >= now:
            problems.append(
                _problem(
                    index,
                    "is not in the past.",
                    "give the day it was held.",
                    InputCode.IN_THE_FUTURE,
                )
            )
        if index and visit.at - visits[index - 1].at < interval:
            problems.append(
                _problem(
                    index,
                    f"is closer to the session before than the plan's {interval.days} days.",
                    "give the days the sessions were held, in order.",
                    InputCode.TOO_EARLY,
                )
            )
    if problems:
        raise InvalidInputError(tuple(problems))


def _problem(index: int, message: str, fix: str, code: str) -> FieldProblem:
    return FieldProblem(f"{PAST_SESSIONS}.{index}.at", message, fix, code)


def _record_visit(
    uow: PastSessionWrites,
    context: audit.RequestContext,
    series: TreatmentSeries,
    visit: tuple[int, PastVisit],
    day: tuple[ClinicalKnowledge, datetime],
) -> None:
    number, held = visit
    knowledge, now = day
    session = TreatmentSession(
        id=uuid4(),
        series_id=series.id,
        clinic_id=series.clinic_id,
        patient_id=series.patient_id,
        number=number,
        status=SessionStatus.SIGNED,
        started_at=held.at,
        started_by=context.actor.id,
        rescreen={"screened_on": held.at.date().isoformat(), "findings": [], "past": True},
    )
    chart = _checked(held, series, context, knowledge, f"{PAST_SESSIONS}.{number - 1}.chart")
    uow.sessions.add(session)
    uow.charts.add(
        ChartVersion(
            id=uuid4(),
            session_id=session.id,
            clinic_id=session.clinic_id,
            patient_id=session.patient_id,
            version=1,
            chart=chart,
            rescreen=dict(session.rescreen or {}),
            notes="",
            created_at=held.at,
            created_by=context.actor.id,
            signed_at=held.at,
            signed_by=context.actor.id,
        )
    )
    audit.record(uow, context, session_access("chart.sign", session), at=now)


def _checked(
    visit: PastVisit,
    series: TreatmentSeries,
    context: audit.RequestContext,
    knowledge: ClinicalKnowledge,
    field: str,
) -> SessionChart:
    """The chart once the stops ``chart_session`` applies passed, as of the visit's day."""
    problems = treatment.chart_problems(visit.chart, series.plan)
    if problems:
        raise InvalidInputError(problems).within(field)
    planning, table = knowledge.planning, knowledge.limits
    rules = charting.ChartRules(
        on=visit.at.date(),
        caps=charting.DepthCaps(
            device=visit.chart.device,
            device_cap_mm=planning.devices[visit.chart.device].cap_mm,
            zone_max_mm={zone: row.max_depth_mm for zone, row in planning.zones.items()},
            licence_mm=context.actor.licence_max_depth_mm or Decimal(0),
        ),
        treatable=series.plan.zone_names,
        numbing=charting.NumbingBounds(
            now=visit.at + timedelta(hours=1),
            ahead=timedelta(minutes=table.ahead_minutes),
            longest=timedelta(minutes=table.numbing_max_minutes),
        ),
        topicals=knowledge.topicals,
    )
    try:
        kept = charting.check_chart(visit.chart, rules, by=context.actor.id)
    except InvalidInputError as error:
        raise error.within(field) from None
    return replace(visit.chart, overrides=kept)
