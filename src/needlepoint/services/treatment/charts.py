"""Use cases: chart a session, sign the chart, read its history, recall a cartridge lot.

Charting runs every stop of ``domain.charting`` before anything is written (ADR 0020): an
expired cartridge is refused; a zone excluded by the day's re-screen cannot be charted; no
delivered depth may pass the device's cap, the zone's maximum or the actor's licence, whatever
the reason given (hard); a depth deeper than the plan, or a product the topicals table names
as unsafe on needled skin, needs an ``Override`` with a reason (soft), kept in the chart with
the rule it passes and who recorded it. The licence depth comes from the actor: a member of
staff without one cannot chart a depth. Problems name their fields from the request
(``chart.zones[cheeks].delivered_depth_mm``).

A chart is a list of versions. Each write names the version it was based on
(``expected_version``, 0 for the first chart) and creates the next one; if someone else wrote
that version first the write is refused with ``VersionConflictError`` and the other write
stays exactly as it was. A signed version never changes; amending it creates a new version
that needs signing again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Final
from uuid import UUID, uuid4

from needlepoint.domain import charting, recalls, treatment
from needlepoint.domain.charting import SessionChart
from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.programme import ClinicalKnowledge
from needlepoint.domain.treatment import (
    ChartVersion,
    InvalidTransitionError,
    LicenceRequiredError,
    SeriesStatus,
    SessionStatus,
    TreatmentSeries,
    TreatmentSession,
    VersionConflictError,
)
from needlepoint.domain.vocabulary import Zone
from needlepoint.services import audit, permissions
from needlepoint.services.access import (
    SessionNotFoundError,
    audited_refusal,
    series_or_raise,
    session_access,
)
from needlepoint.services.clinics import clinic_today, clinic_zone
from needlepoint.services.permissions import Action
from needlepoint.services.ports import Clock, HasClinics
from needlepoint.services.treatment.ports import (
    ChartHistoryReads,
    Charting,
    ChartSigning,
    LotRecall,
    SeriesSessions,
)

CHART: Final = "chart"
"""The request's name for the chart: its fields are named ``chart.zones[cheeks]…``."""


@dataclass(frozen=True, slots=True)
class ChartEntry:
    """A chart (or an amendment) for a session, based on the version the writer saw.

    ``expected_version`` is the newest version the writer read: 0 for the first chart.
    """

    session_id: UUID
    chart: SessionChart
    expected_version: int
    notes: str = ""


def chart_session(
    *,
    entry: ChartEntry,
    context: audit.RequestContext,
    uow: Charting,
    clock: Clock,
    knowledge: ClinicalKnowledge,
) -> ChartVersion:
    """Chart a started session (or amend its chart) as version ``expected_version + 1``.

    Raises:
        LicenceRequiredError: The actor has no licensed depth and the chart has zones.
        ExpiredCartridgeError: The cartridge is past its expiry date.
        InvalidInputError: A hard stop: a zone not planned, excluded today or charted twice, a
            depth past a cap or the licence, impossible numbing times.
        OverrideRequiredError: A soft limit (deeper than the plan, an unsafe product) has no
            reason.
        VersionConflictError: The chart is no longer at ``expected_version``.
    """
    permissions.require(context, Action.CHART_WRITE)
    if context.actor.licence_max_depth_mm is None and entry.chart.zones:
        raise LicenceRequiredError(context.actor.id)
    now = clock.now()
    with uow:
        session, series = _session_and_series(uow, context, entry.session_id)
        checked = _checked(uow, context, entry, (session, series), _Day(clock, knowledge))
        with audited_refusal(uow, context, session_access("chart.write", session), clock):
            latest = uow.charts.latest(context.actor.clinic_id, session.id)
            number = treatment.next_chart_version(
                latest, session_id=session.id, expected_version=entry.expected_version
            )
            version = _version(session, number, checked, context, now)
            uow.charts.add(version)
        if session.status is SessionStatus.SIGNED:
            uow.sessions.save_status(session.reopened())
        audit.record(uow, context, session_access("chart.write", session), at=now)
        uow.commit()
    return version


@dataclass(frozen=True, slots=True)
class _Day:
    clock: Clock
    knowledge: ClinicalKnowledge


def _checked(
    uow: HasClinics,
    context: audit.RequestContext,
    entry: ChartEntry,
    found: tuple[TreatmentSession, TreatmentSeries],
    day: _Day,
) -> ChartEntry:
    """The entry once every stop passed, its overrides stamped with rule ids and the actor."""
    session, series = found
    if session.status is SessionStatus.SCHEDULED:
        raise InvalidTransitionError(f"session {session.id} has not started; start it first")
    problems = treatment.chart_problems(entry.chart, series.plan)
    if problems:
        raise InvalidInputError(problems).within(CHART)
    clinic = uow.clinics.get(context.actor.clinic_id)
    if clinic is None:
        raise SessionNotFoundError(f"no session {session.id}")
    rules = _rules(
        entry.chart, session.treatable_zones(series.plan), clinic.time_zone, context, day
    )
    try:
        kept = charting.check_chart(entry.chart, rules, by=context.actor.id)
    except InvalidInputError as error:
        raise error.within(CHART) from None
    return replace(entry, chart=replace(entry.chart, overrides=kept))


def _rules(
    chart: SessionChart,
    treatable: frozenset[Zone],
    time_zone: str,
    context: audit.RequestContext,
    day: _Day,
) -> charting.ChartRules:
    planning, table = day.knowledge.planning, day.knowledge.limits
    licence = context.actor.licence_max_depth_mm or Decimal(0)
    caps = charting.DepthCaps(
        device=chart.device,
        device_cap_mm=planning.devices[chart.device].cap_mm,
        zone_max_mm={zone: row.max_depth_mm for zone, row in planning.zones.items()},
        licence_mm=licence,
    )
    numbing = charting.NumbingBounds(
        now=day.clock.now(),
        ahead=timedelta(minutes=table.ahead_minutes),
        longest=timedelta(minutes=table.numbing_max_minutes),
    )
    return charting.ChartRules(
        on=clinic_today(time_zone, day.clock),
        caps=caps,
        treatable=treatable,
        numbing=numbing,
        topicals=day.knowledge.topicals,
    )


def _version(
    session: TreatmentSession,
    number: int,
    entry: ChartEntry,
    context: audit.RequestContext,
    now: datetime,
) -> ChartVersion:
    return ChartVersion(
        id=uuid4(),
        session_id=session.id,
        clinic_id=session.clinic_id,
        patient_id=session.patient_id,
        version=number,
        chart=entry.chart,
        rescreen=dict(session.rescreen or {}),
        notes=entry.notes.strip(),
        created_at=now,
        created_by=context.actor.id,
    )


def sign_chart(
    *,
    session_id: UUID,
    version: int,
    context: audit.RequestContext,
    uow: ChartSigning,
    clock: Clock,
) -> ChartVersion:
    """Sign the newest version of a session's chart; it never changes after this.

    Signing the last planned session completes the series.

    Raises:
        VersionConflictError: ``version`` is not the newest version (someone amended it).
        AlreadySignedError: That version is already signed.
    """
    permissions.require(context, Action.CHART_SIGN)
    now = clock.now()
    with uow:
        session, series = _session_and_series(uow, context, session_id)
        with audited_refusal(uow, context, session_access("chart.sign", session), clock):
            latest = uow.charts.latest(context.actor.clinic_id, session.id)
            if latest is None or latest.version != version:
                current = None if latest is None else latest.version
                raise VersionConflictError("chart of session", session.id, version, current)
        signed = latest.sign(by=context.actor.id, at=now)
        uow.charts.save_signature(signed)
        uow.sessions.save_status(session.signed())
        if session.number >= series.plan.sessions and series.status is SeriesStatus.IN_PROGRESS:
            uow.series.save(series.completed())
        audit.record(uow, context, session_access("chart.sign", session), at=now)
        uow.commit()
    return signed


def get_chart_history(
    *, session_id: UUID, context: audit.RequestContext, uow: ChartHistoryReads, clock: Clock
) -> tuple[ChartVersion, ...]:
    """Every version of a session's chart, oldest first; the read is audited, so is a miss."""
    permissions.require(context, Action.CHART_READ)
    with uow:
        session = uow.sessions.get(context.actor.clinic_id, session_id)
        if session is None:
            missing = audit.Access(
                "chart.read", "treatment_session", str(session_id), None, "not_found"
            )
            audit.record(uow, context, missing, at=clock.now())
            uow.commit()
            raise SessionNotFoundError(f"no session {session_id}")
        history = tuple(uow.charts.history(context.actor.clinic_id, session.id))
        audit.record(uow, context, session_access("chart.read", session), at=clock.now())
        uow.commit()
    return history


def recall_lot(
    *, lot: str, context: audit.RequestContext, uow: LotRecall, clock: Clock
) -> recalls.LotRecall:
    """Every session of the actor's clinic charted with a cartridge lot, and its patients.

    Each session once, with its day in the clinic's zone, its zones and the clinician who
    charted it (``domain.recalls``): a session counts if any version of its chart names the
    lot, since an amendment may itself be the mistake.
    """
    permissions.require(context, Action.LOT_RECALL)
    wanted = lot.strip()
    if not wanted:
        raise InvalidInputError.single("lot", "is blank.", "give the lot number on the packet.")
    with uow:
        zone = clinic_zone(uow, context.actor.clinic_id)
        uses = uow.charts.lot_uses(context.actor.clinic_id, wanted)
        access = audit.Access("lot.recall", "cartridge_lot", wanted, None)
        audit.record(uow, context, access, at=clock.now())
        uow.commit()
    return recalls.recall_of(wanted, uses, zone)


def _session_and_series(
    uow: SeriesSessions, context: audit.RequestContext, session_id: UUID
) -> tuple[TreatmentSession, TreatmentSeries]:
    session = uow.sessions.get(context.actor.clinic_id, session_id)
    if session is None:
        raise SessionNotFoundError(f"no session {session_id}")
    return session, series_or_raise(uow, context, session.series_id)
