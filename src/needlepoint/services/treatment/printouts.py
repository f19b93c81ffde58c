"""Use cases: the clinic's PDF documents: a session's handout and summary, an outcome report.

Each reads through the same use case (or the same reads) as its page, so it is permission-
checked against the same action and audited the same way: the handout as ``care_document.read``
(``session_handout``), the summary as ``chart.read`` of the session, the report as
``outcome.list`` (``outcome_chart``). Another clinic's record answers exactly like a missing
one. The PDF is laid out by the ``DocumentRenderer`` from ``services.printouts``' values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID
from zoneinfo import ZoneInfo

from needlepoint.domain.records import Clinic
from needlepoint.services import audit, permissions
from needlepoint.services.access import SessionNotFoundError, series_or_raise, session_access
from needlepoint.services.clinics import clinic_zone
from needlepoint.services.consultation.facade import Engine
from needlepoint.services.permissions import Action
from needlepoint.services.ports import (
    Clock,
    DocumentRenderer,
    HasAudit,
    HasCharts,
    HasClinics,
    HasPatients,
    HasSeries,
    HasSessions,
    HasStaff,
    Transaction,
)
from needlepoint.services.printouts import (
    HANDOUT,
    OUTCOME_REPORT,
    SESSION_SUMMARY,
    ClinicHeader,
    HandoutFacts,
    SummaryFacts,
    handout_values,
    outcome_values,
    summary_values,
)
from needlepoint.services.treatment import pages
from needlepoint.services.treatment.ports import HandoutReads, OutcomeChartReads


@dataclass(frozen=True, slots=True)
class Press:
    """What laying a document out takes: the renderer, the clock and the engine's knowledge."""

    renderer: DocumentRenderer
    clock: Clock
    engine: Engine


class SummaryReads(
    Transaction, HasAudit, HasClinics, HasPatients, HasStaff, HasSeries, HasSessions, HasCharts,
    Protocol,
):  # fmt: skip
    """Read a session summary: the session, its series, newest chart, patient, clinic, names."""


class ClinicReads(Transaction, HasClinics, Protocol):
    """Read the clinic a document is headed with."""


def header(clinic: Clinic | None) -> ClinicHeader:
    """The clinic as a document names it (a clinic never read shows no contact)."""
    return ClinicHeader("" if clinic is None else clinic.name, clinic.contact if clinic else None)


def handout_pdf(
    *,
    series_id: UUID,
    number: int,
    context: audit.RequestContext,
    uow: HandoutReads,
    press: Press,
) -> bytes:
    """The handout of session ``number`` as PDF: the page's read model, laid out for print."""
    permissions.require(context, Action.CARE_DOCUMENT_READ)  # checked before any work
    clock = press.clock
    handout = pages.session_handout(
        series_id=series_id,
        number=number,
        context=context,
        uow=uow,
        engine=press.engine,
        clock=clock,
    )
    at = handout.at
    dated = {
        pages.HandoutDate.APPOINTMENT: "These instructions are for your appointment at "
        f"{at:%H:%M}.",
        pages.HandoutDate.STARTED: f"These instructions are for your treatment, which started at "
        f"{at:%H:%M}.",
        pages.HandoutDate.PROVISIONAL: "Provisional date. This treatment is not booked yet, so the "
        "dates below are worked out from the day it is due. Ask the clinic for a new handout "
        "once it is booked.",
    }[handout.dated_by]
    patient = handout.patient
    facts = HandoutFacts(
        clinic=header(handout.clinic),
        patient_name=f"{patient.given_name} {patient.family_name}",
        treatment=f"treatment {handout.number} of {handout.series.plan.sessions}",
        at=at,
        dated_line=dated,
        provisional=handout.dated_by is pages.HandoutDate.PROVISIONAL,
        pre=handout.pre,
        post=handout.post,
        red_flags=handout.red_flags,
    )
    return press.renderer.render_pdf(HANDOUT, handout_values(facts), created_at=clock.now())


def session_summary_pdf(
    *,
    session_id: UUID,
    context: audit.RequestContext,
    uow: SummaryReads,
    press: Press,
) -> bytes:
    """A session's summary as PDF, from the newest version of its chart (audited as the chart).

    Raises:
        SessionNotFoundError: No such session in the actor's clinic.
    """
    permissions.require(context, Action.CHART_READ)
    clinic_id, clock = context.actor.clinic_id, press.clock
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
        patient = uow.patients.get(clinic_id, session.patient_id)
        chart = uow.charts.latest(clinic_id, session.id)
        staff_ids = (
            set() if chart is None else {chart.created_by, chart.signed_by or chart.created_by}
        )
        names = {m.id: m.display_name for i in staff_ids if (m := uow.staff.get(clinic_id, i))}
        clinic = uow.clinics.get(clinic_id)
        zone = clinic_zone(uow, clinic_id)
        audit.record(uow, context, session_access("chart.read", session), at=clock.now())
        uow.commit()
    if patient is None:
        raise SessionNotFoundError(f"no session {session_id}")
    facts = SummaryFacts(
        clinic=header(clinic),
        patient=patient,
        number=session.number,
        of=series.plan.sessions,
        started_at=_local(session.started_at, zone),
        chart=None if chart is None else chart.chart,
        version=0 if chart is None else chart.version,
        charted_by="" if chart is None else names.get(chart.created_by, "a former member of staff"),
        signed_by=""
        if chart is None or chart.signed_by is None
        else names.get(chart.signed_by, ""),
        signed_at=None if chart is None else _local(chart.signed_at, zone),
    )
    return press.renderer.render_pdf(SESSION_SUMMARY, summary_values(facts), created_at=clock.now())


def _local(at: datetime | None, zone: ZoneInfo) -> datetime | None:
    return None if at is None else at.astimezone(zone)


def outcome_report_pdf(
    *,
    patient_id: UUID,
    context: audit.RequestContext,
    uow: OutcomeChartReads,
    clinic_uow: ClinicReads,
    press: Press,
) -> bytes:
    """A patient's outcome report as PDF: the outcome chart's scores, band and SVG chart."""
    permissions.require(context, Action.OUTCOME_READ)  # checked before any work
    clock, knowledge = press.clock, press.engine.knowledge
    chart = pages.outcome_chart(
        patient_id=patient_id, context=context, uow=uow, knowledge=knowledge, clock=clock
    )
    with clinic_uow:
        clinic = clinic_uow.clinics.get(context.actor.clinic_id)
    zone = ZoneInfo("UTC" if clinic is None else clinic.time_zone)
    printed_on = clock.now().astimezone(zone).date()
    values = outcome_values(header(clinic), chart, with_band=True, printed_on=printed_on)
    return press.renderer.render_pdf(OUTCOME_REPORT, values, created_at=clock.now())
