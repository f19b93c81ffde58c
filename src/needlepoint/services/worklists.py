"""The clinic's worklists: charts waiting for sign-off, and patients due to book a session.

Both walk the clinic's patients, their series and sessions in one transaction, and each
listing appends one audit event (like a patient search). A clinic of a few thousand patients
is a few thousand small reads; a dedicated query in the repositories is the next step when
clinics grow (ADR 0014).

"Due to book" means a planned or in-progress series with sessions still to come. needlepoint
does not keep appointments yet, so every such series is listed, by the date its next session
falls due: the last session's day plus the agreed interval, or the proposal's first date.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from needlepoint.domain.records import PatientRecord
from needlepoint.domain.treatment import (
    ChartVersion,
    SeriesStatus,
    SessionStatus,
    TreatmentSeries,
    TreatmentSession,
)
from needlepoint.services import audit
from needlepoint.services.patients import MAX_PAGE_SIZE
from needlepoint.services.ports import Clock, UnitOfWork
from needlepoint.services.treatment import clinic_today

ACTIVE = frozenset({SeriesStatus.PLANNED, SeriesStatus.IN_PROGRESS})


@dataclass(frozen=True, slots=True)
class ChartAwaitingSignOff:
    """A session whose newest chart version nobody has signed yet."""

    patient: PatientRecord
    session: TreatmentSession
    chart: ChartVersion


@dataclass(frozen=True, slots=True)
class SessionDue:
    """The next session of a series, not yet held, and the day it falls due."""

    patient: PatientRecord
    series: TreatmentSeries
    number: int
    due_on: date
    overdue: bool


@dataclass(frozen=True, slots=True)
class _Course:
    patient: PatientRecord
    series: TreatmentSeries
    sessions: tuple[TreatmentSession, ...]


def charts_awaiting_signoff(
    *, context: audit.RequestContext, uow: UnitOfWork, clock: Clock
) -> tuple[ChartAwaitingSignOff, ...]:
    """Every charted, unsigned session of the actor's clinic, oldest chart first."""
    clinic_id = context.actor.clinic_id
    with uow:
        waiting = [
            ChartAwaitingSignOff(course.patient, session, chart)
            for course in _courses(uow, clinic_id)
            for session in course.sessions
            if session.status is SessionStatus.STARTED
            and (chart := uow.charts.latest(clinic_id, session.id)) is not None
            and not chart.is_signed
        ]
        access = audit.Access("worklist.charts_awaiting_signoff", "chart", "*", None)
        audit.record(uow, context, access, at=clock.now())
        uow.commit()
    return tuple(sorted(waiting, key=lambda item: item.chart.created_at))


def sessions_due(
    *, context: audit.RequestContext, uow: UnitOfWork, clock: Clock
) -> tuple[SessionDue, ...]:
    """The next session of every active series of the actor's clinic, soonest due first."""
    with uow:
        clinic = uow.clinics.get(context.actor.clinic_id)
        time_zone = ZoneInfo(clinic.time_zone if clinic else "UTC")
        today = clinic_today(str(time_zone), clock)
        due = [
            _next_session(course, time_zone, today)
            for course in _courses(uow, context.actor.clinic_id)
            if course.series.status in ACTIVE and len(course.sessions) < course.series.plan.sessions
        ]
        access = audit.Access("worklist.sessions_due", "treatment_series", "*", None)
        audit.record(uow, context, access, at=clock.now())
        uow.commit()
    return tuple(sorted(due, key=lambda item: (item.due_on, item.patient.family_name)))


def _next_session(course: _Course, time_zone: ZoneInfo, today: date) -> SessionDue:
    due_on = _due_on(course, time_zone)
    number = len(course.sessions) + 1
    return SessionDue(course.patient, course.series, number, due_on, overdue=due_on < today)


def _due_on(course: _Course, time_zone: ZoneInfo) -> date:
    held = [s.started_at for s in course.sessions if s.started_at is not None]
    if held:
        last_day = max(held).astimezone(time_zone).date()
        return last_day + timedelta(days=course.series.plan.interval_days)
    dated = course.series.proposal.get("series", {}).get("dated") or []
    if dated:
        return date.fromisoformat(str(dated[0]["on"]))
    return course.series.created_at.astimezone(time_zone).date()


def _courses(uow: UnitOfWork, clinic_id: UUID) -> Iterator[_Course]:
    for patient in _every_patient(uow, clinic_id):
        for series in _every_series(uow, clinic_id, patient.id):
            sessions = tuple(uow.sessions.for_series(clinic_id, series.id))
            yield _Course(patient, series, sessions)


def _every_patient(uow: UnitOfWork, clinic_id: UUID) -> Iterator[PatientRecord]:
    offset = 0
    while True:
        page = uow.patients.list(clinic_id, search=None, offset=offset, limit=MAX_PAGE_SIZE)
        yield from page
        if len(page) < MAX_PAGE_SIZE:
            return
        offset += MAX_PAGE_SIZE


def _every_series(uow: UnitOfWork, clinic_id: UUID, patient_id: UUID) -> Iterator[TreatmentSeries]:
    offset = 0
    while True:
        page = uow.series.for_patient(clinic_id, patient_id, offset=offset, limit=MAX_PAGE_SIZE)
        yield from page
        if len(page) < MAX_PAGE_SIZE:
            return
        offset += MAX_PAGE_SIZE
