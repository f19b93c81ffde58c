"""Use case: start a treatment session after the day-of re-screen.

The engine screens the patient's latest signed consultation again, on today's date (in the
clinic's time zone), with the day's answers laid over it. An absolute patient-level finding
refuses the start (``ContraindicatedError`` carries the findings), as does a day on which
every planned zone is excluded; so does any finding needing clearance that today has neither
waited out nor been cleared (``ClearanceRequiredError``, with the day its wait ends, if it has
one). Last, the series' consent must hold: signed, witnessed and not withdrawn
(``ConsentRequiredError``, ADR 0029). Nothing is written but the audit event of the refusal.
Zones excluded today are recorded on the session and cannot be charted (``services.charts``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, Final, Protocol
from uuid import UUID, uuid4

from needlepoint.domain import charting
from needlepoint.domain.charting import ContraindicatedError
from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.records import ConsultationRecord, ConsultationStatus
from needlepoint.domain.screening import Finding, Screening
from needlepoint.domain.series_plan import SeriesPlan
from needlepoint.domain.treatment import (
    InvalidTransitionError,
    SessionStatus,
    TreatmentSeries,
    TreatmentSession,
)
from needlepoint.domain.vocabulary import Zone
from needlepoint.services import audit, permissions
from needlepoint.services.access import (
    SeriesNotFoundError,
    audited_refusal,
    series_access,
    series_or_raise,
    session_access,
)
from needlepoint.services.clinics import clinic_today
from needlepoint.services.consultation.facade import (
    ConsultationNotSignedError,
    Engine,
    Json,
    build_report,
    consult,
    require_cleared,
)
from needlepoint.services.permissions import Action
from needlepoint.services.ports import Clock, HasClearances, HasClinics, HasConsultations
from needlepoint.services.scheduling.facade import attend_session
from needlepoint.services.treatment.consents import require_series_consent
from needlepoint.services.treatment.ports import SessionStart

RESCREEN: Final = "rescreen"
"""The request's name for the day's answers: their fields are ``rescreen.history.…``."""

RESCREEN_ANSWERS = frozenset({"history", "zone_states"})
"""What the day-of re-screen may change: health-history answers and today's zone states."""


def start_session(
    *,
    series_id: UUID,
    rescreen_document: Mapping[str, Any],
    context: audit.RequestContext,
    uow: SessionStart,
    engine: Engine,
    clock: Clock,
) -> TreatmentSession:
    """Start the next session of a series after the day-of re-screen.

    Raises:
        ContraindicatedError: Today's re-screen finds an absolute patient-level
            contraindication, or excludes every planned zone; carries the findings.
        InvalidTransitionError: The series is cancelled or completed, or a session is open.
        MinimumIntervalError: Another session of the patient on a zone this one needles is
            closer than the minimum interval, in any series (``attend_session``, which
            also attends the series' appointment of the day and links it to the session).
        ConsentRequiredError: The series has no consent that holds (none, not witnessed:
            ``consent-unwitnessed``, or withdrawn: ``consent-withdrawn``), asked after the
            clinical checks, so a patient who cannot be treated today is told that first.
    """
    permissions.require(context, Action.SESSION_START)
    now = clock.now()
    with uow:
        series = series_or_raise(uow, context, series_id)
        with audited_refusal(uow, context, series_access("session.start", series), clock):
            # The day's answers are checked first: a bad answer is the same 422 whatever state
            # the series is in, as the web form's own check gives it.
            screening, rescreen = _rescreen(uow, context, series, rescreen_document, engine, clock)
            sessions = uow.sessions.for_series(context.actor.clinic_id, series.id)
            started = _startable(series, sessions)
            excluded = _excluded_today(series.plan, screening)
            _require_cleared(uow, series, rescreen, excluded, number=len(sessions) + 1)
            require_series_consent(uow, series)
            session = _new_session(series, len(sessions) + 1, rescreen, excluded, context, now)
            uow.sessions.add(session)
            attend_session(uow=uow, series=series, session=session)
            if started is not series:
                uow.series.save(started)
        audit.record(uow, context, session_access("session.start", session), at=now)
        uow.commit()
    return session


def _require_cleared(
    uow: HasClearances,
    series: TreatmentSeries,
    rescreen: Mapping[str, Any],
    excluded: tuple[Zone, ...],
    *,
    number: int,
) -> None:
    """Today's findings needing clearance must be waited out or cleared for today's zones."""
    zones = series.plan.zone_names - set(excluded)
    require_cleared(
        uow,
        (series.clinic_id, series.patient_id),
        rescreen["findings"],
        zones,
        on=date.fromisoformat(str(rescreen["screened_on"])),
        doing=f"start session {number}",
    )


def _startable(series: TreatmentSeries, sessions: Sequence[TreatmentSession]) -> TreatmentSeries:
    """The series as it will be once a session starts; refuses while a session is open."""
    started = series.started()
    open_sessions = [s.number for s in sessions if s.status is SessionStatus.STARTED]
    if open_sessions:
        raise InvalidTransitionError(
            f"session {open_sessions[0]} of series {series.id} is open; sign its chart first"
        )
    return started


class _Rescreening(HasClinics, HasConsultations, Protocol):
    """Read the clinic's today and the series' consultation, to screen the patient again."""


def _rescreen(
    uow: _Rescreening,
    context: audit.RequestContext,
    series: TreatmentSeries,
    answers: Mapping[str, Any],
    engine: Engine,
    clock: Clock,
) -> tuple[Screening, dict[str, Any]]:
    """Screen the latest signed consultation again, today, with the day's answers."""
    clinic = uow.clinics.get(context.actor.clinic_id)
    latest = _latest_signed(uow, context, series)
    if clinic is None:
        raise SeriesNotFoundError(f"no series {series.id}")
    today = clinic_today(clinic.time_zone, clock)
    document = _rescreen_document(latest.intake, answers, today)
    document["clinic"] = {"name": clinic.name, "time_zone": clinic.time_zone}
    try:
        outcome = consult(
            document=document,
            knowledge=engine.knowledge,
            clock=clock,
            appointment=None,
            default_session_time=engine.default_session_time,
        )
    except InvalidInputError as error:  # a day's answer: named as the request names it
        raise error.within(RESCREEN) from None
    screening = outcome.programme.screening
    _refuse_if_blocked(screening, series.plan)
    report = build_report(outcome, cite=engine.citations)
    return screening, _rescreen_record(_as_validated(answers, outcome.intake), latest, report)


def _latest_signed(
    uow: HasConsultations, context: audit.RequestContext, series: TreatmentSeries
) -> ConsultationRecord:
    history = uow.consultations.for_patient(context.actor.clinic_id, series.patient_id)
    signed = [c for c in history if c.status is ConsultationStatus.SIGNED]
    if not signed:
        raise ConsultationNotSignedError(f"patient {series.patient_id} has no signed consultation")
    return signed[0]


def _rescreen_document(
    intake: Mapping[str, Any], answers: Mapping[str, Any], today: date
) -> dict[str, Any]:
    """The consultation intake as of today, with the day's answers laid over it.

    History answers given today replace the consultation's answers one by one. ``zone_states``,
    when given, is the whole list of today's zone findings; when not given, the findings of the
    consultation stand (a permanent zone exclusion is never dropped by omission).
    """
    unknown = sorted(set(answers) - RESCREEN_ANSWERS)
    if unknown:
        raise InvalidInputError.single(
            f"rescreen.{unknown[0]}",
            "is not a day-of re-screen answer.",
            f"give only {' and '.join(sorted(RESCREEN_ANSWERS))}.",
        )
    history = answers.get("history", {})
    if not isinstance(history, Mapping):
        raise InvalidInputError.single(
            "rescreen.history", "is not a set of answers.", "give the answers that changed."
        )
    document = dict(intake)
    document["history"] = {**intake["history"], **history}
    if "zone_states" in answers:
        document["zone_states"] = answers["zone_states"]
    document["consulted_on"] = today.isoformat()
    return document


def _as_validated(answers: Mapping[str, Any], intake: Mapping[str, Any]) -> dict[str, Any]:
    """The day's answers as the intake validated them (plain JSON values, names checked)."""
    validated: dict[str, Any] = {}
    if "history" in answers:
        validated["history"] = {name: intake["history"][name] for name in answers["history"]}
    if "zone_states" in answers:
        validated["zone_states"] = intake["zone_states"]
    return validated


def _refuse_if_blocked(screening: Screening, plan: SeriesPlan) -> None:
    blocking = charting.blocking_findings(screening.findings)
    if blocking:
        raise ContraindicatedError(blocking)
    if not plan.zone_names & set(screening.treatable_zones):
        raise ContraindicatedError(_zone_findings(screening.findings, plan.zone_names))


def _zone_findings(findings: Sequence[Finding], zones: frozenset[Zone]) -> tuple[Finding, ...]:
    return tuple(f for f in findings if f.excludes_zones and zones & set(f.zones))


def _excluded_today(plan: SeriesPlan, screening: Screening) -> tuple[Zone, ...]:
    treatable = set(screening.treatable_zones)
    return tuple(sorted(z for z in plan.zone_names if z not in treatable))


def _rescreen_record(
    answers: Mapping[str, Any], consultation: ConsultationRecord, report: Json
) -> dict[str, Any]:
    kept = ("decision", "screened_on", "findings", "zone_exclusions", "treatable_zones")
    return {
        "answers": dict(answers),
        "consultation_id": str(consultation.id),
        **{key: report[key] for key in kept},
        "knowledge_versions": report["knowledge_versions"],
    }


def _new_session(
    series: TreatmentSeries,
    number: int,
    rescreen: dict[str, Any],
    excluded: tuple[Zone, ...],
    context: audit.RequestContext,
    now: datetime,
) -> TreatmentSession:
    return TreatmentSession(
        id=uuid4(),
        series_id=series.id,
        clinic_id=series.clinic_id,
        patient_id=series.patient_id,
        number=number,
        status=SessionStatus.STARTED,
        started_at=now,
        started_by=context.actor.id,
        rescreen=rescreen,
        excluded_zones=excluded,
    )
