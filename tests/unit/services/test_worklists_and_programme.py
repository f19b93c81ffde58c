"""The clinic's worklists and a patient's programme at a glance, over fakes."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from conftest import EXAMPLES, TODAY, load_example
from consent_support import record_consent
from fakes import OPERATOR, SETUP_CLOCK, FakeUnitOfWork, FixedClock, PlainHasher
from needlepoint.domain.charting import Cartridge, SessionChart, ZoneTreatment
from needlepoint.domain.planning import Endpoint
from needlepoint.domain.records import Clinic, Role
from needlepoint.domain.scheduling import Appointment, AppointmentStatus, Room
from needlepoint.domain.treatment import TreatmentSeries, TreatmentSession
from needlepoint.domain.vocabulary import Device, Sex, Zone
from needlepoint.knowledge import catalogue
from needlepoint.services.access import PatientNotFoundError
from needlepoint.services.accounts import staff as accounts
from needlepoint.services.audit import AuthMethod, RequestContext
from needlepoint.services.consultation.consultations import (
    ConsultationRequest,
    record_consultation,
    sign_consultation,
)
from needlepoint.services.consultation.engine import Engine
from needlepoint.services.records import patients
from needlepoint.services.records import programme as programme_overview
from needlepoint.services.scheduling import dashboard as worklists
from needlepoint.services.treatment import charts
from needlepoint.services.treatment import series as treatment
from needlepoint.services.treatment import sessions as rescreen

CLOCK = FixedClock(TODAY, time(10, 0))
ENGINE = Engine(
    knowledge=catalogue.load_knowledge(),
    citations={s.id: s.citation for s in catalogue.sources().sources},
    default_session_time=time(9),
)
PROCEED = next(p for p in EXAMPLES if p.name.startswith("01-proceed"))


@pytest.fixture
def uow() -> FakeUnitOfWork:
    fake = FakeUnitOfWork()
    for name in ("Harbour Skin Clinic", "Other Clinic"):
        fake.clinics.add(Clinic(id=uuid4(), name=name, time_zone="Europe/London"))
    return fake


def staff(uow: FakeUnitOfWork, clinic: int = 0, role: Role = Role.CLINICIAN) -> RequestContext:
    new = accounts.NewStaff(
        clinic_id=list(uow.clinics.rows)[clinic],
        email=f"{uuid4().hex[:8]}@clinic.test",
        display_name="Dr Rowan Hale",
        role=role,
        licence_max_depth_mm=Decimal("1.5") if role is Role.CLINICIAN else None,
        password="a long enough passphrase",
    )
    member = accounts.add_staff(
        new=new, uow=uow, hasher=PlainHasher(), context=OPERATOR, clock=SETUP_CLOCK
    )
    return RequestContext(actor=member, request_id="req-1", auth=AuthMethod.SESSION)


def patient(uow: FakeUnitOfWork, context: RequestContext, family_name: str) -> UUID:
    new = patients.NewPatient("Amira", family_name, date(1997, 4, 22), Sex.FEMALE)
    return patients.register_patient(
        new=new, context=context, uow=uow, clock=CLOCK, max_age_years=120
    ).id


def series(uow: FakeUnitOfWork, context: RequestContext, patient_id: UUID) -> TreatmentSeries:
    document: dict[str, Any] = load_example(PROCEED)
    document["patient"].pop("born_on", None)
    document["patient"].pop("sex", None)
    request = ConsultationRequest(patient_id=patient_id, document=document)
    draft = record_consultation(
        request=request, context=context, uow=uow, engine=ENGINE, clock=CLOCK
    )
    signed = sign_consultation(consultation_id=draft.id, context=context, uow=uow, clock=CLOCK)
    new = treatment.NewSeries(consultation_id=signed.id)
    created = treatment.create_series_from_consultation(
        new=new, context=context, uow=uow, engine=ENGINE, clock=CLOCK
    )
    with uow:  # the patient's witnessed consent opens the gate for its sessions (ADR 0029)
        record_consent(uow, created, by=context.actor.id, at=CLOCK.now())
        uow.commit()
    return created


def charted_session(
    uow: FakeUnitOfWork, context: RequestContext, series_id: UUID, *, sign: bool
) -> TreatmentSession:
    session = rescreen.start_session(
        series_id=series_id,
        rescreen_document={"history": {"pregnant": False}},
        context=context,
        uow=uow,
        engine=ENGINE,
        clock=CLOCK,
    )
    chart = SessionChart(
        device=Device.PEN,
        cartridge=Cartridge(lot="LOT-1", expires_on=TODAY + timedelta(days=90)),
        numbing=None,
        zones=(ZoneTreatment(Zone.CHEEKS, Decimal("1.5"), Decimal("1.5"), 3),),
        endpoint_reached=Endpoint.PINPOINT_BLEEDING,
        products_applied=(),
        adverse_events=(),
        overrides=(),
    )
    entry = charts.ChartEntry(session_id=session.id, chart=chart, expected_version=0)
    version = charts.chart_session(
        entry=entry, context=context, uow=uow, clock=CLOCK, knowledge=ENGINE.knowledge
    )
    if sign:
        charts.sign_chart(
            session_id=session.id, version=version.version, context=context, uow=uow, clock=CLOCK
        )
    return session


def last_action(uow: FakeUnitOfWork) -> str:
    return uow.audit.events[-1].action


# --- worklists ------------------------------------------------------------------------------


def board(
    uow: FakeUnitOfWork,
    context: RequestContext,
    clock: FixedClock = CLOCK,
    *,
    clinical: bool = True,
) -> worklists.Dashboard:
    return worklists.dashboard(clinical=clinical, context=context, uow=uow, clock=clock)


def booking(
    uow: FakeUnitOfWork,
    context: RequestContext,
    running: TreatmentSeries,
    number: int,
    starts_at: datetime,
    status: AppointmentStatus = AppointmentStatus.BOOKED,
) -> Appointment:
    appointment = Appointment(
        id=uuid4(),
        clinic_id=running.clinic_id,
        patient_id=running.patient_id,
        series_id=running.id,
        session_number=number,
        practitioner_id=context.actor.id,
        room_id=uuid4(),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        status=status,
        created_at=CLOCK.now(),
        created_by=context.actor.id,
    )
    uow.appointments.add(appointment)
    return appointment


def test_only_charted_unsigned_sessions_wait_for_sign_off(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    signed = series(uow, context, patient(uow, context, "Okafor"))
    waiting = series(uow, context, patient(uow, context, "Marsh"))
    charted_session(uow, context, signed.id, sign=True)
    session = charted_session(uow, context, waiting.id, sign=False)

    found = board(uow, context).awaiting

    assert [(item.patient.family_name, item.session.id) for item in found] == [
        ("Marsh", session.id)
    ]


def test_the_next_session_falls_due_one_interval_after_the_last(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    running = series(uow, context, patient(uow, context, "Okafor"))
    session = charted_session(uow, context, running.id, sign=True)

    (due,) = board(uow, context).due

    assert session.started_at is not None
    assert due.number == 2
    assert due.due_on == TODAY + timedelta(days=running.plan.interval_days)
    assert not due.overdue


def test_a_planned_series_falls_due_on_the_proposals_first_date(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    planned = series(uow, context, patient(uow, context, "Raman"))

    (due,) = board(uow, context).due

    assert due.number == 1
    assert due.due_on == date.fromisoformat(planned.proposal["series"]["dated"][0]["on"])


def test_a_session_due_before_today_is_overdue(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    running = series(uow, context, patient(uow, context, "Okafor"))
    charted_session(uow, context, running.id, sign=True)
    later = FixedClock(TODAY + timedelta(days=running.plan.interval_days + 1), time(10, 0))

    (due,) = board(uow, context, later).due

    assert due.overdue


def test_the_due_list_shows_a_page_and_pages_on_by_cursor(
    uow: FakeUnitOfWork, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(worklists, "WORKLIST_PAGE", 2)
    context = staff(uow)
    planned = [series(uow, context, patient(uow, context, name)) for name in "ABCDE"]

    first = board(uow, context)
    listed = [item.series_id for item in first.due]
    cursor = first.due_more
    while cursor is not None and len(listed) <= len(planned):
        page = worklists.dashboard(
            clinical=True, context=context, uow=uow, clock=CLOCK, due_after=cursor
        )
        assert len(page.due) <= 2
        listed += [item.series_id for item in page.due]
        cursor = page.due_more

    assert len(first.due) == 2
    assert sorted(listed) == sorted(s.id for s in planned)
    assert len(set(listed)) == len(listed)


def test_a_due_cursor_not_handed_out_starts_the_list_again(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    series(uow, context, patient(uow, context, "Okafor"))

    page = worklists.dashboard(
        clinical=True, context=context, uow=uow, clock=CLOCK, due_after="not-a-cursor"
    )

    assert [item.patient.family_name for item in page.due] == ["Okafor"]
    assert page.due_more is None


def test_more_charts_than_a_page_are_said_to_wait(
    uow: FakeUnitOfWork, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(worklists, "WORKLIST_PAGE", 1)
    context = staff(uow)
    for name in ("Okafor", "Marsh"):
        started = series(uow, context, patient(uow, context, name))
        charted_session(uow, context, started.id, sign=False)

    found = board(uow, context)

    assert len(found.awaiting) == 1
    assert found.awaiting_more


def test_a_cancelled_series_is_not_due(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    cancelled = series(uow, context, patient(uow, context, "Bell"))
    treatment.cancel_series(
        cancellation=treatment.SeriesCancellation(cancelled.id, 1, "patient moved away"),
        context=context,
        uow=uow,
        clock=CLOCK,
    )

    assert board(uow, context).due == ()


def test_a_series_whose_next_session_is_booked_needs_no_call(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    running = series(uow, context, patient(uow, context, "Okafor"))
    charted_session(uow, context, running.id, sign=True)
    booking(uow, context, running, 2, CLOCK.now() + timedelta(days=28))

    assert board(uow, context).due == ()


def test_a_booking_for_a_later_session_or_a_missed_one_still_needs_a_call(
    uow: FakeUnitOfWork,
) -> None:
    context = staff(uow)
    running = series(uow, context, patient(uow, context, "Okafor"))
    booking(uow, context, running, 2, CLOCK.now() + timedelta(days=28))
    booking(uow, context, running, 1, CLOCK.now() - timedelta(days=2))  # never attended

    (due,) = board(uow, context).due

    assert due.number == 1


def test_an_attended_appointment_covers_its_session_until_the_chart_follows(
    uow: FakeUnitOfWork,
) -> None:
    context = staff(uow)
    running = series(uow, context, patient(uow, context, "Okafor"))
    booking(uow, context, running, 1, CLOCK.now() - timedelta(hours=2), AppointmentStatus.ATTENDED)

    assert board(uow, context).due == ()


def test_todays_appointments_come_with_patient_practitioner_and_room(
    uow: FakeUnitOfWork,
) -> None:
    context = staff(uow)
    running = series(uow, context, patient(uow, context, "Okafor"))
    today = booking(uow, context, running, 1, CLOCK.now() + timedelta(hours=1))
    booking(uow, context, running, 2, CLOCK.now() + timedelta(days=1))  # tomorrow
    uow.rooms.add(Room(today.room_id, today.clinic_id, "Room 1"))

    (item,) = board(uow, context).appointments

    assert item.appointment.id == today.id
    assert (item.patient.family_name, item.practitioner, item.room) == (
        "Okafor",
        "Dr Rowan Hale",
        "Room 1",
    )


def test_front_desk_gets_no_clinical_lists(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    charted_session(
        uow, context, series(uow, context, patient(uow, context, "Marsh")).id, sign=False
    )

    shown = board(uow, staff(uow, role=Role.FRONT_DESK), clinical=False)

    assert shown.awaiting == ()
    assert shown.attention == ()
    assert [item.patient.family_name for item in shown.due] == ["Marsh"]


def test_one_dashboard_view_appends_exactly_one_audit_event(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    charted_session(
        uow, context, series(uow, context, patient(uow, context, "Marsh")).id, sign=False
    )
    before = len(uow.audit.events)

    board(uow, context)

    (event,) = uow.audit.events[before:]
    assert (event.action, event.resource_id, event.patient_id) == (
        "worklist.dashboard",
        TODAY.isoformat(),
        None,
    )
    assert uow.commits > 0


def test_worklists_never_show_another_clinics_patients(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    running = series(uow, context, patient(uow, context, "Marsh"))
    charted_session(uow, context, running.id, sign=False)
    booking(uow, context, running, 2, CLOCK.now() + timedelta(hours=1))
    other = staff(uow, clinic=1)

    shown = board(uow, other)

    assert (shown.appointments, shown.awaiting, shown.due, shown.attention) == ((), (), (), ())


# --- a patient's programme --------------------------------------------------------------------


def test_the_programme_holds_every_part_of_the_record(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    patient_id = patient(uow, context, "Okafor")
    running = series(uow, context, patient_id)
    session = charted_session(uow, context, running.id, sign=False)

    programme = programme_overview.patient_programme(
        patient_id=patient_id, context=context, uow=uow, clock=CLOCK
    )

    assert programme.patient.id == patient_id
    assert [course.series.id for course in programme.series] == [running.id]
    assert [s.id for s in programme.series[0].sessions] == [session.id]
    assert programme.clinical is not None
    assert len(programme.clinical.consultations) == 1
    assert programme.clinical.charts[session.id].version == 1


def test_each_kind_of_record_read_is_audited_for_the_patient(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    patient_id = patient(uow, context, "Okafor")
    before = len(uow.audit.events)

    programme_overview.patient_programme(
        patient_id=patient_id, context=context, uow=uow, clock=CLOCK
    )

    events = uow.audit.events[before:]
    assert [e.action for e in events] == [
        "patient.read",
        "series.list",
        "appointment.list",
        "consultation.list",
        "chart.list",
        "assessment.list",
        "outcome.list",
        "care_document.list",
    ]
    assert {e.patient_id for e in events} == {patient_id}


def test_the_schedule_leaves_the_clinical_record_out(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    patient_id = patient(uow, context, "Okafor")
    series(uow, context, patient_id)
    desk = staff(uow, role=Role.FRONT_DESK)

    schedule = programme_overview.patient_schedule(
        patient_id=patient_id, context=desk, uow=uow, clock=CLOCK
    )

    assert schedule.clinical is None
    assert len(schedule.series) == 1
    assert [e.action for e in uow.audit.events[-3:]] == [
        "patient.read",
        "series.list",
        "appointment.list",
    ]


def test_another_clinics_patient_has_no_programme_and_the_miss_is_audited(
    uow: FakeUnitOfWork,
) -> None:
    patient_id = patient(uow, staff(uow), "Okafor")
    other = staff(uow, clinic=1)

    with pytest.raises(PatientNotFoundError):
        programme_overview.patient_programme(
            patient_id=patient_id, context=other, uow=uow, clock=CLOCK
        )

    assert uow.audit.events[-1].outcome == "not_found"
