"""Queueing an appointment's reminders in the outbox, inside the caller's unit of work.

These are steps of the scheduling use cases (book, reschedule, cancel, no-show, attend, a
session starting), not use cases of their own: they neither commit nor audit. The caller runs
them in the same transaction as the appointment change, so the messages exist exactly when the
change does, and its one audit event covers both. ``needlepoint worker`` delivers them
(``services.delivery``).

* ``queue_for_appointment``: after booking. Booking any appointment also cancels the patient's
  pending next-session recalls, since a booking is what a recall asks for.
* ``requeue_for_appointment``: after a reschedule. Cancels the appointment's pending messages
  and plans again from the new start (new keys, so fresh messages).
* ``withdraw_for_appointment``: once an appointment is cancelled, a no-show or attended, its
  pending messages that no longer apply are cancelled (``domain.reminders.withdrawn_kinds``:
  everything for a cancellation or a no-show; the pre-visit ones for an attendance, whose
  aftercare still goes). The scheduling service calls it on every such change.

``follow_appointment_change`` plans from what the unit of work holds (the clinic's time zone,
the patient's contact, the series' plan, the care items its consultation chose, whether the
next session is booked): it is the scheduling service's ``on_change`` hook.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from needlepoint.domain.messages import MessageKind, OutboxMessage
from needlepoint.domain.records import ConsultationRecord, PatientRecord
from needlepoint.domain.reminders import (
    CareTimeline,
    Contact,
    ReminderPolicy,
    ReminderRequest,
    plan_reminders,
    withdrawn_kinds,
)
from needlepoint.domain.scheduling import Appointment
from needlepoint.domain.treatment import TreatmentSeries
from needlepoint.services.messaging.ports import ReminderPlanning, ReminderReads
from needlepoint.services.ports import HasAppointments, HasOutbox, HasSeries

BOOKED: Final = "booked"
RESCHEDULED: Final = "rescheduled"


def queue_for_appointment(
    *, uow: HasOutbox, request: ReminderRequest, policy: ReminderPolicy, now: datetime
) -> tuple[OutboxMessage, ...]:
    """Queue a newly booked appointment's messages; the ones newly queued, soonest first.

    Call inside the booking's ``with uow:`` block, before its commit.
    """
    appointment = request.appointment
    uow.outbox.cancel_pending_of_kind(
        appointment.clinic_id, appointment.patient_id, MessageKind.NEXT_SESSION_RECALL
    )
    return _queue(uow, request, policy, now)


def requeue_for_appointment(
    *, uow: HasOutbox, request: ReminderRequest, policy: ReminderPolicy, now: datetime
) -> tuple[OutboxMessage, ...]:
    """Replace a rescheduled appointment's pending messages; the ones newly queued.

    ``request.appointment`` is the appointment at its new time. Call inside the reschedule's
    ``with uow:`` block, before its commit.
    """
    appointment = request.appointment
    uow.outbox.cancel_pending(appointment.clinic_id, appointment.id)
    return _queue(uow, request, policy, now)


def cancel_for_appointment(*, uow: HasOutbox, appointment: Appointment) -> int:
    """Cancel every pending message of an appointment; how many.

    Call inside the change's ``with uow:`` block, before its commit.
    """
    return uow.outbox.cancel_pending(appointment.clinic_id, appointment.id)


def withdraw_for_appointment(*, uow: HasOutbox, appointment: Appointment) -> int:
    """Cancel the pending messages its status no longer allows (``withdrawn_kinds``); how many.

    Call inside the change's ``with uow:`` block, before its commit.
    """
    kinds = withdrawn_kinds(appointment.status)
    if not kinds:
        return 0
    return uow.outbox.cancel_pending(appointment.clinic_id, appointment.id, kinds)


def follow_appointment_change(
    *,
    uow: ReminderPlanning,
    appointment: Appointment,
    change: str,
    policy: ReminderPolicy,
    now: datetime,
) -> None:
    """Plan an appointment's messages after a change, in the caller's unit of work.

    ``change`` is ``booked`` or ``rescheduled``; the others (``cancelled``, ``no_show``,
    ``attended``) plan nothing: the scheduling service has already withdrawn what no longer
    goes (``withdraw_for_appointment``).
    """
    if change not in {BOOKED, RESCHEDULED}:
        return
    request = reminder_request(uow, appointment, policy)
    if request is None:
        return
    if change == BOOKED:
        queue_for_appointment(uow=uow, request=request, policy=policy, now=now)
    else:
        requeue_for_appointment(uow=uow, request=request, policy=policy, now=now)


def reminder_request(
    uow: ReminderReads, appointment: Appointment, policy: ReminderPolicy
) -> ReminderRequest | None:
    """What the planner needs about an appointment, read in the caller's unit of work.

    None when the clinic or the patient cannot be found (nothing is planned then).
    """
    clinic = uow.clinics.get(appointment.clinic_id)
    patient = uow.patients.get(appointment.clinic_id, appointment.patient_id)
    if clinic is None or patient is None:
        return None
    series = _series(uow, appointment)
    if series is None:
        return ReminderRequest(appointment, ZoneInfo(clinic.time_zone), contact_of(patient))
    consultation = uow.consultations.get(appointment.clinic_id, series.consultation_id)
    chosen = set(_chosen_pre_care(consultation))
    templates = (t for t in policy.care_templates if t.id in chosen)
    number = appointment.session_number or 0
    return ReminderRequest(
        appointment=appointment,
        clinic_tz=ZoneInfo(clinic.time_zone),
        contact=contact_of(patient),
        care=CareTimeline.from_templates(templates),
        is_last_session=number >= series.plan.sessions,
        next_session_booked=_is_booked(uow, appointment, number + 1),
        interval_days=series.plan.interval_days,
    )


def contact_of(patient: PatientRecord) -> Contact:
    """Where a patient receives messages: their email address and phone number, if any."""
    return Contact(email=patient.email, phone=patient.phone)


def _queue(
    uow: HasOutbox, request: ReminderRequest, policy: ReminderPolicy, now: datetime
) -> tuple[OutboxMessage, ...]:
    planned = plan_reminders(request, policy, now=now)
    return tuple(message for message in planned if uow.outbox.add(message))


def _series(uow: HasSeries, appointment: Appointment) -> TreatmentSeries | None:
    if appointment.series_id is None:
        return None
    return uow.series.get(appointment.clinic_id, appointment.series_id)


def _chosen_pre_care(consultation: ConsultationRecord | None) -> Iterable[str]:
    """The ids of the pre-care items the consultation's report chose for the patient."""
    if consultation is None:
        return ()
    care: Mapping[str, Any] = consultation.report.get("care") or {}
    return (str(item["id"]) for item in care.get("pre", ()) if "id" in item)


def _is_booked(uow: HasAppointments, appointment: Appointment, number: int) -> bool:
    """Whether session ``number`` of the appointment's series holds an appointment."""
    return any(
        a.series_id == appointment.series_id and a.session_number == number and a.occupies
        for a in uow.appointments.for_patient(appointment.clinic_id, appointment.patient_id)
    )
