"""The dashboard: the clinic's day and its worklists, read in one unit of work.

One dashboard view is one transaction and appends exactly one audit event
(``worklist.dashboard``, the clinic's local day as its resource id), whatever it shows:

* **Today's appointments**: the clinic's appointments of its local day, cancelled ones left
  out, earliest first, each with its patient, practitioner and room.
* **Charts waiting for sign-off** (clinical staff only): every started session whose newest
  chart version nobody has signed, oldest chart first.
* **Patients due to book their next session**: the people the front desk should call. A
  planned or in-progress series with fewer sessions held than planned is listed by the day its
  next session falls due: the last session's local day plus the agreed interval; before the
  first session, the proposal's first date; failing that, the day the series was created. The
  series is left out when its next session is already taken care of: an appointment for it is
  booked from today on, or was attended (the patient came; the chart follows). Those patients
  need no call, so their booked date is not shown here: the appointment is on its day's list
  and the patient's page. A booking on an earlier day that was neither attended nor marked a
  no-show leaves the series listed: the patient missed it and needs a call.
* **Check-ins that need attention** (clinical staff only; ADR 0017): the portal's unreviewed
  amber and red check-ins, red first, newest first (``checkins.ATTENTION_LIMIT`` of them).

Each list is one query (``uow.worklists``, ``uow.check_ins``), so a view costs the same few
round trips whatever the size of the clinic (ADR 0019). The clinical lists (``clinical``) need
the right to read charts in the action table (``services.permissions``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from needlepoint.domain.checkins import ClinicCheckIn
from needlepoint.domain.clinic_time import day_bounds, local_day
from needlepoint.domain.records import PatientRecord
from needlepoint.domain.treatment import ChartVersion, TreatmentSession
from needlepoint.services import audit, permissions
from needlepoint.services.clinics import clinic_today, clinic_zone
from needlepoint.services.permissions import Action
from needlepoint.services.portal.facade import ATTENTION_LIMIT
from needlepoint.services.ports import Clock, HasCheckIns, HasClinics, HasWorklists
from needlepoint.services.scheduling.ports import DashboardReads, SeriesToBook
from needlepoint.services.scheduling.queries import DayAppointment


@dataclass(frozen=True, slots=True)
class ChartAwaitingSignOff:
    """A session whose newest chart version nobody has signed yet."""

    patient: PatientRecord
    session: TreatmentSession
    chart: ChartVersion


@dataclass(frozen=True, slots=True)
class SessionDue:
    """The next session of a series, neither held nor booked, and the day it falls due."""

    patient: PatientRecord
    series_id: UUID
    number: int
    sessions_planned: int
    due_on: date
    overdue: bool


@dataclass(frozen=True, slots=True)
class Dashboard:
    """Everything the dashboard shows; the clinical lists are empty for front desk."""

    today: date
    appointments: tuple[DayAppointment, ...]
    awaiting: tuple[ChartAwaitingSignOff, ...]
    due: tuple[SessionDue, ...]
    attention: tuple[ClinicCheckIn, ...]


@dataclass(frozen=True, slots=True)
class _Day:
    """The clinic's local day: its date and zone."""

    today: date
    zone: ZoneInfo

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """The day's first instant and the next day's (``domain.clinic_time.day_bounds``)."""
        return day_bounds(self.today, self.zone)


def dashboard(
    *, clinical: bool, context: audit.RequestContext, uow: DashboardReads, clock: Clock
) -> Dashboard:
    """The actor's clinic today; ``clinical`` adds charts to sign and check-ins to review."""
    permissions.require(context, Action.DASHBOARD_READ)
    if clinical:
        permissions.require(context, Action.CHART_READ)
    clinic_id = context.actor.clinic_id
    with uow:
        day = _clinic_day(uow, clinic_id, clock)
        appointments = _appointments(uow, clinic_id, day)
        due = _sessions_due(uow, clinic_id, day)
        awaiting = _charts_awaiting_signoff(uow, clinic_id) if clinical else ()
        attention = _needing_attention(uow, clinic_id) if clinical else ()
        access = audit.Access("worklist.dashboard", "worklist", day.today.isoformat(), None)
        audit.record(uow, context, access, at=clock.now())
        uow.commit()
    return Dashboard(day.today, appointments, awaiting, due, attention)


def _clinic_day(uow: HasClinics, clinic_id: UUID, clock: Clock) -> _Day:
    zone = clinic_zone(uow, clinic_id)
    return _Day(clinic_today(str(zone), clock), zone)


def _appointments(uow: HasWorklists, clinic_id: UUID, day: _Day) -> tuple[DayAppointment, ...]:
    found = uow.worklists.appointments_between(clinic_id, *day.bounds)
    return tuple(DayAppointment(*row) for row in found)


def _charts_awaiting_signoff(
    uow: HasWorklists, clinic_id: UUID
) -> tuple[ChartAwaitingSignOff, ...]:
    found = uow.worklists.charts_awaiting_signoff(clinic_id)
    return tuple(ChartAwaitingSignOff(*row) for row in found)


def _sessions_due(uow: HasWorklists, clinic_id: UUID, day: _Day) -> tuple[SessionDue, ...]:
    """Soonest due first; one day's patients by family name (then as the query orders them)."""
    found = uow.worklists.series_to_book(clinic_id, booked_from=day.bounds[0])
    due = [_next_session(row, day) for row in found]
    return tuple(sorted(due, key=lambda item: (item.due_on, item.patient.family_name)))


def _needing_attention(uow: HasCheckIns, clinic_id: UUID) -> tuple[ClinicCheckIn, ...]:
    """What ``checkins.needing_attention`` lists, read inside the dashboard's transaction."""
    found = uow.check_ins.needing_attention(clinic_id, limit=ATTENTION_LIMIT)
    return tuple(ClinicCheckIn(check_in, patient) for check_in, patient in found)


def _next_session(row: SeriesToBook, day: _Day) -> SessionDue:
    due_on = due_on_for(row, day.zone)
    return SessionDue(
        patient=row.patient,
        series_id=row.series_id,
        number=row.sessions_held + 1,
        sessions_planned=row.sessions_planned,
        due_on=due_on,
        overdue=due_on < day.today,
    )


def due_on_for(row: SeriesToBook, zone: ZoneInfo) -> date:
    """The day a series' next session falls due, in the clinic's calendar.

    The last session's local day plus the agreed interval; before the first session, the
    proposal's first date; failing that, the local day the series was created.
    """
    if row.last_started_at is not None:
        last_day = local_day(row.last_started_at, zone)
        return last_day + timedelta(days=row.interval_days)
    if row.first_proposed_on is not None:
        return row.first_proposed_on
    return local_day(row.created_at, zone)
