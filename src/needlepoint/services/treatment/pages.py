"""What the clinician web app's session chart, handout and outcome chart pages read.

Three reads, each in one transaction and audited like the single reads they combine:

* ``chart_sheet``: a session with its series (the plan), its chart history and the newest
  chart of the previous session of the series (settings carry forward from session to session);
* ``session_handout``: the pre-care and aftercare timeline anchored to when one session of a
  series takes place (the engine's care templates, as at the consultation): its booked
  appointment, else its actual start, else a provisional date (``HandoutDate``); with the
  clinic's contact details and the red flags (the "call us if…" list);
* ``outcome_chart``: a patient's scar scores with the range the evidence expects at each visit
  (the acne response model, applied to the first score as the baseline).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, Final
from uuid import UUID
from zoneinfo import ZoneInfo

from needlepoint.domain.care import CareItem, CarePhase, RedFlag
from needlepoint.domain.expectations import acne_improvement
from needlepoint.domain.outcomes import OutcomeChart, OutcomeMeasurement, OutcomePoint, OutcomeScale
from needlepoint.domain.programme import ClinicalKnowledge
from needlepoint.domain.records import Clinic, ConsultationStatus, PatientRecord
from needlepoint.domain.scheduling import Appointment, AppointmentStatus
from needlepoint.domain.treatment import ChartVersion, TreatmentSeries, TreatmentSession
from needlepoint.domain.vocabulary import Device
from needlepoint.services import audit, permissions
from needlepoint.services.access import (
    MAX_PAGE_SIZE,
    SessionNotFoundError,
    listed_patient,
    series_access,
    series_or_raise,
    session_access,
)
from needlepoint.services.clinics import clinic_zone
from needlepoint.services.consultation.facade import ConsultationNotSignedError, Engine, consult
from needlepoint.services.permissions import Action
from needlepoint.services.ports import Clock, HasConsultations
from needlepoint.services.treatment.ports import ChartSheetReads, HandoutReads, OutcomeChartReads

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
    device: Device | None = None
    """The device the series was planned for (its consultation's), if known."""


class HandoutDate(StrEnum):
    """What a handout's date rests on, surest first."""

    APPOINTMENT = "appointment"
    """The session's booked appointment."""
    STARTED = "started"
    """The session has started: when it did."""
    PROVISIONAL = "provisional"
    """Not booked yet: the day it falls due (the last session held or booked before it plus
    the agreed interval, else the series proposal's date), at the clinic's default time."""


@dataclass(frozen=True, slots=True)
class Handout:
    """The care instructions for one session, in the patient's own words."""

    patient: PatientRecord
    series: TreatmentSeries
    number: int
    at: datetime
    """When the session takes place, in the clinic's time zone."""
    dated_by: HandoutDate
    pre: tuple[CareItem, ...]
    post: tuple[CareItem, ...]
    clinic: Clinic | None = None
    """The clinic: its name, and how the patient reaches it (its address, phone and hours)."""
    red_flags: tuple[RedFlag, ...] = ()
    """The signs that should make the patient call the clinic, or emergency services."""

    @property
    def on(self) -> date:
        """The day of the session, in the clinic's time zone."""
        return self.at.date()


def chart_sheet(
    *, session_id: UUID, context: audit.RequestContext, uow: ChartSheetReads, clock: Clock
) -> ChartSheet:
    """A session, its plan, its chart history and the previous session's newest chart."""
    permissions.require(context, Action.CHART_READ)
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
        planned_for = _planned_device(uow, series)
        audit.record(uow, context, session_access("chart.read", session), at=clock.now())
        uow.commit()
    return ChartSheet(session, series, history, previous, planned_for)


def _planned_device(uow: HasConsultations, series: TreatmentSeries) -> Device | None:
    """The device named in the consultation the series was agreed from."""
    consultation = uow.consultations.get(series.clinic_id, series.consultation_id)
    named = None if consultation is None else consultation.intake.get("device")
    return Device(named) if named in {d.value for d in Device} else None


def session_handout(
    *,
    series_id: UUID,
    number: int,
    context: audit.RequestContext,
    uow: HandoutReads,
    engine: Engine,
    clock: Clock,
) -> Handout:
    """The care timeline for session ``number`` of a series, anchored to when it takes place.

    That is the session's booked appointment, else its actual start if it has started, else a
    provisional date (``HandoutDate``); the timeline's times are in the clinic's time zone.
    """
    permissions.require(context, Action.CARE_DOCUMENT_READ)
    clinic_id = context.actor.clinic_id
    with uow:
        series = series_or_raise(uow, context, series_id)
        patient = listed_patient(uow, context, series.patient_id, "care_document.read", clock)
        consultation = uow.consultations.get(clinic_id, series.consultation_id)
        if consultation is None or consultation.status is not ConsultationStatus.SIGNED:
            raise ConsultationNotSignedError(f"series {series.id} has no signed consultation")
        if not 1 <= number <= series.plan.sessions:
            raise SessionNotFoundError(f"the series has no session {number}")
        zone = clinic_zone(uow, clinic_id)
        clinic = uow.clinics.get(clinic_id)
        sessions = tuple(uow.sessions.for_series(clinic_id, series.id))
        booked = _booked(uow.appointments.for_patient(clinic_id, series.patient_id), series.id)
        audit.record(uow, context, series_access("care_document.read", series), at=clock.now())
        uow.commit()
    at, dated_by = session_time(series, number, sessions, booked, zone, engine.default_session_time)
    outcome = consult(
        document=dict(consultation.intake),
        knowledge=engine.knowledge,
        clock=clock,
        appointment=at.isoformat(),
        default_session_time=engine.default_session_time,
    )
    items = outcome.programme.care_items
    pre = tuple(i for i in items if i.phase is CarePhase.PRE)
    post = tuple(i for i in items if i.phase is CarePhase.POST)
    flags = outcome.programme.red_flags
    return Handout(patient, series, number, at, dated_by, pre, post, clinic, flags)


def _booked(appointments: Iterable[Appointment], series_id: UUID) -> dict[int, Appointment]:
    """The booked (not cancelled, attended or missed) appointment of each session of a series."""
    return {
        a.session_number: a
        for a in appointments
        if a.series_id == series_id
        and a.session_number is not None
        and a.status is AppointmentStatus.BOOKED
    }


def session_time(
    series: TreatmentSeries,
    number: int,
    sessions: Sequence[TreatmentSession],
    booked: Mapping[int, Appointment],
    zone: ZoneInfo,
    default_time: time,
) -> tuple[datetime, HandoutDate]:
    """When session ``number`` takes place in ``zone``, and what that rests on.

    Its booked appointment; else, once started, its actual start; else the day it falls due:
    the latest earlier session held or booked, plus the agreed interval for each session
    between, or without one the proposal's date; at ``default_time``.
    """
    if number in booked:
        return booked[number].starts_at.astimezone(zone), HandoutDate.APPOINTMENT
    started = {s.number: s.started_at for s in sessions if s.started_at is not None}
    if number in started:
        return started[number].astimezone(zone), HandoutDate.STARTED
    known = {n: a.starts_at for n, a in booked.items()} | started
    earlier = [n for n in known if n < number]
    if earlier:
        last = max(earlier)
        gap = timedelta(days=series.plan.interval_days * (number - last))
        due_on = known[last].astimezone(zone).date() + gap
    else:
        due_on = booked_date(series.proposal, number)
    return datetime.combine(due_on, default_time, tzinfo=zone), HandoutDate.PROVISIONAL


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
    uow: OutcomeChartReads,
    knowledge: ClinicalKnowledge,
    clock: Clock,
) -> OutcomeChart:
    """A patient's outcome measurements with the scar-score track against expectations."""
    permissions.require(context, Action.OUTCOME_READ)
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
