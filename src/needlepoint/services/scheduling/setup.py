"""Use cases of the clinic's set-up: rooms and the week's opening hours (admin).

Opening hours are wall-clock times in the clinic's time zone. Practitioners are the clinic's
active clinicians (staff with a licensed needle depth). Each change is one unit of work and
appends exactly one audit event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time, timedelta
from uuid import UUID, uuid4

from needlepoint.domain.errors import InputCode, InvalidInputError
from needlepoint.domain.planning import PlanningTables
from needlepoint.domain.records import StaffMember
from needlepoint.domain.scheduling import (
    AppointmentPart,
    OpeningHours,
    Room,
    appointment_length,
    week_problems,
)
from needlepoint.services import audit, permissions
from needlepoint.services.permissions import Action
from needlepoint.services.ports import Clock
from needlepoint.services.scheduling.ports import (
    OpeningHoursSetup,
    RoomSetup,
    SetupReads,
)
from needlepoint.services.scheduling.steps import practitioners

MAX_ROOM_NAME = 100


@dataclass(frozen=True, slots=True)
class ClinicSetup:
    """The clinic's rooms, week and practitioners, and the booked length of a session."""

    time_zone: str
    rooms: tuple[Room, ...]
    opening_hours: tuple[OpeningHours, ...]
    practitioners: tuple[StaffMember, ...]
    length: timedelta
    parts: tuple[AppointmentPart, ...]


def clinic_setup(
    *, context: audit.RequestContext, uow: SetupReads, tables: PlanningTables
) -> ClinicSetup:
    """What the calendar is built from (no patient data, so not audited)."""
    permissions.require(context, Action.SCHEDULE_READ)
    clinic_id = context.actor.clinic_id
    with uow:
        clinic = uow.clinics.get(clinic_id)
        return ClinicSetup(
            time_zone=clinic.time_zone if clinic else "UTC",
            rooms=tuple(uow.rooms.for_clinic(clinic_id)),
            opening_hours=tuple(uow.opening_hours.for_clinic(clinic_id)),
            practitioners=practitioners(uow, clinic_id),
            length=appointment_length(tables.appointment_parts),
            parts=tables.appointment_parts,
        )


def add_room(*, name: str, context: audit.RequestContext, uow: RoomSetup, clock: Clock) -> Room:
    """Add a treatment room; names are unique in a clinic."""
    permissions.require(context, Action.SCHEDULE_SET_UP)
    cleaned = name.strip()
    if not cleaned or len(cleaned) > MAX_ROOM_NAME:
        raise InvalidInputError.single(
            "name", "a room needs a name of 1 to 100 characters.", "give the room a short name."
        )
    room = Room(id=uuid4(), clinic_id=context.actor.clinic_id, name=cleaned)
    with uow:
        if any(
            r.name.casefold() == cleaned.casefold() for r in uow.rooms.for_clinic(room.clinic_id)
        ):
            raise InvalidInputError.single(
                "name", f"there is already a room called {cleaned}.", "choose another name."
            )
        uow.rooms.add(room)
        audit.record(uow, context, _clinic_access("room.add", room.clinic_id), at=clock.now())
        uow.commit()
    return room


def set_opening_hours(
    *,
    hours: Sequence[tuple[int, time, time]],
    context: audit.RequestContext,
    uow: OpeningHoursSetup,
    clock: Clock,
    closed_all_week: bool = False,
) -> tuple[OpeningHours, ...]:
    """Replace the clinic's week: ``(weekday 0=Monday, opens, closes)`` in local time.

    An empty week closes the clinic every day, which a blank form must not do by accident:
    it needs ``closed_all_week`` confirmed, and a confirmed closure comes with no hours.

    Raises:
        InvalidInputError: Field ``closed_all_week``: no hours and not confirmed (``required``),
            or confirmed with hours (``mismatch``); or the periods' own problems.
    """
    permissions.require(context, Action.SCHEDULE_SET_UP)
    clinic_id = context.actor.clinic_id
    _check_closure(hours, closed_all_week=closed_all_week)
    week = tuple(OpeningHours(clinic_id, d, o, c) for d, o, c in sorted(hours))
    problems = week_problems(week)
    if problems:
        raise InvalidInputError(problems)
    with uow:
        uow.opening_hours.replace(clinic_id, week)
        audit.record(uow, context, _clinic_access("opening_hours.set", clinic_id), at=clock.now())
        uow.commit()
    return week


def _check_closure(hours: Sequence[object], *, closed_all_week: bool) -> None:
    if not hours and not closed_all_week:
        raise InvalidInputError.single(
            "closed_all_week",
            "no day has opening hours: that closes the clinic every day.",
            "give the hours of at least one day, or confirm 'closed all week'.",
            InputCode.REQUIRED,
        )
    if hours and closed_all_week:
        raise InvalidInputError.single(
            "closed_all_week",
            "is confirmed, but some days have opening hours.",
            "leave every day blank to close all week, or do not confirm it.",
            InputCode.MISMATCH,
        )


def _clinic_access(action: str, clinic_id: UUID) -> audit.Access:
    return audit.Access(action, "clinic", str(clinic_id), None)
