"""Treatment series, sessions, charts, lot recall, outcomes and care documents over fakes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES, TODAY, load_example
from consent_support import record_consent
from fakes import OPERATOR, SETUP_CLOCK, FakeUnitOfWork, FixedClock, PlainHasher
from needlepoint.domain.charting import (
    Cartridge,
    ContraindicatedError,
    ExpiredCartridgeError,
    Numbing,
    Override,
    OverrideKind,
    OverrideRequiredError,
    SessionChart,
    ZoneTreatment,
)
from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.outcomes import CareDocumentKind, OutcomeScale
from needlepoint.domain.planning import Endpoint
from needlepoint.domain.records import AlreadySignedError, Clinic, ConsultationRecord, Role
from needlepoint.domain.series_plan import PlannedZone, SeriesPlan
from needlepoint.domain.treatment import (
    InvalidTransitionError,
    LicenceRequiredError,
    SeriesStatus,
    SessionStatus,
    TreatmentSeries,
    TreatmentSession,
    VersionConflictError,
)
from needlepoint.domain.vocabulary import Device, Sex, Zone
from needlepoint.knowledge import catalogue
from needlepoint.services.access import PatientNotFoundError, SeriesNotFoundError
from needlepoint.services.accounts import staff as accounts
from needlepoint.services.audit import AuthMethod, RequestContext
from needlepoint.services.consultation.consultations import (
    ConsultationNotSignedError,
    ConsultationRequest,
    record_consultation,
    sign_consultation,
)
from needlepoint.services.consultation.engine import Engine
from needlepoint.services.permissions import PermissionDeniedError
from needlepoint.services.records import outcomes, patients
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
DEFER = next(p for p in EXAMPLES if p.name.startswith("05-defer"))
CLEAN_DAY: dict[str, Any] = {"history": {"pregnant": False}}
LOT = "LOT-2026-118"


@pytest.fixture
def uow() -> FakeUnitOfWork:
    fake = FakeUnitOfWork()
    for name in ("Harbour Skin Clinic", "Other Clinic"):
        fake.clinics.add(Clinic(id=uuid4(), name=name, time_zone="Europe/London"))
    return fake


def staff(
    uow: FakeUnitOfWork,
    clinic: int = 0,
    role: Role = Role.CLINICIAN,
    licence: str | None = "1.5",
) -> RequestContext:
    new = accounts.NewStaff(
        clinic_id=list(uow.clinics.rows)[clinic],
        email=f"{uuid4().hex[:8]}@clinic.test",
        display_name="Dr Rowan Hale",
        role=role,
        licence_max_depth_mm=None if licence is None else Decimal(licence),
        password="a long enough passphrase",
    )
    member = accounts.add_staff(
        new=new, uow=uow, hasher=PlainHasher(), context=OPERATOR, clock=SETUP_CLOCK
    )
    return RequestContext(
        actor=member, request_id=f"req-{uuid4().hex[:6]}", auth=AuthMethod.SESSION
    )


def patient(uow: FakeUnitOfWork, context: RequestContext, family_name: str = "Okafor") -> UUID:
    new = patients.NewPatient(
        given_name="Amira", family_name=family_name, born_on=date(1997, 4, 22), sex=Sex.FEMALE
    )
    return patients.register_patient(
        new=new, context=context, uow=uow, clock=CLOCK, max_age_years=120
    ).id


def consultation(
    uow: FakeUnitOfWork, context: RequestContext, patient_id: UUID, example: Any = PROCEED
) -> ConsultationRecord:
    document = load_example(example)
    document["patient"].pop("born_on", None)
    document["patient"].pop("sex", None)
    request = ConsultationRequest(patient_id=patient_id, document=document)
    record = record_consultation(
        request=request, context=context, uow=uow, engine=ENGINE, clock=CLOCK
    )
    return sign_consultation(consultation_id=record.id, context=context, uow=uow, clock=CLOCK)


def series(
    uow: FakeUnitOfWork,
    context: RequestContext,
    *,
    plan: SeriesPlan | None = None,
    reasons: dict[str, str] | None = None,
    patient_id: UUID | None = None,
) -> TreatmentSeries:
    signed = consultation(uow, context, patient_id or patient(uow, context))
    new = treatment.NewSeries(consultation_id=signed.id, plan=plan, reasons=reasons or {})
    created = treatment.create_series_from_consultation(
        new=new, context=context, uow=uow, engine=ENGINE, clock=CLOCK
    )
    with uow:  # the patient's witnessed consent opens the gate for its sessions (ADR 0029)
        record_consent(uow, created, by=context.actor.id, at=CLOCK.now())
        uow.commit()
    return created


def start(
    uow: FakeUnitOfWork, context: RequestContext, series_id: UUID, answers: Any = None
) -> TreatmentSession:
    return rescreen.start_session(
        series_id=series_id,
        rescreen_document=CLEAN_DAY if answers is None else answers,
        context=context,
        uow=uow,
        engine=ENGINE,
        clock=CLOCK,
    )


def a_chart(
    *zones: tuple[Zone, str, str],
    overrides: tuple[Override, ...] = (),
    expires_on: date = TODAY + timedelta(days=90),
    lot: str = LOT,
) -> SessionChart:
    applied = datetime(2026, 11, 22, 9, 15, tzinfo=CLOCK.now().tzinfo)
    return SessionChart(
        device=Device.PEN,
        cartridge=Cartridge(lot=lot, expires_on=expires_on),
        numbing=Numbing("lidocaine 23% / tetracaine 7%", applied, applied + timedelta(minutes=30)),
        zones=tuple(ZoneTreatment(z, Decimal(p), Decimal(d), 3) for z, p, d in zones)
        or (ZoneTreatment(Zone.CHEEKS, Decimal("1.5"), Decimal("1.5"), 3),),
        endpoint_reached=Endpoint.PINPOINT_BLEEDING,
        products_applied=("hyaluronic acid serum",),
        adverse_events=(),
        overrides=overrides,
    )


def chart(
    uow: FakeUnitOfWork,
    context: RequestContext,
    session_id: UUID,
    the_chart: SessionChart | None = None,
    expected_version: int = 0,
    notes: str = "",
) -> Any:
    entry = charts.ChartEntry(
        session_id=session_id,
        chart=the_chart or a_chart(),
        expected_version=expected_version,
        notes=notes,
    )
    return charts.chart_session(
        entry=entry, context=context, uow=uow, clock=CLOCK, knowledge=ENGINE.knowledge
    )


def actions(uow: FakeUnitOfWork) -> list[str]:
    return [e.action for e in uow.audit.events]


# --- series -------------------------------------------------------------------------------


def test_a_series_keeps_the_engines_proposal_verbatim_and_agrees_it_as_proposed(
    uow: FakeUnitOfWork,
) -> None:
    context = staff(uow)
    signed = consultation(uow, context, patient(uow, context))

    created = treatment.create_series_from_consultation(
        new=treatment.NewSeries(consultation_id=signed.id),
        context=context,
        uow=uow,
        engine=ENGINE,
        clock=CLOCK,
    )

    assert created.proposal == {"plan": signed.report["plan"], "series": signed.report["series"]}
    assert [(z.zone, z.depth_min_mm, z.depth_max_mm) for z in created.plan.zones] == [
        (Zone.CHEEKS, Decimal("1.5"), Decimal("1.5")),
        (Zone.CHIN, Decimal("1.0"), Decimal("1.25")),
    ]
    assert (created.plan.sessions, created.plan.interval_days) == (4, 28)
    assert created.deviations == ()
    assert (created.status, created.version) == (SeriesStatus.PLANNED, 1)
    assert actions(uow)[-1] == "series.create"
    assert uow.audit.events[-1].patient_id == created.patient_id


def test_a_draft_consultation_cannot_start_a_series(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    document = load_example(PROCEED)
    del document["patient"]["born_on"], document["patient"]["sex"]
    draft = record_consultation(
        request=ConsultationRequest(patient_id=patient(uow, context), document=document),
        context=context,
        uow=uow,
        engine=ENGINE,
        clock=CLOCK,
    )

    with pytest.raises(ConsultationNotSignedError):
        treatment.create_series_from_consultation(
            new=treatment.NewSeries(consultation_id=draft.id),
            context=context,
            uow=uow,
            engine=ENGINE,
            clock=CLOCK,
        )

    assert not uow.series.rows


def test_a_deferred_consultation_is_refused_with_its_findings(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    signed = consultation(uow, context, patient(uow, context), DEFER)

    with pytest.raises(treatment.NotTreatableError) as caught:
        treatment.create_series_from_consultation(
            new=treatment.NewSeries(consultation_id=signed.id),
            context=context,
            uow=uow,
            engine=ENGINE,
            clock=CLOCK,
        )

    assert caught.value.code == "not-treatable"
    assert caught.value.decision == "defer"
    assert "pregnancy" in [f["rule_id"] for f in caught.value.findings]
    assert not uow.series.rows


def changed_plan(**changes: Any) -> SeriesPlan:
    zones = changes.pop(
        "zones",
        (
            PlannedZone(Zone.CHEEKS, Decimal("1.5"), Decimal("1.5")),
            PlannedZone(Zone.CHIN, Decimal("1.0"), Decimal("1.25")),
        ),
    )
    values: dict[str, Any] = {"zones": zones, "sessions": 4, "interval_days": 28} | changes
    return SeriesPlan(**values)


def test_a_plan_change_without_a_reason_is_refused_naming_the_path(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    deeper_chin = changed_plan(
        zones=(
            PlannedZone(Zone.CHEEKS, Decimal("1.5"), Decimal("1.5")),
            PlannedZone(Zone.CHIN, Decimal("1.0"), Decimal("1.5")),
        )
    )

    with pytest.raises(InvalidInputError) as caught:
        series(uow, context, plan=deeper_chin, reasons={"plan.zones[chin].depth_mm.max": "  "})

    problem = caught.value.problems[0]
    assert problem.field == "plan.zones[chin].depth_mm.max"
    assert "reason" in problem.fix
    assert not uow.series.rows


def test_a_plan_change_with_a_reason_is_agreed_and_recorded(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    plan = changed_plan(
        zones=(
            PlannedZone(Zone.CHEEKS, Decimal("1.5"), Decimal("1.5")),
            PlannedZone(Zone.CHIN, Decimal("1.0"), Decimal("1.5")),
        ),
        sessions=5,
    )
    reasons = {
        "plan.zones[chin].depth_mm.max": "deep rolling scars on the chin, tolerated well",
        "plan.sessions": "patient asked for one more session",
    }

    created = series(uow, context, plan=plan, reasons=reasons)

    assert created.plan == plan
    assert [(d.path, d.proposed, d.chosen, d.reason) for d in created.deviations] == [
        (
            "plan.zones[chin].depth_mm.max",
            "1.25 mm",
            "1.5 mm",
            reasons["plan.zones[chin].depth_mm.max"],
        ),
        ("plan.sessions", "4", "5", "patient asked for one more session"),
    ]
    assert all(d.by == context.actor.id and d.at == CLOCK.now() for d in created.deviations)


def test_a_planned_depth_past_the_zone_or_device_cap_is_refused_even_with_a_reason(
    uow: FakeUnitOfWork,
) -> None:
    context = staff(uow)
    too_deep = changed_plan(
        zones=(
            PlannedZone(Zone.CHEEKS, Decimal("1.5"), Decimal("2.0")),
            PlannedZone(Zone.CHIN, Decimal("1.0"), Decimal("1.25")),
        )
    )

    with pytest.raises(InvalidInputError) as caught:
        series(
            uow, context, plan=too_deep, reasons={"plan.zones[cheeks].depth_mm.max": "deep scars"}
        )

    assert [(p.field, p.code) for p in caught.value.problems] == [
        ("plan.zones[cheeks].depth_mm.max", "device-depth-cap")
    ]
    assert "1.5 mm cap" in caught.value.problems[0].problem
    assert "no reason unlocks it" in caught.value.problems[0].problem


def test_a_zone_cannot_be_added_but_may_be_left_out_with_a_reason(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    added = changed_plan(
        zones=(
            *changed_plan().zones,
            PlannedZone(Zone.FOREHEAD, Decimal("0.5"), Decimal("0.5")),
        )
    )
    cheeks_only = changed_plan(zones=(PlannedZone(Zone.CHEEKS, Decimal("1.5"), Decimal("1.5")),))

    with pytest.raises(InvalidInputError) as caught:
        series(uow, context, plan=added)
    assert caught.value.problems[0].field == "plan.zones[forehead]"

    with pytest.raises(InvalidInputError) as caught:
        series(uow, context, plan=cheeks_only)
    assert caught.value.problems[0].field == "plan.zones[chin]"

    created = series(
        uow, context, plan=cheeks_only, reasons={"plan.zones[chin]": "chin scars have settled"}
    )
    assert [(d.path, d.chosen) for d in created.deviations] == [("plan.zones[chin]", "not treated")]


def test_another_clinic_cannot_read_a_series(uow: FakeUnitOfWork) -> None:
    created = series(uow, staff(uow))
    other = staff(uow, clinic=1)

    with pytest.raises(SeriesNotFoundError):
        treatment.get_series(series_id=created.id, context=other, uow=uow, clock=CLOCK)

    assert uow.audit.events[-1].outcome == "not_found"
    assert uow.audit.events[-1].patient_id is None


# --- starting a session -------------------------------------------------------------------


def test_a_clean_rescreen_starts_session_one_and_the_series(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    created = series(uow, context)

    session = start(uow, context, created.id)

    assert (session.number, session.status) == (1, SessionStatus.STARTED)
    assert session.excluded_zones == ()
    assert session.rescreen is not None
    assert session.rescreen["answers"] == CLEAN_DAY
    assert session.rescreen["screened_on"] == TODAY.isoformat()
    assert uow.series.rows[created.id].status is SeriesStatus.IN_PROGRESS
    assert actions(uow)[-1] == "session.start"


def test_a_start_is_refused_on_an_absolute_contraindication_and_only_the_refusal_is_kept(
    uow: FakeUnitOfWork,
) -> None:
    context = staff(uow)
    created = series(uow, context)
    before = len(uow.audit.events)

    with pytest.raises(ContraindicatedError) as caught:
        start(uow, context, created.id, {"history": {"pregnant": True}})

    assert [f.rule_id for f in caught.value.findings] == ["pregnancy"]
    assert not uow.sessions.rows
    assert uow.series.rows[created.id] == created
    refusal = uow.audit.events[before:]
    assert [(e.action, e.outcome) for e in refusal] == [("session.start", "contraindicated")]


def test_zones_excluded_today_are_recorded_and_cannot_be_charted(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    created = series(uow, context)
    today = {"zone_states": [{"zone": "chin", "conditions": ["active_cold_sore"]}]}

    session = start(uow, context, created.id, today)

    assert session.excluded_zones == (Zone.CHIN,)
    with pytest.raises(InvalidInputError) as caught:
        chart(uow, context, session.id, a_chart((Zone.CHIN, "1.0", "1.0")))
    assert (caught.value.problems[0].field, caught.value.problems[0].code) == (
        "chart.zones[chin]",
        "excluded-today",
    )
    assert chart(uow, context, session.id).version == 1


def test_a_start_is_refused_when_every_planned_zone_is_excluded_today(
    uow: FakeUnitOfWork,
) -> None:
    context = staff(uow)
    created = series(uow, context)
    infected = [
        {"zone": "cheeks", "conditions": ["infection"]},
        {"zone": "chin", "conditions": ["infection"]},
    ]

    with pytest.raises(ContraindicatedError) as caught:
        start(uow, context, created.id, {"zone_states": infected})

    assert {f.rule_id for f in caught.value.findings} == {"active-infection-in-zone"}
    assert not uow.sessions.rows


def test_unknown_rescreen_answers_are_refused(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    created = series(uow, context)

    with pytest.raises(InvalidInputError) as caught:
        start(uow, context, created.id, {"patient": {"born_on": "1990-01-01"}})

    assert caught.value.problems[0].field == "rescreen.patient"


def test_a_second_session_cannot_start_while_one_is_open(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    created = series(uow, context)
    start(uow, context, created.id)

    with pytest.raises(InvalidTransitionError):
        start(uow, context, created.id)


def test_a_cancelled_series_cannot_start_a_session(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    created = series(uow, context)
    cancelled = treatment.cancel_series(
        cancellation=treatment.SeriesCancellation(created.id, 1, "patient moved away"),
        context=context,
        uow=uow,
        clock=CLOCK,
    )

    with pytest.raises(InvalidTransitionError):
        start(uow, context, created.id)

    assert (cancelled.status, cancelled.version) == (SeriesStatus.CANCELLED, 2)


def test_cancelling_a_series_from_a_stale_version_is_a_conflict(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    created = series(uow, context)
    start(uow, context, created.id)

    with pytest.raises(VersionConflictError):
        treatment.cancel_series(
            cancellation=treatment.SeriesCancellation(created.id, 1, "patient moved away"),
            context=context,
            uow=uow,
            clock=CLOCK,
        )

    assert uow.series.rows[created.id].status is SeriesStatus.IN_PROGRESS
    assert uow.audit.events[-1].outcome == "version_conflict"


# --- charting -----------------------------------------------------------------------------


@pytest.fixture
def started(uow: FakeUnitOfWork) -> tuple[RequestContext, TreatmentSession]:
    context = staff(uow)
    return context, start(uow, context, series(uow, context).id)


def test_an_expired_cartridge_is_refused_and_nothing_is_written(
    uow: FakeUnitOfWork, started: tuple[RequestContext, TreatmentSession]
) -> None:
    context, session = started
    before = len(uow.audit.events)

    with pytest.raises(ExpiredCartridgeError):
        chart(uow, context, session.id, a_chart(expires_on=TODAY - timedelta(days=1)))

    assert not uow.charts.rows
    assert len(uow.audit.events) == before


def test_a_depth_deeper_than_the_plan_needs_a_reason_which_is_recorded(
    uow: FakeUnitOfWork,
) -> None:
    context = staff(uow, licence="2.0")
    session = start(uow, context, series(uow, context).id)
    deeper = (Zone.CHIN, "1.0", "1.25")

    with pytest.raises(OverrideRequiredError) as caught:
        chart(uow, context, session.id, a_chart(deeper))
    assert [(p.field, p.code) for p in caught.value.problems] == [
        ("chart.zones[chin].delivered_depth_mm", "deeper-than-plan")
    ]

    reason = Override(OverrideKind.DEEPER_THAN_PLAN, "scars stiffer than expected", zone=Zone.CHIN)
    written = chart(uow, context, session.id, a_chart(deeper, overrides=(reason,)))
    recorded = replace(reason, rule_id="deeper-than-plan", by=context.actor.id)
    assert written.chart.overrides == (recorded,)
    assert uow.charts.rows[(session.id, 1)].chart.overrides == (recorded,)


def test_a_depth_beyond_the_licence_is_refused_whatever_the_reason(uow: FakeUnitOfWork) -> None:
    context = staff(uow, licence="1.0")
    session = start(uow, context, series(uow, context).id)
    beyond = (Zone.CHIN, "1.25", "1.25")
    reason = Override(OverrideKind.BEYOND_LICENCE, "supervised by Dr Byrne", zone=Zone.CHIN)

    with pytest.raises(InvalidInputError) as caught:
        chart(uow, context, session.id, a_chart(beyond, overrides=(reason,)))

    assert ("chart.zones[chin].delivered_depth_mm", "licence-depth") in {
        (p.field, p.code) for p in caught.value.problems
    }
    assert not uow.charts.rows


def test_front_desk_cannot_chart_a_depth(
    uow: FakeUnitOfWork, started: tuple[RequestContext, TreatmentSession]
) -> None:
    _, session = started
    desk = staff(uow, role=Role.FRONT_DESK, licence=None)

    with pytest.raises(PermissionDeniedError) as caught:
        chart(uow, desk, session.id)

    assert caught.value.code == "permission-denied"
    assert not uow.charts.rows


def test_an_admin_without_a_licensed_depth_cannot_chart_a_depth(
    uow: FakeUnitOfWork, started: tuple[RequestContext, TreatmentSession]
) -> None:
    _, session = started
    unlicensed = staff(uow, role=Role.ADMIN, licence=None)

    with pytest.raises(LicenceRequiredError) as caught:
        chart(uow, unlicensed, session.id)

    assert caught.value.code == "licence-required"
    assert not uow.charts.rows


def test_a_planned_depth_above_the_series_plan_is_refused(
    uow: FakeUnitOfWork, started: tuple[RequestContext, TreatmentSession]
) -> None:
    context, session = started

    with pytest.raises(InvalidInputError) as caught:
        chart(uow, context, session.id, a_chart((Zone.CHIN, "1.5", "1.5")))

    assert caught.value.problems[0].field == "chart.zones[chin].planned_depth_mm"


def test_an_amendment_creates_a_new_version_and_keeps_the_old(
    uow: FakeUnitOfWork, started: tuple[RequestContext, TreatmentSession]
) -> None:
    context, session = started
    first = chart(uow, context, session.id, notes="tolerated well")

    amended = chart(
        uow, context, session.id, a_chart(lot="LOT-2026-119"), expected_version=1, notes="lot typo"
    )

    history = charts.get_chart_history(session_id=session.id, context=context, uow=uow, clock=CLOCK)
    assert [v.version for v in history] == [1, 2]
    assert history[0] == first
    assert history[1] == amended
    assert history[0].chart.cartridge.lot == LOT
    assert history[1].rescreen == history[0].rescreen == session.rescreen
    assert actions(uow)[-3:] == ["chart.write", "chart.write", "chart.read"]


def test_a_stale_amendment_is_a_conflict_and_loses_nothing(
    uow: FakeUnitOfWork, started: tuple[RequestContext, TreatmentSession]
) -> None:
    context, session = started
    chart(uow, context, session.id)
    winner = chart(uow, context, session.id, expected_version=1, notes="first amendment")

    with pytest.raises(VersionConflictError) as caught:
        chart(uow, context, session.id, expected_version=1, notes="second amendment")

    assert (caught.value.code, caught.value.expected, caught.value.current) == (
        "version-conflict",
        1,
        2,
    )
    assert uow.charts.rows[(session.id, 2)] == winner
    assert len(uow.charts.rows) == 2
    assert (uow.audit.events[-1].action, uow.audit.events[-1].outcome) == (
        "chart.write",
        "version_conflict",
    )


def test_a_signed_chart_is_amended_only_by_a_new_version(
    uow: FakeUnitOfWork, started: tuple[RequestContext, TreatmentSession]
) -> None:
    context, session = started
    chart(uow, context, session.id)
    signed = charts.sign_chart(
        session_id=session.id, version=1, context=context, uow=uow, clock=CLOCK
    )

    with pytest.raises(AlreadySignedError):
        charts.sign_chart(session_id=session.id, version=1, context=context, uow=uow, clock=CLOCK)
    amendment = chart(uow, context, session.id, expected_version=1, notes="late adverse event")

    assert signed.signed_by == context.actor.id
    assert uow.charts.rows[(session.id, 1)] == signed
    assert (amendment.version, amendment.is_signed) == (2, False)
    assert uow.sessions.rows[session.id].status is SessionStatus.STARTED
    charts.sign_chart(session_id=session.id, version=2, context=context, uow=uow, clock=CLOCK)
    assert uow.sessions.rows[session.id].status is SessionStatus.SIGNED


def test_signing_anything_but_the_newest_version_is_a_conflict(
    uow: FakeUnitOfWork, started: tuple[RequestContext, TreatmentSession]
) -> None:
    context, session = started
    chart(uow, context, session.id)
    chart(uow, context, session.id, expected_version=1)

    with pytest.raises(VersionConflictError):
        charts.sign_chart(session_id=session.id, version=1, context=context, uow=uow, clock=CLOCK)

    assert not uow.charts.rows[(session.id, 1)].is_signed


def test_signing_the_last_planned_session_completes_the_series(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    one = changed_plan(sessions=1)
    created = series(uow, context, plan=one, reasons={"plan.sessions": "trial session first"})
    session = start(uow, context, created.id)
    chart(uow, context, session.id)

    charts.sign_chart(session_id=session.id, version=1, context=context, uow=uow, clock=CLOCK)

    assert uow.series.rows[created.id].status is SeriesStatus.COMPLETED
    with pytest.raises(InvalidTransitionError):
        start(uow, context, created.id)


def test_every_operation_appends_exactly_one_audit_event(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    created = series(uow, context)
    steps: list[Callable[[], object]] = [
        lambda: treatment.get_series(series_id=created.id, context=context, uow=uow, clock=CLOCK),
        lambda: start(uow, context, created.id),
        lambda: chart(uow, context, uow.sessions.for_series(created.clinic_id, created.id)[0].id),
    ]

    for step in steps:
        before = len(uow.audit.events)
        step()
        assert len(uow.audit.events) == before + 1


# --- lot recall ---------------------------------------------------------------------------


def test_a_lot_recall_lists_exactly_the_patients_treated_with_it_in_this_clinic(
    uow: FakeUnitOfWork,
) -> None:
    context = staff(uow)
    other_clinic = staff(uow, clinic=1)
    treated = [patient(uow, context, name) for name in ("Walsh", "Byrne")]
    untreated = patient(uow, context, "Nolan")
    elsewhere = patient(uow, other_clinic, "Kelly")
    for patient_id, who, lot in (
        (treated[0], context, LOT),
        (treated[1], context, LOT),
        (untreated, context, "LOT-OTHER"),
        (elsewhere, other_clinic, LOT),
    ):
        session = start(uow, who, series(uow, who, patient_id=patient_id).id)
        chart(uow, who, session.id, a_chart(lot=lot))

    recalled = charts.recall_lot(lot=f"  {LOT} ", context=context, uow=uow, clock=CLOCK).patients

    assert [p.family_name for p in recalled] == ["Byrne", "Walsh"]
    assert {p.id for p in recalled} == set(treated)
    assert (uow.audit.events[-1].action, uow.audit.events[-1].resource_id) == ("lot.recall", LOT)


def test_a_lot_named_only_in_an_amended_version_still_recalls_the_patient(
    uow: FakeUnitOfWork, started: tuple[RequestContext, TreatmentSession]
) -> None:
    context, session = started
    chart(uow, context, session.id, a_chart(lot="LOT-A"))
    chart(uow, context, session.id, a_chart(lot="LOT-B"), expected_version=1)

    for lot in ("LOT-A", "LOT-B"):
        recalled = charts.recall_lot(lot=lot, context=context, uow=uow, clock=CLOCK).patients
        assert [p.id for p in recalled] == [session.patient_id]


# --- outcomes and care documents ----------------------------------------------------------


def measure(
    uow: FakeUnitOfWork, context: RequestContext, patient_id: UUID, scale: OutcomeScale, value: str
) -> Any:
    new = outcomes.NewOutcome(
        patient_id=patient_id, scale=scale, value=Decimal(value), measured_on=TODAY
    )
    return outcomes.record_outcome(new=new, context=context, uow=uow, engine=ENGINE, clock=CLOCK)


ECCA_MAX = ENGINE.knowledge.scales.ecca.max_total


@pytest.mark.parametrize(
    ("scale", "good", "bad"),
    [
        (OutcomeScale.GB_QUANTITATIVE, ["0", "84"], ["-1", "85", "12.5"]),
        (OutcomeScale.GB_QUALITATIVE, ["1", "4"], ["0", "5", "2.5"]),
        (OutcomeScale.ECCA, ["0", str(ECCA_MAX)], [str(ECCA_MAX + 1)]),
        (OutcomeScale.GAIS, ["1", "5"], ["0", "6"]),
        (OutcomeScale.SATISFACTION, ["0", "10"], ["11", "-1", "NaN"]),
    ],
)
def test_an_outcome_must_be_a_possible_score_on_its_scale(
    uow: FakeUnitOfWork, scale: OutcomeScale, good: list[str], bad: list[str]
) -> None:
    context = staff(uow)
    patient_id = patient(uow, context)
    consultation(uow, context, patient_id)

    for value in good:
        assert measure(uow, context, patient_id, scale, value).value == Decimal(value)
    for value in bad:
        with pytest.raises(InvalidInputError) as caught:
            measure(uow, context, patient_id, scale, value)
        assert caught.value.problems[0].field == "value"


def test_an_outcome_cannot_be_dated_tomorrow_or_name_another_patients_series(
    uow: FakeUnitOfWork,
) -> None:
    context = staff(uow)
    someone_else = series(uow, context)
    patient_id = patient(uow, context)
    consultation(uow, context, patient_id)
    tomorrow = outcomes.NewOutcome(patient_id, OutcomeScale.GAIS, Decimal(2), TODAY + timedelta(1))
    wrong_series = replace(tomorrow, measured_on=TODAY, series_id=someone_else.id)

    for new, field in ((tomorrow, "measured_on"), (wrong_series, "series_id")):
        with pytest.raises(InvalidInputError) as caught:
            outcomes.record_outcome(new=new, context=context, uow=uow, engine=ENGINE, clock=CLOCK)
        assert caught.value.problems[0].field == field
    assert not uow.outcomes.rows


def test_an_outcome_from_before_the_first_consultation_never_becomes_the_baseline(
    uow: FakeUnitOfWork,
) -> None:
    context = staff(uow)
    patient_id = patient(uow, context)
    back_then = outcomes.NewOutcome(
        patient_id, OutcomeScale.GB_QUANTITATIVE, Decimal(30), date(1990, 5, 1)
    )
    record = partial(outcomes.record_outcome, context=context, uow=uow, engine=ENGINE, clock=CLOCK)

    with pytest.raises(InvalidInputError) as before_any:
        record(new=replace(back_then, measured_on=TODAY))
    consultation(uow, context, patient_id)  # consulted on 2026-11-16
    with pytest.raises(InvalidInputError) as before_first:
        record(new=back_then)

    for caught in (before_any, before_first):
        assert [(p.field, p.code) for p in caught.value.problems] == [("measured_on", "too-early")]
    assert not uow.outcomes.rows


def test_outcomes_are_listed_for_the_patient_over_time(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    created = series(uow, context)
    early = outcomes.NewOutcome(
        created.patient_id,
        OutcomeScale.GB_QUANTITATIVE,
        Decimal(18),
        TODAY - timedelta(6),  # the day of the consultation
        series_id=created.id,
        note="baseline",
    )
    later = replace(early, value=Decimal(11), measured_on=TODAY, note=None)
    for new in (later, early):
        outcomes.record_outcome(new=new, context=context, uow=uow, engine=ENGINE, clock=CLOCK)

    listed = outcomes.list_outcomes(
        patient_id=created.patient_id, page=(0, 10), context=context, uow=uow, clock=CLOCK
    )

    assert [(m.value, m.note) for m in listed] == [(Decimal(18), "baseline"), (Decimal(11), None)]
    assert actions(uow)[-3:] == ["outcome.create", "outcome.create", "outcome.list"]


def test_a_care_document_is_kept_as_given_for_the_series_patient(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    created = series(uow, context)
    content = {"title": "Aftercare", "items": ["No makeup for 24 hours", "SPF 50 daily"]}

    issued = outcomes.issue_care_document(
        new=outcomes.NewCareDocument(created.id, CareDocumentKind.AFTERCARE, content),
        context=context,
        uow=uow,
        clock=CLOCK,
    )
    listed = outcomes.list_care_documents(
        patient_id=created.patient_id, page=(0, 10), context=context, uow=uow, clock=CLOCK
    )

    assert (issued.patient_id, issued.content, issued.issued_at) == (
        created.patient_id,
        content,
        CLOCK.now(),
    )
    assert list(listed) == [issued]


def test_another_clinics_patient_has_no_outcomes_to_list(uow: FakeUnitOfWork) -> None:
    patient_id = patient(uow, staff(uow))

    with pytest.raises(PatientNotFoundError):
        outcomes.list_outcomes(
            patient_id=patient_id, page=(0, 10), context=staff(uow, 1), uow=uow, clock=CLOCK
        )

    assert uow.audit.events[-1].outcome == "not_found"


# --- property: accepted iff every excess has a reason ---------------------------------------


depths_mm = st.decimals(min_value=Decimal("0.25"), max_value=Decimal("3.0"), places=2)
reasons = st.sampled_from([None, "", "   ", "clinically indicated, discussed with patient"])


@st.composite
def charted_zones(draw: st.DrawFn) -> list[dict[str, Any]]:
    zones = draw(
        st.lists(
            st.sampled_from([Zone.CHEEKS, Zone.CHIN, Zone.FOREHEAD]),
            min_size=1,
            max_size=3,
            unique=True,
        )
    )
    return [
        {
            "zone": zone,
            "planned": (planned := draw(depths_mm)),
            "plan_max": planned + draw(st.decimals(min_value=0, max_value=1, places=2)),
            "delivered": draw(depths_mm),
            "plan_reason": draw(reasons),
            "licence_reason": draw(reasons),
        }
        for zone in zones
    ]


def started_session_with_plan(
    rows: list[dict[str, Any]], licence_mm: Decimal
) -> tuple[FakeUnitOfWork, RequestContext, TreatmentSession]:
    uow = FakeUnitOfWork()
    uow.clinics.add(Clinic(id=uuid4(), name="Harbour Skin Clinic", time_zone="Europe/London"))
    context = staff(uow, licence=str(licence_mm))
    patient_id = patient(uow, context)
    plan = SeriesPlan(
        zones=tuple(PlannedZone(r["zone"], r["planned"], r["plan_max"]) for r in rows),
        sessions=4,
        interval_days=28,
    )
    the_series = TreatmentSeries(
        uuid4(),
        context.actor.clinic_id,
        patient_id,
        uuid4(),
        {},
        plan,
        (),
        SeriesStatus.IN_PROGRESS,
        CLOCK.now(),
        context.actor.id,
    )
    session = TreatmentSession(
        uuid4(), the_series.id, the_series.clinic_id, patient_id, 1, SessionStatus.STARTED
    )
    uow.series.add(the_series)
    uow.sessions.add(session)
    return uow, context, session


def overrides_for(rows: list[dict[str, Any]]) -> tuple[Override, ...]:
    return tuple(
        Override(OverrideKind.DEEPER_THAN_PLAN, r["plan_reason"], zone=r["zone"])
        for r in rows
        if r["plan_reason"] is not None
    )


def within_caps(row: dict[str, Any], licence_mm: Decimal) -> bool:
    """Whether a delivered depth stays within the device cap, the zone maximum and the licence."""
    planning = ENGINE.knowledge.planning
    zone_max = planning.zones[row["zone"]].max_depth_mm
    caps = [licence_mm, planning.devices[Device.PEN].cap_mm]
    caps += [zone_max] if zone_max is not None else []
    return bool(row["delivered"] <= min(caps))


def explained(row: dict[str, Any]) -> bool:
    reason = row["plan_reason"]
    return row["delivered"] <= row["planned"] or bool(reason and reason.strip())


@settings(max_examples=200, deadline=None)
@given(rows=charted_zones(), licence_mm=depths_mm)
def test_a_chart_is_accepted_iff_within_the_caps_and_every_soft_excess_has_a_reason(
    rows: list[dict[str, Any]], licence_mm: Decimal
) -> None:
    uow, context, session = started_session_with_plan(rows, licence_mm)
    the_chart = replace(
        a_chart(*((r["zone"], str(r["planned"]), str(r["delivered"])) for r in rows)),
        overrides=overrides_for(rows),
    )

    try:
        written = chart(uow, context, session.id, the_chart)
    except InvalidInputError as error:
        accepted = False
        hard = not isinstance(error, OverrideRequiredError)
    else:
        accepted, hard = True, False
        assert all(
            o.rule_id == "deeper-than-plan" and o.reason.strip() for o in written.chart.overrides
        )

    event(f"accepted={accepted}")
    capped = all(within_caps(r, licence_mm) for r in rows)
    assert accepted == (capped and all(explained(r) for r in rows))
    assert hard == (not capped)
    assert len(uow.charts.rows) == int(accepted)


# --- listings -----------------------------------------------------------------------------


def test_series_and_sessions_are_listed_and_misses_are_audited(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    created = series(uow, context)
    session = start(uow, context, created.id)
    other = staff(uow, clinic=1)

    listed = treatment.list_series(
        patient_id=created.patient_id, page=(0, 10), context=context, uow=uow, clock=CLOCK
    )
    sessions = treatment.list_sessions(series_id=created.id, context=context, uow=uow, clock=CLOCK)

    assert [s.id for s in listed] == [created.id]
    assert list(sessions) == [session]
    assert actions(uow)[-2:] == ["series.list", "session.list"]
    with pytest.raises(PatientNotFoundError):
        treatment.list_series(
            patient_id=created.patient_id, page=(0, 10), context=other, uow=uow, clock=CLOCK
        )
    with pytest.raises(SeriesNotFoundError):
        treatment.list_sessions(series_id=created.id, context=other, uow=uow, clock=CLOCK)
    assert [e.outcome for e in uow.audit.events[-2:]] == ["not_found", "not_found"]


def test_a_page_size_out_of_range_is_refused(uow: FakeUnitOfWork) -> None:
    context = staff(uow)

    with pytest.raises(InvalidInputError) as caught:
        treatment.list_series(
            patient_id=uuid4(), page=(0, 101), context=context, uow=uow, clock=CLOCK
        )

    assert caught.value.problems[0].field == "limit"


def test_the_days_answers_are_kept_as_validated_json(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    created = series(uow, context)
    stopped = {"status": "stopped", "stopped_on": date(2025, 1, 10)}

    session = start(uow, context, created.id, {"history": {"isotretinoin": stopped}})

    assert session.rescreen is not None
    assert session.rescreen["answers"] == {
        "history": {"isotretinoin": {"status": "stopped", "stopped_on": "2025-01-10"}}
    }
