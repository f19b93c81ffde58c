"""Use case: the front desk's calendar, a day or a week, a lane per practitioner or per room.

One transaction reads the clinic's zone, rooms, opening hours and practitioners, and the
appointments overlapping the local days asked for (one indexed query on ``starts_at``, at most
``WEEK_DAYS`` days); ``domain.scheduling.agenda`` lays them out with their gaps. The read of
the appointments (patients' names among them) is one audit event, ``worklist.calendar``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol
from uuid import UUID

from needlepoint.domain.clinic_time import days_bounds
from needlepoint.domain.dates import check_in_calendar
from needlepoint.domain.errors import InputCode, InvalidInputError
from needlepoint.domain.planning import PlanningTables
from needlepoint.domain.scheduling import appointment_length
from needlepoint.domain.scheduling.agenda import (
    WEEK_DAYS,
    Agenda,
    Booking,
    LaneKind,
    Week,
    agenda_of,
)
from needlepoint.services import audit, permissions
from needlepoint.services.clinics import clinic_zone
from needlepoint.services.permissions import Action
from needlepoint.services.ports import Clock, HasRooms, HasStaff
from needlepoint.services.scheduling.ports import AgendaReads
from needlepoint.services.scheduling.steps import practitioners


@dataclass(frozen=True, slots=True)
class AgendaRequest:
    """Which calendar: from which local day, for how many days (1 to 7), by what lane."""

    first_day: date
    days: int
    by: LaneKind


def clinic_agenda(
    *,
    request: AgendaRequest,
    context: audit.RequestContext,
    uow: AgendaReads,
    clock: Clock,
    tables: PlanningTables,
) -> Agenda:
    """The clinic's calendar of ``request.days`` local days; the read is audited.

    Raises:
        InvalidInputError: Field ``days``: fewer than 1 or more than ``WEEK_DAYS``.
    """
    permissions.require(context, Action.SCHEDULE_READ)
    if not 1 <= request.days <= WEEK_DAYS:
        raise InvalidInputError.single(
            "days",
            f"{request.days} is not a calendar's length.",
            f"show 1 to {WEEK_DAYS} days.",
            InputCode.OUT_OF_RANGE,
        )
    check_in_calendar("on", request.first_day)
    days = [request.first_day + timedelta(days=n) for n in range(request.days)]
    check_in_calendar("on", days[-1])
    clinic_id = context.actor.clinic_id
    with uow:
        zone = clinic_zone(uow, clinic_id)
        bounds = days_bounds(days[0], days[-1], zone)
        found = uow.worklists.appointments_between(clinic_id, *bounds)
        lanes = _lanes(uow, clinic_id, request.by)
        week = Week(zone, tuple(uow.opening_hours.for_clinic(clinic_id)), _length(tables))
        span = f"{days[0].isoformat()}/{days[-1].isoformat()}"
        access = audit.Access("worklist.calendar", "appointment", span, None)
        audit.record(uow, context, access, at=clock.now())
        uow.commit()
    bookings = [Booking(a, f"{p.family_name}, {p.given_name}", pr, rm) for a, p, pr, rm in found]
    return agenda_of(days, request.by, lanes, bookings, week)


class LaneReads(HasRooms, HasStaff, Protocol):
    """The clinic's rooms and staff: the calendar's lanes."""


def _lanes(uow: LaneReads, clinic_id: UUID, by: LaneKind) -> list[tuple[UUID, str]]:
    if by is LaneKind.ROOM:
        return [(r.id, r.name) for r in uow.rooms.for_clinic(clinic_id) if r.active]
    return [(m.id, m.display_name) for m in practitioners(uow, clinic_id)]


def _length(tables: PlanningTables) -> timedelta:
    return appointment_length(tables.appointment_parts)
