"""Use cases: record outcome measurements and issue care documents; list both per patient.

A measurement's value must be possible on its scale (``domain.outcomes.scale_ranges``: the
computed scales' ranges come from the scale tables the engine uses). A measurement may name a
series of the same patient; a care document always belongs to a series. Every function is one
unit of work with exactly one audit event.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID, uuid4

from needlepoint.domain import dates, outcomes
from needlepoint.domain.errors import InputCode, InvalidInputError
from needlepoint.domain.outcomes import (
    CareDocument,
    CareDocumentKind,
    OutcomeMeasurement,
    OutcomeScale,
)
from needlepoint.domain.records import PatientRecord
from needlepoint.services import audit, permissions
from needlepoint.services.access import (
    PatientNotFoundError,
    check_page,
    listed_patient,
    series_or_raise,
)
from needlepoint.services.clinics import clinic_today
from needlepoint.services.consultation.facade import Engine
from needlepoint.services.permissions import Action
from needlepoint.services.ports import Clock, HasClinics, HasConsultations, HasPatients, HasSeries
from needlepoint.services.records.ports import (
    CareDocumentIssue,
    CareDocumentReads,
    OutcomeReads,
    OutcomeRecording,
)


@dataclass(frozen=True, slots=True)
class NewOutcome:
    """One score on one scale on one day, optionally for a series of the same patient."""

    patient_id: UUID
    scale: OutcomeScale
    value: Decimal
    measured_on: date
    series_id: UUID | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class NewCareDocument:
    """A document given to the patient of a series."""

    series_id: UUID
    kind: CareDocumentKind
    content: Mapping[str, Any]


def record_outcome(
    *,
    new: NewOutcome,
    context: audit.RequestContext,
    uow: OutcomeRecording,
    engine: Engine,
    clock: Clock,
) -> OutcomeMeasurement:
    """Record an outcome measurement (a scar score, GAIS or satisfaction) for a patient."""
    permissions.require(context, Action.OUTCOME_RECORD)
    outcomes.check_outcome_value(
        new.scale, new.value, outcomes.scale_ranges(engine.knowledge.scales)
    )
    now = clock.now()
    with uow:
        patient = _patient_or_raise(uow, context, new.patient_id)
        _check_measured_on(uow, context, (patient, new.measured_on), clock)
        if new.series_id is not None:
            _check_series_of(uow, context, new.series_id, patient)
        measurement = _measurement(new, context, now)
        uow.outcomes.add(measurement)
        access = audit.Access(
            "outcome.create", "outcome_measurement", str(measurement.id), patient.id
        )
        audit.record(uow, context, access, at=now)
        uow.commit()
    return measurement


def _measurement(
    new: NewOutcome, context: audit.RequestContext, now: datetime
) -> OutcomeMeasurement:
    note = new.note.strip() if new.note else None
    return OutcomeMeasurement(
        id=uuid4(),
        clinic_id=context.actor.clinic_id,
        patient_id=new.patient_id,
        series_id=new.series_id,
        measured_on=new.measured_on,
        scale=new.scale,
        value=new.value,
        note=note or None,
        recorded_at=now,
        recorded_by=context.actor.id,
    )


class _MeasuredOnChecks(HasClinics, HasConsultations, Protocol):
    """Read the clinic's zone (its today) and the patient's consultations."""


def _check_measured_on(
    uow: _MeasuredOnChecks,
    context: audit.RequestContext,
    measured: tuple[PatientRecord, date],
    clock: Clock,
) -> None:
    """A measurement is taken on or after the patient's first consultation, never later than today.

    A score from before the programme began would become its baseline.
    """
    patient, measured_on = measured
    dates.check_in_calendar("measured_on", measured_on)
    clinic = uow.clinics.get(context.actor.clinic_id)
    today = clinic_today(clinic.time_zone, clock) if clinic else clock.today()
    consulted = [
        c.consulted_on for c in uow.consultations.for_patient(patient.clinic_id, patient.id)
    ]
    if not consulted:
        raise InvalidInputError.single(
            "measured_on",
            "the patient has no consultation yet, so there is no programme to measure.",
            "record the consultation first; its day is the earliest a score can be taken.",
            InputCode.TOO_EARLY,
        )
    first = (min(consulted), "the patient's first consultation")
    dates.check_day_observed("measured_on", measured_on, today=today, not_before=first)


def _check_series_of(
    uow: HasSeries, context: audit.RequestContext, series_id: UUID, patient: PatientRecord
) -> None:
    series = uow.series.get(context.actor.clinic_id, series_id)
    if series is None or series.patient_id != patient.id:
        raise InvalidInputError.single(
            "series_id",
            f"{series_id} is not a treatment series of this patient.",
            "name one of the patient's series, or leave it out.",
        )


def list_outcomes(
    *,
    patient_id: UUID,
    page: tuple[int, int],
    context: audit.RequestContext,
    uow: OutcomeReads,
    clock: Clock,
) -> Sequence[OutcomeMeasurement]:
    """A page of a patient's measurements, oldest first; the read is audited."""
    permissions.require(context, Action.OUTCOME_READ)
    offset, limit = check_page(page)
    with uow:
        patient = listed_patient(uow, context, patient_id, "outcome.list", clock)
        found = uow.outcomes.for_patient(
            context.actor.clinic_id, patient.id, offset=offset, limit=limit
        )
        access = audit.Access("outcome.list", "outcome_measurement", "*", patient.id)
        audit.record(uow, context, access, at=clock.now())
        uow.commit()
    return found


def issue_care_document(
    *, new: NewCareDocument, context: audit.RequestContext, uow: CareDocumentIssue, clock: Clock
) -> CareDocument:
    """Keep a care document as given to the patient of a series."""
    permissions.require(context, Action.CARE_DOCUMENT_ISSUE)
    now = clock.now()
    with uow:
        series = series_or_raise(uow, context, new.series_id)
        document = CareDocument(
            id=uuid4(),
            clinic_id=series.clinic_id,
            patient_id=series.patient_id,
            series_id=series.id,
            kind=new.kind,
            issued_at=now,
            issued_by=context.actor.id,
            content=dict(new.content),
        )
        uow.care_documents.add(document)
        access = audit.Access(
            "care_document.create", "care_document", str(document.id), document.patient_id
        )
        audit.record(uow, context, access, at=now)
        uow.commit()
    return document


def list_care_documents(
    *,
    patient_id: UUID,
    page: tuple[int, int],
    context: audit.RequestContext,
    uow: CareDocumentReads,
    clock: Clock,
) -> Sequence[CareDocument]:
    """A page of a patient's care documents, newest first; the read is audited."""
    permissions.require(context, Action.CARE_DOCUMENT_READ)
    offset, limit = check_page(page)
    with uow:
        patient = listed_patient(uow, context, patient_id, "care_document.list", clock)
        found = uow.care_documents.for_patient(
            context.actor.clinic_id, patient.id, offset=offset, limit=limit
        )
        access = audit.Access("care_document.list", "care_document", "*", patient.id)
        audit.record(uow, context, access, at=clock.now())
        uow.commit()
    return found


def _patient_or_raise(
    uow: HasPatients, context: audit.RequestContext, patient_id: UUID
) -> PatientRecord:
    patient = uow.patients.get(context.actor.clinic_id, patient_id)
    if patient is None:
        raise PatientNotFoundError(f"no patient {patient_id}")
    return patient
