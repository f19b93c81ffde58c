"""The appointment and session state machine, through the services, on a real database.

Hypothesis books, moves, cancels, marks attended or missed, and starts sessions of two series
of one patient (two courses on the same zones, the situation of issue 10), while the clock
moves on. The reminder hook is wired as the composition root wires it. After every step, read
back from the database:

* no booked appointment starts before the moment a step wrote it (nothing into the past);
* nothing was marked attended or missed before its start, and an appointment a session
  attended is linked to a session held on its local day;
* no two sessions on a shared zone (held, or booked and active) are closer than the minimum
  interval, across both series;
* no message is pending for a cancelled or missed appointment, nor a pre-visit message for an
  attended one.

A refused step must leave appointments, sessions and the outbox exactly as they were, and be
refused with one of the errors the services document.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from itertools import combinations
from typing import Any, cast
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import Engine

from api_support import MovingClock
from conftest import EXAMPLES, load_example
from consent_support import record_consent
from depth import scaled
from fakes import OPERATOR, SETUP_CLOCK, PlainHasher, as_admin
from needlepoint.adapters.db.unit_of_work import SqlAlchemyUnitOfWork
from needlepoint.domain.errors import InvalidInputError, InvalidTransitionError
from needlepoint.domain.messages import MessageStatus
from needlepoint.domain.records import Role
from needlepoint.domain.reminders import PRE_VISIT_KINDS, ReminderPolicy
from needlepoint.domain.scheduling import Appointment, AppointmentStatus, SlotTakenError
from needlepoint.domain.treatment import (
    SessionStatus,
    TreatmentSeries,
    TreatmentSession,
    VersionConflictError,
)
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
from needlepoint.services.scheduling import changes
from needlepoint.services.scheduling.booking import SlotChoice, book_series
from needlepoint.services.scheduling.proposals import propose_series_booking
from needlepoint.services.scheduling.setup import add_room, set_opening_hours
from needlepoint.services.scheduling.steps import Booking
from needlepoint.services.scheduling.visits import series_rules
from needlepoint.services.treatment import series as treatment_service
from needlepoint.services.treatment import sessions as rescreen
from series_due_support import mismatches

LONDON = ZoneInfo("Europe/London")
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
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
REFUSALS = (InvalidInputError, InvalidTransitionError, SlotTakenError, VersionConflictError)
"""What the services may answer a step with: input refused, state refused, slot taken."""

Snapshot = tuple[tuple[Any, ...], ...]


class Scheduling(RuleBasedStateMachine):
    engine: Engine

    @initialize()
    def setup(self) -> None:
        self.clock = MovingClock(START)
        self.context, self.rooms = _clinic(self.engine, self.clock)
        self.patient_id, first = _first_series(self.engine, self.context, self.clock)
        self.series = [first]
        self.booking = Booking(KNOWLEDGE.planning, KNOWLEDGE.limits, self._follow)
        self.order: list[UUID] = []  # appointments in booking order, for picking
        self.written_at: dict[UUID, datetime] = {}  # when a step last booked or moved each
        self.marked_at: dict[UUID, datetime] = {}  # when a step marked it attended or missed
        self.refused: str | None = None  # the code of the last refusal

    def uow(self) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self.engine)

    def _series(self, which: int) -> TreatmentSeries:
        """The first series, or the one that replaced it (a cancelled one refuses every step)."""
        return self.series[min(which, len(self.series) - 1)]

    def _follow(self, uow: UnitOfWork, appointment: Appointment, change: str) -> None:
        reminders.follow_appointment_change(
            uow=uow, appointment=appointment, change=change, policy=POLICY, now=self.clock.now()
        )

    # ------------------------------------------------------------------ steps

    @precondition(lambda self: len(self.series) == 1)
    @rule()
    def a_new_series_replaces_the_first(self) -> None:
        """A re-assessment: a new series on the same zones supersedes the first, whose held
        sessions stay (one active series per course, ADR 0022)."""
        self.series.append(
            _series_for(self.engine, self.context, self.clock, self.patient_id, "re-assessed")
        )

    @rule(hours=st.integers(1, 24 * 12))
    def time_passes(self, hours: int) -> None:
        self.clock.advance(timedelta(hours=hours))

    @precondition(lambda self: bool(self.order))
    @rule(data=st.data(), minutes=st.integers(-120, 120))
    def the_day_of_a_visit_comes(self, data: st.DataObject, minutes: int) -> None:
        """The clock moves to around an appointment's start (never back)."""
        moment = self._pick(data).starts_at + timedelta(minutes=minutes)
        self.clock.at = max(self.clock.now(), moment)

    @rule(
        which=st.integers(0, 1),
        number=st.integers(1, 3),
        day=st.integers(-2, 60),
        slot=st.integers(0, 7),
        reason=st.sampled_from(["", "patient travelling"]),
    )
    def book(self, which: int, number: int, day: int, slot: int, reason: str) -> None:
        choice = SlotChoice(
            number, self._at(day, slot), self.context.actor.id, self.rooms[slot % 2], reason
        )
        made = self._attempt(
            lambda: book_series(
                series_id=self._series(which).id,
                choices=[choice],
                context=self.context,
                uow=self.uow(),
                clock=self.clock,
                booking=self.booking,
            )
        )
        for appointment in made or ():
            self.order.append(appointment.id)
            self.written_at[appointment.id] = self.clock.now()

    @rule()
    def book_as_proposed(self) -> None:
        """The first proposed slot of the active series books, never refused by the minimum
        interval (a cancelled series has nothing to propose)."""
        series = self.series[-1]
        proposal = propose_series_booking(
            series_id=series.id,
            context=self.context,
            uow=self.uow(),
            clock=self.clock,
            booking=self.booking,
        )
        offered = [(n, s) for n, s in zip(proposal.to_book, proposal.proposed, strict=True) if s]
        if not offered:
            event("nothing proposed")
            return
        number, slot = offered[0]
        choice = SlotChoice(number, slot.starts_at, slot.practitioner_id, slot.room_id)
        self.refused = None
        made = self._attempt(
            lambda: book_series(
                series_id=series.id,
                choices=[choice],
                context=self.context,
                uow=self.uow(),
                clock=self.clock,
                booking=self.booking,
            )
        )
        assert self.refused not in {"minimum-interval", "start-in-past", "slot-taken"}
        for appointment in made or ():
            self.order.append(appointment.id)
            self.written_at[appointment.id] = self.clock.now()

    @precondition(lambda self: bool(self.order))
    @rule(
        data=st.data(),
        day=st.integers(-2, 60),
        slot=st.integers(0, 7),
        reason=st.sampled_from(["", "patient travelling"]),
    )
    def move(self, data: st.DataObject, day: int, slot: int, reason: str) -> None:
        current = self._pick(data)
        move = changes.Move(
            current.id,
            current.version,
            self._at(day, slot),
            self.context.actor.id,
            self.rooms[slot % 2],
            reason,
        )
        moved = self._attempt(
            lambda: changes.reschedule(
                move=move,
                context=self.context,
                uow=self.uow(),
                clock=self.clock,
                booking=self.booking,
            )
        )
        if moved is not None:
            self.written_at[moved.id] = self.clock.now()

    @precondition(lambda self: bool(self.order))
    @rule(
        data=st.data(),
        status=st.sampled_from(
            [AppointmentStatus.CANCELLED, AppointmentStatus.ATTENDED, AppointmentStatus.NO_SHOW]
        ),
    )
    def change_status(self, data: st.DataObject, status: AppointmentStatus) -> None:
        current = self._pick(data)
        change = changes.StatusChange(current.id, current.version, status, "state machine")
        changed = self._attempt(
            lambda: changes.change_status(
                change=change,
                context=self.context,
                uow=self.uow(),
                clock=self.clock,
                booking=self.booking,
            )
        )
        if changed is not None and status is not AppointmentStatus.CANCELLED:
            self.marked_at[changed.id] = self.clock.now()

    @rule(which=st.integers(0, 1))
    def start_session(self, which: int) -> None:
        series = self._series(which)
        self._sign_open_sessions(series)
        session = self._attempt(
            lambda: rescreen.start_session(
                series_id=series.id,
                rescreen_document={},
                context=self.context,
                uow=self.uow(),
                engine=ENGINE,
                clock=self.clock,
            )
        )
        if session is not None:
            appointments, _ = self._stored()
            linked = any(a.session_id == session.id for a in appointments)
            event("the session attended its appointment" if linked else "a walk-in")

    # ------------------------------------------------------------------ plumbing

    def _at(self, day: int, slot: int) -> datetime:
        local_day = self.clock.now().astimezone(LONDON).date() + timedelta(days=day)
        return datetime.combine(local_day, time(8), tzinfo=LONDON) + timedelta(minutes=90 * slot)

    def _pick(self, data: st.DataObject) -> Appointment:
        chosen = self.order[data.draw(st.integers(0, len(self.order) - 1))]
        with self.uow() as uow:
            found = uow.appointments.get(self.context.actor.clinic_id, chosen)
        assert found is not None
        return found

    def _attempt(self, step: Any) -> Any:
        before = self._snapshot()
        try:
            done = step()
        except REFUSALS as error:
            self.refused = error.code
            event(f"refused: {error.code}")
            assert self._snapshot() == before, "a refused step wrote something"
            return None
        event(f"done: {type(done).__name__}")
        return done

    def _sign_open_sessions(self, series: TreatmentSeries) -> None:
        """Close the series' open session (its chart is not what this machine explores)."""
        with self.uow() as uow:
            for session in uow.sessions.for_series(series.clinic_id, series.id):
                if session.status is SessionStatus.STARTED:
                    uow.sessions.save_status(session.signed())
            uow.commit()

    def _snapshot(self) -> Snapshot:
        appointments, sessions = self._stored()
        with self.uow() as uow:
            messages = uow.outbox.for_patient(self.context.actor.clinic_id, self._patient_id)
        return (
            tuple(sorted((str(a.id), a.version, a.status, a.starts_at) for a in appointments)),
            tuple(sorted((str(s.id), s.status) for s in sessions)),
            tuple(sorted((str(m.id), m.status) for m in messages)),
        )

    @property
    def _patient_id(self) -> UUID:
        return self.patient_id

    def _stored(self) -> tuple[list[Appointment], list[TreatmentSession]]:
        clinic_id = self.context.actor.clinic_id
        with self.uow() as uow:
            appointments = list(uow.appointments.for_patient(clinic_id, self._patient_id))
            sessions = [
                s for series in self.series for s in uow.sessions.for_series(clinic_id, series.id)
            ]
        return appointments, sessions

    # ------------------------------------------------------------------ invariants

    @invariant()
    def the_stored_next_session_due_is_what_a_fresh_computation_says(self) -> None:
        """The dashboard's series to book, read from the stored next due (ADR 0034), equal
        the old computation from sessions and bookings, at today's start and either side."""
        if not hasattr(self, "order"):
            return
        now = self.clock.now()
        instants = (now - timedelta(days=3), now, now + timedelta(days=3))
        assert mismatches(self.engine, self.context.actor.clinic_id, instants) == []

    @invariant()
    def nothing_was_booked_or_moved_into_the_past(self) -> None:
        if not hasattr(self, "order"):
            return
        appointments, _ = self._stored()
        for appointment in appointments:
            assert appointment.starts_at >= self.written_at[appointment.id], appointment

    @invariant()
    def nothing_was_attended_or_missed_before_its_start(self) -> None:
        if not hasattr(self, "order"):
            return
        appointments, sessions = self._stored()
        held_on = {s.id: _local_day(s.started_at) for s in sessions if s.started_at}
        for appointment in appointments:
            if appointment.session_id is not None:
                assert appointment.status is AppointmentStatus.ATTENDED
                assert held_on[appointment.session_id] == _local_day(appointment.starts_at)
            elif appointment.status in {AppointmentStatus.ATTENDED, AppointmentStatus.NO_SHOW}:
                assert self.marked_at[appointment.id] >= appointment.starts_at, appointment

    @invariant()
    def no_two_sessions_on_a_zone_are_closer_than_the_minimum(self) -> None:
        if not hasattr(self, "order"):
            return
        visits = list(self._visits())
        for (one, one_min, one_zones), (other, other_min, other_zones) in combinations(visits, 2):
            if one_zones & other_zones:
                assert abs((one - other).days) >= max(one_min, other_min), (one, other)

    @invariant()
    def an_ended_appointment_sends_nothing_it_should_not(self) -> None:
        if not hasattr(self, "order"):
            return
        appointments, _ = self._stored()
        with self.uow() as uow:
            messages = uow.outbox.for_patient(self.context.actor.clinic_id, self._patient_id)
        pending = [m for m in messages if m.status is MessageStatus.PENDING]
        for appointment in appointments:
            kinds = {m.kind for m in pending if m.appointment_id == appointment.id}
            if appointment.status in {AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW}:
                assert kinds == set(), appointment
            if appointment.status is AppointmentStatus.ATTENDED:
                assert not kinds & PRE_VISIT_KINDS, appointment

    def _visits(self) -> Iterator[tuple[date, int, frozenset[Any]]]:
        """Every session held, and every appointment still standing for one: its day, the
        series' minimum interval, its zones (read here independently of ``services.visits``)."""
        appointments, sessions = self._stored()
        by_id = {s.id: s for s in self.series}
        for session in sessions:
            series = by_id[session.series_id]
            if session.started_at is not None:
                minimum = series_rules(series).min_interval_days
                yield _local_day(session.started_at), minimum, session.treatable_zones(series.plan)
        for appointment in appointments:
            standing = appointment.status is AppointmentStatus.BOOKED or (
                appointment.status is AppointmentStatus.ATTENDED and appointment.session_id is None
            )
            if standing and appointment.series_id in by_id:
                series = by_id[appointment.series_id]
                minimum = series_rules(series).min_interval_days
                yield _local_day(appointment.starts_at), minimum, series.plan.zone_names


def _local_day(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def _clinic(engine: Engine, clock: MovingClock) -> tuple[RequestContext, tuple[UUID, UUID]]:
    clinic = clinics.add_clinic(
        name="Harbour Skin Clinic", time_zone="Europe/London", uow=SqlAlchemyUnitOfWork(engine)
    )
    member = accounts.add_staff(
        new=accounts.NewStaff(
            clinic.id,
            f"{uuid4().hex[:10]}@clinic.test",
            "Dr Rowan Hale",
            Role.CLINICIAN,
            Decimal("1.5"),
            "a long enough passphrase",
        ),
        uow=SqlAlchemyUnitOfWork(engine),
        hasher=PlainHasher(),
        context=OPERATOR,
        clock=SETUP_CLOCK,
    )
    context = RequestContext(actor=member, request_id="state-machine", auth=AuthMethod.SESSION)
    admin = as_admin(context)
    set_opening_hours(
        hours=[(day, time(8), time(20)) for day in range(7)],
        context=admin,
        uow=SqlAlchemyUnitOfWork(engine),
        clock=clock,
    )
    rooms = tuple(
        add_room(name=f"Room {n}", context=admin, uow=SqlAlchemyUnitOfWork(engine), clock=clock).id
        for n in (1, 2)
    )
    return context, (rooms[0], rooms[1])


def _first_series(
    engine: Engine, context: RequestContext, clock: MovingClock
) -> tuple[UUID, TreatmentSeries]:
    """One patient and a series from a signed consultation."""
    new = patients.NewPatient(
        "Amira", "Okafor", date(1997, 4, 22), Sex.FEMALE, email="amira@example.test"
    )
    patient = patients.register_patient(
        new=new, context=context, uow=SqlAlchemyUnitOfWork(engine), clock=clock, max_age_years=120
    )
    return patient.id, _series_for(engine, context, clock, patient.id, "")


def _series_for(
    engine: Engine,
    context: RequestContext,
    clock: MovingClock,
    patient_id: UUID,
    supersede_reason: str,
) -> TreatmentSeries:
    request = ConsultationRequest(patient_id=patient_id, document=load_example(PROCEED))
    record = record_consultation(
        request=request,
        context=context,
        uow=SqlAlchemyUnitOfWork(engine),
        engine=ENGINE,
        clock=clock,
    )
    sign_consultation(
        consultation_id=record.id, context=context, uow=SqlAlchemyUnitOfWork(engine), clock=clock
    )
    new = treatment_service.NewSeries(consultation_id=record.id, supersede_reason=supersede_reason)
    created = treatment_service.create_series_from_consultation(
        new=new, context=context, uow=SqlAlchemyUnitOfWork(engine), engine=ENGINE, clock=clock
    )
    with SqlAlchemyUnitOfWork(engine) as uow:  # the patient's witnessed consent (ADR 0029)
        record_consent(uow, created, by=context.actor.id, at=clock.now())
        uow.commit()
    return created


@pytest.mark.slow
@pytest.mark.parametrize("examples", [scaled(deep=20, quick=8)])
def test_appointments_and_sessions_keep_every_limit_whatever_the_order(
    engine: Engine, examples: int
) -> None:
    machine = cast("type[Scheduling]", type("BoundScheduling", (Scheduling,), {"engine": engine}))
    run = settings(
        max_examples=examples,
        stateful_step_count=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )(machine).TestCase
    run().runTest()
