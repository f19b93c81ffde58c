"""Treatment records on a real database (SQLite, and PostgreSQL when reachable).

Round trips through the services, the database's own guards on signed charts, lot recall by
an indexed column, and two clinicians amending the same chart at the same moment.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import Engine, inspect, select, text, update
from sqlalchemy.exc import IntegrityError

from conftest import EXAMPLES, TODAY, load_example
from consent_support import record_consent
from fakes import AUDIT_KEY, FIELD_KEY, FIELD_KEYS, OPERATOR, SETUP_CLOCK, FixedClock, PlainHasher
from needlepoint.adapters.db import sealed
from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.engine import make_engine
from needlepoint.adapters.db.migrate import downgrade, upgrade
from needlepoint.adapters.db.unit_of_work import SqlAlchemyUnitOfWork
from needlepoint.adapters.field_crypto import FieldKeyring, SealedFieldError, aad, sealed_key_id
from needlepoint.domain.charting import (
    Cartridge,
    ContraindicatedError,
    Numbing,
    Override,
    OverrideKind,
    SessionChart,
    ZoneTreatment,
)
from needlepoint.domain.outcomes import CareDocumentKind, OutcomeScale
from needlepoint.domain.planning import Endpoint
from needlepoint.domain.records import AlreadySignedError, Role
from needlepoint.domain.records import Clinic as ClinicRecord
from needlepoint.domain.sealed_fields import UNREADABLE_TEXT
from needlepoint.domain.series_plan import PlannedZone, SeriesPlan
from needlepoint.domain.treatment import (
    Cancellation,
    ChartVersion,
    SeriesStatus,
    TreatmentSeries,
    TreatmentSession,
    VersionConflictError,
)
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
from needlepoint.services.records import outcomes, patients
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
LOT = "LOT-2026-118"
T = TypeVar("T")


@dataclass(frozen=True)
class Clinic:
    """A seeded clinic: a clinician's request context and a way to open units of work."""

    context: RequestContext
    engine: Engine

    def uow(self) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self.engine)


def seed(engine: Engine, licence: str = "1.5") -> Clinic:
    clinic = clinics.add_clinic(
        name="Harbour Skin Clinic", time_zone="Europe/London", uow=SqlAlchemyUnitOfWork(engine)
    )
    new = accounts.NewStaff(
        clinic_id=clinic.id,
        email=f"{uuid4().hex[:10]}@clinic.test",
        display_name="Dr Rowan Hale",
        role=Role.CLINICIAN,
        licence_max_depth_mm=Decimal(licence),
        password="a long enough passphrase",
    )
    member = accounts.add_staff(
        new=new,
        uow=SqlAlchemyUnitOfWork(engine),
        hasher=PlainHasher(),
        context=OPERATOR,
        clock=SETUP_CLOCK,
    )
    return Clinic(
        RequestContext(actor=member, request_id="req-it", auth=AuthMethod.SESSION), engine
    )


def new_patient(clinic: Clinic, family_name: str = "Okafor") -> UUID:
    new = patients.NewPatient(
        given_name="Amira", family_name=family_name, born_on=date(1997, 4, 22), sex=Sex.FEMALE
    )
    return patients.register_patient(
        new=new, context=clinic.context, uow=clinic.uow(), clock=CLOCK, max_age_years=120
    ).id


def new_series(clinic: Clinic, patient_id: UUID | None = None, **kw: Any) -> TreatmentSeries:
    document = load_example(PROCEED)
    request = ConsultationRequest(patient_id=patient_id or new_patient(clinic), document=document)
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


def start(clinic: Clinic, series_id: UUID, answers: Any = None) -> TreatmentSession:
    return rescreen.start_session(
        series_id=series_id,
        rescreen_document=answers or {"history": {"pregnant": False}},
        context=clinic.context,
        uow=clinic.uow(),
        engine=ENGINE,
        clock=CLOCK,
    )


def a_chart(
    lot: str = LOT, delivered: str = "1.5", *overrides: Override, chin: str = "1.0"
) -> SessionChart:
    applied = datetime(2026, 11, 22, 9, 15, tzinfo=CLOCK.now().tzinfo)
    return SessionChart(
        device=Device.PEN,
        cartridge=Cartridge(lot=lot, expires_on=TODAY + timedelta(days=90)),
        numbing=Numbing("lidocaine 23% / tetracaine 7%", applied, applied + timedelta(minutes=35)),
        zones=(
            ZoneTreatment(Zone.CHEEKS, Decimal("1.5"), Decimal(delivered), 3),
            ZoneTreatment(Zone.CHIN, Decimal("1.0"), Decimal(chin), 2),
        ),
        endpoint_reached=Endpoint.PINPOINT_BLEEDING,
        products_applied=("hyaluronic acid serum",),
        adverse_events=("transient erythema",),
        overrides=overrides,
    )


def write(
    clinic: Clinic,
    session_id: UUID,
    expected: int,
    notes: str = "",
    chart: SessionChart | None = None,
) -> ChartVersion:
    entry = charts.ChartEntry(session_id, chart or a_chart(), expected, notes)
    return charts.chart_session(
        entry=entry,
        context=clinic.context,
        uow=clinic.uow(),
        clock=CLOCK,
        knowledge=ENGINE.knowledge,
    )


def history(clinic: Clinic, session_id: UUID) -> tuple[ChartVersion, ...]:
    return charts.get_chart_history(
        session_id=session_id, context=clinic.context, uow=clinic.uow(), clock=CLOCK
    )


def read(clinic: Clinic, query: Callable[[SqlAlchemyUnitOfWork], T]) -> T:
    uow = clinic.uow()
    with uow:
        return query(uow)


def row_id(engine: Engine, value: UUID) -> Any:
    return value.hex if engine.dialect.name == "sqlite" else value


# --- round trips --------------------------------------------------------------------------


def test_a_series_with_deviations_round_trips(engine: Engine) -> None:
    clinic = seed(engine)
    plan = SeriesPlan(
        zones=(PlannedZone(Zone.CHEEKS, Decimal("1.25"), Decimal("1.5")),),
        sessions=5,
        interval_days=28,
    )
    reasons = {
        "plan.zones[cheeks].depth_mm.min": "start gently: first microneedling",
        "plan.zones[chin]": "chin scars have settled",
        "plan.sessions": "patient asked for one more",
    }

    created = new_series(clinic, plan=plan, reasons=reasons)

    stored = read(clinic, lambda uow: uow.series.get(clinic.context.actor.clinic_id, created.id))
    assert stored == created
    assert stored is not None
    assert [d.path for d in stored.deviations] == list(reasons)
    listed = read(
        clinic,
        lambda uow: uow.series.for_patient(
            clinic.context.actor.clinic_id, created.patient_id, offset=0, limit=10
        ),
    )
    assert list(listed) == [created]


def test_sessions_and_chart_versions_round_trip_with_depths_times_and_overrides(
    engine: Engine,
) -> None:
    clinic = seed(engine, licence="2.0")
    series = new_series(clinic)
    today = {"history": {"pregnant": False}, "zone_states": []}
    session = start(clinic, series.id, today)
    deeper = Override(OverrideKind.DEEPER_THAN_PLAN, "stubborn rolling scars", zone=Zone.CHIN)
    chart = a_chart(LOT, "1.5", deeper, chin="1.25")

    written = write(clinic, session.id, 0, "tolerated well", chart)

    stored_session = read(
        clinic, lambda uow: uow.sessions.get(clinic.context.actor.clinic_id, session.id)
    )
    assert stored_session == session
    assert history(clinic, session.id) == (written,)
    assert written.chart.zones[1].delivered_depth_mm == Decimal("1.25")
    (kept,) = written.chart.overrides
    assert (kept.rule_id, kept.by, kept.zone) == (
        "deeper-than-plan",
        clinic.context.actor.id,
        Zone.CHIN,
    )
    assert written.rescreen["answers"] == today
    stored_series = read(clinic, lambda uow: uow.series.get(series.clinic_id, series.id))
    assert stored_series is not None
    assert (stored_series.status, stored_series.version) == (SeriesStatus.IN_PROGRESS, 2)


def test_in3_session_notes_and_adverse_events_are_sealed_for_their_row(engine: Engine) -> None:
    clinic = seed(engine)
    notes, event = "CANARY-notes-6b1f tolerated well", "CANARY-event-0e9d bruising"
    chart = replace(a_chart(), adverse_events=(event, "transient erythema"))
    first = write(clinic, start(clinic, new_series(clinic).id).id, 0, notes, chart)
    second = write(
        clinic,
        start(clinic, new_series(clinic, new_patient(clinic, "Lindqvist")).id).id,
        0,
        "other",
    )

    with engine.connect() as conn:
        rows = {
            row.id: row
            for row in conn.execute(
                select(t.chart_version).where(t.chart_version.c.id.in_([first.id, second.id]))
            )
        }
    stored = rows[first.id]
    raw = f"{stored.notes} {json.dumps(stored.chart)}"
    assert "CANARY" not in raw and "transient erythema" not in raw
    assert stored.chart["cartridge"]["lot"] == LOT  # the rest of the chart stays readable
    assert history(clinic, first.session_id)[0].notes == notes
    assert history(clinic, first.session_id)[0].chart.adverse_events == (
        event,
        "transient erythema",
    )

    refused = 0
    for target, source in ((first, second), (second, first)):
        with engine.begin() as conn, sealed._guards_lifted(conn, t.chart_version):
            conn.execute(  # as someone able to write the database would
                update(t.chart_version)
                .where(t.chart_version.c.id == target.id)
                .values(notes=rows[source.id].notes)
            )
        with pytest.raises(SealedFieldError) as caught:
            FIELD_KEYS.open(rows[source.id].notes, aad("chart_version", "notes", target.id))
        refused += isinstance(caught.value.__cause__, InvalidTag)
        # Read as a record: the notes are the marker, the rest of the chart is still there.
        read = history(clinic, target.session_id)[0]
        assert read.notes == UNREADABLE_TEXT
        assert read.chart.cartridge.lot == LOT
    assert refused == 2  # 100 % of the swapped notes


def test_in3_rotation_reseals_chart_versions_signed_or_not_and_keeps_their_guards(
    engine: Engine,
) -> None:
    clinic = seed(engine)
    signed = signed_version(clinic)
    unsigned = write(clinic, start(clinic, new_series(clinic).id).id, 0, "CANARY-rotation")
    rotated = FieldKeyring(bytes(range(100, 132)), retired=(FIELD_KEY,))

    report = sealed.reseal(engine, rotated, batch_size=1)

    assert report.resealed >= 2
    assert sealed.reseal(engine, rotated).resealed == 0
    with engine.connect() as conn:
        stored = conn.execute(
            select(t.chart_version.c.notes, t.chart_version.c.chart).where(
                t.chart_version.c.id.in_([signed.id, unsigned.id])
            )
        ).all()
    assert {sealed_key_id(notes) for notes, _ in stored} == {rotated.current_id}
    assert {sealed_key_id(chart["adverse_events"]["sealed"]) for _, chart in stored} == {
        rotated.current_id
    }
    url = engine.url.render_as_string(hide_password=False)
    only_new = make_engine(url, audit_key=AUDIT_KEY, field_keys=FieldKeyring(rotated.current))
    try:
        with SqlAlchemyUnitOfWork(only_new) as uow:
            latest = uow.charts.latest(clinic.context.actor.clinic_id, unsigned.session_id)
        assert latest is not None and latest.notes == "CANARY-rotation"
        with pytest.raises(IntegrityError), only_new.begin() as conn:  # the guards are back
            conn.execute(
                update(t.chart_version)
                .where(t.chart_version.c.id == unsigned.id)
                .values(notes="rewritten")
            )
    finally:
        only_new.dispose()
        sealed.reseal(engine, FieldKeyring(FIELD_KEY, retired=(rotated.current,)))


def test_outcomes_and_care_documents_round_trip(engine: Engine) -> None:
    clinic = seed(engine)
    series = new_series(clinic)
    measured = [
        outcomes.record_outcome(
            new=outcomes.NewOutcome(
                series.patient_id, scale, Decimal(value), TODAY, series.id, note
            ),
            context=clinic.context,
            uow=clinic.uow(),
            engine=ENGINE,
            clock=CLOCK,
        )
        for scale, value, note in (
            (OutcomeScale.GB_QUANTITATIVE, "84", "baseline"),
            (OutcomeScale.GAIS, "2", None),
        )
    ]
    issued = outcomes.issue_care_document(
        new=outcomes.NewCareDocument(
            series.id, CareDocumentKind.AFTERCARE, {"items": ["SPF 50 daily", "No makeup 24 h"]}
        ),
        context=clinic.context,
        uow=clinic.uow(),
        clock=CLOCK,
    )

    listed = outcomes.list_outcomes(
        patient_id=series.patient_id,
        page=(0, 10),
        context=clinic.context,
        uow=clinic.uow(),
        clock=CLOCK,
    )
    documents = outcomes.list_care_documents(
        patient_id=series.patient_id,
        page=(0, 10),
        context=clinic.context,
        uow=clinic.uow(),
        clock=CLOCK,
    )
    assert sorted(listed, key=lambda m: m.scale) == sorted(measured, key=lambda m: m.scale)
    assert all(isinstance(m.value, Decimal) for m in listed)
    assert list(documents) == [issued]


# --- safety at the database ---------------------------------------------------------------


def test_a_refused_start_leaves_only_its_audit_event(engine: Engine) -> None:
    clinic = seed(engine)
    series = new_series(clinic)

    with pytest.raises(ContraindicatedError):
        start(clinic, series.id, {"history": {"pregnant": True}})

    with engine.connect() as connection:
        sessions = connection.execute(
            text("SELECT count(*) FROM treatment_session WHERE series_id = :id"),
            {"id": row_id(engine, series.id)},
        ).scalar_one()
        last = connection.execute(
            text("SELECT action, outcome FROM audit_event ORDER BY seq DESC LIMIT 1")
        ).one()
    stored = read(clinic, lambda uow: uow.series.get(series.clinic_id, series.id))
    assert sessions == 0
    assert tuple(last) == ("session.start", "contraindicated")
    assert stored == series


def signed_version(clinic: Clinic) -> ChartVersion:
    session = start(clinic, new_series(clinic).id)
    write(clinic, session.id, 0)
    return charts.sign_chart(
        session_id=session.id, version=1, context=clinic.context, uow=clinic.uow(), clock=CLOCK
    )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE chart_version SET notes = 'rewritten' WHERE id = :id",
        "UPDATE chart_version SET cartridge_lot = 'LOT-FAKE' WHERE id = :id",
        "UPDATE chart_version SET signed_at = NULL, signed_by = NULL WHERE id = :id",
        "DELETE FROM chart_version WHERE id = :id",
    ],
)
def test_in1_the_database_refuses_to_change_a_signed_chart_version(
    engine: Engine, statement: str
) -> None:
    clinic = seed(engine)
    signed = signed_version(clinic)

    with pytest.raises(IntegrityError, match="chart version"), engine.begin() as connection:
        connection.execute(text(statement), {"id": row_id(engine, signed.id)})

    assert history(clinic, signed.session_id) == (signed,)


def test_an_unsigned_version_is_never_overwritten_but_may_be_signed(engine: Engine) -> None:
    clinic = seed(engine)
    session = start(clinic, new_series(clinic).id)
    draft = write(clinic, session.id, 0)

    with pytest.raises(IntegrityError, match="never overwritten"), engine.begin() as connection:
        connection.execute(
            text("UPDATE chart_version SET notes = 'rewritten' WHERE id = :id"),
            {"id": row_id(engine, draft.id)},
        )
    signed = charts.sign_chart(
        session_id=session.id, version=1, context=clinic.context, uow=clinic.uow(), clock=CLOCK
    )

    assert history(clinic, session.id) == (signed,)
    with pytest.raises(AlreadySignedError):
        read(clinic, lambda uow: uow.charts.save_signature(signed))


def test_a_stale_series_save_and_a_taken_session_number_are_conflicts(engine: Engine) -> None:
    clinic = seed(engine)
    series = new_series(clinic)
    session = start(clinic, series.id)

    with pytest.raises(VersionConflictError) as stale:
        stopped = series.cancelled(Cancellation(CLOCK.now(), clinic.context.actor.id, "moved"))
        read(clinic, lambda uow: uow.series.save(stopped))
    with pytest.raises(VersionConflictError):
        read(clinic, lambda uow: uow.sessions.add(replace(session, id=uuid4())))

    assert (stale.value.expected, stale.value.current) == (1, 2)


# --- lot recall ---------------------------------------------------------------------------


def test_a_lot_recall_finds_exactly_this_clinics_patients_by_an_indexed_column(
    engine: Engine,
) -> None:
    clinic, other = seed(engine), seed(engine)
    lot = f"LOT-{uuid4().hex[:8]}"
    expected = []
    for who, name, used in (
        (clinic, "Walsh", lot),
        (clinic, "Byrne", lot),
        (clinic, "Nolan", "LOT-OTHER"),
        (other, "Kelly", lot),
    ):
        patient_id = new_patient(who, name)
        session = start(who, new_series(who, patient_id).id)
        write(who, session.id, 0, chart=a_chart(used))
        if who is clinic and used == lot:
            expected.append(patient_id)

    recalled = charts.recall_lot(
        lot=lot, context=clinic.context, uow=clinic.uow(), clock=CLOCK
    ).patients

    assert [p.family_name for p in recalled] == ["Byrne", "Walsh"]
    assert {p.id for p in recalled} == set(expected)
    indexes = {tuple(ix["column_names"]) for ix in inspect(engine).get_indexes("chart_version")}
    assert ("clinic_id", "cartridge_lot") in indexes


def test_a_lot_recall_gives_each_session_its_day_zones_and_clinician(engine: Engine) -> None:
    clinic = seed(engine)
    lot = f"LOT-{uuid4().hex[:8]}"
    session = start(clinic, new_series(clinic, new_patient(clinic)).id)
    write(clinic, session.id, 0, chart=a_chart(lot))
    write(clinic, session.id, 1, chart=a_chart("LOT-CORRECTED"))

    recall = charts.recall_lot(lot=lot, context=clinic.context, uow=clinic.uow(), clock=CLOCK)

    (entry,) = recall.treatments
    assert (entry.session_id, entry.chart_version, entry.zones) == (
        session.id,
        1,
        (Zone.CHEEKS, Zone.CHIN),
    )
    assert entry.clinician == "Dr Rowan Hale"
    assert entry.treated_on == CLOCK.now().astimezone(ZoneInfo("Europe/London")).date()


# --- concurrency --------------------------------------------------------------------------


def race(*writers: Callable[[], ChartVersion]) -> list[ChartVersion | BaseException]:
    """Run the writers in threads released together by a barrier; their results or errors."""
    barrier = threading.Barrier(len(writers))
    results: list[ChartVersion | BaseException] = [RuntimeError("did not run")] * len(writers)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = writers[index]()
        except BaseException as error:
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(writers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def warm_pool(engine: Engine, connections: int = 2) -> None:
    """Open the pool's connections first, so that no writer is slowed by connecting."""
    opened = [engine.connect() for _ in range(connections)]
    for connection in opened:
        connection.close()


def test_two_clinicians_amending_the_same_chart_at_once_one_wins_and_nothing_is_lost(
    engine: Engine,
) -> None:
    clinic = seed(engine)
    colleague = replace(clinic, context=seed_colleague(clinic))
    session = start(clinic, new_series(clinic).id)
    original = write(clinic, session.id, 0, "as first charted")
    warm_pool(engine)

    results = race(
        lambda: write(clinic, session.id, 1, "amended by Dr Hale"),
        lambda: write(colleague, session.id, 1, "amended by Dr Byrne"),
    )

    assert_one_wins_and_nothing_is_lost(results, clinic, colleague, session, original)


class ReadTogetherUnitOfWork(SqlAlchemyUnitOfWork):
    """A unit of work whose chart reads wait for the other writer's read (a barrier).

    Both writers then hold version 1 as the newest and both insert version 2: the clash is
    decided by the database's unique key, not by who read first.
    """

    def __init__(self, engine: Engine, barrier: threading.Barrier) -> None:
        super().__init__(engine)
        charts_repository = self.charts
        original_latest = charts_repository.latest

        def latest(clinic_id: UUID, session_id: UUID) -> ChartVersion | None:
            found = original_latest(clinic_id, session_id)
            barrier.wait(timeout=10)
            return found

        charts_repository.latest = latest  # type: ignore[method-assign]


def test_two_writers_who_both_read_version_one_collide_on_the_unique_key(engine: Engine) -> None:
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises writers at BEGIN IMMEDIATE: the second never reads v1")
    clinic = seed(engine)
    colleague = replace(clinic, context=seed_colleague(clinic))
    session = start(clinic, new_series(clinic).id)
    original = write(clinic, session.id, 0, "as first charted")
    barrier = threading.Barrier(2)

    def amend(who: Clinic, notes: str) -> ChartVersion:
        entry = charts.ChartEntry(session.id, a_chart(), 1, notes)
        uow = ReadTogetherUnitOfWork(engine, barrier)
        return charts.chart_session(
            entry=entry, context=who.context, uow=uow, clock=CLOCK, knowledge=ENGINE.knowledge
        )

    results = race(
        lambda: amend(clinic, "amended by Dr Hale"),
        lambda: amend(colleague, "amended by Dr Byrne"),
    )

    assert_one_wins_and_nothing_is_lost(results, clinic, colleague, session, original)


def assert_one_wins_and_nothing_is_lost(
    results: list[ChartVersion | BaseException],
    clinic: Clinic,
    colleague: Clinic,
    session: TreatmentSession,
    original: ChartVersion,
) -> None:
    conflicts = [r for r in results if isinstance(r, VersionConflictError)]
    winners = [r for r in results if isinstance(r, ChartVersion)]
    assert (len(winners), len(conflicts)) == (1, 1), results
    assert conflicts[0].code == "version-conflict"
    loser_notes = ({"amended by Dr Hale", "amended by Dr Byrne"} - {winners[0].notes}).pop()
    loser = clinic if loser_notes == "amended by Dr Hale" else colleague
    retried = write(loser, session.id, 2, loser_notes)
    assert history(clinic, session.id) == (original, winners[0], retried)
    with clinic.engine.connect() as connection:
        outcomes_of_writes = connection.execute(
            text(
                "SELECT outcome FROM audit_event WHERE action = 'chart.write' "
                "AND resource_id = :id ORDER BY seq"
            ),
            {"id": str(session.id)},
        ).scalars()
        assert sorted(outcomes_of_writes) == ["success", "success", "success", "version_conflict"]


def seed_colleague(clinic: Clinic) -> RequestContext:
    new = accounts.NewStaff(
        clinic_id=clinic.context.actor.clinic_id,
        email=f"{uuid4().hex[:10]}@clinic.test",
        display_name="Dr Aoife Byrne",
        role=Role.CLINICIAN,
        licence_max_depth_mm=Decimal("1.5"),
        password="another long passphrase",
    )
    member = accounts.add_staff(
        new=new, uow=clinic.uow(), hasher=PlainHasher(), context=OPERATOR, clock=SETUP_CLOCK
    )
    return RequestContext(actor=member, request_id="req-colleague", auth=AuthMethod.SESSION)


# --- migrations ---------------------------------------------------------------------------


def test_the_treatment_migration_upgrades_a_populated_initial_schema_and_comes_down(
    empty_db_url: str,
) -> None:
    upgrade(empty_db_url, "20261123_initial")
    engine = make_engine(empty_db_url, audit_key=AUDIT_KEY, field_keys=FIELD_KEYS)
    try:
        # Written as the initial schema has it (today's repository knows later columns).
        clinic = ClinicRecord(id=uuid4(), name="Before", time_zone="Europe/London")
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO clinic (id, name, time_zone) VALUES (:id, :name, :zone)"),
                {
                    "id": _uuid_value(engine, clinic.id),
                    "name": clinic.name,
                    "zone": "Europe/London",
                },
            )
        upgrade(empty_db_url)
        tables = set(inspect(engine).get_table_names())
        uow = SqlAlchemyUnitOfWork(engine)
        with uow:
            kept = uow.clinics.get(clinic.id)
        downgrade(empty_db_url, "20261123_initial")
        after_downgrade = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()

    assert kept == clinic
    assert {"treatment_series", "chart_version", "care_document"} <= tables
    assert not after_downgrade & {"treatment_series", "treatment_session", "chart_version"}


def _uuid_value(engine: Engine, value: UUID) -> str:
    """A UUID as the database's column stores it (SQLite: 32 hex digits; PostgreSQL: uuid)."""
    return value.hex if engine.dialect.name == "sqlite" else str(value)
