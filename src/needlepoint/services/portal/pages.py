"""Use cases: what a signed-in patient sees in the portal, and the portal's one facade.

A patient sees their own records only, every read scoped by the (clinic, patient) pair of the
session; a record of anyone else reads exactly like one that does not exist
(``PortalRecordNotFoundError``). The pages, each one unit of work and one audit event:

* **home**: today's care instructions (with "I've read this" per item and day), the
  check-ins asked for today, upcoming appointments, each series in plain terms and recent
  check-ins;
* **a series**: zones, number of sessions and interval, and a summary of each session held
  (date, zones treated, the aftercare that followed; never depths or cartridge lots);
* **an appointment**: when it is, and the care before and after it;
* **progress**: the patient's scar scores over time.

Care instructions come from the care timeline (``domain.care.build_timeline``) anchored to
the patient's most recent treatment (what applies after it) and next booked appointment
(what applies before it), with the consultation the series was agreed from, as the clinician's
handout is built.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Final, NoReturn, Protocol, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from needlepoint.domain.care import CareContext, CareItem, CarePhase, build_timeline
from needlepoint.domain.checkins import CheckIn, TriageRules
from needlepoint.domain.clinic_time import day_bounds
from needlepoint.domain.outcomes import OutcomeChart, OutcomePoint, OutcomeScale
from needlepoint.domain.portal import CareAcknowledgement
from needlepoint.domain.programme import ClinicalKnowledge
from needlepoint.domain.scheduling import Appointment, AppointmentStatus
from needlepoint.domain.series_plan import SeriesPlan
from needlepoint.domain.treatment import SeriesStatus, TreatmentSeries
from needlepoint.domain.vocabulary import Zone
from needlepoint.services.access import MAX_PAGE_SIZE
from needlepoint.services.audit import Audited, AuditedTransaction
from needlepoint.services.consultation.facade import parse_consultation
from needlepoint.services.portal import check_ins as checkins
from needlepoint.services.portal.ports import (
    CareAcknowledging,
    CareTodayReads,
    PortalAppointmentReads,
    PortalHomeReads,
    PortalSeriesReads,
    ScoreTrendReads,
    SessionSummaries,
)
from needlepoint.services.portal.sign_in import (
    PatientContext,
    PortalRecordNotFoundError,
    patient_event,
)
from needlepoint.services.ports import (
    Clock,
    HasAppointments,
    HasConsultations,
    HasSeries,
    HasSessions,
)

SCAR_SCALES: Final = (OutcomeScale.GB_QUANTITATIVE, OutcomeScale.ECCA)
RECENT_CHECK_INS: Final = 5


@dataclass(frozen=True, slots=True)
class SeriesSummary:
    """A series in plain terms: where, how many sessions, how far apart, how many held."""

    id: UUID
    zones: tuple[Zone, ...]
    sessions: int
    interval_days: int
    held: int
    status: SeriesStatus


@dataclass(frozen=True, slots=True)
class CareToday:
    """A care instruction that applies today, and whether the patient has read it today."""

    item: CareItem
    read: bool


@dataclass(frozen=True, slots=True)
class PortalHome:
    """Everything the portal's home page shows."""

    today: date
    care: tuple[CareToday, ...]
    due: tuple[checkins.CheckInDue, ...]
    upcoming: tuple[Appointment, ...]
    series: tuple[SeriesSummary, ...]
    recent: tuple[CheckIn, ...]


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """One session held: when, the zones treated, and the aftercare that followed it."""

    number: int
    treated_at: datetime
    zones: tuple[Zone, ...]
    aftercare: tuple[CareItem, ...]


@dataclass(frozen=True, slots=True)
class SeriesPage:
    """One series with a summary of each session held and its upcoming appointments."""

    series: SeriesSummary
    sessions: tuple[SessionSummary, ...]
    upcoming: tuple[Appointment, ...]


@dataclass(frozen=True, slots=True)
class AppointmentPage:
    """One appointment with the care before and after it."""

    appointment: Appointment
    before: tuple[CareItem, ...]
    after: tuple[CareItem, ...]


@dataclass(frozen=True, slots=True)
class _Reading:
    """What one page read needs beside the unit of work."""

    context: PatientContext
    clock: Clock
    knowledge: ClinicalKnowledge


def portal_home(
    *,
    context: PatientContext,
    uow: PortalHomeReads,
    clock: Clock,
    knowledge: ClinicalKnowledge,
    rules: TriageRules,
) -> PortalHome:
    """The home page: today's care and check-ins, appointments, series, recent check-ins."""
    reading = _Reading(context, clock, knowledge)
    with uow:
        today, zone = checkins.local_today(uow, context.clinic_id, clock)
        series = _own_series(uow, context)
        upcoming = _upcoming(uow, context, clock.now())
        care = _care_today(uow, reading, series, upcoming, (today, zone))
        due = checkins.checks_due(uow, context, clock, rules)
        recent = uow.check_ins.for_patient(
            context.clinic_id, context.patient_id, limit=RECENT_CHECK_INS
        )
        summaries = tuple(_summary(uow, context, s) for s in series)
        _audit(uow, reading, "portal.home.read", "patient", context.patient_id)
        uow.commit()
    return PortalHome(today, care, due, upcoming, summaries, tuple(recent))


def portal_series(
    *,
    series_id: UUID,
    context: PatientContext,
    uow: PortalSeriesReads,
    clock: Clock,
    knowledge: ClinicalKnowledge,
) -> SeriesPage:
    """One of the patient's series: the plan and a summary of each session held."""
    reading = _Reading(context, clock, knowledge)
    with uow:
        found = uow.series.get(context.clinic_id, series_id)
        series = _owned(uow, reading, found, "portal.series.read", "treatment_series", series_id)
        _, zone = checkins.local_today(uow, context.clinic_id, clock)
        sessions = tuple(_session_summaries(uow, reading, series, zone))
        upcoming = tuple(
            a for a in _upcoming(uow, context, clock.now()) if a.series_id == series_id
        )
        summary = _summary(uow, context, series)
        _audit(uow, reading, "portal.series.read", "treatment_series", series_id)
        uow.commit()
    return SeriesPage(summary, sessions, upcoming)


def portal_appointment(
    *,
    appointment_id: UUID,
    context: PatientContext,
    uow: PortalAppointmentReads,
    clock: Clock,
    knowledge: ClinicalKnowledge,
) -> AppointmentPage:
    """One of the patient's appointments, with the care before and after it."""
    reading = _Reading(context, clock, knowledge)
    with uow:
        booked = uow.appointments.get(context.clinic_id, appointment_id)
        action = "portal.appointment.read"
        appointment = _owned(uow, reading, booked, action, "appointment", appointment_id)
        _, zone = checkins.local_today(uow, context.clinic_id, clock)
        series = _series_of(uow, context, appointment.series_id)
        items = (
            ()
            if series is None
            else _care_items(uow, reading, series, appointment.starts_at.astimezone(zone))
        )
        _audit(uow, reading, "portal.appointment.read", "appointment", appointment_id)
        uow.commit()
    before = tuple(i for i in items if i.phase is CarePhase.PRE)
    after = tuple(i for i in items if i.phase is CarePhase.POST)
    return AppointmentPage(appointment, before, after)


def score_trend(*, context: PatientContext, uow: ScoreTrendReads, clock: Clock) -> OutcomeChart:
    """The patient's scar scores over time, on the scale with most scores.

    The clinician's chart draws the range the evidence expects around each score; the
    patient's shows their scores only (``expected_low``/``expected_high`` are None).
    """
    with uow:
        patient = uow.patients.get(context.clinic_id, context.patient_id)
        measurements = tuple(
            uow.outcomes.for_patient(
                context.clinic_id, context.patient_id, offset=0, limit=MAX_PAGE_SIZE
            )
        )
        event = patient_event(
            context, "portal.progress.read", "outcome_measurement", "*", clock.now()
        )
        uow.audit.append(event)
        uow.commit()
    if patient is None:
        raise PortalRecordNotFoundError(f"no patient {context.patient_id}")
    counts = {s: sum(1 for m in measurements if m.scale is s) for s in SCAR_SCALES}
    scale = max(SCAR_SCALES, key=lambda s: counts[s])
    if not counts[scale]:
        return OutcomeChart(patient, measurements, None, ())
    scores = sorted(
        (m for m in measurements if m.scale is scale), key=lambda m: (m.measured_on, m.recorded_at)
    )
    points = tuple(OutcomePoint(score, 0, None, None) for score in scores)
    return OutcomeChart(patient, measurements, scale, points)


def acknowledge_care(
    *,
    item_id: str,
    context: PatientContext,
    uow: CareAcknowledging,
    clock: Clock,
    knowledge: ClinicalKnowledge,
) -> CareToday:
    """Mark one of today's care instructions as read today (again: no change)."""
    reading = _Reading(context, clock, knowledge)
    now = clock.now()
    with uow:
        today, zone = checkins.local_today(uow, context.clinic_id, clock)
        series = _own_series(uow, context)
        care = _care_today(uow, reading, series, _upcoming(uow, context, now), (today, zone))
        found = next((c for c in care if c.item.id == item_id), None)
        if found is None:
            _not_found(uow, reading, "care.acknowledge", "care_item", item_id[:100])
        read = CareAcknowledgement(context.clinic_id, context.patient_id, item_id, today, now)
        uow.care_acknowledgements.add(read)
        _audit(uow, reading, "care.acknowledge", "care_item", item_id)
        uow.commit()
    return CareToday(found.item, read=True)


# --- reading helpers (inside the caller's unit of work) -------------------------------------


def _own_series(uow: HasSeries, context: PatientContext) -> tuple[TreatmentSeries, ...]:
    found = uow.series.for_patient(
        context.clinic_id, context.patient_id, offset=0, limit=MAX_PAGE_SIZE
    )
    return tuple(found)


def _series_of(
    uow: HasSeries, context: PatientContext, series_id: UUID | None
) -> TreatmentSeries | None:
    series = None if series_id is None else uow.series.get(context.clinic_id, series_id)
    return series if series is not None and series.patient_id == context.patient_id else None


def _upcoming(
    uow: HasAppointments, context: PatientContext, now: datetime
) -> tuple[Appointment, ...]:
    booked = (
        a
        for a in uow.appointments.for_patient(context.clinic_id, context.patient_id)
        if a.status is AppointmentStatus.BOOKED and a.ends_at > now
    )
    return tuple(sorted(booked, key=lambda a: a.starts_at))


def _summary(uow: HasSessions, context: PatientContext, series: TreatmentSeries) -> SeriesSummary:
    sessions = uow.sessions.for_series(context.clinic_id, series.id)
    held = sum(1 for s in sessions if s.started_at is not None)
    plan: SeriesPlan = series.plan
    zones = tuple(z.zone for z in plan.zones)
    return SeriesSummary(series.id, zones, plan.sessions, plan.interval_days, held, series.status)


def _session_summaries(
    uow: SessionSummaries, reading: _Reading, series: TreatmentSeries, zone: ZoneInfo
) -> Iterable[SessionSummary]:
    clinic_id = reading.context.clinic_id
    for session in uow.sessions.for_series(clinic_id, series.id):
        if session.started_at is None:
            continue
        chart = uow.charts.latest(clinic_id, session.id)
        zones = (
            tuple(z.zone for z in chart.chart.zones)
            if chart is not None
            else tuple(sorted(session.treatable_zones(series.plan)))
        )
        items = _care_items(uow, reading, series, session.started_at.astimezone(zone))
        after = tuple(i for i in items if i.phase is CarePhase.POST)
        yield SessionSummary(session.number, session.started_at, zones, after)


def _care_items(
    uow: HasConsultations, reading: _Reading, series: TreatmentSeries, at_local: datetime
) -> tuple[CareItem, ...]:
    """The care timeline of one series anchored to one (clinic-local) treatment time."""
    record = uow.consultations.get(reading.context.clinic_id, series.consultation_id)
    if record is None or not series.plan.zones:
        return ()
    consultation = parse_consultation(dict(record.intake)).to_domain()
    plan = series.plan
    deepest: Decimal = max(z.depth_max_mm for z in plan.zones)
    care = CareContext(consultation, consultation.device, plan.zone_names, deepest)
    return build_timeline(reading.knowledge.care.templates, care, appointment_at=at_local)


def _care_today(
    uow: CareTodayReads,
    reading: _Reading,
    series: Sequence[TreatmentSeries],
    upcoming: Sequence[Appointment],
    day: tuple[date, ZoneInfo],
) -> tuple[CareToday, ...]:
    """What applies today: after the latest treatment, before the next booked appointment."""
    today, zone = day
    context = reading.context
    by_id = {s.id: s for s in series}
    anchors: list[tuple[TreatmentSeries, datetime, CarePhase]] = []
    held = checkins.treatments(uow, context.clinic_id, context.patient_id)
    latest = next((t for t in held if t.series_id in by_id), None)
    if latest is not None and latest.series_id is not None:
        anchors.append((by_id[latest.series_id], latest.treated_at, CarePhase.POST))
    following = next((a for a in upcoming if a.series_id in by_id), None)
    if following is not None and following.series_id is not None:
        anchors.append((by_id[following.series_id], following.starts_at, CarePhase.PRE))
    read = uow.care_acknowledgements.for_day(context.clinic_id, context.patient_id, today)
    items: dict[str, CareItem] = {}
    for one_series, at, phase in anchors:
        for item in _care_items(uow, reading, one_series, at.astimezone(zone)):
            if item.phase is phase and applies_on(item, today, zone):
                items.setdefault(item.id, item)
    ordered = sorted(items.values(), key=lambda i: (i.starts_at, i.id))
    return tuple(CareToday(item, item.id in read) for item in ordered)


def applies_on(item: CareItem, day: date, zone: ZoneInfo) -> bool:
    """Whether a care instruction's window touches ``day`` in the clinic's calendar."""
    starts, ends = day_bounds(day, zone)
    if item.starts_at == item.ends_at:
        return starts <= item.starts_at < ends
    return item.starts_at < ends and item.ends_at > starts


def _audit(
    uow: Audited,
    reading: _Reading,
    action: str,
    resource_type: str,
    resource_id: object,
    *,
    outcome: str = "success",
) -> None:
    at = reading.clock.now()
    event = patient_event(
        reading.context, action, resource_type, str(resource_id), at, outcome=outcome
    )
    uow.audit.append(event)


class _PatientRecord(Protocol):
    @property
    def patient_id(self) -> UUID: ...


_Record = TypeVar("_Record", bound=_PatientRecord)


def _owned(
    uow: AuditedTransaction,
    reading: _Reading,
    found: _Record | None,
    action: str,
    resource_type: str,
    resource_id: UUID,
) -> _Record:
    """The record if it is the signed-in patient's; else the refusal is audited and raised."""
    if found is None or found.patient_id != reading.context.patient_id:
        _not_found(uow, reading, action, resource_type, resource_id)
    return found


def _not_found(
    uow: AuditedTransaction, reading: _Reading, action: str, resource_type: str, resource_id: object
) -> NoReturn:
    """Audit the refusal and raise: another patient's record reads as a missing one."""
    uow.rollback()
    _audit(uow, reading, action, resource_type, resource_id, outcome="not_found")
    uow.commit()
    raise PortalRecordNotFoundError(f"no {resource_type} {resource_id}")


# --- the facade the composition root builds -------------------------------------------------
