"""Scheduling: the clinic's set-up, free slots, booking a series, and changes to appointments.

Front desk books, moves and cancels; the set-up (rooms, opening hours) is an admin's. Times go
in and out as ISO 8601 instants with an offset; the clinic's zone is in the set-up. Changes
name the version they were based on; a stale one is 409 ``version-conflict``.
"""

from __future__ import annotations

from datetime import date, time
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from needlepoint.domain.scheduling import AppointmentStatus
from needlepoint.entrypoints.api.permissions import API, Context
from needlepoint.entrypoints.api.schemas.scheduling import (
    AppointmentList,
    AppointmentOut,
    BookIn,
    BookingOut,
    PeriodBody,
    RescheduleIn,
    RoomIn,
    RoomOut,
    SetupOut,
    SlotOut,
    StatusIn,
    WeekIn,
)
from needlepoint.entrypoints.api.security import ServicesDep
from needlepoint.services.scheduling.booking import SlotChoice
from needlepoint.services.scheduling.changes import Move, StatusChange

router = APIRouter(tags=["scheduling"])


@router.get(f"{API}/schedule/setup")
def read_setup(context: Context, services: ServicesDep) -> SetupOut:
    """Rooms, opening hours, practitioners and the booked length of a treatment appointment."""
    return SetupOut.from_domain(services.scheduling.clinic_setup(context=context))


@router.post(f"{API}/schedule/rooms", status_code=201)
def add_room(body: RoomIn, context: Context, services: ServicesDep) -> RoomOut:
    """Add a treatment room (admin)."""
    return RoomOut.from_domain(services.scheduling.add_room(body.name, context=context))


@router.put(f"{API}/schedule/opening-hours")
def set_opening_hours(body: WeekIn, context: Context, services: ServicesDep) -> list[PeriodBody]:
    """Replace the clinic's week of opening hours, in its local time (admin).

    No periods closes the clinic every day: 422 naming ``closed_all_week`` unless it is true.
    """
    week = [
        (p.weekday, time.fromisoformat(p.opens), time.fromisoformat(p.closes)) for p in body.periods
    ]
    return [
        PeriodBody.from_domain(h)
        for h in services.scheduling.set_opening_hours(
            week, context=context, closed_all_week=body.closed_all_week
        )
    ]


@router.get(f"{API}/schedule/slots")
def list_slots(
    on: Annotated[date, Query(description="the local day")],
    context: Context,
    services: ServicesDep,
    practitioner_id: Annotated[UUID | None, Query()] = None,
) -> list[SlotOut]:
    """Every free treatment slot on one local day."""
    slots = services.scheduling.free_slots(on, context=context, practitioner_id=practitioner_id)
    return [SlotOut.from_domain(s) for s in slots]


@router.get(f"{API}/schedule/appointments")
def day_list(
    on: Annotated[date, Query(description="the local day")],
    context: Context,
    services: ServicesDep,
) -> AppointmentList:
    """The clinic's appointments on one local day, earliest first."""
    listed = services.scheduling.day_list(on, context=context)
    return AppointmentList.from_domain(d.appointment for d in listed)


@router.get(f"{API}/series/{{series_id}}/booking")
def read_booking(series_id: UUID, context: Context, services: ServicesDep) -> BookingOut:
    """What is booked of a series, and a free slot proposed for every session still to book."""
    return BookingOut.from_domain(
        services.scheduling.propose_series_booking(series_id, context=context)
    )


@router.post(f"{API}/series/{{series_id}}/appointments", status_code=201)
def book_series(
    series_id: UUID, body: BookIn, context: Context, services: ServicesDep
) -> AppointmentList:
    """Book sessions of a series, all or nothing; a clash is 409 ``slot-taken``.

    A start in the past is 422 ``start-in-past``; an interval limit is 422 with the limit's id
    as its code (``minimum-interval``, across all the patient's series on a shared zone;
    ``interval-beyond-maximum``; ``deferral-date``), each field problem naming it too.
    """
    choices = [
        SlotChoice(c.number, c.starts_at, c.practitioner_id, c.room_id, c.reason)
        for c in body.sessions
    ]
    made = services.scheduling.book_series(series_id, choices, context=context)
    return AppointmentList.from_domain(made)


@router.get(f"{API}/patients/{{patient_id}}/appointments")
def patient_appointments(
    patient_id: UUID, context: Context, services: ServicesDep
) -> AppointmentList:
    """A patient's appointments, earliest first, cancelled ones included."""
    found = services.scheduling.patient_appointments(patient_id, context=context)
    return AppointmentList.from_domain(found)


@router.post(f"{API}/appointments/{{appointment_id}}/reschedule")
def reschedule(
    appointment_id: UUID, body: RescheduleIn, context: Context, services: ServicesDep
) -> AppointmentOut:
    """Move a booked appointment from now on; the interval limits are checked again.

    Refusals as for booking, on the field ``starts_at``; a cancelled, attended or missed
    appointment is 409 ``invalid-transition``.
    """
    move = Move(
        appointment_id,
        body.expected_version,
        body.starts_at,
        body.practitioner_id,
        body.room_id,
        body.reason,
    )
    return AppointmentOut.from_domain(
        services.scheduling.reschedule_appointment(move, context=context)
    )


@router.post(f"{API}/appointments/{{appointment_id}}/status")
def change_status(
    appointment_id: UUID, body: StatusIn, context: Context, services: ServicesDep
) -> AppointmentOut:
    """Cancel (with a reason), or record that the patient attended or did not come.

    Attendance or a no-show before the start is 422 ``appointment-not-started``; an
    appointment already cancelled, attended or missed is 409 ``invalid-transition``. What the
    appointment no longer sends is withdrawn (aftercare for an attended visit still goes).
    """
    change = StatusChange(
        appointment_id, body.expected_version, AppointmentStatus(body.status), body.reason
    )
    return AppointmentOut.from_domain(
        services.scheduling.change_appointment_status(change, context=context)
    )
