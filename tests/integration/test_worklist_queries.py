"""The dashboard's worklist queries on a real database (SQLite, and PostgreSQL when reachable).

Each list is one statement (``adapters/db/scheduling/worklists.py``): charts waiting for
sign-off, series whose next session is still to book (an appointment for it takes the series
off the list), and a day's appointments with their patient, practitioner and room. Another
clinic's rows are never listed. The dashboard reads them all in one transaction with one audit
event.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import Engine, event, func, select

import series_due_support
from conftest import EXAMPLES, TODAY, load_example
from consent_support import record_consent
from fakes import OPERATOR, SETUP_CLOCK, FixedClock, PlainHasher, as_admin
from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.unit_of_work import SqlAlchemyUnitOfWork
from needlepoint.domain.charting import Cartridge, SessionChart, ZoneTreatment
from needlepoint.domain.planning import Endpoint
from needlepoint.domain.records import Role
from needlepoint.domain.scheduling import Appointment, AppointmentStatus
from needlepoint.domain.series_plan import PlannedZone, SeriesPlan
from needlepoint.domain.treatment import TreatmentSeries, TreatmentSession
from needlepoint.domain.vocabulary import Device, Sex, Zone
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
from needlepoint.services.scheduling import dashboard as worklists
from needlepoint.services.scheduling.ports import DueListKey, SeriesToBook
from needlepoint.services.scheduling.setup import add_room
from needlepoint.services.treatment import charts
from needlepoint.services.treatment import series as treatment
from needlepoint.services.treatment import sessions as rescreen

CLOCK = FixedClock(TODAY, time(10, 0))
ENGINE = ClinicalEngine(
    knowledge=catalogue.load_knowledge(),
    citations={s.id: s.citation for s in catalogue.sources().sources},
    default_session_time=time(9),
)
PROCEED = next(p for p in EXAMPLES if p.name.startswith("01-proceed"))
NOW = CLOCK.now()
ONE_SESSION_REASONS = {
    "plan.zones[cheeks].depth_mm.min": "start gently: first microneedling",
    "plan.zones[chin]": "chin scars have settled",
    "plan.sessions": "one session will do",
}


@dataclass(frozen=True)
class Clinic:
    """A seeded clinic with one clinician and one room."""

    context: RequestContext
    engine: Engine
    room_id: UUID

    @property
    def id(self) -> UUID:
        return self.context.actor.clinic_id

    def uow(self) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self.engine)


def seed(engine: Engine, name: str = "Harbour Skin Clinic") -> Clinic:
    clinic = clinics.add_clinic(
        name=name, time_zone="Europe/London", uow=SqlAlchemyUnitOfWork(engine)
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
    context = RequestContext(actor=member, request_id="req-worklists", auth=AuthMethod.SESSION)
    room = add_room(
        name="Room 1", context=as_admin(context), uow=SqlAlchemyUnitOfWork(engine), clock=CLOCK
    )
    return Clinic(context, engine, room.id)


def new_series(clinic: Clinic, family_name: str, **kw: Any) -> TreatmentSeries:
    new = patients.NewPatient("Amira", family_name, date(1997, 4, 22), Sex.FEMALE)
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
    created = treatment.create_series_from_consultation(
        new=treatment.NewSeries(consultation_id=record.id, **kw),
        context=clinic.context,
        uow=clinic.uow(),
        engine=ENGINE,
        clock=CLOCK,
    )
    with clinic.uow() as uow:  # the patient's witnessed consent opens the gate (ADR 0029)
        record_consent(uow, created, by=clinic.context.actor.id, at=CLOCK.now())
        uow.commit()
    return created


def start(clinic: Clinic, series: TreatmentSeries) -> TreatmentSession:
    return rescreen.start_session(
        series_id=series.id,
        rescreen_document={"history": {"pregnant": False}},
        context=clinic.context,
        uow=clinic.uow(),
        engine=ENGINE,
        clock=CLOCK,
    )


def chart(
    clinic: Clinic, session: TreatmentSession, expected: int = 0, clock: FixedClock = CLOCK
) -> int:
    written = SessionChart(
        device=Device.PEN,
        cartridge=Cartridge(lot="LOT-1", expires_on=TODAY + timedelta(days=90)),
        numbing=None,
        zones=(ZoneTreatment(Zone.CHEEKS, Decimal("1.5"), Decimal("1.5"), 3),),
        endpoint_reached=Endpoint.PINPOINT_BLEEDING,
        products_applied=(),
        adverse_events=(),
        overrides=(),
    )
    entry = charts.ChartEntry(session.id, written, expected)
    version = charts.chart_session(
        entry=entry,
        context=clinic.context,
        uow=clinic.uow(),
        clock=clock,
        knowledge=ENGINE.knowledge,
    )
    return version.version


def sign(clinic: Clinic, session: TreatmentSession, version: int) -> None:
    charts.sign_chart(
        session_id=session.id,
        version=version,
        context=clinic.context,
        uow=clinic.uow(),
        clock=CLOCK,
    )


def appointment(
    clinic: Clinic,
    series: TreatmentSeries,
    number: int,
    starts_at: datetime,
    status: AppointmentStatus = AppointmentStatus.BOOKED,
) -> Appointment:
    made = Appointment(
        id=uuid4(),
        clinic_id=clinic.id,
        patient_id=series.patient_id,
        series_id=series.id,
        session_number=number,
        practitioner_id=clinic.context.actor.id,
        room_id=clinic.room_id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=90),
        status=status,
        created_at=NOW,
        created_by=clinic.context.actor.id,
    )
    with clinic.uow() as uow:
        uow.appointments.add(made)
        uow.commit()
    return made


def save(clinic: Clinic, changed: Appointment) -> None:
    with clinic.uow() as uow:
        uow.appointments.save(changed)
        uow.commit()


def read(clinic: Clinic, query: Any) -> Any:
    with clinic.uow() as uow:
        return query(uow.worklists)


def audit_count(engine: Engine) -> int:
    with engine.connect() as connection:
        count = connection.execute(select(func.count()).select_from(t.audit_event)).scalar_one()
    return int(count)


# --- charts waiting for sign-off -----------------------------------------------------------


def test_only_a_started_session_whose_newest_chart_is_unsigned_waits(engine: Engine) -> None:
    clinic, other = seed(engine), seed(engine, "Other Clinic")
    signed = start(clinic, new_series(clinic, "Okafor"))
    sign(clinic, signed, chart(clinic, signed))
    waiting = start(clinic, new_series(clinic, "Marsh"))
    chart(clinic, waiting)
    amended = start(clinic, new_series(clinic, "Bell"))
    sign(clinic, amended, chart(clinic, amended))
    later = FixedClock(TODAY, time(11, 0))
    chart(clinic, amended, expected=1, clock=later)  # version 2 reopens the session
    start(clinic, new_series(clinic, "Raman"))  # started, nothing charted yet
    elsewhere = start(other, new_series(other, "Stone"))
    chart(other, elsewhere)

    found = read(clinic, lambda q: q.charts_awaiting_signoff(clinic.id, limit=50))

    listed = [(p.family_name, s.id, c.version, c.is_signed) for p, s, c in found]
    assert listed == [("Marsh", waiting.id, 1, False), ("Bell", amended.id, 2, False)]
    assert all(p.clinic_id == clinic.id and s.clinic_id == clinic.id for p, s, _ in found)
    (theirs,) = read(other, lambda q: q.charts_awaiting_signoff(other.id, limit=50))
    assert theirs[1].id == elsewhere.id


# --- series to book -------------------------------------------------------------------------


def test_active_series_with_sessions_to_hold_come_with_their_progress(engine: Engine) -> None:
    clinic = seed(engine)
    planned = new_series(clinic, "Raman")
    running = new_series(clinic, "Okafor")
    held = start(clinic, running)
    cancelled = new_series(clinic, "Bell")
    treatment.cancel_series(
        cancellation=treatment.SeriesCancellation(cancelled.id, 1, "patient moved away"),
        context=clinic.context,
        uow=clinic.uow(),
        clock=CLOCK,
    )
    one = SeriesPlan((PlannedZone(Zone.CHEEKS, Decimal("1.25"), Decimal("1.5")),), 1, 28)
    complete = new_series(clinic, "Marsh", plan=one, reasons=ONE_SESSION_REASONS)
    start(clinic, complete)

    found = read(clinic, lambda q: q.series_to_book(clinic.id, booked_from=NOW, limit=50))

    assert [(r.patient.family_name, r.series_id) for r in found] == [  # soonest due first
        ("Raman", planned.id),
        ("Okafor", running.id),
    ]
    raman, okafor = found
    assert (okafor.sessions_held, okafor.last_started_at) == (1, held.started_at)
    assert (raman.sessions_held, raman.last_started_at) == (0, None)
    first_on = date.fromisoformat(planned.proposal["series"]["dated"][0]["on"])
    assert (raman.first_proposed_on, raman.created_at) == (first_on, planned.created_at)
    plan = running.plan
    assert (okafor.sessions_planned, okafor.interval_days) == (plan.sessions, plan.interval_days)
    assert raman.utc_due_on == first_on
    assert held.started_at is not None
    assert okafor.utc_due_on == held.started_at.astimezone(UTC).date() + timedelta(
        days=plan.interval_days
    )


def test_series_to_book_page_by_keyset_without_repeats_or_gaps(engine: Engine) -> None:
    clinic = seed(engine)
    series = [new_series(clinic, name) for name in ("Okafor", "Bell", "Raman", "Marsh", "Bell")]
    start(clinic, series[0])
    everyone = read(clinic, lambda q: q.series_to_book(clinic.id, booked_from=NOW, limit=50))

    pages: list[list[SeriesToBook]] = []
    after: DueListKey | None = None
    while True:
        page = read(
            clinic,
            lambda q, start=after: q.series_to_book(
                clinic.id, booked_from=NOW, limit=2, after=start
            ),
        )
        if not page:
            break
        pages.append(list(page))
        after = page[-1].key

    assert [len(page) for page in pages] == [2, 2, 1]
    assert [r.series_id for page in pages for r in page] == [r.series_id for r in everyone]
    assert [r.key for r in everyone] == sorted(r.key for r in everyone)
    assert everyone[-1].series_id == series[0].id  # held today: due an interval from now


def test_a_booked_or_attended_next_session_takes_the_series_off_the_list(engine: Engine) -> None:
    clinic = seed(engine)
    booked = new_series(clinic, "Okafor")
    start(clinic, booked)
    appointment(clinic, booked, 2, NOW + timedelta(days=28))
    attended = new_series(clinic, "Marsh")
    appointment(clinic, attended, 1, NOW - timedelta(hours=3), AppointmentStatus.ATTENDED)
    later_only = new_series(clinic, "Raman")
    appointment(clinic, later_only, 2, NOW + timedelta(days=40))
    missed = new_series(clinic, "Bell")
    appointment(clinic, missed, 1, NOW - timedelta(days=2))  # neither attended nor no-show
    moved = new_series(clinic, "Stone")
    appointment(clinic, moved, 1, NOW + timedelta(days=3), AppointmentStatus.CANCELLED)

    found = read(
        clinic,
        lambda q: q.series_to_book(clinic.id, booked_from=NOW - timedelta(hours=10), limit=50),
    )

    assert sorted(r.patient.family_name for r in found) == ["Bell", "Raman", "Stone"]


def test_every_kind_of_write_keeps_the_stored_next_session_due_true(engine: Engine) -> None:
    """After each write that moves a series' next session, the list read from the stored next
    due equals the old computation from sessions and bookings (and the migration's backfill)."""
    clinic = seed(engine)
    instants = (NOW - timedelta(days=3), NOW, NOW + timedelta(days=3), NOW + timedelta(days=40))

    def agrees() -> None:
        assert series_due_support.mismatches(engine, clinic.id, instants) == []

    running, waiting, stopped = (new_series(clinic, n) for n in ("Okafor", "Marsh", "Bell"))
    agrees()  # created
    start(clinic, running)
    agrees()  # a session held
    booked = appointment(clinic, running, 2, NOW + timedelta(days=28))
    agrees()  # the next session booked
    earlier = NOW - timedelta(days=1)
    moved = replace(
        booked,
        starts_at=earlier,
        ends_at=earlier + timedelta(minutes=90),
        version=booked.version + 1,
    )
    save(clinic, moved)
    agrees()  # moved before today: missed
    save(clinic, replace(moved, status=AppointmentStatus.CANCELLED, version=moved.version + 1))
    agrees()  # cancelled
    came = appointment(clinic, waiting, 1, NOW - timedelta(hours=3), AppointmentStatus.ATTENDED)
    agrees()  # attended
    save(clinic, replace(came, status=AppointmentStatus.NO_SHOW, version=came.version + 1))
    agrees()  # missed after all
    treatment.cancel_series(
        cancellation=treatment.SeriesCancellation(stopped.id, 1, "patient moved away"),
        context=clinic.context,
        uow=clinic.uow(),
        clock=CLOCK,
    )
    agrees()  # a series cancelled
    assert [
        r.patient.family_name
        for r in read(clinic, lambda q: q.series_to_book(clinic.id, booked_from=NOW, limit=50))
    ] == ["Marsh", "Okafor"]


def test_series_to_book_read_a_range_of_their_partial_indexes(engine: Engine) -> None:
    """Both statements of the series to book can read their partial index in order: a page is
    a range of an index and a limit, not every active series sorted (ADR 0034)."""
    clinic = seed(engine)
    after = DueListKey(TODAY, uuid4())

    first = _plans_of(engine, lambda q: q.series_to_book(clinic.id, booked_from=NOW, limit=51))
    later = _plans_of(
        engine, lambda q: q.series_to_book(clinic.id, booked_from=NOW, limit=51, after=after)
    )

    for unbooked, booked in (first, later):
        assert "ix_treatment_series_to_book" in unbooked
        assert "ix_treatment_series_next_booked" in booked
    if engine.dialect.name == "sqlite":  # the unbooked read in index order: nothing sorted
        assert "SEARCH treatment_series USING INDEX ix_treatment_series_to_book" in first[0]
        assert "TEMP B-TREE" not in first[0].split(" | ")[0]


def _plans_of(engine: Engine, query: Any) -> list[str]:
    """The plans of the statements on ``treatment_series`` that ``query`` sends.

    PostgreSQL is told not to scan tables whole: a test database is too small for its costs to
    mean anything, so this asks whether the index can serve the statement at all
    (docs/index-review.md has the plans at 1M patients)."""
    sent: list[tuple[str, Any]] = []

    def keep(*args: Any) -> None:
        if "FROM treatment_series" in str(args[2]):
            sent.append((str(args[2]), args[3]))

    with SqlAlchemyUnitOfWork(engine) as uow:
        event.listen(engine, "before_cursor_execute", keep)
        try:
            query(uow.worklists)
        finally:
            event.remove(engine, "before_cursor_execute", keep)
    plans = []
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql("SET enable_seqscan = off")
        explain = "EXPLAIN QUERY PLAN" if engine.dialect.name == "sqlite" else "EXPLAIN"
        for statement, parameters in sent:
            found = connection.exec_driver_sql(f"{explain} {statement}", parameters)
            plans.append(" | ".join(str(row[-1]) for row in found))
    return plans


def test_another_clinics_series_are_never_listed(engine: Engine) -> None:
    clinic, other = seed(engine), seed(engine, "Other Clinic")
    mine = new_series(clinic, "Okafor")
    theirs = new_series(other, "Okafor")
    appointment(other, theirs, 1, NOW + timedelta(days=1))

    found = read(clinic, lambda q: q.series_to_book(clinic.id, booked_from=NOW, limit=50))

    assert [r.series_id for r in found] == [mine.id]
    assert read(other, lambda q: q.series_to_book(other.id, booked_from=NOW, limit=50)) == []


# --- a day's appointments --------------------------------------------------------------------


def test_a_days_appointments_come_with_patient_practitioner_and_room(engine: Engine) -> None:
    clinic, other = seed(engine), seed(engine, "Other Clinic")
    series = new_series(clinic, "Okafor")
    day_starts = datetime.combine(TODAY, time(), tzinfo=NOW.tzinfo)
    late = appointment(clinic, series, 2, day_starts + timedelta(hours=15))
    early = appointment(clinic, series, 1, day_starts + timedelta(hours=9))
    no_show = appointment(
        clinic, series, 3, day_starts + timedelta(hours=11), AppointmentStatus.NO_SHOW
    )
    appointment(clinic, series, 4, day_starts + timedelta(hours=13), AppointmentStatus.CANCELLED)
    appointment(clinic, series, 5, day_starts + timedelta(days=1, hours=9))  # tomorrow
    appointment(other, new_series(other, "Stone"), 1, day_starts + timedelta(hours=9))

    found = read(
        clinic,
        lambda q: q.appointments_between(clinic.id, day_starts, day_starts + timedelta(days=1)),
    )

    assert [a.id for a, *_ in found] == [early.id, no_show.id, late.id]
    first, patient, practitioner, room = found[0]
    assert first == early
    assert (patient.id, patient.family_name) == (series.patient_id, "Okafor")
    assert (practitioner, room) == ("Dr Rowan Hale", "Room 1")


# --- the dashboard ---------------------------------------------------------------------------


def test_one_dashboard_view_is_one_transaction_with_one_audit_event(engine: Engine) -> None:
    clinic = seed(engine)
    running = new_series(clinic, "Okafor")
    session = start(clinic, running)
    chart(clinic, session)
    today = appointment(clinic, new_series(clinic, "Marsh"), 1, NOW + timedelta(hours=2))
    before = audit_count(engine)

    board = worklists.dashboard(
        clinical=True, context=clinic.context, uow=clinic.uow(), clock=CLOCK
    )

    assert audit_count(engine) == before + 1
    with engine.connect() as connection:
        columns = t.audit_event.c
        last = connection.execute(
            select(columns.action, columns.resource_id).order_by(columns.seq.desc()).limit(1)
        ).one()
    assert tuple(last) == ("worklist.dashboard", TODAY.isoformat())
    assert [item.appointment.id for item in board.appointments] == [today.id]
    assert [item.session.id for item in board.awaiting] == [session.id]
    assert [(item.patient.family_name, item.number) for item in board.due] == [("Okafor", 2)]
    assert board.due[0].due_on == TODAY + timedelta(days=running.plan.interval_days)
    assert board.attention == ()
