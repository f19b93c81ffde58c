"""Use cases that read the calendar: a day's list, a patient's appointments, one appointment.

Each read of patient data appends exactly one audit event.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from uuid import UUID

from needlepoint.domain.clinic_time import day_bounds
from needlepoint.domain.dates import check_in_calendar
from needlepoint.domain.records import PatientRecord
from needlepoint.domain.scheduling import Appointment
from needlepoint.services import audit, permissions
from needlepoint.services.clinics import clinic_zone
from needlepoint.services.permissions import Action
from needlepoint.services.ports import Clock
from needlepoint.services.scheduling.ports import (
    AppointmentDetailReads,
    AppointmentReads,
    DayListReads,
)
from needlepoint.services.scheduling.steps import AppointmentNotFoundError, appointment_access


@dataclass(frozen=True, slots=True)
class DayAppointment:
    """One appointment on a day list, with who it is for and with."""

    appointment: Appointment
    patient: PatientRecord
    practitioner: str
    room: str


def day_list(
    *, on: date, context: audit.RequestContext, uow: DayListReads, clock: Clock
) -> tuple[DayAppointment, ...]:
    """The clinic's appointments on one local day, earliest first; the read is audited."""
    permissions.require(context, Action.SCHEDULE_READ)
    check_in_calendar("on", on)
    clinic_id = context.actor.clinic_id
    with uow:
        zone = clinic_zone(uow, clinic_id)
        found = uow.worklists.appointments_between(clinic_id, *day_bounds(on, zone))
        listed = tuple(DayAppointment(*row) for row in found)
        access = audit.Access("worklist.day_list", "appointment", on.isoformat(), None)
        audit.record(uow, context, access, at=clock.now())
        uow.commit()
    return listed


def patient_appointments(
    *, patient_id: UUID, context: audit.RequestContext, uow: AppointmentReads, clock: Clock
) -> tuple[Appointment, ...]:
    """A patient's appointments, earliest first, cancelled ones included; audited."""
    permissions.require(context, Action.SCHEDULE_READ)
    with uow:
        found = tuple(uow.appointments.for_patient(context.actor.clinic_id, patient_id))
        access = audit.Access("appointment.list", "patient", str(patient_id), patient_id)
        audit.record(uow, context, access, at=clock.now())
        uow.commit()
    return found


def get_appointment(
    *,
    appointment_id: UUID,
    context: audit.RequestContext,
    uow: AppointmentDetailReads,
    clock: Clock,
) -> DayAppointment:
    """One appointment with its patient, practitioner and room; the read is audited."""
    permissions.require(context, Action.SCHEDULE_READ)
    clinic_id = context.actor.clinic_id
    with uow:
        found = uow.appointments.get(clinic_id, appointment_id)
        patient = uow.patients.get(clinic_id, found.patient_id) if found else None
        if found is None or patient is None:
            missing = audit.Access("appointment.read", "appointment", str(appointment_id), None)
            audit.record(uow, context, replace(missing, outcome="not_found"), at=clock.now())
            uow.commit()
            raise AppointmentNotFoundError(f"no appointment {appointment_id}")
        person = uow.staff.get(clinic_id, found.practitioner_id)
        room = uow.rooms.get(clinic_id, found.room_id)
        audit.record(uow, context, appointment_access("appointment.read", found), at=clock.now())
        uow.commit()
    return DayAppointment(
        found, patient, person.display_name if person else "?", room.name if room else "?"
    )
