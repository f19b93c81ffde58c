"""Reminders follow bookings on a real database: the scheduling service's hook queues them.

A series booked, moved and cancelled through ``services.scheduling`` with the hook wired as the
composition root wires it (``reminders.follow_appointment_change``), on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from conftest import EXAMPLES, TODAY, load_example
from fakes import OPERATOR, SETUP_CLOCK, FixedClock, PlainHasher, as_admin
from needlepoint.adapters.db.unit_of_work import SqlAlchemyUnitOfWork
from needlepoint.domain.messages import MessageKind, MessageStatus, OutboxMessage
from needlepoint.domain.records import Role
from needlepoint.domain.reminders import ReminderPolicy
from needlepoint.domain.scheduling import Appointment, AppointmentStatus
from needlepoint.domain.treatment import TreatmentSeries
from needlepoint.domain.vocabulary import Sex
from needlepoint.knowledge import catalogue
from needlepoint.knowledge.reminders import load_reminder_schedule
from needlepoint.services import clinics
from needlepoint.services.accounts import staff as accounts
from needlepoint.services.audit import AuthMethod, RequestContext
from needlepoint.services.consultation.consultations import (
    ConsultationRequest,
    record_consultation,
    sign_consultation,
)
from needlepoint.services.consultation.engine import Engine as ClinicalEngine
from needlepoint.services.messaging import reminders
from needlepoint.services.messaging.ports import ReminderPlanning as UnitOfWork
from needlepoint.services.records import patients
from needlepoint.services.scheduling.booking import SlotChoice, book_series
from needlepoint.services.scheduling.changes import Move, StatusChange, change_status, reschedule
from needlepoint.services.scheduling.setup import add_room, set_opening_hours
from needlepoint.services.scheduling.steps import Booking
from needlepoint.services.scheduling.visits import series_rules
from needlepoint.services.treatment import series as treatment

LONDON = ZoneInfo("Europe/London")
CLOCK = FixedClock(TODAY, time(10, 0))
KNOWLEDGE = catalogue.load_knowledge()
ENGINE = ClinicalEngine(
    knowledge=KNOWLEDGE,
    citations={s.id: s.citation for s in catalogue.sources().sources},
    default_session_time=time(9),
)
POLICY = ReminderPolicy(
    schedule=load_reminder_schedule(),
    portal_url="https://portal.clinic.test",
    care_templates=KNOWLEDGE.care.templates,
)
PROCEED = next(p for p in EXAMPLES if p.name.startswith("01-proceed"))


def follow(uow: UnitOfWork, appointment: Appointment, change: str) -> None:
    reminders.follow_appointment_change(
        uow=uow, appointment=appointment, change=change, policy=POLICY, now=CLOCK.now()
    )


BOOKING = Booking(KNOWLEDGE.planning, KNOWLEDGE.limits, follow)


@dataclass(frozen=True)
class Booked:
    context: RequestContext
    engine: Engine
    room: UUID
    series: TreatmentSeries

    def uow(self) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self.engine)

    def at(self, number: int, days_later: int = 0) -> SlotChoice:
        rules = series_rules(self.series)
        day = rules.earliest_on + timedelta(
            days=7 + (number - 1) * rules.interval_days + days_later
        )
        starts_at = datetime.combine(day, time(10), tzinfo=LONDON)
        return SlotChoice(number, starts_at, self.context.actor.id, self.room)

    def book(self, *numbers: int) -> tuple[Appointment, ...]:
        return book_series(
            series_id=self.series.id,
            choices=[self.at(n) for n in numbers],
            context=self.context,
            uow=self.uow(),
            clock=CLOCK,
            booking=BOOKING,
        )

    def messages(self) -> list[OutboxMessage]:
        with self.uow() as uow:
            return list(uow.outbox.for_patient(self.series.clinic_id, self.series.patient_id))


def a_series(engine: Engine) -> Booked:
    clinic = clinics.add_clinic(
        name="Harbour Skin Clinic", time_zone="Europe/London", uow=SqlAlchemyUnitOfWork(engine)
    )
    member = accounts.add_staff(
        new=accounts.NewStaff(
            clinic_id=clinic.id,
            email=f"{uuid4().hex[:10]}@clinic.test",
            display_name="Dr Rowan Hale",
            role=Role.CLINICIAN,
            licence_max_depth_mm=Decimal("1.5"),
            password="a long enough passphrase",
        ),
        context=OPERATOR,
        uow=SqlAlchemyUnitOfWork(engine),
        hasher=PlainHasher(),
        clock=SETUP_CLOCK,
    )
    context = RequestContext(actor=member, request_id="req-reminders", auth=AuthMethod.SESSION)
    set_opening_hours(
        hours=[(day, time(8), time(20)) for day in range(7)],
        context=as_admin(context),
        uow=SqlAlchemyUnitOfWork(engine),
        clock=CLOCK,
    )
    room = add_room(
        name="Room 1", context=as_admin(context), uow=SqlAlchemyUnitOfWork(engine), clock=CLOCK
    )
    patient = patients.register_patient(
        new=patients.NewPatient(
            given_name="Amira",
            family_name="Okafor",
            born_on=date(1997, 4, 22),
            sex=Sex.FEMALE,
            email="amira@example.test",
        ),
        context=context,
        uow=SqlAlchemyUnitOfWork(engine),
        clock=CLOCK,
        max_age_years=120,
    )
    request = ConsultationRequest(patient_id=patient.id, document=load_example(PROCEED))
    record = record_consultation(
        request=request,
        context=context,
        uow=SqlAlchemyUnitOfWork(engine),
        engine=ENGINE,
        clock=CLOCK,
    )
    sign_consultation(
        consultation_id=record.id, context=context, uow=SqlAlchemyUnitOfWork(engine), clock=CLOCK
    )
    series = treatment.create_series_from_consultation(
        new=treatment.NewSeries(consultation_id=record.id),
        context=context,
        uow=SqlAlchemyUnitOfWork(engine),
        engine=ENGINE,
        clock=CLOCK,
    )
    return Booked(context, engine, room.id, series)


def pending(booked: Booked, appointment: Appointment | None = None) -> list[OutboxMessage]:
    return [
        m
        for m in booked.messages()
        if m.status is MessageStatus.PENDING
        and (appointment is None or m.appointment_id == appointment.id)
    ]


def test_booking_a_whole_series_queues_every_reminder_and_reviews_after_the_last(
    engine: Engine,
) -> None:
    booked = a_series(engine)
    sessions = booked.series.plan.sessions

    made = booked.book(*range(1, sessions + 1))

    queued = pending(booked)
    for appointment in made:
        reminder = [
            m for m in pending(booked, appointment) if m.kind is MessageKind.APPOINTMENT_REMINDER
        ]
        assert [m.due_at for m in reminder] == [appointment.starts_at - timedelta(hours=24)]
        assert (
            len([m for m in pending(booked, appointment) if m.kind is MessageKind.AFTERCARE]) == 4
        )
    assert {m.kind for m in queued} == {
        MessageKind.PRE_CARE,
        MessageKind.APPOINTMENT_REMINDER,
        MessageKind.AFTERCARE,
        MessageKind.SERIES_END,
        MessageKind.OUTCOME_REVIEW,
    }
    last = made[-1]
    reviews = [m for m in queued if m.kind is MessageKind.OUTCOME_REVIEW]
    assert {m.appointment_id for m in reviews} == {last.id}
    assert all(m.recipient == "amira@example.test" for m in queued)


def test_a_session_booked_alone_recalls_the_patient_until_the_next_is_booked(
    engine: Engine,
) -> None:
    booked = a_series(engine)

    (first,) = booked.book(1)
    recalls = [m for m in pending(booked) if m.kind is MessageKind.NEXT_SESSION_RECALL]
    (second,) = booked.book(2)
    later = [m for m in pending(booked) if m.kind is MessageKind.NEXT_SESSION_RECALL]

    assert [m.appointment_id for m in recalls] == [first.id]
    assert [m.appointment_id for m in later] == [second.id]
    interval = timedelta(days=booked.series.plan.interval_days)
    due_on = (second.starts_at + interval - timedelta(days=7)).astimezone(LONDON).date()
    assert later[0].due_at.astimezone(LONDON).date() == due_on


def test_a_move_replaces_the_reminders_and_a_cancellation_withdraws_them(engine: Engine) -> None:
    booked = a_series(engine)
    first, second = booked.book(1, 2)
    before = {m.id for m in pending(booked, first)}
    new_start = first.starts_at + timedelta(days=1)

    moved = reschedule(
        move=Move(first.id, first.version, new_start, first.practitioner_id, first.room_id),
        context=booked.context,
        uow=booked.uow(),
        clock=CLOCK,
        booking=BOOKING,
    )
    change_status(
        change=StatusChange(
            second.id, second.version, AppointmentStatus.CANCELLED, "patient unwell"
        ),
        context=booked.context,
        uow=booked.uow(),
        clock=CLOCK,
        booking=BOOKING,
    )

    after = pending(booked, moved)
    assert before.isdisjoint({m.id for m in after})
    assert [m.due_at for m in after if m.kind is MessageKind.APPOINTMENT_REMINDER] == [
        new_start.astimezone(UTC) - timedelta(hours=24)
    ]
    assert pending(booked, second) == []
    cancelled = [m for m in booked.messages() if m.status is MessageStatus.CANCELLED]
    assert {m.appointment_id for m in cancelled} >= {first.id, second.id}
