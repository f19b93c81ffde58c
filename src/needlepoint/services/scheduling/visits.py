"""A patient's sessions across all their series: the interval limits, and sessions held.

Steps of the scheduling and session use cases, run in the caller's unit of work (they neither
commit nor audit):

* ``check_intervals``: the interval limits a booking or a move must keep
  (``domain.intervals``). The minimum interval is hard and holds across every series of the
  patient on a shared zone; a gap past the series' maximum needs a reason, and is refused past
  the bound ``limits.yaml`` gives a reason; the first session is never before the earliest
  eligible date. A refusal names the limit (its code is the limit's id) and, for each field,
  the earliest or latest date that would pass.
* ``attend_session``: when a session starts, the minimum interval is checked against every
  other session of the patient on its zones, and the series' appointment of that local day
  (if any) is attended, linked to the session and numbered as it, and its pre-visit messages
  are withdrawn. A walk-in without an appointment is allowed; a booking of the series for the
  same session number on another day is cancelled, since that session is held now.

What counts as a visit (``patient_visits``): every started session (its treatable zones), and
every appointment of a series that is booked, or attended without a linked session (its
series' planned zones). An attended appointment linked to its session is that session.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Final
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from needlepoint.domain.errors import FieldProblem, InvalidTransitionError
from needlepoint.domain.intervals import (
    IntervalKind,
    IntervalProblem,
    Visit,
    interval_problems,
    interval_refusal,
    problems_to_report,
    too_soon_on_a_zone,
)
from needlepoint.domain.scheduling import Appointment, AppointmentStatus, SeriesRules
from needlepoint.domain.treatment import TreatmentSeries, TreatmentSession
from needlepoint.services.clinics import clinic_zone
from needlepoint.services.consultation.facade import earliest_start_on
from needlepoint.services.messaging.facade import withdraw_for_appointment
from needlepoint.services.ports import HasSeries, HasSessions
from needlepoint.services.scheduling.ports import (
    Attendance,
    BookingRuleReads,
    EndedVisitWrites,
    IntervalReads,
    VisitReads,
)

SERIES_PAGE: Final = 100
SESSION_START_FIELD: Final = "started_at"
"""The field a refused session start names: the moment it would start."""


def series_rules(series: TreatmentSeries) -> SeriesRules:
    """The series' sessions and interval, bounded by the protocol's allowed range.

    The minimum is the protocol's shortest interval (a hard limit: an agreed interval shorter
    than it does not lower it); the maximum is the protocol's longest, or the agreed interval
    when that is longer (the plan's deviation carries its reason).
    """
    proposal: dict[str, Any] = dict(series.proposal.get("series") or {})
    interval = proposal.get("interval_days") or {}
    agreed = series.plan.interval_days
    dated = proposal.get("dated") or []
    first = dated[0] if dated else {}
    earliest = first.get("earliest_on") or first.get("on")
    return SeriesRules(
        sessions=series.plan.sessions,
        interval_days=agreed,
        min_interval_days=int(interval.get("min", agreed)),
        max_interval_days=max(int(interval.get("max", agreed)), agreed),
        earliest_on=date.fromisoformat(str(earliest)) if earliest else series.created_at.date(),
    )


def booking_rules(uow: BookingRuleReads, series: TreatmentSeries) -> SeriesRules:
    """The series' rules for booking: its earliest day moved earlier only by a clearance."""
    rules = series_rules(series)
    earliest = earliest_start_on(uow, series, rules.earliest_on)
    return replace(rules, earliest_on=earliest)


# ------------------------------------------------------------------ visits


def patient_visits(uow: VisitReads, series: TreatmentSeries, zone: ZoneInfo) -> tuple[Visit, ...]:
    """Every visit of the series' patient, in all their series: sessions first, then bookings."""
    every = {s.id: s for s in _patient_series(uow, series.clinic_id, series.patient_id)}
    every[series.id] = series
    minimums = {s.id: series_rules(s).min_interval_days for s in every.values()}
    held = [v for s in every.values() for v in _held(uow, s, zone, minimums[s.id])]
    booked = [
        _booked_visit(a, every[a.series_id], zone, minimums[a.series_id])
        for a in uow.appointments.for_patient(series.clinic_id, series.patient_id)
        if a.series_id in every and a.session_number is not None and a.is_visit
    ]
    return (*held, *booked)


def _patient_series(uow: HasSeries, clinic_id: UUID, patient_id: UUID) -> Iterator[TreatmentSeries]:
    offset = 0
    while True:
        page = uow.series.for_patient(clinic_id, patient_id, offset=offset, limit=SERIES_PAGE)
        yield from page
        if len(page) < SERIES_PAGE:
            return
        offset += SERIES_PAGE


def _held(
    uow: HasSessions, series: TreatmentSeries, zone: ZoneInfo, min_interval_days: int
) -> Iterator[Visit]:
    for session in uow.sessions.for_series(series.clinic_id, series.id):
        if session.started_at is not None:
            yield Visit(
                id=session.id,
                series_id=series.id,
                session_number=session.number,
                on=session.started_at.astimezone(zone).date(),
                zones=session.treatable_zones(series.plan),
                min_interval_days=min_interval_days,
            )


def _booked_visit(
    appointment: Appointment, series: TreatmentSeries, zone: ZoneInfo, min_interval_days: int
) -> Visit:
    return Visit(
        id=appointment.id,
        series_id=series.id,
        session_number=appointment.session_number or 0,
        on=appointment.starts_at.astimezone(zone).date(),
        zones=series.plan.zone_names,
        min_interval_days=min_interval_days,
    )


def series_days(visits: Iterable[Visit], series_id: UUID) -> dict[int, date]:
    """Session number → local day for one series (a session held wins over a booking)."""
    days: dict[int, date] = {}
    for visit in visits:
        if visit.series_id == series_id:
            days.setdefault(visit.session_number, visit.on)
    return days


# ------------------------------------------------------------------ booking and moving


@dataclass(frozen=True, slots=True)
class IntervalChange:
    """Sessions of one series being booked or moved: their local days and reasons.

    ``replacing`` are the visits the change replaces (a moved appointment). ``field`` names
    the one field every problem belongs to (a move's ``starts_at``); when None, each problem
    names ``sessions[N].starts_at`` of the session it blames.
    """

    series: TreatmentSeries
    planned: Mapping[int, date]
    reasons: Mapping[int, str]
    replacing: frozenset[UUID] = frozenset()
    field: str | None = None


def check_intervals(
    uow: IntervalReads, change: IntervalChange, *, zone: ZoneInfo, extra_days: int
) -> None:
    """Refuse the change if it breaks an interval limit (``IntervalLimitError`` subclasses).

    Only gaps the change makes are judged, each as a problem of the session changed: a pair of
    sessions it does not touch stands as it was booked. A gap past the maximum passes with a
    reason given for the session changed.
    """
    rules = booking_rules(uow, change.series)
    visits = [v for v in patient_visits(uow, change.series, zone) if v.id not in change.replacing]
    days = series_days(visits, change.series.id) | dict(change.planned)
    within = interval_problems(rules, days, extra_days=extra_days, changed=set(change.planned))
    zones = change.series.plan.zone_names
    planned = [
        Visit(uuid4(), change.series.id, number, on, zones, rules.min_interval_days)
        for number, on in sorted(change.planned.items())
    ]
    across = too_soon_on_a_zone(visits, planned)
    problems = _field_problems([*across, *within], change)
    if problems:
        raise interval_refusal(problems)


def _field_problems(
    problems: Sequence[IntervalProblem], change: IntervalChange
) -> list[FieldProblem]:
    """One problem per session changed: the first hard one, else a longer gap with no reason."""
    chosen = problems_to_report(problems, change.reasons)
    return [
        problem.field_problem(change.field or f"sessions[{number}].starts_at")
        for number, problem in sorted(chosen.items())
    ]


# ------------------------------------------------------------------ a session held


def attend_session(
    *, uow: Attendance, series: TreatmentSeries, session: TreatmentSession
) -> Appointment | None:
    """Check a starting session against the minimum interval; attend the day's appointment.

    Call in the session start's unit of work, once the session is added. The series'
    appointment on the session's local day (booked, or marked attended without a session)
    becomes attended, linked to the session and numbered as it; its pre-visit messages are
    withdrawn. A booking of the series for this session's number on another day is cancelled
    (the session is held now; ``Appointment.superseded``) and its messages withdrawn. All in
    the same transaction; None when no appointment is attended (a walk-in).

    Raises:
        MinimumIntervalError: Another of the patient's sessions, held or booked, on a zone
            this one needles, is closer than the minimum interval (field ``started_at``).
    """
    started_at = session.started_at
    if started_at is None:
        raise InvalidTransitionError(f"session {session.id} has not started")
    zone = clinic_zone(uow, series.clinic_id)
    today = started_at.astimezone(zone).date()
    ours = [
        a
        for a in uow.appointments.for_patient(series.clinic_id, series.patient_id)
        if a.series_id == series.id and a.is_visit
    ]
    appointment = _appointment_of_the_day(ours, session.number, today, zone)
    superseded = [
        a
        for a in ours
        if a is not appointment
        and a.status is AppointmentStatus.BOOKED
        and a.session_number == session.number
        and not a.is_on(today, zone)
    ]
    replaced = {session.id, *(a.id for a in superseded)} | (
        {appointment.id} if appointment else set()
    )
    visits = [v for v in patient_visits(uow, series, zone) if v.id not in replaced]
    _check_session_start(series, session, today, visits)
    for booked in superseded:
        _save_ended(uow, booked.superseded(today, now=started_at))
    if appointment is None:
        return None
    attended = appointment.held_as(session.id, session.number, now=started_at, zone=zone)
    _save_ended(uow, attended)
    return attended


def _save_ended(uow: EndedVisitWrites, appointment: Appointment) -> None:
    uow.appointments.save(appointment)
    withdraw_for_appointment(uow=uow, appointment=appointment)


def _check_session_start(
    series: TreatmentSeries, session: TreatmentSession, today: date, visits: Sequence[Visit]
) -> None:
    minimum = series_rules(series).min_interval_days
    zones = session.treatable_zones(series.plan)
    held = Visit(session.id, series.id, session.number, today, zones, minimum)
    problems = [p for p in too_soon_on_a_zone(visits, [held]) if p.kind is IntervalKind.TOO_SOON]
    if problems:
        raise interval_refusal([p.field_problem(SESSION_START_FIELD) for p in problems])


def _appointment_of_the_day(
    ours: Sequence[Appointment], number: int, today: date, zone: ZoneInfo
) -> Appointment | None:
    """The series' appointment on ``today`` still standing for a visit; its own number first."""
    found = [a for a in ours if a.is_on(today, zone)]
    return min(found, key=lambda a: (a.session_number != number, a.starts_at), default=None)
