"""Use cases: clear a finding that needs clearance, list a patient's clearances, and the gate.

A clinician records a clearance for one relative finding of a signed consultation (ADR 0021):
which finding, why, until which day. ``require_cleared`` is the gate the treatment and
scheduling use cases ask before they save a series, book a visit or start a session; it reads
the patient's clearances in the caller's unit of work and raises ``ClearanceRequiredError`` with
the findings still in the way and, where each has a wait, the first day they will all have
passed. Recording a clearance is an attestation: it needs the clinician's own session.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from needlepoint.domain import clearances as domain
from needlepoint.domain.clearances import Clearance, FindingToClear, NewClearance
from needlepoint.domain.limits import LimitTable
from needlepoint.domain.records import ConsultationRecord, ConsultationStatus
from needlepoint.domain.treatment import TreatmentSeries
from needlepoint.domain.vocabulary import Zone
from needlepoint.services import audit, permissions
from needlepoint.services.clinics import clinic_zone
from needlepoint.services.consultation.consultations import (
    ConsultationNotFoundError,
    ConsultationNotSignedError,
)
from needlepoint.services.consultation.ports import (
    ClearanceChecks,
    ClearanceReads,
    ClearanceRecording,
)
from needlepoint.services.permissions import Action
from needlepoint.services.ports import Clock, HasClearances, HasConsultations


def record_clearance(
    *,
    new: NewClearance,
    context: audit.RequestContext,
    uow: ClearanceRecording,
    clock: Clock,
    limits: LimitTable,
) -> Clearance:
    """Clear one finding of a signed consultation, until a day; audited.

    Raises:
        ConsultationNotFoundError: No such consultation in the actor's clinic.
        InvalidInputError: The rule is not a finding of it that needs clearance, the reason is
            blank, or the last day is past or beyond the limit ``clearance-validity``.
    """
    permissions.require(context, Action.CLEARANCE_RECORD)
    now = clock.now()
    with uow:
        consultation = _signed(uow, context, new.consultation_id)
        today = now.astimezone(clinic_zone(uow, context.actor.clinic_id)).date()  # clinic's day
        finding = _finding(consultation, new.rule_id)
        cleared = domain.check_clearance(
            new, finding, today=today, max_days=limits.clearance_max_days
        )
        clearance = Clearance(
            id=uuid4(),
            clinic_id=consultation.clinic_id,
            patient_id=consultation.patient_id,
            consultation_id=consultation.id,
            rule_id=cleared.rule_id,
            zones=cleared.zones,
            reason=new.reason.strip(),
            cleared_by=context.actor.id,
            cleared_at=now,
            valid_until=new.valid_until,
        )
        uow.clearances.add(clearance)
        audit.record(uow, context, _access("clearance.record", clearance), at=now)
        uow.commit()
    return clearance


def list_clearances(
    *, patient_id: UUID, context: audit.RequestContext, uow: ClearanceReads, clock: Clock
) -> Sequence[Clearance]:
    """Every clearance of a patient, newest first; the read is audited."""
    permissions.require(context, Action.CLEARANCE_READ)
    with uow:
        found = uow.clearances.for_patient(context.actor.clinic_id, patient_id)
        access = audit.Access("clearance.list", "patient", str(patient_id), patient_id)
        audit.record(uow, context, access, at=clock.now())
        uow.commit()
    return found


def require_cleared(
    uow: HasClearances,
    patient: tuple[UUID, UUID],
    findings: Iterable[Mapping[str, Any]],
    zones: frozenset[Zone],
    *,
    on: date,
    doing: str,
) -> None:
    """Refuse unless every relative finding concerning ``zones`` is waited out or cleared on ``on``.

    ``patient`` is (clinic id, patient id); ``findings`` are a report's findings; ``doing`` says
    what would be refused ("start session 1").

    Raises:
        ClearanceRequiredError: Findings still stand in the way (with the day they all pass).
    """
    clinic_id, patient_id = patient
    standing = domain.to_clear(findings, zones)
    if not standing:
        return
    held = uow.clearances.for_patient(clinic_id, patient_id)
    left = domain.unmet(standing, held, on)
    if left:
        raise domain.ClearanceRequiredError(left, doing=doing)


def earliest_start_on(uow: ClearanceChecks, series: TreatmentSeries, proposed: date) -> date:
    """The first day a series may be booked: its waits' ends, or earlier where cleared.

    ``proposed`` is the day the proposal gave (used when no finding with a wait concerns the
    series' zones). A finding whose wait a clinician cleared holds the series back only until
    the day of that clearance.
    """
    consultation = uow.consultations.get(series.clinic_id, series.consultation_id)
    if consultation is None:
        return proposed
    findings = consultation.report.get("findings") or ()
    dated = [f for f in domain.to_clear(findings, series.plan.zone_names) if f.clears_on]
    if not dated:
        return proposed
    held = uow.clearances.for_patient(series.clinic_id, series.patient_id)
    return max([consultation.consulted_on, *(domain.free_from(f, held) for f in dated)])


def findings_to_clear(consultation: ConsultationRecord) -> list[FindingToClear]:
    """A consultation's findings that need clearance, whatever their zones."""
    every_zone = frozenset(Zone)
    return domain.to_clear(consultation.report.get("findings") or (), every_zone)


def _finding(consultation: ConsultationRecord, rule_id: str) -> FindingToClear | None:
    return next((f for f in findings_to_clear(consultation) if f.rule_id == rule_id), None)


def _signed(
    uow: HasConsultations, context: audit.RequestContext, consultation_id: UUID
) -> ConsultationRecord:
    consultation = uow.consultations.get(context.actor.clinic_id, consultation_id)
    if consultation is None:
        raise ConsultationNotFoundError(f"no consultation {consultation_id}")
    if consultation.status is not ConsultationStatus.SIGNED:
        raise ConsultationNotSignedError(
            f"consultation {consultation_id} is a draft; sign it before clearing its findings"
        )
    return consultation


def _access(action: str, clearance: Clearance) -> audit.Access:
    return audit.Access(action, "clearance", str(clearance.id), clearance.patient_id)
