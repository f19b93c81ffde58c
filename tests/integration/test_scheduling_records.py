"""Scheduling on a real database (SQLite, and PostgreSQL when reachable).

The database refuses a double booking even when the service's own check is bypassed, and 50
simultaneous bookings of one practitioner's slot give exactly one appointment, 20 rounds on
each database (issue 5). Booking a series is all or nothing.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import Engine, func, select

from conftest import EXAMPLES, TODAY, load_example
from depth import scaled
from fakes import OPERATOR, SETUP_CLOCK, FixedClock, PlainHasher, as_admin
from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.unit_of_work import SqlAlchemyUnitOfWork
from needlepoint.domain.errors import DomainError, InvalidInputError
from needlepoint.domain.records import Role
from needlepoint.domain.scheduling import Appointment, AppointmentStatus, SlotTakenError
from needlepoint.domain.treatment import TreatmentSeries, VersionConflictError
from needlepoint.domain.vocabulary import Sex
from needlepoint.knowledge import catalogue
from needlepoint.services import clinics
from needlepoint.services.accounts import staff as accounts
from needlepoint.services.audit import AuthMethod, RequestContext
from needlepoint.services.consultation.consultations import (
    ConsultationRequest,
    record_consultation,
    sign_consultation,
)
from needlepoint.services.consultation.engine import Engine as ClinicalEngine
from needlepoint.services.records import patients
from needlepoint.services.scheduling.booking import SlotChoice, book_series
from needlepoint.services.scheduling.changes import StatusChange, change_status
from needlepoint.services.scheduling.proposals import propose_series_booking
from needlepoint.services.scheduling.setup import add_room, set_opening_hours
from needlepoint.services.scheduling.steps import Booking
from needlepoint.services.scheduling.visits import series_rules
from needlepoint.services.treatment import series as treatment

CLOCK = FixedClock(TODAY, time(10, 0))
KNOWLEDGE = catalogue.load_knowledge()
ENGINE = ClinicalEngine(
    knowledge=KNOWLEDGE,
    citations={s.id: s.citation for s in catalogue.sources().sources},
    default_session_time=time(9),
)
BOOKING = Booking(KNOWLEDGE.planning, KNOWLEDGE.limits)
PROCEED = next(p for p in EXAMPLES if p.name.startswith("01-proceed"))
LONDON_WINTER = timedelta(0)
# The full 20 rounds run over HTTP under make test-deep: test_booking_over_http.py
ROUNDS, CALLERS = scaled(deep=5, quick=2), 50


@dataclass(frozen=True)
class Clinic:
    context: RequestContext
    engine: Engine
    rooms: tuple[UUID, ...]

    def uow(self) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self.engine)


def seed(engine: Engine, rooms: int = 3) -> Clinic:
    clinic = clinics.add_clinic(
        name="Harbour Skin Clinic", time_zone="Europe/London", uow=SqlAlchemyUnitOfWork(engine)
    )
    new = accounts.NewStaff(
        clinic_id=clinic.id,
        email=f"{uuid4().hex[:10]}@clinic.test",
        display_name="Dr Rowan Hale",
        role=Role.CLINICIAN,
        licence_max_depth_mm=Decimal("1.5"),
        password="a long enough passphrase",
    )
    member = accounts.add_staff(
        new=new,
        uow=SqlAlchemyUnitOfWork(engine),
        hasher=PlainHasher(),
        context=OPERATOR,
        clock=SETUP_CLOCK,
    )
    context = RequestContext(actor=member, request_id="req-sched", auth=AuthMethod.SESSION)
    week = [(day, time(8), time(20)) for day in range(7)]
    set_opening_hours(
        hours=week, context=as_admin(context), uow=SqlAlchemyUnitOfWork(engine), clock=CLOCK
    )
    made = tuple(
        add_room(
            name=f"Room {n}",
            context=as_admin(context),
            uow=SqlAlchemyUnitOfWork(engine),
            clock=CLOCK,
        ).id
        for n in range(1, rooms + 1)
    )
    return Clinic(context, engine, made)


def new_series(clinic: Clinic, family_name: str = "Okafor") -> TreatmentSeries:
    new = patients.NewPatient(
        given_name="Amira", family_name=family_name, born_on=date(1997, 4, 22), sex=Sex.FEMALE
    )
    patient = patients.register_patient(
        new=new, context=clinic.context, uow=clinic.uow(), clock=CLOCK, max_age_years=120
    )
    request = ConsultationRequest(patient_id=patient.id, document=load_example(PROCEED))
    record = record_consultation(
        request=request, context=clinic.context, uow=clinic.uow(), engine=ENGINE, clock=CLOCK
    )
    sign_consultation(
        consultation_id=record.id, context=clinic.context, uow=clinic.uow(), clock=CLOCK
    )
    return treatment.create_series_from_consultation(
        new=treatment.NewSeries(consultation_id=record.id),
        context=clinic.context,
        uow=clinic.uow(),
        engine=ENGINE,
        clock=CLOCK,
    )


def book(clinic: Clinic, series: TreatmentSeries, *choices: SlotChoice) -> Any:
    return book_series(
        series_id=series.id,
        choices=choices,
        context=clinic.context,
        uow=clinic.uow(),
        clock=CLOCK,
        booking=BOOKING,
    )


def choice(clinic: Clinic, number: int, at: datetime, room: int = 0) -> SlotChoice:
    return SlotChoice(number, at, clinic.context.actor.id, clinic.rooms[room])


def first_day(series: TreatmentSeries) -> datetime:
    """The day after the earliest eligible date, or after the clock's day (nothing is booked
    into the past)."""
    earliest = max(series_rules(series).earliest_on, CLOCK.today())
    return datetime.combine(earliest + timedelta(days=1), time(10), tzinfo=UTC)


def count_appointments(engine: Engine, clinic: Clinic | None = None) -> int:
    query = select(func.count()).select_from(t.appointment)
    if clinic is not None:
        query = query.where(t.appointment.c.clinic_id == clinic.context.actor.clinic_id)
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def test_a_proposed_series_books_whole_and_reads_back(engine: Engine) -> None:
    clinic = seed(engine)
    series = new_series(clinic)
    proposal = propose_series_booking(
        series_id=series.id, context=clinic.context, uow=clinic.uow(), clock=CLOCK, booking=BOOKING
    )
    proposed = [s for s in proposal.proposed if s is not None]
    assert len(proposed) == len(proposal.proposed), proposal.problem
    choices = [
        SlotChoice(n, s.starts_at, s.practitioner_id, s.room_id)
        for n, s in zip(proposal.to_book, proposed, strict=True)
    ]

    made = book(clinic, series, *choices)
    again = propose_series_booking(
        series_id=series.id, context=clinic.context, uow=clinic.uow(), clock=CLOCK, booking=BOOKING
    )

    assert len(made) == series.plan.sessions == len(proposal.proposed)
    assert all(a.ends_at - a.starts_at == timedelta(minutes=90) for a in made)
    assert [a.session_number for a in again.booked] == list(range(1, series.plan.sessions + 1))
    assert again.to_book == ()
    with clinic.uow() as uow:
        stored = uow.appointments.for_patient(series.clinic_id, series.patient_id)
    assert [a.id for a in stored] == [a.id for a in made]


def test_a_clash_in_one_session_books_none_of_the_series(engine: Engine) -> None:
    clinic = seed(engine)
    first, second = new_series(clinic), new_series(clinic, "Raman")
    at = first_day(first)
    book(clinic, first, choice(clinic, 1, at + timedelta(days=28)))
    before = count_appointments(engine, clinic)

    with pytest.raises(SlotTakenError, match="practitioner"):
        book(
            clinic,
            second,
            choice(clinic, 1, at, room=1),
            choice(clinic, 2, at + timedelta(days=28, minutes=30), room=1),
        )

    assert count_appointments(engine, clinic) == before


def test_the_database_refuses_an_overlap_the_service_never_checked(engine: Engine) -> None:
    clinic = seed(engine)
    series = new_series(clinic)
    (held,) = book(clinic, series, choice(clinic, 1, first_day(series)))
    other_room = replace(
        held,
        id=uuid4(),
        session_number=2,
        room_id=clinic.rooms[1],
        starts_at=held.starts_at + timedelta(minutes=89),
        ends_at=held.ends_at + timedelta(minutes=89),
    )
    same_room = replace(
        other_room, id=uuid4(), practitioner_id=_colleague(clinic), room_id=held.room_id
    )

    for clash in (other_room, same_room):
        with clinic.uow() as uow, pytest.raises(SlotTakenError):
            uow.appointments.add(clash)

    adjacent = replace(
        other_room, starts_at=held.ends_at, ends_at=held.ends_at + timedelta(hours=1)
    )
    with clinic.uow() as uow:
        uow.appointments.add(adjacent)  # [a, b) then [b, c): allowed
        uow.commit()
    cancelled = replace(other_room, id=uuid4(), status=AppointmentStatus.CANCELLED)
    with clinic.uow() as uow:
        uow.appointments.add(cancelled)  # a cancelled appointment holds nothing
        uow.commit()


def test_moving_an_appointment_onto_another_is_refused_by_the_database(engine: Engine) -> None:
    clinic = seed(engine)
    series = new_series(clinic)
    at = first_day(series)
    one, two = book(
        clinic, series, choice(clinic, 1, at), choice(clinic, 2, at + timedelta(days=28))
    )
    onto_one = two.moved(
        starts_at=one.starts_at,
        ends_at=one.ends_at,
        practitioner_id=one.practitioner_id,
        room_id=clinic.rooms[2],
        now=CLOCK.now(),
    )

    with clinic.uow() as uow, pytest.raises(SlotTakenError):
        uow.appointments.save(onto_one)
    with clinic.uow() as uow, pytest.raises(VersionConflictError):
        uow.appointments.save(replace(two, version=5))


def test_cancelling_frees_the_slot_and_needs_a_reason(engine: Engine) -> None:
    clinic = seed(engine)
    first, second = new_series(clinic), new_series(clinic, "Raman")
    at = first_day(first)
    (held,) = book(clinic, first, choice(clinic, 1, at))

    def cancel(reason: str) -> Appointment:
        change = StatusChange(held.id, 1, AppointmentStatus.CANCELLED, reason)
        return change_status(
            change=change, context=clinic.context, uow=clinic.uow(), clock=CLOCK, booking=BOOKING
        )

    with pytest.raises(InvalidInputError, match="reason"):
        cancel("  ")
    cancelled = cancel("patient unwell")
    (rebooked,) = book(clinic, second, choice(clinic, 1, at))

    assert (cancelled.status, cancelled.status_reason) == (
        AppointmentStatus.CANCELLED,
        "patient unwell",
    )
    assert rebooked.starts_at == held.starts_at


def _colleague(clinic: Clinic) -> UUID:
    new = accounts.NewStaff(
        clinic_id=clinic.context.actor.clinic_id,
        email=f"{uuid4().hex[:10]}@clinic.test",
        display_name="Nurse Ada Quill",
        role=Role.CLINICIAN,
        licence_max_depth_mm=Decimal("1.0"),
        password="a long enough passphrase",
    )
    return accounts.add_staff(
        new=new, uow=clinic.uow(), hasher=PlainHasher(), context=OPERATOR, clock=SETUP_CLOCK
    ).id


@pytest.mark.slow
def test_fifty_simultaneous_bookings_of_one_slot_give_exactly_one_each_round(
    engine: Engine,
) -> None:
    clinic = seed(engine, rooms=CALLERS)
    pool = [new_series(clinic, f"Patient{n:02d}") for n in range(CALLERS + ROUNDS - 1)]
    day = first_day(pool[0])
    winners = []
    for round_number in range(ROUNDS):
        at = day + timedelta(days=round_number, hours=round_number % 8)
        outcomes = _race(clinic, pool[:CALLERS], at)
        booked = [series for series, outcome in outcomes if isinstance(outcome, tuple)]
        refused = [o for _, o in outcomes if isinstance(o, SlotTakenError)]
        other = [o for _, o in outcomes if not isinstance(o, tuple | SlotTakenError)]
        assert (len(booked), len(refused)) == (1, CALLERS - 1), (round_number, other[:1])
        winners.append(booked[0])
        pool.remove(booked[0])

    assert count_appointments(engine, clinic) == ROUNDS
    assert len({w.id for w in winners}) == ROUNDS


def _race(
    clinic: Clinic, callers: list[TreatmentSeries], at: datetime
) -> list[tuple[TreatmentSeries, Any]]:
    barrier = threading.Barrier(len(callers))
    outcomes: list[tuple[TreatmentSeries, Any]] = []
    lock = threading.Lock()

    def run(index: int, series: TreatmentSeries) -> None:
        barrier.wait()
        try:
            outcome: Any = book(clinic, series, choice(clinic, 1, at, room=index))
        except (DomainError, Exception) as error:
            outcome = error
        with lock:
            outcomes.append((series, outcome))

    threads = [threading.Thread(target=run, args=(i, s)) for i, s in enumerate(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
