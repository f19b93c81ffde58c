"""What the clinician web app's session chart, handout and outcome chart pages read.

Three reads, each in one transaction and audited like the single reads they combine:

* ``chart_sheet``: a session with its series (the plan), its chart history and the newest
  chart of the previous session of the series (settings carry forward from session to session);
* ``session_handout``: the pre-care and aftercare timeline anchored to the booked date of one
  session of a series (the engine's care templates, as at the consultation);
* ``outcome_chart``: a patient's scar scores with the range the evidence expects at each visit
  (the acne response model, applied to the first score as the baseline).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final
from uuid import UUID

from needlepoint.domain.care import CareItem, CarePhase
from needlepoint.domain.expectations import acne_improvement
from needlepoint.domain.outcomes import OutcomeMeasurement, OutcomeScale
from needlepoint.domain.programme import ClinicalKnowledge
from needlepoint.domain.records import ConsultationStatus, PatientRecord
from needlepoint.domain.treatment import ChartVersion, TreatmentSeries, TreatmentSession
from needlepoint.services import audit, consultations
from needlepoint.services.consultation_records import Engine
from needlepoint.services.patients import MAX_PAGE_SIZE
from needlepoint.services.ports import Clock, UnitOfWork
from needlepoint.services.treatment import (
    ConsultationNotSignedError,
    SessionNotFoundError,
    listed_patient,
    series_access,
    series_or_raise,
    session_access,
)

SCAR_SCALES: Final = (OutcomeScale.GB_QUANTITATIVE, OutcomeScale.ECCA)
"""Scar scores: lower is better, and the acne response model predicts their reduction."""


@dataclass(frozen=True, slots=True)
class ChartSheet:
    """Everything the session chart page shows."""

    session: TreatmentSession
    series: TreatmentSeries
    history: tuple[ChartVersion, ...]
    previous: ChartVersion | None
    """The newest chart of the session before this one in the series, if any."""


@dataclass(frozen=True, slots=True)
class Handout:
    """The care instructions for one booked session, in the patient's own words."""

    patient: PatientRecord
    series: TreatmentSeries
    number: int
    booked_on: date
    pre: tuple[CareItem, ...]
    post: tuple[CareItem, ...]


@dataclass(frozen=True, slots=True)
class OutcomePoint:
    """One scar score, the sessions done by then, and the range expected at that point."""

    measurement: OutcomeMeasurement
    sessions_done: int
    expected_low: Decimal | None
    """The lowest (best) score the evidence expects by then; None without a baseline."""
    expected_high: Decimal | None
    """The highest (worst) score still within the expected range."""

    @property
    def behind(self) -> bool:
        """Whether the score is worse than the whole expected range."""
        return self.expected_high is not None and self.measurement.value > self.expected_high


@dataclass(frozen=True, slots=True)
class OutcomeChart:
    """A patient's outcome measurements, and the scar-score track against expectations."""

    patient: PatientRecord
    measurements: tuple[OutcomeMeasurement, ...]
    scale: OutcomeScale | None
    """The scar scale plotted (the one with most scores), or None without scar scores."""
    points: tuple[OutcomePoint, ...]

    @property
    def behind(self) -> bool:
        """Whether the newest scar score is worse than the range expected by then."""
        return bool(self.points) and self.points[-1].behind


def chart_sheet(
    *, session_id: UUID, context: audit.RequestContext, uow: UnitOfWork, clock: Clock
) -> ChartSheet:
    """A session, its plan, its chart history and the previous session's newest chart."""
    clinic_id = context.actor.clinic_id
    with uow:
        session = uow.sessions.get(clinic_id, session_id)
        if session is None:
            missing = audit.Access(
                "chart.read", "treatment_session", str(session_id), None, "not_found"
            )
            audit.record(uow, context, missing, at=clock.now())
            uow.commit()
            raise SessionNotFoundError(f"no session {session_id}")
        series = series_or_raise(uow, context, session.series_id)
        history = tuple(uow.charts.history(clinic_id, session.id))
        earlier = [
            s for s in uow.sessions.for_series(clinic_id, series.id) if s.number < session.number
        ]
        previous = None
        for before in sorted(earlier, key=lambda s: s.number, reverse=True):
            previous = uow.charts.latest(clinic_id, before.id)
            if previous is not None:
                break
        audit.record(uow, context, session_access("chart.read", session), at=clock.now())
        uow.commit()
    return ChartSheet(session, series, history, previous)


def session_handout(
    *,
    series_id: UUID,
    number: int,
    context: audit.RequestContext,
    uow: UnitOfWork,
    engine: Engine,
    clock: Clock,
) -> Handout:
    """The care timeline for session ``number`` of a series, anchored to its booked date."""
    clinic_id = context.actor.clinic_id
    with uow:
        series = series_or_raise(uow, context, series_id)
        patient = listed_patient(uow, context, series.patient_id, "care_document.read", clock)
        consultation = uow.consultations.get(clinic_id, series.consultation_id)
        if consultation is None or consultation.status is not ConsultationStatus.SIGNED:
            raise ConsultationNotSignedError(f"series {series.id} has no signed consultation")
        audit.record(uow, context, series_access("care_document.read", series), at=clock.now())
        uow.commit()
    booked_on = booked_date(series.proposal, number)
    appointment = datetime.combine(booked_on, engine.default_session_time).isoformat()
    outcome = consultations.consult(
        document=dict(consultation.intake),
        knowledge=engine.knowledge,
        clock=clock,
        appointment=appointment,
        default_session_time=engine.default_session_time,
    )
    items = outcome.programme.care_items
    pre = tuple(i for i in items if i.phase is CarePhase.PRE)
    post = tuple(i for i in items if i.phase is CarePhase.POST)
    return Handout(patient, series, number, booked_on, pre, post)


def booked_date(proposal: Mapping[str, Any], number: int) -> date:
    """The date session ``number`` is booked for in a series' proposal."""
    dated: Sequence[Mapping[str, Any]] = proposal.get("series", {}).get("dated", ())
    for entry in dated:
        if entry.get("number") == number:
            return date.fromisoformat(str(entry["on"]))
    raise SessionNotFoundError(f"no session {number} is booked in this series")


def outcome_chart(
    *,
    patient_id: UUID,
    context: audit.RequestContext,
    uow: UnitOfWork,
    knowledge: ClinicalKnowledge,
    clock: Clock,
) -> OutcomeChart:
    """A patient's outcome measurements with the scar-score track against expectations."""
    clinic_id = context.actor.clinic_id
    with uow:
        patient = listed_patient(uow, context, patient_id, "outcome.list", clock)
        measurements = tuple(
            uow.outcomes.for_patient(clinic_id, patient.id, offset=0, limit=MAX_PAGE_SIZE)
        )
        started = [
            session.started_at.date()
            for series in uow.series.for_patient(
                clinic_id, patient.id, offset=0, limit=MAX_PAGE_SIZE
            )
            for session in uow.sessions.for_series(clinic_id, series.id)
            if session.started_at is not None
        ]
        access = audit.Access("outcome.list", "outcome_measurement", "*", patient.id)
        audit.record(uow, context, access, at=clock.now())
        uow.commit()
    scale = _scar_scale(measurements)
    points = () if scale is None else _points(measurements, scale, started, knowledge)
    return OutcomeChart(patient, measurements, scale, points)


def _scar_scale(measurements: Sequence[OutcomeMeasurement]) -> OutcomeScale | None:
    counts = {s: sum(1 for m in measurements if m.scale is s) for s in SCAR_SCALES}
    best = max(SCAR_SCALES, key=lambda s: counts[s])
    return best if counts[best] else None


def _points(
    measurements: Sequence[OutcomeMeasurement],
    scale: OutcomeScale,
    started: Sequence[date],
    knowledge: ClinicalKnowledge,
) -> tuple[OutcomePoint, ...]:
    scores = sorted(
        (m for m in measurements if m.scale is scale), key=lambda m: (m.measured_on, m.recorded_at)
    )
    baseline = scores[0]
    model = knowledge.expectations.acne_model
    points = []
    for measurement in scores:
        done = sum(1 for day in started if baseline.measured_on <= day < measurement.measured_on)
        if done == 0:
            points.append(OutcomePoint(measurement, done, baseline.value, baseline.value))
            continue
        expected = acne_improvement(model, done, shift_down=False)
        best = baseline.value * (1 - expected.high_pct / 100)
        worst = baseline.value * (1 - expected.low_pct / 100)
        points.append(OutcomePoint(measurement, done, _round(best), _round(worst)))
    return tuple(points)


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"))
