"""Use cases: one treatment series at a glance, and what could replace it.

The overview is the series with its patient, its sessions and the appointments booked for it,
read in one transaction with one audit event per kind of record (``series.read``,
``session.list``, ``appointment.list``), as the patient page reads them.

A series is replaced (superseded) by agreeing a new series from another signed consultation
of the patient whose proposed plan treats some of the same zones, with a reason
(``series.create_series_from_consultation``, ADR 0022): the old series is cancelled, never
deleted, with its appointments still to come. The candidates are the patient's signed,
treatable consultations recorded after the series' own, not already the source of an active
series, whose plan overlaps it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from needlepoint.domain import series_plan
from needlepoint.domain.records import ConsultationRecord, ConsultationStatus, PatientRecord
from needlepoint.domain.scheduling import Appointment
from needlepoint.domain.treatment import SeriesStatus, TreatmentSeries, TreatmentSession
from needlepoint.domain.vocabulary import Zone
from needlepoint.services import audit, permissions
from needlepoint.services.access import SeriesNotFoundError, series_access
from needlepoint.services.permissions import Action
from needlepoint.services.ports import Clock
from needlepoint.services.treatment.ports import ReplacementReads, SeriesOverviewReads
from needlepoint.services.treatment.series import TREATABLE_DECISIONS

ACTIVE = frozenset({SeriesStatus.PLANNED, SeriesStatus.IN_PROGRESS})


@dataclass(frozen=True, slots=True)
class SeriesOverview:
    """A series with its patient, sessions (by number) and appointments (earliest first)."""

    series: TreatmentSeries
    patient: PatientRecord
    sessions: tuple[TreatmentSession, ...]
    appointments: tuple[Appointment, ...]

    @property
    def is_active(self) -> bool:
        """Whether the series is planned or in progress (it may be cancelled or replaced)."""
        return self.series.status in ACTIVE


@dataclass(frozen=True, slots=True)
class Replacement:
    """A signed consultation whose proposed series would replace this one on ``zones``."""

    consultation: ConsultationRecord
    zones: frozenset[Zone]


def series_overview(
    *, series_id: UUID, context: audit.RequestContext, uow: SeriesOverviewReads, clock: Clock
) -> SeriesOverview:
    """One series of the actor's clinic with its patient, sessions and appointments; audited."""
    permissions.require(context, Action.SERIES_READ)
    clinic_id = context.actor.clinic_id
    with uow:
        series = uow.series.get(clinic_id, series_id)
        patient = None if series is None else uow.patients.get(clinic_id, series.patient_id)
        if series is None or patient is None:
            missing = audit.Access("series.read", "treatment_series", str(series_id), None)
            audit.record(uow, context, _missed(missing), at=clock.now())
            uow.commit()
            raise SeriesNotFoundError(f"no series {series_id}")
        sessions = tuple(uow.sessions.for_series(clinic_id, series.id))
        booked = uow.appointments.for_patient(clinic_id, patient.id)
        appointments = tuple(a for a in booked if a.series_id == series.id)
        now = clock.now()
        for action in ("series.read", "session.list", "appointment.list"):
            audit.record(uow, context, series_access(action, series), at=now)
        uow.commit()
    return SeriesOverview(series, patient, sessions, appointments)


def replacement_candidates(
    *, series_id: UUID, context: audit.RequestContext, uow: ReplacementReads, clock: Clock
) -> tuple[Replacement, ...]:
    """The consultations a new series could come from to replace this one (none if it ended)."""
    permissions.require(context, Action.SERIES_CREATE)
    clinic_id = context.actor.clinic_id
    with uow:
        series = uow.series.get(clinic_id, series_id)
        if series is None:
            missing = audit.Access("consultation.list", "treatment_series", str(series_id), None)
            audit.record(uow, context, _missed(missing), at=clock.now())
            uow.commit()
            raise SeriesNotFoundError(f"no series {series_id}")
        if series.status not in ACTIVE:
            return ()
        active = uow.series.active_for_patient(clinic_id, series.patient_id)
        taken = {s.consultation_id for s in active}
        consultations = uow.consultations.for_patient(clinic_id, series.patient_id)
        since = _recorded_at(consultations, series.consultation_id)
        found = [
            replacement
            for consultation in consultations
            if consultation.id not in taken
            and consultation.created_at > since
            and (replacement := _replacement(consultation, series)) is not None
        ]
        access = audit.Access("consultation.list", "consultation", "*", series.patient_id)
        audit.record(uow, context, access, at=clock.now())
        uow.commit()
    return tuple(found)


def _recorded_at(consultations: Sequence[ConsultationRecord], consultation_id: UUID) -> datetime:
    """When the series' own consultation was recorded (replacements are recorded later)."""
    own = next((c for c in consultations if c.id == consultation_id), None)
    return datetime.min.replace(tzinfo=UTC) if own is None else own.created_at


def _replacement(consultation: ConsultationRecord, series: TreatmentSeries) -> Replacement | None:
    """The consultation as a replacement of ``series``, if it is signed, treatable, overlapping."""
    report = consultation.report
    plan, proposed = report.get("plan") or {}, report.get("series")
    treatable = consultation.decision in TREATABLE_DECISIONS and plan.get("zones") and proposed
    if consultation.status is not ConsultationStatus.SIGNED or not treatable:
        return None
    zones = series_plan.proposed_plan({"plan": plan, "series": proposed}).zone_names
    shared = series.overlaps(zones)
    return Replacement(consultation, zones) if shared else None


def _missed(access: audit.Access) -> audit.Access:
    return audit.Access(access.action, access.resource_type, access.resource_id, None, "not_found")
