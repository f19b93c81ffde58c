"""Scar assessments over fakes: graded as the engine grades, validated, scoped, audited."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from conftest import TODAY
from fakes import OPERATOR, SETUP_CLOCK, FakeUnitOfWork, FixedClock, PlainHasher
from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.records import Clinic, Role
from needlepoint.domain.scales.grading import grade_assessments
from needlepoint.domain.vocabulary import Sex
from needlepoint.knowledge import catalogue
from needlepoint.services.access import PatientNotFoundError
from needlepoint.services.accounts import staff as accounts
from needlepoint.services.audit import AuthMethod, RequestContext
from needlepoint.services.consultation import reports
from needlepoint.services.consultation.engine import Engine
from needlepoint.services.consultation.intake import ScarAssessmentIn
from needlepoint.services.records import assessments, patients

CLOCK = FixedClock(TODAY, time(10, 0))
ENGINE = Engine(
    knowledge=catalogue.load_knowledge(),
    citations={s.id: s.citation for s in catalogue.sources().sources},
    default_session_time=time(9),
)
ZONES: list[dict[str, Any]] = [
    {
        "zone": "cheeks",
        "morphology": [
            {"width_mm": "1.5", "edges": "vertical", "tapers_to_point": True, "depth": "deep"},
            {
                "width_mm": "3",
                "edges": "sloping",
                "tapers_to_point": False,
                "depth": "shallow",
                "count": 4,
            },
        ],
        "qualitative": {
            "contour_change": True,
            "visible_at_social_distance": True,
            "easily_concealed": False,
            "flattens_on_stretch": True,
        },
        "quantitative_counts": {"b1_moderate_atrophic": 8, "c1_punched_out_deep_normal_base": 3},
        "ecca_counts": {"v_shaped_atrophic": 6, "u_shaped_atrophic": 3},
    },
    {"zone": "forehead", "ecca_counts": {"m_shaped_atrophic": 2}},
]


@pytest.fixture
def uow() -> FakeUnitOfWork:
    fake = FakeUnitOfWork()
    for name in ("Harbour Skin Clinic", "Other Clinic"):
        fake.clinics.add(Clinic(id=uuid4(), name=name, time_zone="Europe/London"))
    return fake


def staff(uow: FakeUnitOfWork, clinic: int = 0) -> RequestContext:
    new = accounts.NewStaff(
        clinic_id=list(uow.clinics.rows)[clinic],
        email=f"{uuid4().hex[:8]}@clinic.test",
        display_name="Dr Rowan Hale",
        role=Role.CLINICIAN,
        licence_max_depth_mm=Decimal("1.5"),
        password="a long enough passphrase",
    )
    member = accounts.add_staff(
        new=new, uow=uow, hasher=PlainHasher(), context=OPERATOR, clock=SETUP_CLOCK
    )
    return RequestContext(
        actor=member, request_id=f"req-{uuid4().hex[:6]}", auth=AuthMethod.SESSION
    )


def patient(uow: FakeUnitOfWork, context: RequestContext) -> UUID:
    new = patients.NewPatient(
        given_name="Amira", family_name="Okafor", born_on=date(1997, 4, 22), sex=Sex.FEMALE
    )
    return patients.register_patient(
        new=new, context=context, uow=uow, clock=CLOCK, max_age_years=120
    ).id


def record(uow: FakeUnitOfWork, context: RequestContext, new: assessments.NewAssessment) -> Any:
    return assessments.record_assessment(
        new=new, context=context, uow=uow, engine=ENGINE, clock=CLOCK
    )


def test_the_stored_grading_is_the_engines_grading_of_the_same_inputs(
    uow: FakeUnitOfWork,
) -> None:
    context = staff(uow)
    patient_id = patient(uow, context)

    kept = record(uow, context, assessments.NewAssessment(patient_id, TODAY, ZONES))

    inputs = [ScarAssessmentIn.model_validate(zone).to_domain() for zone in ZONES]
    expected = grade_assessments(inputs, ENGINE.knowledge.scales)
    assert kept.grading == reports.scar_scores(expected)
    assert kept.grading["scales_version"] == ENGINE.knowledge.scales.version
    assert kept.grading["overall"]["ecca"]["total"] == expected.ecca.total  # type: ignore[union-attr]
    assert [zone["zone"] for zone in kept.zones] == ["cheeks", "forehead"]
    assert uow.assessments.rows == {kept.id: kept}


def test_a_negative_count_is_refused_naming_the_field(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    patient_id = patient(uow, context)
    negative = [{"zone": "cheeks", "ecca_counts": {"v_shaped_atrophic": -1}}]

    with pytest.raises(InvalidInputError) as caught:
        record(uow, context, assessments.NewAssessment(patient_id, TODAY, negative))

    fields = [problem.field for problem in caught.value.problems]
    assert fields == ["zones[0].ecca_counts.v_shaped_atrophic"]
    assert not uow.assessments.rows


def test_an_assessment_cannot_be_dated_tomorrow_or_repeat_a_zone(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    patient_id = patient(uow, context)
    tomorrow = assessments.NewAssessment(patient_id, TODAY + timedelta(1), ZONES)
    repeated = replace(tomorrow, assessed_on=TODAY, zones=[ZONES[1], ZONES[1]])

    with pytest.raises(InvalidInputError) as caught:
        record(uow, context, tomorrow)
    assert caught.value.problems[0].field == "assessed_on"
    with pytest.raises(InvalidInputError):
        record(uow, context, repeated)
    assert not uow.assessments.rows


def test_another_clinics_patient_is_not_found(uow: FakeUnitOfWork) -> None:
    theirs = patient(uow, staff(uow, clinic=1))
    ours = staff(uow, clinic=0)

    with pytest.raises(PatientNotFoundError):
        record(uow, ours, assessments.NewAssessment(theirs, TODAY, ZONES))
    with pytest.raises(PatientNotFoundError):
        assessments.list_assessments(
            patient_id=theirs, page=(0, 10), context=ours, uow=uow, clock=CLOCK
        )
    assert not uow.assessments.rows


def test_recording_and_listing_each_write_one_audit_event(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    patient_id = patient(uow, context)
    before = len(uow.audit.events)

    kept = record(uow, context, assessments.NewAssessment(patient_id, TODAY, ZONES))
    created = uow.audit.events[before:]
    listed = assessments.list_assessments(
        patient_id=patient_id, page=(0, 10), context=context, uow=uow, clock=CLOCK
    )

    assert [(e.action, e.resource_type, e.resource_id, e.outcome) for e in created] == [
        ("assessment.create", "scar_assessment", str(kept.id), "success")
    ]
    assert uow.audit.events[-1].action == "assessment.list"
    assert len(uow.audit.events) == before + 2
    assert list(listed) == [kept]


def test_assessments_are_listed_oldest_first(uow: FakeUnitOfWork) -> None:
    context = staff(uow)
    patient_id = patient(uow, context)
    later = record(uow, context, assessments.NewAssessment(patient_id, TODAY, ZONES[1:]))
    earlier = record(
        uow, context, assessments.NewAssessment(patient_id, TODAY - timedelta(60), ZONES)
    )

    listed = assessments.list_assessments(
        patient_id=patient_id, page=(0, 10), context=context, uow=uow, clock=CLOCK
    )

    assert [a.id for a in listed] == [earlier.id, later.id]
