"""Scar assessments on a real database (SQLite, and PostgreSQL when reachable).

The inputs and the grading come back exactly as stored, and a patient's assessments list
oldest first, so that the trend reads left to right.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

from sqlalchemy import Engine

from conftest import TODAY
from fakes import OPERATOR, SETUP_CLOCK, FixedClock, PlainHasher
from needlepoint.adapters.db.unit_of_work import SqlAlchemyUnitOfWork
from needlepoint.domain.records import Role
from needlepoint.domain.vocabulary import Sex
from needlepoint.knowledge import catalogue
from needlepoint.services import clinics
from needlepoint.services.accounts import staff as accounts
from needlepoint.services.audit import AuthMethod, RequestContext
from needlepoint.services.consultation.engine import Engine as ClinicalEngine
from needlepoint.services.records import assessments, patients

CLOCK = FixedClock(TODAY, time(10, 0))
ENGINE = ClinicalEngine(
    knowledge=catalogue.load_knowledge(),
    citations={s.id: s.citation for s in catalogue.sources().sources},
    default_session_time=time(9),
)
BASELINE: list[dict[str, Any]] = [
    {
        "zone": "cheeks",
        "morphology": [
            {"width_mm": "1.5", "edges": "vertical", "tapers_to_point": True, "depth": "deep"}
        ],
        "qualitative": {
            "contour_change": True,
            "visible_at_social_distance": True,
            "easily_concealed": False,
            "flattens_on_stretch": True,
        },
        "quantitative_counts": {"b1_moderate_atrophic": 12},
        "keloid_area_cm2": "0.5",
        "ecca_counts": {"v_shaped_atrophic": 8},
    },
    {"zone": "forehead", "ecca_counts": {"u_shaped_atrophic": 2}},
]
FOLLOW_UP: list[dict[str, Any]] = [
    {"zone": "cheeks", "quantitative_counts": {"b1_moderate_atrophic": 4}},
]


def seed(engine: Engine) -> tuple[RequestContext, Any]:
    def uow() -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(engine)

    clinic = clinics.add_clinic(name="Harbour Skin Clinic", time_zone="Europe/London", uow=uow())
    new = accounts.NewStaff(
        clinic.id,
        f"{uuid4().hex[:8]}@harbour.test",
        "Dr Rowan Hale",
        Role.CLINICIAN,
        Decimal("1.5"),
        "a long enough passphrase",
    )
    member = accounts.add_staff(
        new=new, uow=uow(), hasher=PlainHasher(), context=OPERATOR, clock=SETUP_CLOCK
    )
    context = RequestContext(actor=member, request_id="integration", auth=AuthMethod.SESSION)
    patient = patients.register_patient(
        new=patients.NewPatient("Amira", "Okafor", date(1997, 4, 22), Sex.FEMALE),
        context=context,
        uow=uow(),
        clock=CLOCK,
        max_age_years=120,
    )
    return context, patient


def record(engine: Engine, context: RequestContext, new: assessments.NewAssessment) -> Any:
    return assessments.record_assessment(
        new=new, context=context, uow=SqlAlchemyUnitOfWork(engine), engine=ENGINE, clock=CLOCK
    )


def listed(engine: Engine, context: RequestContext, patient_id: Any) -> list[Any]:
    found = assessments.list_assessments(
        patient_id=patient_id,
        page=(0, 10),
        context=context,
        uow=SqlAlchemyUnitOfWork(engine),
        clock=CLOCK,
    )
    return list(found)


def test_an_assessment_round_trips_with_its_inputs_and_grading(engine: Engine) -> None:
    context, patient = seed(engine)

    kept = record(engine, context, assessments.NewAssessment(patient.id, TODAY, BASELINE))
    [read] = listed(engine, context, patient.id)

    assert read.id == kept.id
    assert (read.assessed_on, read.assessed_by, read.created_at) == (
        TODAY,
        context.actor.id,
        kept.created_at,
    )
    assert list(read.zones) == list(kept.zones)
    assert read.grading == kept.grading
    assert read.grading["scales_version"] == ENGINE.knowledge.scales.version
    assert read.grading["overall"]["gb_quantitative"]["total"] > 0


def test_assessments_list_oldest_first(engine: Engine) -> None:
    context, patient = seed(engine)
    later = record(engine, context, assessments.NewAssessment(patient.id, TODAY, FOLLOW_UP))
    earlier = record(
        engine,
        context,
        assessments.NewAssessment(patient.id, TODAY - timedelta(days=90), BASELINE),
    )

    found = listed(engine, context, patient.id)

    assert [a.id for a in found] == [earlier.id, later.id]
    totals = [a.grading["overall"]["gb_quantitative"]["total"] for a in found]
    assert totals[0] > totals[1]
