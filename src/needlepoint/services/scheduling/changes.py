"""Use cases that change a booked appointment: move it, cancel it, record attendance.

Rescheduling (to a time from now on) re-checks the intervals with the sessions either side
and the slot (``domain.scheduling.rules``); cancellation needs a reason; attendance and
no-show are recorded from the start on. The appointment's state machine is the domain's
(``Appointment.moved``, ``Appointment.with_status``). An appointment that ends withdraws its
pending messages that no longer apply (``reminders``); the ``on_change`` hook plans the
messages of a move. Each change is one unit of work and appends exactly one audit event.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from needlepoint.domain.clinic_time import local_day
from needlepoint.domain.dates import check_in_calendar
from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.scheduling import (
    Appointment,
    AppointmentStatus,
    ClinicCalendar,
    SlotRequest,
    check_slot,
)
from needlepoint.domain.treatment import VersionConflictError
from needlepoint.services import audit, permissions
from needlepoint.services.clinics import clinic_zone
from needlepoint.services.messaging.facade import withdraw_for_appointment
from needlepoint.services.permissions import Action
from needlepoint.services.ports import Clock, HasAppointments
from needlepoint.services.scheduling.ports import (
    BookingWrites,
    MoveChecks,
    StatusChanges,
)
from needlepoint.services.scheduling.steps import (
    AppointmentNotFoundError,
    Booking,
    appointment_access,
    calendar_between,
    override_note,
)
from needlepoint.services.scheduling.visits import IntervalChange, check_intervals


@dataclass(frozen=True, slots=True)
class Move:
    """A reschedule: the new start, practitioner and room, over the version it was based on."""

    appointment_id: UUID
    expected_version: int
    starts_at: datetime
    practitioner_id: UUID
    room_id: UUID
    reason: str = ""


def reschedule(
    *,
    move: Move,
    context: audit.RequestContext,
    uow: BookingWrites,
    clock: Clock,
    booking: Booking,
) -> Appointment:
    """Move a booked appointment; the intervals with the sessions either side are re-checked.

    A reason given with the move (for a gap past the maximum) is recorded on the appointment.
    """
    permissions.require(context, Action.APPOINTMENT_CHANGE)
    check_in_calendar("starts_at", move.starts_at.date())
    now = clock.now()
    with uow:
        uow.appointments.hold(context.actor.clinic_id, [move.practitioner_id], [move.room_id])
        current = _current(uow, context, move.appointment_id, move.expected_version)
        moved = current.moved(
            starts_at=move.starts_at,
            ends_at=move.starts_at + (current.ends_at - current.starts_at),
            practitioner_id=move.practitioner_id,
            room_id=move.room_id,
            now=now,
        )
        _check_move(uow, current, move, booking.extra_interval_days)
        if move.reason.strip():  # the reason a longer gap passed with: recorded with the move
            moved = replace(moved, status_reason=override_note(move.reason))
        uow.appointments.save(moved)
        booking.on_change(uow, moved, "rescheduled")
        audit.record(uow, context, appointment_access("appointment.reschedule", moved), at=now)
        uow.commit()
    return moved


def _check_move(uow: MoveChecks, current: Appointment, move: Move, extra_days: int) -> None:
    zone = clinic_zone(uow, current.clinic_id)
    length = current.ends_at - current.starts_at
    calendar = calendar_between(
        uow, current.clinic_id, zone, move.starts_at, move.starts_at + length
    )
    others = tuple(a for a in calendar.taken if a.id != current.id)
    calendar = ClinicCalendar(
        zone, calendar.opening_hours, calendar.practitioner_ids, calendar.room_ids, others
    )
    series = uow.series.get(current.clinic_id, current.series_id) if current.series_id else None
    if series is not None and current.session_number is not None:
        number = current.session_number
        change = IntervalChange(
            series,
            planned={number: local_day(move.starts_at, zone)},
            reasons={number: move.reason.strip()},
            replacing=frozenset({current.id}),
            field="starts_at",
        )
        check_intervals(uow, change, zone=zone, extra_days=extra_days)
    request = SlotRequest(move.starts_at, length, move.practitioner_id, move.room_id)
    check_slot(calendar, request, f"sessions[{current.session_number or 1}]")


@dataclass(frozen=True, slots=True)
class StatusChange:
    """A cancellation, attendance or no-show, over the version it was based on."""

    appointment_id: UUID
    expected_version: int
    status: AppointmentStatus
    reason: str = ""


def change_status(
    *,
    change: StatusChange,
    context: audit.RequestContext,
    uow: StatusChanges,
    clock: Clock,
    booking: Booking,
) -> Appointment:
    """Cancel an appointment, or record the patient attended or did not come (once started).

    Its pending messages that no longer apply are withdrawn in the same transaction
    (``domain.reminders.withdrawn_kinds``); aftercare for an attended visit still goes.
    """
    permissions.require(context, Action.APPOINTMENT_CHANGE)
    status, reason = change.status, change.reason
    if status is AppointmentStatus.CANCELLED and not reason.strip():
        raise InvalidInputError.single(
            "reason", "a cancellation needs a reason.", "say why (e.g. patient unwell)."
        )
    if status is AppointmentStatus.BOOKED:
        raise InvalidInputError.single("status", "is already booked.", "cancel or record it.")
    now = clock.now()
    with uow:
        current = _current(uow, context, change.appointment_id, change.expected_version)
        changed = current.with_status(status, reason.strip() or None, now=now)
        uow.appointments.save(changed)
        withdraw_for_appointment(uow=uow, appointment=changed)
        booking.on_change(uow, changed, status.value)
        access = appointment_access(f"appointment.{status.value}", changed)
        audit.record(uow, context, access, at=now)
        uow.commit()
    return changed


def _current(
    uow: HasAppointments,
    context: audit.RequestContext,
    appointment_id: UUID,
    expected_version: int,
) -> Appointment:
    found = uow.appointments.get(context.actor.clinic_id, appointment_id)
    if found is None:
        raise AppointmentNotFoundError(f"no appointment {appointment_id}")
    if found.version != expected_version:
        raise VersionConflictError("appointment", found.id, expected_version, found.version)
    return found
