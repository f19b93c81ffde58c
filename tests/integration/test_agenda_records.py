"""The front desk's calendar on a real database (SQLite and PostgreSQL): one bounded, indexed
read of a week's appointments, laid out in the clinic's local days."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import Engine, event

from fakes import FixedClock
from needlepoint.adapters.db.unit_of_work import SqlAlchemyUnitOfWork
from needlepoint.domain.records import Clinic, PatientRecord, Role, StaffMember
from needlepoint.domain.scheduling import Appointment, AppointmentStatus, OpeningHours, Room
from needlepoint.domain.scheduling.agenda import LaneKind
from needlepoint.domain.vocabulary import Sex
from needlepoint.knowledge import catalogue
from needlepoint.services.audit import AuthMethod, RequestContext
from needlepoint.services.scheduling.agenda import AgendaRequest, clinic_agenda

MONDAY = date(2026, 12, 7)
CLOCK = FixedClock(MONDAY, time(8))
TABLES = catalogue.load_knowledge().planning


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A UTC instant on the week's ``day`` (0 = Monday); London is on GMT in December."""
    return datetime.combine(MONDAY + timedelta(days=day), time(hour, minute), tzinfo=UTC)


def seed(uow: SqlAlchemyUnitOfWork) -> tuple[RequestContext, list[Appointment]]:
    clinic = Clinic(uuid4(), "Harbour Skin", "Europe/London")
    clinician = StaffMember(
        uuid4(), clinic.id, f"{uuid4().hex[:8]}@x.test", "Dr Rowan Hale", Role.CLINICIAN, Decimal(1)
    )
    room = Room(uuid4(), clinic.id, "Room 1")
    patient = PatientRecord(
        uuid4(), clinic.id, "Amira", "Okafor", date(1997, 4, 22), Sex.FEMALE, None, None, at(0, 0)
    )

    def booked(starts_at: datetime, status: AppointmentStatus) -> Appointment:
        return Appointment(
            uuid4(),
            clinic.id,
            patient.id,
            None,
            None,
            clinician.id,
            room.id,
            starts_at,
            starts_at + timedelta(minutes=90),
            status,
            at(0, 0),
            clinician.id,
        )

    appointments = [
        booked(at(-1, 23, 30), AppointmentStatus.BOOKED),  # Sunday night into Monday
        booked(at(0, 10), AppointmentStatus.BOOKED),
        booked(at(2, 14), AppointmentStatus.CANCELLED),
        booked(at(7, 10), AppointmentStatus.BOOKED),  # the Monday after: another week
    ]
    with uow:
        uow.clinics.add(clinic)
        uow.staff.add(clinician, password_hash="x")
        uow.patients.add(patient)
        uow.rooms.add(room)
        uow.opening_hours.replace(
            clinic.id, [OpeningHours(clinic.id, d, time(9), time(18)) for d in range(5)]
        )
        for appointment in appointments:
            uow.appointments.add(appointment)
        uow.commit()
    return RequestContext(clinician, "req", AuthMethod.SESSION), appointments


def test_a_week_lists_what_overlaps_it_and_nothing_else(uow: SqlAlchemyUnitOfWork) -> None:
    context, (overnight, monday, cancelled, next_week) = seed(uow)

    week = clinic_agenda(
        request=AgendaRequest(MONDAY, 7, LaneKind.PRACTITIONER),
        context=context,
        uow=uow,
        clock=CLOCK,
        tables=TABLES,
    )

    (lane,) = week.lanes
    listed = [[b.appointment.id for b in day.bookings] for day in lane.days]
    assert listed[0] == [overnight.id, monday.id]
    assert all(ids == [] for ids in listed[1:])
    shown = {appointment_id for ids in listed for appointment_id in ids}
    assert cancelled.id not in shown and next_week.id not in shown
    assert lane.days[0].bookings[1].patient_name == "Okafor, Amira"
    assert [(g.span.starts_at, g.span.ends_at) for g in lane.days[0].gaps] == [
        (at(0, 9), at(0, 10)),
        (at(0, 11, 30), at(0, 18)),
    ]


def test_the_week_query_reads_one_bounded_range_of_the_clinic_index(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("the plan is SQLite's; PostgreSQL picks by statistics")
    from needlepoint.adapters.db.scheduling.worklists import _APPOINTMENTS_BETWEEN  # noqa: PLC0415

    compiled = _APPOINTMENTS_BETWEEN.compile(dialect=engine.dialect)
    placeholders = tuple(None for _ in compiled.positiontup or ())  # the plan needs no values
    with engine.connect() as connection:
        plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", placeholders).all()

    details = " | ".join(str(row[-1]) for row in plan)
    assert (
        "ix_appointment_clinic_id_starts_at (clinic_id=? AND starts_at>? AND starts_at<?)"
        in details
    )


def test_the_booking_read_finds_an_appointment_that_spans_the_day_start(
    uow: SqlAlchemyUnitOfWork,
) -> None:
    context, (overnight, monday, _cancelled, _next_week) = seed(uow)
    day_start, day_end = at(0, 0), at(1, 0)

    with uow:
        found = uow.appointments.between(context.actor.clinic_id, day_start, day_end)

    assert [a.id for a in found] == [overnight.id, monday.id]


def test_the_booking_read_uses_a_bounded_range_of_the_clinic_index(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("the plan is SQLite's; PostgreSQL picks by statistics")
    sent: list[tuple[str, Any]] = []

    def keep(*args: object) -> None:
        statement, parameters = args[2], args[3]
        if "FROM appointment" in str(statement):
            sent.append((str(statement), parameters))

    event.listen(engine, "before_cursor_execute", keep)
    uow = SqlAlchemyUnitOfWork(engine)
    with uow:
        uow.appointments.between(uuid4(), at(0, 0), at(1, 0))
    event.remove(engine, "before_cursor_execute", keep)

    ((statement, parameters),) = sent
    with engine.connect() as connection:
        plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    details = " | ".join(str(row[-1]) for row in plan)
    assert "ix_appointment_clinic_id_starts_at (clinic_id=? AND starts_at>? AND starts_at<?)" in (
        details
    )
