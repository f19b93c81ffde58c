"""Use cases: a patient's daily check-in after a session (the clinic's side: ``clinic_check_ins``).

A check-in follows a *treatment*: a started (or signed) session, or an attended appointment
with no session recorded for it. It is taken on days 0 to ``last_day`` after the treatment,
counted in the clinic's calendar (``checkin_triage.yaml``). The answers are triaged by the
pure rules of ``domain.checkins``; an optional photo is re-encoded by the ``PhotoEncoder``
port before anything is written (a rejected photo leaves nothing behind).

An amber or red check-in is queued, in the same transaction, as a ``CLINIC_ALERT`` email to
every active clinician of the clinic (its admins when it has none). The email says the colour
and links to the check-in's page in the clinic's web app (``<public URL>/check-ins/<id>``,
behind the staff sign-in); it names no patient and no symptom. The dashboard's list
"Check-ins that need attention" shows the check-in until a clinician reviews it.

Every use case is one unit of work with one audit event. A patient reaches only their own
check-ins and photos: another patient's id reads exactly like one that does not exist.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Final, TypeVar
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from needlepoint.domain.checkins import (
    CheckIn,
    CheckInAnswers,
    CheckInClosedError,
    CheckInPhoto,
    TriageLevel,
    TriageRules,
    check_in_open,
    day_after,
    triage,
)
from needlepoint.domain.clinic_time import local_day
from needlepoint.domain.errors import NotFoundError
from needlepoint.domain.messages import Channel, MessageKind, OutboxMessage
from needlepoint.domain.records import Role, StaffMember
from needlepoint.domain.scheduling import AppointmentStatus
from needlepoint.services import audit
from needlepoint.services.access import MAX_PAGE_SIZE
from needlepoint.services.clinics import clinic_zone
from needlepoint.services.portal.ports import (
    CheckInForm,
    CheckInReads,
    CheckInsDue,
    CheckInSubmission,
    ClinicAlert,
    PhotoEncoder,
    TreatmentHistory,
)
from needlepoint.services.portal.sign_in import (
    PatientContext,
    PortalRecordNotFoundError,
    patient_event,
)
from needlepoint.services.ports import Clock, HasClinics

RECENT_LIMIT: Final = 20
PHOTO_TYPE: Final = "image/jpeg"
ALERT_SUBJECTS: Final = {
    TriageLevel.RED: "A red check-in needs attention today",
    TriageLevel.AMBER: "An amber check-in needs attention",
}
"""The alert's subject per level: the colour, never the patient."""
ALERT_MEANINGS: Final = {
    TriageLevel.RED: "red: the answers include a red-flag sign, and the patient has been told "
    "to call the clinic today",
    TriageLevel.AMBER: "amber: the answers are outside what healing usually looks like, and the "
    "patient has been told the clinic will look at them",
}
"""What each level means (``checkin_triage.yaml``), as the alert says it."""

_Found = TypeVar("_Found")


class CheckInNotFoundError(NotFoundError):
    """No such check-in in this clinic."""

    code = "check-in-not-found"


@dataclass(frozen=True, slots=True)
class Treatment:
    """What a check-in can follow: a started session, or an attended appointment without one."""

    id: UUID
    session_id: UUID | None
    appointment_id: UUID | None
    series_id: UUID | None
    number: int | None
    treated_at: datetime


@dataclass(frozen=True, slots=True)
class CheckInDue:
    """A treatment whose check-in window is open today, and today's check-ins after it."""

    treatment: Treatment
    day: int
    today: tuple[CheckIn, ...]


@dataclass(frozen=True, slots=True)
class NewCheckIn:
    """A check-in as the patient sends it: which treatment, the answers, perhaps a photo."""

    treatment_id: UUID
    answers: CheckInAnswers
    photo: bytes | None = None


@dataclass(frozen=True, slots=True)
class CheckInTools:
    """What taking a check-in needs beside the unit of work and the clock."""

    rules: TriageRules
    photos: PhotoEncoder
    public_url: str
    """The address the clinic's web app is reached at, for the alert's link to the check-in."""


def treatments(uow: TreatmentHistory, clinic_id: UUID, patient_id: UUID) -> tuple[Treatment, ...]:
    """Every treatment of a patient, newest first (inside the caller's unit of work)."""
    found: list[Treatment] = []
    held: set[tuple[UUID, int]] = set()
    for series in uow.series.for_patient(clinic_id, patient_id, offset=0, limit=MAX_PAGE_SIZE):
        for session in uow.sessions.for_series(clinic_id, series.id):
            if session.started_at is None:
                continue
            held.add((series.id, session.number))
            found.append(
                Treatment(
                    session.id, session.id, None, series.id, session.number, session.started_at
                )
            )
    for appointment in uow.appointments.for_patient(clinic_id, patient_id):
        key = (appointment.series_id, appointment.session_number)
        if appointment.status is not AppointmentStatus.ATTENDED or key in held:
            continue
        found.append(
            Treatment(
                appointment.id,
                None,
                appointment.id,
                appointment.series_id,
                appointment.session_number,
                appointment.starts_at,
            )
        )
    return tuple(sorted(found, key=lambda t: t.treated_at, reverse=True))


def local_today(uow: HasClinics, clinic_id: UUID, clock: Clock) -> tuple[date, ZoneInfo]:
    """Today in the clinic's calendar, and the clinic's zone."""
    zone = clinic_zone(uow, clinic_id)
    return local_day(clock.now(), zone), zone


def checks_due(
    uow: CheckInsDue, context: PatientContext, clock: Clock, rules: TriageRules
) -> tuple[CheckInDue, ...]:
    """The treatments a check-in is asked for today, newest first (in the caller's unit)."""
    today, zone = local_today(uow, context.clinic_id, clock)
    recent = uow.check_ins.for_patient(context.clinic_id, context.patient_id, limit=RECENT_LIMIT)
    due = []
    for treatment in treatments(uow, context.clinic_id, context.patient_id):
        day = day_after(local_day(treatment.treated_at, zone), today)
        if check_in_open(day, rules):
            done = tuple(
                c
                for c in recent
                if treatment.id in {c.session_id, c.appointment_id}
                and local_day(c.submitted_at, zone) == today
            )
            due.append(CheckInDue(treatment, day, done))
    return tuple(due)


def check_in_form(
    *,
    treatment_id: UUID,
    context: PatientContext,
    uow: CheckInForm,
    clock: Clock,
    rules: TriageRules,
) -> CheckInDue:
    """The treatment a check-in form is for, with the day it is and today's check-ins."""
    with uow:
        due = _due_or_raise(uow, context, clock, rules, treatment_id, "check_in.form")
        uow.audit.append(
            patient_event(context, "check_in.form", "treatment", treatment_id, clock.now())
        )
        uow.commit()
    return due


def submit_check_in(
    *,
    new: NewCheckIn,
    context: PatientContext,
    uow: CheckInSubmission,
    clock: Clock,
    tools: CheckInTools,
) -> CheckIn:
    """Triage and keep a check-in (with its re-encoded photo); alert the clinic if amber or red.

    Raises:
        PortalRecordNotFoundError: The treatment is not one of the patient's.
        CheckInClosedError: The check-in window of that treatment is not open today.
        PhotoRejectedError: The photo cannot be accepted (nothing is written).
    """
    rules = tools.rules
    encoded = None if not new.photo else tools.photos.reencode(new.photo)
    now = clock.now()
    with uow:
        due = _due_or_raise(uow, context, clock, rules, new.treatment_id, "check_in.create")
        check_in = _new_check_in(context, due, new.answers, rules, now)
        uow.check_ins.add(check_in)
        if encoded is not None:
            photo = _photo(check_in, encoded, now)
            uow.check_ins.add_photo(photo)
            check_in = _with_photo(check_in, photo.id)
        if check_in.triage.needs_attention:
            _alert_clinic(uow, check_in, check_in_url(tools.public_url, check_in.id), now)
        uow.audit.append(patient_event(context, "check_in.create", "check_in", check_in.id, now))
        uow.commit()
    return check_in


def _due_or_raise(
    uow: CheckInForm,
    context: PatientContext,
    clock: Clock,
    rules: TriageRules,
    treatment_id: UUID,
    action: str,
) -> CheckInDue:
    found = next(
        (t for t in treatments(uow, context.clinic_id, context.patient_id) if t.id == treatment_id),
        None,
    )
    if found is None:
        _refuse(uow, context, action, ("treatment", treatment_id), clock)
        raise PortalRecordNotFoundError(f"no treatment {treatment_id}")
    due = next(
        (d for d in checks_due(uow, context, clock, rules) if d.treatment.id == found.id), None
    )
    if due is None:
        today, zone = local_today(uow, context.clinic_id, clock)
        day = day_after(local_day(found.treated_at, zone), today)
        _refuse(uow, context, action, ("treatment", treatment_id), clock, outcome="closed")
        raise CheckInClosedError(day, rules.last_day)
    return due


def _new_check_in(
    context: PatientContext,
    due: CheckInDue,
    answers: CheckInAnswers,
    rules: TriageRules,
    now: datetime,
) -> CheckIn:
    treatment = due.treatment
    return CheckIn(
        id=uuid4(),
        clinic_id=context.clinic_id,
        patient_id=context.patient_id,
        session_id=treatment.session_id,
        appointment_id=treatment.appointment_id,
        treated_at=treatment.treated_at,
        day=due.day,
        answers=answers,
        triage=triage(answers, day=due.day, rules=rules),
        submitted_at=now,
    )


def _photo(check_in: CheckIn, encoded: tuple[bytes, int, int], now: datetime) -> CheckInPhoto:
    data, width_px, height_px = encoded
    return CheckInPhoto(
        id=uuid4(),
        check_in_id=check_in.id,
        clinic_id=check_in.clinic_id,
        patient_id=check_in.patient_id,
        content_type=PHOTO_TYPE,
        width_px=width_px,
        height_px=height_px,
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        created_at=now,
    )


def _with_photo(check_in: CheckIn, photo_id: UUID) -> CheckIn:
    return replace(check_in, photo_id=photo_id)


def check_in_url(public_url: str, check_in_id: UUID) -> str:
    """The check-in's page in the clinic's web app: ``<public URL>/check-ins/<id>``."""
    return f"{public_url.rstrip('/')}/check-ins/{check_in_id}"


def alert_text(level: TriageLevel, url: str) -> tuple[str, str]:
    """The alert's subject and body: the colour and the link, no patient and no symptom."""
    body = (
        f"A patient's check-in was triaged {ALERT_MEANINGS[level]}.\n\n"
        f"Open the check-in (staff sign-in): {url}\n\n"
        "Review it there, with what came of it and a note.\n"
    )
    return ALERT_SUBJECTS[level], body


def _alert_clinic(uow: ClinicAlert, check_in: CheckIn, url: str, now: datetime) -> None:
    """One email per recipient; it names neither the patient nor any symptom."""
    subject, body = alert_text(check_in.triage.level, url)
    for member in alert_recipients(uow.staff.for_clinic(check_in.clinic_id)):
        uow.outbox.add(
            OutboxMessage(
                id=uuid4(),
                clinic_id=check_in.clinic_id,
                patient_id=None,
                appointment_id=None,
                kind=MessageKind.CLINIC_ALERT,
                channel=Channel.EMAIL,
                recipient=member.email,
                subject=subject,
                body=body,
                due_at=now,
                idempotency_key=f"clinic-alert:{check_in.id}:{member.id}",
                created_at=now,
            )
        )


def alert_recipients(staff: Sequence[StaffMember]) -> tuple[StaffMember, ...]:
    """Who hears of an amber or red check-in: active clinicians, else active admins."""
    active = [m for m in staff if m.active]
    clinicians = tuple(m for m in active if m.role is Role.CLINICIAN)
    return clinicians or tuple(m for m in active if m.role is Role.ADMIN)


def patient_check_in(
    *, check_in_id: UUID, context: PatientContext, uow: CheckInReads, clock: Clock
) -> CheckIn:
    """One of the signed-in patient's own check-ins."""
    with uow:
        found = uow.check_ins.get_for_patient(context.clinic_id, context.patient_id, check_in_id)
        return _own_read(uow, context, found, "check_in.read", ("check_in", check_in_id), clock)


def patient_photo(
    *, photo_id: UUID, context: PatientContext, uow: CheckInReads, clock: Clock
) -> CheckInPhoto:
    """One of the signed-in patient's own check-in photos."""
    with uow:
        found = uow.check_ins.photo_for_patient(context.clinic_id, context.patient_id, photo_id)
        target = ("check_in_photo", photo_id)
        return _own_read(uow, context, found, "check_in_photo.read", target, clock)


def _own_read(
    uow: audit.AuditedTransaction,
    context: PatientContext,
    found: _Found | None,
    action: str,
    target: tuple[str, UUID],
    clock: Clock,
) -> _Found:
    """What the patient's own query found, its read audited and committed.

    Nothing found is a refusal: audited, then raised as a missing record.
    """
    resource_type, resource_id = target
    if found is None:
        _refuse(uow, context, action, target, clock)
        raise PortalRecordNotFoundError(f"no {resource_type} {resource_id}")
    uow.audit.append(patient_event(context, action, resource_type, resource_id, clock.now()))
    uow.commit()
    return found


def _refuse(
    uow: audit.AuditedTransaction,
    context: PatientContext,
    action: str,
    target: tuple[str, UUID],
    clock: Clock,
    *,
    outcome: str = "not_found",
) -> None:
    """Audit a refused patient request before the error is raised (it commits on its own)."""
    uow.rollback()
    resource_type, resource_id = target
    event = patient_event(context, action, resource_type, resource_id, clock.now(), outcome=outcome)
    uow.audit.append(event)
    uow.commit()
