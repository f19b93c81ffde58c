"""Use cases: record a scar assessment (counts per zone, graded) and list a patient's over time.

The zone inputs are validated as at intake (``ScarAssessmentIn``) and graded on every
scale by the clinical engine (``grade_assessments``); the record keeps both the inputs and the
grading, with the scales version used. Every function is one unit of work with exactly one
audit event.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from pydantic import Field, ValidationError

from needlepoint.domain import dates
from needlepoint.domain.assessments import ScarAssessmentRecord
from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.scales.grading import grade_assessments
from needlepoint.domain.vocabulary import Zone
from needlepoint.services import audit, permissions
from needlepoint.services.access import PatientNotFoundError, check_page, listed_patient
from needlepoint.services.clinics import clinic_today
from needlepoint.services.consultation.facade import Closed, Engine, ScarAssessmentIn, scar_scores
from needlepoint.services.permissions import Action
from needlepoint.services.ports import Clock, HasClinics
from needlepoint.services.problems import problems_from_validation
from needlepoint.services.records.ports import AssessmentReads, AssessmentRecording


@dataclass(frozen=True, slots=True)
class NewAssessment:
    """What the examiner recorded in each zone of one patient on one day (raw documents)."""

    patient_id: UUID
    assessed_on: date
    zones: Sequence[Mapping[str, Any]]


class _ZonesIn(Closed):
    """The zones of one assessment: at least one, each at most once."""

    zones: tuple[ScarAssessmentIn, ...] = Field(min_length=1, max_length=len(Zone))


def parse_zones(zones: Sequence[Mapping[str, Any]]) -> tuple[ScarAssessmentIn, ...]:
    """Validate the zone documents; problems name ``zones.<index>.<field>``."""
    try:
        return _ZonesIn.model_validate({"zones": list(zones)}).zones
    except ValidationError as error:
        raise InvalidInputError(problems_from_validation(error)) from None


def record_assessment(
    *,
    new: NewAssessment,
    context: audit.RequestContext,
    uow: AssessmentRecording,
    engine: Engine,
    clock: Clock,
) -> ScarAssessmentRecord:
    """Grade the zones on every scale and keep the assessment for a patient of the clinic."""
    permissions.require(context, Action.ASSESSMENT_RECORD)
    zones = parse_zones(new.zones)
    grading = grade_assessments([z.to_domain() for z in zones], engine.knowledge.scales)
    now = clock.now()
    with uow:
        patient = uow.patients.get(context.actor.clinic_id, new.patient_id)
        if patient is None:
            raise PatientNotFoundError(f"no patient {new.patient_id}")
        _check_assessed_on(uow, context, (patient.born_on, new.assessed_on), clock)
        record = ScarAssessmentRecord(
            id=uuid4(),
            clinic_id=context.actor.clinic_id,
            patient_id=patient.id,
            assessed_on=new.assessed_on,
            assessed_by=context.actor.id,
            zones=tuple(z.model_dump(mode="json") for z in zones),
            grading=scar_scores(grading),
            created_at=now,
        )
        uow.assessments.add(record)
        access = audit.Access("assessment.create", "scar_assessment", str(record.id), patient.id)
        audit.record(uow, context, access, at=now)
        uow.commit()
    return record


def _check_assessed_on(
    uow: HasClinics, context: audit.RequestContext, days: tuple[date, date], clock: Clock
) -> None:
    """Scars are assessed on a day between the patient's birth and today."""
    born_on, assessed_on = days
    clinic = uow.clinics.get(context.actor.clinic_id)
    today = clinic_today(clinic.time_zone, clock) if clinic else clock.today()
    birth = (born_on, "the patient's date of birth")
    dates.check_day_observed("assessed_on", assessed_on, today=today, not_before=birth)


def list_assessments(
    *,
    patient_id: UUID,
    page: tuple[int, int],
    context: audit.RequestContext,
    uow: AssessmentReads,
    clock: Clock,
) -> Sequence[ScarAssessmentRecord]:
    """A page of a patient's assessments, oldest first (a trend); the read is audited."""
    permissions.require(context, Action.ASSESSMENT_READ)
    offset, limit = check_page(page)
    with uow:
        patient = listed_patient(uow, context, patient_id, "assessment.list", clock)
        found = uow.assessments.for_patient(
            context.actor.clinic_id, patient.id, offset=offset, limit=limit
        )
        access = audit.Access("assessment.list", "scar_assessment", "*", patient.id)
        audit.record(uow, context, access, at=clock.now())
        uow.commit()
    return found
