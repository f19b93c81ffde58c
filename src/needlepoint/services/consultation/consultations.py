"""Use cases: record a consultation for a patient, read it, sign it.

Recording runs the clinical engine on the intake answers and keeps the report exactly as it
was, with the knowledge versions used. A signed consultation never changes; a re-screen is a
new consultation that names the one it supersedes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID, uuid4

from needlepoint.domain.errors import ConflictError, InvalidInputError, NotFoundError
from needlepoint.domain.records import Clinic, ConsultationRecord, ConsultationStatus, PatientRecord
from needlepoint.services import audit, permissions
from needlepoint.services.access import PatientNotFoundError
from needlepoint.services.consultation import engine as consultations
from needlepoint.services.consultation import reports
from needlepoint.services.consultation.engine import Engine
from needlepoint.services.consultation.ports import (
    ConsultationRecording,
    ConsultationsTransaction,
)
from needlepoint.services.permissions import Action
from needlepoint.services.ports import Clock, HasClinics, HasConsultations, HasPatients


class ConsultationNotFoundError(NotFoundError):
    """No such consultation in this clinic."""

    code = "consultation-not-found"


class ConsultationNotSignedError(ConflictError):
    """A signed consultation is needed (for a series, a clearance); a draft may still change."""

    code = "consultation-not-signed"


@dataclass(frozen=True, slots=True)
class ConsultationRequest:
    """Intake answers for one patient, and an optional first appointment."""

    patient_id: UUID
    document: dict[str, Any]
    appointment: str | None = None
    supersedes: UUID | None = None


def record_consultation(
    *,
    request: ConsultationRequest,
    context: audit.RequestContext,
    uow: ConsultationRecording,
    engine: Engine,
    clock: Clock,
) -> ConsultationRecord:
    """Screen and plan from the intake answers, and keep the result as a draft consultation."""
    permissions.require(context, Action.CONSULTATION_CREATE)
    with uow:
        clinic, patient = _clinic_and_patient(uow, context, request.patient_id)
        document = _with_record_facts(request.document, clinic, patient)
        outcome = consultations.consult(
            document=document,
            knowledge=engine.knowledge,
            clock=clock,
            appointment=request.appointment,
            default_session_time=engine.default_session_time,
        )
        report = reports.build_report(outcome, cite=engine.citations)
        record = _draft(request, context, outcome, report, clock)
        _check_supersedes(uow, context, request)
        uow.consultations.add(record)
        access = _access("consultation.create", record)
        audit.record(uow, context, access, at=record.created_at)
        uow.commit()
    return record


def get_consultation(
    *,
    consultation_id: UUID,
    context: audit.RequestContext,
    uow: ConsultationsTransaction,
    clock: Clock,
) -> ConsultationRecord:
    """One consultation of the actor's clinic; the read is audited."""
    permissions.require(context, Action.CONSULTATION_READ)
    with uow:
        record = uow.consultations.get(context.actor.clinic_id, consultation_id)
        if record is None:
            missing = audit.Access(
                "consultation.read", "consultation", str(consultation_id), None, "not_found"
            )
            audit.record(uow, context, missing, at=clock.now())
            uow.commit()
            raise ConsultationNotFoundError(f"no consultation {consultation_id}")
        audit.record(uow, context, _access("consultation.read", record), at=clock.now())
        uow.commit()
    return record


def sign_consultation(
    *,
    consultation_id: UUID,
    context: audit.RequestContext,
    uow: ConsultationsTransaction,
    clock: Clock,
) -> ConsultationRecord:
    """Sign a draft consultation; after this it never changes."""
    permissions.require(context, Action.CONSULTATION_SIGN)
    now = clock.now()
    with uow:
        record = uow.consultations.get(context.actor.clinic_id, consultation_id)
        if record is None:
            raise ConsultationNotFoundError(f"no consultation {consultation_id}")
        signed = record.sign(by=context.actor.id, at=now)
        uow.consultations.save_signature(signed)
        audit.record(uow, context, _access("consultation.sign", signed), at=now)
        uow.commit()
    return signed


class _ClinicAndPatient(HasClinics, HasPatients, Protocol):
    """Read the actor's clinic and one of its patients."""


def _clinic_and_patient(
    uow: _ClinicAndPatient, context: audit.RequestContext, patient_id: UUID
) -> tuple[Clinic, PatientRecord]:
    clinic = uow.clinics.get(context.actor.clinic_id)
    patient = uow.patients.get(context.actor.clinic_id, patient_id)
    if clinic is None or patient is None:
        raise PatientNotFoundError(f"no patient {patient_id}")
    return clinic, patient


def _with_record_facts(
    document: dict[str, Any], clinic: Clinic, patient: PatientRecord
) -> dict[str, Any]:
    """The intake answers with the clinic and identity facts taken from the records.

    A document that states a different birth date or sex than the patient record is refused:
    it may belong to someone else.
    """
    stated = document.get("patient")
    stated = stated if isinstance(stated, dict) else {}
    for field, value in (("born_on", patient.born_on), ("sex", patient.sex.value)):
        if field in stated and str(stated[field]) != str(value):
            raise InvalidInputError.single(
                f"patient.{field}",
                f"{stated[field]} does not match the patient record ({value}).",
                "check that these answers belong to this patient, or correct the record.",
            )
    merged_patient = {**stated, "born_on": patient.born_on, "sex": patient.sex.value}
    clinic_facts = {"name": clinic.name, "time_zone": clinic.time_zone}
    return {**document, "clinic": clinic_facts, "patient": merged_patient}


def _draft(
    request: ConsultationRequest,
    context: audit.RequestContext,
    outcome: consultations.ConsultationOutcome,
    report: reports.Json,
    clock: Clock,
) -> ConsultationRecord:
    return ConsultationRecord(
        id=uuid4(),
        clinic_id=context.actor.clinic_id,
        patient_id=request.patient_id,
        consulted_on=outcome.programme.consultation.consulted_on,
        intake=outcome.intake,
        report=report,
        decision=str(report["decision"]),
        knowledge_versions=dict(report["knowledge_versions"]),
        status=ConsultationStatus.DRAFT,
        created_at=clock.now(),
        created_by=context.actor.id,
        supersedes=request.supersedes,
    )


def _check_supersedes(
    uow: HasConsultations, context: audit.RequestContext, request: ConsultationRequest
) -> None:
    if request.supersedes is None:
        return
    previous = uow.consultations.get(context.actor.clinic_id, request.supersedes)
    if previous is None or previous.patient_id != request.patient_id:
        raise InvalidInputError.single(
            "supersedes",
            f"{request.supersedes} is not a consultation of this patient.",
            "name the patient's earlier consultation that this re-screen replaces.",
        )


def _access(action: str, record: ConsultationRecord) -> audit.Access:
    return audit.Access(action, "consultation", str(record.id), record.patient_id)
