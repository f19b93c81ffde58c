"""The clinic's worklists and a patient's programme at a glance, over fakes."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from conftest import EXAMPLES, TODAY, load_example
from fakes import FakeUnitOfWork, FixedClock, PlainHasher
from needlepoint.domain.charting import Cartridge, SessionChart, ZoneTreatment
from needlepoint.domain.planning import Endpoint
from needlepoint.domain.records import Clinic, Role
from needlepoint.domain.treatment import TreatmentSeries, TreatmentSession
from needlepoint.domain.vocabulary import Device, Sex, Zone
from needlepoint.knowledge import catalogue
from needlepoint.services import (
    accounts,
    charts,
    patients,
    programme_overview,
    rescreen,
    treatment,
    worklists,
)
from needlepoint.services.audit import RequestContext
from needlepoint.services.consultation_records import (
    ConsultationRequest,
    Engine,
    record_consultation,
    sign_consultation,
)
from needlepoint.services.patients import PatientNotFoundError

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
    member = accounts.add_staff(new=new, uow=uow, hasher=PlainHasher())
    return RequestContext(actor=member, request_id="req-1")


def patient(uow: FakeUnitOfWork, context: RequestContext, family_name: str) -> UUID:
    new = patients.NewPatient("Amira", family_name, date(1997, 4, 22), Sex.FEMALE)
    return patients.register_patient(new=new, context=context, uow=uow, clock=CLOCK).id


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
    return treatment.create_series_from_consultation(
        new=new, context=context, uow=uow, engine=ENGINE, clock=CLOCK
    )


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
    version = charts.chart_session(entry=entry, context=context, uow=uow, clock=CLOCK)
    if sign:
        charts.sign_chart(
            session_id=session.id, version=version.version, context=context, uow=uow, clock=CLOCK
        )
    return session


def last_action(uow: FakeUnitOfWork) -> str:
    return uow.audit.events[-1].action


# --- worklists ------------------------------------------------------------------------------


def test_only_charted_unsigned_sessions_wait_for_sign_off(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    signed = series(uow, context, patient(uow, context, "Okafor"))
    waiting = series(uow, context, patient(uow, context, "Marsh"))
    charted_session(uow, context, signed.id, sign=True)
    session = charted_session(uow, context, waiting.id, sign=False)

    found = worklists.charts_awaiting_signoff(context=context, uow=uow, clock=CLOCK)

    assert [(item.patient.family_name, item.session.id) for item in found] == [
        ("Marsh", session.id)
    ]
    assert last_action(uow) == "worklist.charts_awaiting_signoff"


def test_the_next_session_falls_due_one_interval_after_the_last(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    running = series(uow, context, patient(uow, context, "Okafor"))
    session = charted_session(uow, context, running.id, sign=True)

    (due,) = worklists.sessions_due(context=context, uow=uow, clock=CLOCK)

    assert session.started_at is not None
    assert due.number == 2
    assert due.due_on == TODAY + timedelta(days=running.plan.interval_days)
    assert not due.overdue
    assert last_action(uow) == "worklist.sessions_due"


def test_a_planned_series_falls_due_on_the_proposals_first_date(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    planned = series(uow, context, patient(uow, context, "Raman"))

    (due,) = worklists.sessions_due(context=context, uow=uow, clock=CLOCK)

    assert due.number == 1
    assert due.due_on == date.fromisoformat(planned.proposal["series"]["dated"][0]["on"])


def test_a_session_due_before_today_is_overdue(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    running = series(uow, context, patient(uow, context, "Okafor"))
    charted_session(uow, context, running.id, sign=True)
    later = FixedClock(TODAY + timedelta(days=running.plan.interval_days + 1), time(10, 0))

    (due,) = worklists.sessions_due(context=context, uow=uow, clock=later)

    assert due.overdue


def test_a_cancelled_series_is_not_due(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    cancelled = series(uow, context, patient(uow, context, "Bell"))
    treatment.cancel_series(
        series_id=cancelled.id, expected_version=1, context=context, uow=uow, clock=CLOCK
    )

    assert worklists.sessions_due(context=context, uow=uow, clock=CLOCK) == ()


def test_worklists_never_show_another_clinics_patients(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    charted_session(
        uow, context, series(uow, context, patient(uow, context, "Marsh")).id, sign=False
    )
    other = staff(uow, clinic=1)

    assert worklists.charts_awaiting_signoff(context=other, uow=uow, clock=CLOCK) == ()
    assert worklists.sessions_due(context=other, uow=uow, clock=CLOCK) == ()


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
    assert [e.action for e in uow.audit.events[-2:]] == ["patient.read", "series.list"]


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
