"""Use cases: agree a treatment series from a signed consultation, read, list and cancel it.

A series is created only from a signed consultation whose decision allows treatment
(``proceed`` or ``needs_clearance``), once every finding needing clearance that has no wait has
been cleared (``services.clearances``). The clinician may change the proposed plan; each change
needs a reason, and the limits hold (``domain.series_plan``). One course, one series (ADR 0022):
saving a consultation's plan again returns the series already saved; a new series on zones an
active series already treats supersedes it only with a reason, and the old one is cancelled
(never deleted) with its future appointments. A series is cancelled only with a reason.
Sessions are started in ``services.rescreen`` and
charted in ``services.charts``; the helpers at the end of this module serve all three.

Every function is one unit of work and appends exactly one audit event (a refusal for a
contraindication or a version conflict included). Each first checks its actor against the
action table (``services.permissions``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from needlepoint.domain import series_plan
from needlepoint.domain.errors import ConflictError
from needlepoint.domain.records import ConsultationRecord, ConsultationStatus
from needlepoint.domain.scheduling import Appointment, AppointmentStatus
from needlepoint.domain.screening import Decision
from needlepoint.domain.series_plan import SeriesPlan
from needlepoint.domain.treatment import (
    Cancellation,
    SeriesExistsError,
    SeriesOverlapError,
    SeriesStatus,
    TreatmentSeries,
    TreatmentSession,
    VersionConflictError,
)
from needlepoint.domain.vocabulary import Device
from needlepoint.services import audit, permissions
from needlepoint.services.access import (
    SeriesNotFoundError,
    audited_refusal,
    check_page,
    listed_patient,
    series_access,
    series_or_raise,
)
from needlepoint.services.clinics import clinic_today, clinic_zone
from needlepoint.services.consultation.facade import (
    ConsultationNotFoundError,
    ConsultationNotSignedError,
    Engine,
    require_cleared,
)
from needlepoint.services.messaging.facade import withdraw_for_appointment
from needlepoint.services.permissions import Action
from needlepoint.services.ports import Clock, HasClearances
from needlepoint.services.treatment.ports import (
    AppointmentWithdrawal,
    PatientSeriesReads,
    SeriesCancelling,
    SeriesCreation,
    SeriesEnding,
    SeriesReads,
    SessionReads,
)

TREATABLE_DECISIONS = frozenset({Decision.PROCEED.value, Decision.NEEDS_CLEARANCE.value})


class NotTreatableError(ConflictError):
    """The consultation's decision does not allow a series; carries the decision and findings.

    ``findings`` are the report's findings exactly as the consultation recorded them.
    """

    code = "not-treatable"

    def __init__(self, decision: str, findings: tuple[Mapping[str, Any], ...]) -> None:
        ids = ", ".join(str(f.get("rule_id")) for f in findings) or "no plannable zone"
        super().__init__(f"the consultation's decision is {decision} ({ids}); no series")
        self.decision = decision
        self.findings = findings


@dataclass(frozen=True, slots=True)
class NewSeries:
    """A series from a consultation: the proposal as it stands, or a changed plan with reasons.

    ``reasons`` maps each changed path (e.g. ``plan.zones[cheeks].depth_mm.max``) to a reason.
    ``supersede_reason`` replaces the patient's active series on the same zones, if any.
    """

    consultation_id: UUID
    plan: SeriesPlan | None = None
    reasons: Mapping[str, str] = field(default_factory=dict)
    supersede_reason: str = ""


def create_series_from_consultation(
    *,
    new: NewSeries,
    context: audit.RequestContext,
    uow: SeriesCreation,
    engine: Engine,
    clock: Clock,
) -> TreatmentSeries:
    """Agree a treatment series from a signed consultation's proposal (once per course).

    Raises:
        ClearanceRequiredError: A finding without a wait still needs a clinician's clearance.
        SeriesExistsError: The consultation has an active series with another plan.
        SeriesOverlapError: An active series treats some of the zones and no reason supersedes it.
        InvalidInputError: The plan breaks a limit, or a change or a supersession has no reason.
    """
    permissions.require(context, Action.SERIES_CREATE)
    now = clock.now()
    with uow:
        consultation = uow.consultations.get(context.actor.clinic_id, new.consultation_id)
        if consultation is None:
            raise ConsultationNotFoundError(f"no consultation {new.consultation_id}")
        proposal = _treatable_proposal(consultation)
        chosen, found = _agreed_plan(consultation, proposal, new, engine, context, now)
        active = uow.series.active_for_patient(consultation.clinic_id, consultation.patient_id)
        same = next((s for s in active if s.consultation_id == consultation.id), None)
        if same is not None:
            return _saved_already(uow, context, same, chosen, now)
        zone = clinic_zone(uow, context.actor.clinic_id)
        _require_cleared(uow, consultation, chosen, clinic_today(str(zone), clock))
        series = _new_series(consultation, proposal, chosen, found, context, now)
        _supersede(uow, context, (series, active, new.supersede_reason), now)
        uow.series.add(series)
        audit.record(uow, context, series_access("series.create", series), at=now)
        uow.commit()
    return series


def _saved_already(
    uow: audit.AuditedTransaction,
    context: audit.RequestContext,
    series: TreatmentSeries,
    chosen: SeriesPlan,
    now: datetime,
) -> TreatmentSeries:
    """The consultation's series, saved before: the same plan again is no change at all."""
    if series.plan != chosen:
        raise SeriesExistsError(series.consultation_id, series.id)
    audit.record(uow, context, series_access("series.read", series), at=now)
    uow.commit()
    return series


def _require_cleared(
    uow: HasClearances, consultation: ConsultationRecord, plan: SeriesPlan, today: date
) -> None:
    """Every finding with no wait must be cleared before a series; waits are met by date."""
    findings = consultation.report.get("findings") or ()
    undated = [f for f in findings if not f.get("clears_on")]
    require_cleared(
        uow,
        (consultation.clinic_id, consultation.patient_id),
        undated,
        plan.zone_names,
        on=today,
        doing="save a series",
    )


def _supersede(
    uow: SeriesEnding,
    context: audit.RequestContext,
    change: tuple[TreatmentSeries, Sequence[TreatmentSeries], str],
    now: datetime,
) -> None:
    """Cancel the active series on the new one's zones, with the reason; refuse without one."""
    new, active, reason = change
    overlapping = [s for s in active if s.overlaps(new.plan.zone_names)]
    if not overlapping:
        return
    if not reason.strip():
        raise SeriesOverlapError(overlapping[0], overlapping[0].overlaps(new.plan.zone_names))
    for old in overlapping:
        why = f"superseded by a new series: {reason.strip()}"
        stopped = old.cancelled(Cancellation(now, context.actor.id, why, superseded_by=new.id))
        uow.series.save(stopped)
        cancel_future_appointments(uow, stopped, now)
        audit.record(uow, context, series_access("series.cancel", stopped), at=now)


def cancel_future_appointments(
    uow: AppointmentWithdrawal, series: TreatmentSeries, now: datetime
) -> tuple[Appointment, ...]:
    """Cancel a stopped series' booked appointments still to come, and withdraw their messages."""
    reason = f"series cancelled: {series.cancellation.reason if series.cancellation else ''}"
    cancelled = []
    for appointment in uow.appointments.for_patient(series.clinic_id, series.patient_id):
        upcoming = appointment.status is AppointmentStatus.BOOKED and appointment.ends_at > now
        if appointment.series_id == series.id and upcoming:
            changed = appointment.with_status(AppointmentStatus.CANCELLED, reason.strip(), now=now)
            uow.appointments.save(changed)
            withdraw_for_appointment(uow=uow, appointment=changed)
            cancelled.append(changed)
    return tuple(cancelled)


def _treatable_proposal(consultation: ConsultationRecord) -> dict[str, Any]:
    if consultation.status is not ConsultationStatus.SIGNED:
        raise ConsultationNotSignedError(
            f"consultation {consultation.id} is a draft; sign it before agreeing a series"
        )
    report = consultation.report
    plan, series = report.get("plan") or {}, report.get("series")
    if consultation.decision not in TREATABLE_DECISIONS or not plan.get("zones") or not series:
        findings = tuple(report.get("findings") or ())
        raise NotTreatableError(consultation.decision, findings)
    return {"plan": plan, "series": series}


def _agreed_plan(
    consultation: ConsultationRecord,
    proposal: dict[str, Any],
    new: NewSeries,
    engine: Engine,
    context: audit.RequestContext,
    now: datetime,
) -> tuple[SeriesPlan, tuple[series_plan.Deviation, ...]]:
    """The plan agreed (the proposal unless changed) and its deviations from the proposal."""
    proposed = series_plan.proposed_plan(proposal)
    chosen = new.plan or proposed
    device = Device(consultation.intake["device"])
    knowledge = engine.knowledge
    found = series_plan.plan_deviations(
        proposed,
        chosen,
        reasons=new.reasons,
        limits_of_plan=series_plan.PlanLimits.of(
            proposal, knowledge.planning, device, knowledge.limits
        ),
        signed=(context.actor.id, now),
    )
    return chosen, found


def _new_series(
    consultation: ConsultationRecord,
    proposal: dict[str, Any],
    plan: SeriesPlan,
    found: tuple[series_plan.Deviation, ...],
    context: audit.RequestContext,
    now: datetime,
) -> TreatmentSeries:
    return TreatmentSeries(
        id=uuid4(),
        clinic_id=consultation.clinic_id,
        patient_id=consultation.patient_id,
        consultation_id=consultation.id,
        proposal=proposal,
        plan=plan,
        deviations=found,
        status=SeriesStatus.PLANNED,
        created_at=now,
        created_by=context.actor.id,
    )


def get_series(
    *, series_id: UUID, context: audit.RequestContext, uow: SeriesReads, clock: Clock
) -> TreatmentSeries:
    """One series of the actor's clinic; the read is audited, so is a miss."""
    permissions.require(context, Action.SERIES_READ)
    with uow:
        series = uow.series.get(context.actor.clinic_id, series_id)
        access = _read_access("series.read", "treatment_series", series_id, series)
        audit.record(uow, context, access, at=clock.now())
        uow.commit()
    if series is None:
        raise SeriesNotFoundError(f"no series {series_id}")
    return series


def list_series(
    *,
    patient_id: UUID,
    page: tuple[int, int],
    context: audit.RequestContext,
    uow: PatientSeriesReads,
    clock: Clock,
) -> Sequence[TreatmentSeries]:
    """A page of a patient's series, newest first; the listing is audited."""
    permissions.require(context, Action.SERIES_READ)
    offset, limit = check_page(page)
    with uow:
        patient = listed_patient(uow, context, patient_id, "series.list", clock)
        found = uow.series.for_patient(
            context.actor.clinic_id, patient.id, offset=offset, limit=limit
        )
        access = audit.Access("series.list", "treatment_series", "*", patient.id)
        audit.record(uow, context, access, at=clock.now())
        uow.commit()
    return found


@dataclass(frozen=True, slots=True)
class SeriesCancellation:
    """Stopping a series: which, the version the clinician saw, and why."""

    series_id: UUID
    expected_version: int
    reason: str


def cancel_series(
    *,
    cancellation: SeriesCancellation,
    context: audit.RequestContext,
    uow: SeriesCancelling,
    clock: Clock,
) -> TreatmentSeries:
    """Stop a series before its end, with a reason; its booked appointments to come go too.

    Raises:
        InvalidInputError: The reason is blank.
        VersionConflictError: The series changed since ``expected_version``.
        InvalidTransitionError: The series is completed or cancelled already.
    """
    permissions.require(context, Action.SERIES_CANCEL)
    now = clock.now()
    with uow:
        series = series_or_raise(uow, context, cancellation.series_id)
        expected = cancellation.expected_version
        with audited_refusal(uow, context, series_access("series.cancel", series), clock):
            if series.version != expected:
                raise VersionConflictError("series", series.id, expected, series.version)
        stopped = series.cancelled(Cancellation(now, context.actor.id, cancellation.reason))
        uow.series.save(stopped)
        cancel_future_appointments(uow, stopped, now)
        audit.record(uow, context, series_access("series.cancel", stopped), at=now)
        uow.commit()
    return stopped


def list_sessions(
    *, series_id: UUID, context: audit.RequestContext, uow: SessionReads, clock: Clock
) -> Sequence[TreatmentSession]:
    """The sessions of a series, by number; the read is audited, so is a miss."""
    permissions.require(context, Action.SERIES_READ)
    with uow:
        series = uow.series.get(context.actor.clinic_id, series_id)
        if series is None:
            missing = _read_access("session.list", "treatment_series", series_id, None)
            audit.record(uow, context, missing, at=clock.now())
            uow.commit()
            raise SeriesNotFoundError(f"no series {series_id}")
        found = uow.sessions.for_series(context.actor.clinic_id, series.id)
        audit.record(uow, context, series_access("session.list", series), at=clock.now())
        uow.commit()
    return found


# --- shared by the treatment use cases -----------------------------------------------------


def _read_access(
    action: str, resource_type: str, resource_id: UUID, found: TreatmentSeries | None
) -> audit.Access:
    if found is None:
        return audit.Access(action, resource_type, str(resource_id), None, "not_found")
    return audit.Access(action, resource_type, str(resource_id), found.patient_id)
