"""A patient's whole programme at a glance, read in one transaction.

Two views of one patient: the *schedule* (identity, series and their sessions: what front desk
needs to book visits) and the *programme* (the schedule plus the clinical record:
consultations, each session's newest chart version, scar assessments, outcome measurements
and care documents). Which view a caller may have is decided by the action table
(``services.permissions``); each kind of record read appends its own audit event, as the
single reads do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

from needlepoint.domain.assessments import ScarAssessmentRecord
from needlepoint.domain.outcomes import CareDocument, OutcomeMeasurement
from needlepoint.domain.records import ConsultationRecord, PatientRecord
from needlepoint.domain.scheduling import Appointment
from needlepoint.domain.treatment import ChartVersion, TreatmentSeries, TreatmentSession
from needlepoint.services import audit, permissions
from needlepoint.services.access import MAX_PAGE_SIZE, listed_patient
from needlepoint.services.permissions import Action
from needlepoint.services.ports import Clock
from needlepoint.services.records.ports import (
    ClinicalRecordReads,
    ProgrammeReads,
    ProgrammeRecord,
    ProgrammeRows,
    ScheduleReads,
    SeriesCourses,
)

FIRST = 0
"""Each list is its first page of ``MAX_PAGE_SIZE`` records, in its repository's order."""

SCHEDULE_READS = (
    ("patient.read", "patient"),
    ("series.list", "treatment_series"),
    ("appointment.list", "appointment"),
)
"""(audit action, resource type) of each kind of record the schedule view reads."""

CLINICAL_READS = (
    ("consultation.list", "consultation"),
    ("chart.list", "treatment_session"),
    ("assessment.list", "scar_assessment"),
    ("outcome.list", "outcome_measurement"),
    ("care_document.list", "care_document"),
)
"""(audit action, resource type) of each kind of record the clinical record adds."""


@dataclass(frozen=True, slots=True)
class SeriesCourse:
    """A treatment series and its sessions, by number."""

    series: TreatmentSeries
    sessions: tuple[TreatmentSession, ...]


@dataclass(frozen=True, slots=True)
class ClinicalRecord:
    """The clinical side of a programme: what front desk may not read."""

    consultations: tuple[ConsultationRecord, ...]
    charts: Mapping[UUID, ChartVersion]
    """Each charted session's newest chart version, by session id."""
    assessments: tuple[ScarAssessmentRecord, ...]
    outcomes: tuple[OutcomeMeasurement, ...]
    care_documents: tuple[CareDocument, ...]


@dataclass(frozen=True, slots=True)
class PatientProgramme:
    """One patient's programme; ``clinical`` is None in the schedule view."""

    patient: PatientRecord
    series: tuple[SeriesCourse, ...]
    clinical: ClinicalRecord | None = None
    appointments: tuple[Appointment, ...] = ()


def patient_schedule(
    *, patient_id: UUID, context: audit.RequestContext, uow: ScheduleReads, clock: Clock
) -> PatientProgramme:
    """A patient with their series and sessions, without clinical content."""
    permissions.require(context, Action.PATIENT_READ)
    with uow:
        patient = listed_patient(uow, context, patient_id, "patient.read", clock)
        courses = _courses(uow, context.actor.clinic_id, patient.id)
        booked = tuple(uow.appointments.for_patient(context.actor.clinic_id, patient.id))
        _record_reads(uow, context, clock, patient.id, SCHEDULE_READS)
        uow.commit()
    return PatientProgramme(patient=patient, series=courses, appointments=booked)


def patient_programme(
    *, patient_id: UUID, context: audit.RequestContext, uow: ProgrammeReads, clock: Clock
) -> PatientProgramme:
    """A patient's whole programme: schedule, consultations, charts, scores and documents."""
    permissions.require(context, Action.CONSULTATION_READ)
    with uow:
        patient = listed_patient(uow, context, patient_id, "patient.read", clock)
        programme = read_programme(uow, context, clock, patient)
        uow.commit()
    return programme


def read_programme(
    uow: ProgrammeRecord,
    context: audit.RequestContext,
    clock: Clock,
    patient: PatientRecord,
    *,
    break_glass_id: UUID | None = None,
) -> PatientProgramme:
    """The whole programme of ``patient``, each kind of record read audited, in ``uow``.

    Under break-glass access (``break_glass_id``), every read is audited with severity high
    and the grant's id (ADR 0038).
    """
    programme = gather_programme(uow, context.actor.clinic_id, patient)
    reads = SCHEDULE_READS + CLINICAL_READS
    _record_reads(uow, context, clock, patient.id, reads, break_glass_id=break_glass_id)
    return programme


def gather_programme(
    uow: ProgrammeRows, clinic_id: UUID, patient: PatientRecord
) -> PatientProgramme:
    """The whole programme of ``patient``, read in ``uow`` and not audited: the caller audits.

    A FHIR bulk export reads every patient of a clinic so, its one job audited as a whole.
    """
    courses = _courses(uow, clinic_id, patient.id)
    clinical = _clinical_record(uow, clinic_id, patient.id, courses)
    booked = tuple(uow.appointments.for_patient(clinic_id, patient.id))
    return PatientProgramme(patient=patient, series=courses, clinical=clinical, appointments=booked)


def _courses(uow: SeriesCourses, clinic_id: UUID, patient_id: UUID) -> tuple[SeriesCourse, ...]:
    found = uow.series.for_patient(clinic_id, patient_id, offset=FIRST, limit=MAX_PAGE_SIZE)
    return tuple(
        SeriesCourse(series, tuple(uow.sessions.for_series(clinic_id, series.id)))
        for series in found
    )


def _clinical_record(
    uow: ClinicalRecordReads, clinic_id: UUID, patient_id: UUID, courses: tuple[SeriesCourse, ...]
) -> ClinicalRecord:
    sessions = [session for course in courses for session in course.sessions]
    charts = {s.id: chart for s in sessions if (chart := uow.charts.latest(clinic_id, s.id))}
    return ClinicalRecord(
        consultations=tuple(uow.consultations.for_patient(clinic_id, patient_id)),
        charts=charts,
        assessments=tuple(
            uow.assessments.for_patient(clinic_id, patient_id, offset=FIRST, limit=MAX_PAGE_SIZE)
        ),
        outcomes=tuple(
            uow.outcomes.for_patient(clinic_id, patient_id, offset=FIRST, limit=MAX_PAGE_SIZE)
        ),
        care_documents=tuple(
            uow.care_documents.for_patient(clinic_id, patient_id, offset=FIRST, limit=MAX_PAGE_SIZE)
        ),
    )


def _record_reads(
    uow: audit.Audited,
    context: audit.RequestContext,
    clock: Clock,
    patient_id: UUID,
    reads: tuple[tuple[str, str], ...],
    *,
    break_glass_id: UUID | None = None,
) -> None:
    at = clock.now()
    severity = "normal" if break_glass_id is None else "high"
    for action, resource_type in reads:
        target = str(patient_id) if resource_type == "patient" else "*"
        access = audit.Access(
            action,
            resource_type,
            target,
            patient_id,
            severity=severity,
            break_glass_id=break_glass_id,
        )
        audit.record(uow, context, access, at=at)
