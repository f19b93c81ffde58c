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
round trips whatever the size of the clinic (ADR 0019), and each reads at most a page
(``WORKLIST_PAGE``; ADR 0034): the charts to sign show the oldest page and say that more wait;
the series to book page by keyset, ``due_after`` being the ``due_more`` cursor of the page
before. The clinical lists (``clinical``) need the right to read charts in the action table
(``services.permissions``).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final
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
from needlepoint.services.scheduling.ports import DashboardReads, DueListKey, SeriesToBook
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


WORKLIST_PAGE: Final = 50
"""Rows of a worklist shown at once (a bound on the page, not a clinical number)."""


@dataclass(frozen=True, slots=True)
class Dashboard:
    """Everything the dashboard shows; the clinical lists are empty for front desk.

    ``awaiting_more``: more charts wait than the page shows. ``due_more``: the cursor of the
    next page of series to book, None on the last.
    """

    today: date
    appointments: tuple[DayAppointment, ...]
    awaiting: tuple[ChartAwaitingSignOff, ...]
    due: tuple[SessionDue, ...]
    attention: tuple[ClinicCheckIn, ...]
    awaiting_more: bool = False
    due_more: str | None = None


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
    *,
    clinical: bool,
    context: audit.RequestContext,
    uow: DashboardReads,
    clock: Clock,
    due_after: str | None = None,
) -> Dashboard:
    """The actor's clinic today; ``clinical`` adds charts to sign and check-ins to review.

    ``due_after`` (a ``due_more`` cursor) starts the series to book after that page; a cursor
    the dashboard did not hand out starts them from the first.
    """
    permissions.require(context, Action.DASHBOARD_READ)
    if clinical:
        permissions.require(context, Action.CHART_READ)
    clinic_id = context.actor.clinic_id
    with uow:
        day = _clinic_day(uow, clinic_id, clock)
        appointments = _appointments(uow, clinic_id, day)
        due, due_more = _sessions_due(uow, clinic_id, day, read_due_cursor(due_after))
        awaiting = _charts_awaiting_signoff(uow, clinic_id) if clinical else ()
        attention = _needing_attention(uow, clinic_id) if clinical else ()
        access = audit.Access("worklist.dashboard", "worklist", day.today.isoformat(), None)
        audit.record(uow, context, access, at=clock.now())
        uow.commit()
    return Dashboard(
        day.today,
        appointments,
        awaiting[:WORKLIST_PAGE],
        due,
        attention,
        awaiting_more=len(awaiting) > WORKLIST_PAGE,
        due_more=due_more,
    )


def _clinic_day(uow: HasClinics, clinic_id: UUID, clock: Clock) -> _Day:
    zone = clinic_zone(uow, clinic_id)
    return _Day(clinic_today(str(zone), clock), zone)


def _appointments(uow: HasWorklists, clinic_id: UUID, day: _Day) -> tuple[DayAppointment, ...]:
    found = uow.worklists.appointments_between(clinic_id, *day.bounds)
    return tuple(DayAppointment(*row) for row in found)


def _charts_awaiting_signoff(
    uow: HasWorklists, clinic_id: UUID
) -> tuple[ChartAwaitingSignOff, ...]:
    found = uow.worklists.charts_awaiting_signoff(clinic_id, limit=WORKLIST_PAGE + 1)
    return tuple(ChartAwaitingSignOff(*row) for row in found)


def _sessions_due(
    uow: HasWorklists, clinic_id: UUID, day: _Day, after: DueListKey | None
) -> tuple[tuple[SessionDue, ...], str | None]:
    """A page, soonest due first; one day's patients by family name; the next page's cursor.

    The query pages by the due day in UTC; the page shows and orders by the clinic's day.
    """
    found = uow.worklists.series_to_book(
        clinic_id, booked_from=day.bounds[0], limit=WORKLIST_PAGE + 1, after=after
    )
    page = found[:WORKLIST_PAGE]
    more = due_cursor(page[-1].key) if len(found) > WORKLIST_PAGE else None
    due = [_next_session(row, day) for row in page]
    return tuple(sorted(due, key=lambda item: (item.due_on, item.patient.family_name))), more


def due_cursor(key: DueListKey) -> str:
    """The cursor of the page of series to book after ``key`` (URL-safe base64 JSON)."""
    raw = json.dumps([key.utc_due_on.isoformat(), str(key.series_id)], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def read_due_cursor(text: str | None) -> DueListKey | None:
    """The key ``due_cursor`` made ``text`` of; None for no text or any other text."""
    if not text:
        return None
    try:
        raw = base64.urlsafe_b64decode((text + "=" * (-len(text) % 4)).encode())
        due_on, series_id = json.loads(raw)
        return DueListKey(date.fromisoformat(due_on), UUID(series_id))
    except (ValueError, TypeError, binascii.Error, UnicodeError):
        return None


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
