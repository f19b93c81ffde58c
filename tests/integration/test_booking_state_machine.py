"""Booking invariants as a Hypothesis state machine against the real database (issue 5).

Rules book, cancel and move appointments of two practitioners in two rooms, on times drawn
on a 15-minute grid that includes back-to-back slots and the nights of both DST changes. A
model says whether each change should land (no overlap with an active appointment of the same
practitioner or room); the database's answer must agree exactly, and after every step no
practitioner or room has two overlapping active appointments.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import cast
from uuid import UUID, uuid4

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import Engine

from depth import scaled
from fakes import OPERATOR, SETUP_CLOCK, FixedClock, PlainHasher
from needlepoint.adapters.db.unit_of_work import SqlAlchemyUnitOfWork
from needlepoint.domain.records import Role
from needlepoint.domain.scheduling import Appointment, AppointmentStatus, Room, SlotTakenError
from needlepoint.domain.vocabulary import Sex
from needlepoint.services import clinics
from needlepoint.services.accounts import staff as accounts
from needlepoint.services.audit import AuthMethod, RequestContext
from needlepoint.services.records import patients

CLOCK = FixedClock(date(2026, 3, 1))
DAYS = (date(2026, 3, 28), date(2026, 3, 29), date(2026, 10, 25))  # London's DST nights
QUARTERS = st.integers(min_value=0, max_value=16)
LENGTHS = st.sampled_from([15, 30, 45, 90])


def _seed(engine: Engine) -> tuple[UUID, UUID, tuple[UUID, UUID], tuple[UUID, UUID]]:
    clinic = clinics.add_clinic(
        name="Grid", time_zone="Europe/London", uow=SqlAlchemyUnitOfWork(engine)
    )
    people = []
    for n in range(2):
        new = accounts.NewStaff(
            clinic.id,
            f"{uuid4().hex[:10]}@grid.test",
            f"Clinician {n}",
            Role.CLINICIAN,
            Decimal("1.5"),
            "a long enough passphrase",
        )
        people.append(
            accounts.add_staff(
                new=new,
                uow=SqlAlchemyUnitOfWork(engine),
                hasher=PlainHasher(),
                context=OPERATOR,
                clock=SETUP_CLOCK,
            )
        )
    context = RequestContext(actor=people[0], request_id="state-machine", auth=AuthMethod.SESSION)
    new_patient = patients.NewPatient("Ana", "Grid", date(1990, 1, 1), Sex.FEMALE)
    patient = patients.register_patient(
        new=new_patient,
        context=context,
        uow=SqlAlchemyUnitOfWork(engine),
        clock=CLOCK,
        max_age_years=120,
    )
    rooms = tuple(Room(uuid4(), clinic.id, f"Room {n}") for n in range(2))
    with SqlAlchemyUnitOfWork(engine) as uow:
        for room in rooms:
            uow.rooms.add(room)
        uow.commit()
    return clinic.id, patient.id, (people[0].id, people[1].id), (rooms[0].id, rooms[1].id)


def _overlaps(a: Appointment, b: Appointment) -> bool:
    same = a.practitioner_id == b.practitioner_id or a.room_id == b.room_id
    return (
        a.id != b.id and a.occupies and b.occupies and same and a.overlaps(b.starts_at, b.ends_at)
    )


class Bookings(RuleBasedStateMachine):
    engine: Engine

    @initialize()
    def setup(self) -> None:
        self.clinic_id, self.patient_id, self.people, self.rooms = _seed(self.engine)
        self.model: dict[UUID, Appointment] = {}

    def _at(self, day: int, quarter: int) -> datetime:
        return datetime.combine(DAYS[day], datetime.min.time(), tzinfo=UTC) + timedelta(
            minutes=15 * quarter
        )

    def _clashes(self, candidate: Appointment) -> bool:
        return any(_overlaps(candidate, other) for other in self.model.values())

    @rule(
        day=st.integers(0, 2),
        quarter=QUARTERS,
        minutes=LENGTHS,
        person=st.integers(0, 1),
        room=st.integers(0, 1),
    )
    def book(self, day: int, quarter: int, minutes: int, person: int, room: int) -> None:
        starts_at = self._at(day, quarter)
        candidate = Appointment(
            id=uuid4(),
            clinic_id=self.clinic_id,
            patient_id=self.patient_id,
            series_id=None,
            session_number=None,
            practitioner_id=self.people[person],
            room_id=self.rooms[room],
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes),
            status=AppointmentStatus.BOOKED,
            created_at=CLOCK.now(),
            created_by=self.people[0],
        )
        self._apply(candidate, new=True)

    @precondition(lambda self: any(a.occupies for a in self.model.values()))
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        chosen = self._pick(data)
        self._apply(
            chosen.with_status(AppointmentStatus.CANCELLED, "state machine", now=CLOCK.now()),
            new=False,
        )

    @precondition(lambda self: any(a.occupies for a in self.model.values()))
    @rule(data=st.data(), day=st.integers(0, 2), quarter=QUARTERS, room=st.integers(0, 1))
    def move(self, data: st.DataObject, day: int, quarter: int, room: int) -> None:
        chosen = self._pick(data)
        starts_at = self._at(day, quarter)
        moved = chosen.moved(
            starts_at=starts_at,
            ends_at=starts_at + (chosen.ends_at - chosen.starts_at),
            practitioner_id=chosen.practitioner_id,
            room_id=self.rooms[room],
            now=CLOCK.now(),
        )
        self._apply(moved, new=False)

    def _pick(self, data: st.DataObject) -> Appointment:
        """An active appointment, chosen by its place in booking order (ids are random)."""
        active = [a for a in self.model.values() if a.occupies]  # dicts keep insertion order
        return active[data.draw(st.integers(min_value=0, max_value=len(active) - 1))]

    def _apply(self, changed: Appointment, *, new: bool) -> None:
        expected = not self._clashes(changed)
        try:
            with SqlAlchemyUnitOfWork(self.engine) as uow:
                (uow.appointments.add if new else uow.appointments.save)(changed)
                uow.commit()
            landed = True
        except SlotTakenError:
            landed = False
        assert landed == expected, (changed, new)
        if landed:
            self.model[changed.id] = changed

    @invariant()
    def nobody_and_no_room_is_double_booked(self) -> None:
        if not hasattr(self, "model"):
            return
        with SqlAlchemyUnitOfWork(self.engine) as uow:
            stored = list(uow.appointments.for_patient(self.clinic_id, self.patient_id))
        assert {a.id: a for a in stored} == self.model
        active = [a for a in stored if a.occupies]
        assert not any(_overlaps(a, b) for a in active for b in active)


@pytest.mark.slow
@pytest.mark.parametrize("examples", [scaled(deep=25, quick=10)])
def test_cb2_booking_cancelling_and_moving_never_double_books(
    engine: Engine, examples: int
) -> None:
    machine = cast("type[Bookings]", type("BoundBookings", (Bookings,), {"engine": engine}))
    run = settings(
        max_examples=examples,
        stateful_step_count=20,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )(machine).TestCase
    run().runTest()


def test_cb2_back_to_back_appointments_are_both_kept(engine: Engine) -> None:
    clinic_id, patient_id, people, rooms = _seed(engine)
    first = Appointment(
        id=uuid4(),
        clinic_id=clinic_id,
        patient_id=patient_id,
        series_id=None,
        session_number=None,
        practitioner_id=people[0],
        room_id=rooms[0],
        starts_at=datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
        ends_at=datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        status=AppointmentStatus.BOOKED,
        created_at=CLOCK.now(),
        created_by=people[0],
    )
    second = replace(
        first, id=uuid4(), starts_at=first.ends_at, ends_at=first.ends_at + timedelta(minutes=30)
    )
    with SqlAlchemyUnitOfWork(engine) as uow:
        uow.appointments.add(first)
        uow.appointments.add(second)
        uow.commit()
        assert [a.id for a in uow.appointments.for_patient(clinic_id, patient_id)] == [
            first.id,
            second.id,
        ]
