"""Use cases: a patient's own PDF documents in the portal: a handout and the outcome report.

Each is the PDF of the portal page it is downloaded from, read through the same use case and
audited the same way (``portal.appointment.read``, ``portal.progress.read``); anyone else's
record reads exactly like one that does not exist. The handout is the clinic's handout (one
template, ``services.printouts``): the clinic's name, address and phone, the dated care before
and after the appointment, and the red flags. The report shows the patient's scores without
the expected range, as the portal's progress page does. The session summary is not offered
here: it is the clinic's clinical record (depths, cartridge lots), which the portal never shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID
from zoneinfo import ZoneInfo

from needlepoint.domain.programme import ClinicalKnowledge
from needlepoint.services.portal.pages import portal_appointment, score_trend
from needlepoint.services.portal.ports import PortalAppointmentReads, ScoreTrendReads
from needlepoint.services.portal.sign_in import PortalPatient
from needlepoint.services.ports import Clock, DocumentRenderer
from needlepoint.services.printouts import (
    HANDOUT,
    OUTCOME_REPORT,
    ClinicHeader,
    HandoutFacts,
    handout_values,
    outcome_values,
)


@dataclass(frozen=True, slots=True)
class PortalPress:
    """What laying a patient's document out takes: the renderer, the clock, the knowledge."""

    renderer: DocumentRenderer
    clock: Clock
    knowledge: ClinicalKnowledge


def appointment_handout_pdf(
    *,
    appointment_id: UUID,
    patient: PortalPatient,
    request_id: str,
    uow: PortalAppointmentReads,
    press: PortalPress,
) -> bytes:
    """The handout of one of the patient's appointments as PDF."""
    page = portal_appointment(
        appointment_id=appointment_id,
        context=patient.context(request_id),
        uow=uow,
        clock=press.clock,
        knowledge=press.knowledge,
    )
    appointment = page.appointment
    at = appointment.starts_at.astimezone(ZoneInfo(patient.time_zone))
    number = appointment.session_number
    facts = HandoutFacts(
        clinic=ClinicHeader(patient.clinic_name, patient.clinic_contact),
        patient_name=f"{patient.given_name} {patient.family_name}",
        treatment="your appointment" if number is None else f"treatment {number}",
        at=at,
        dated_line=f"These instructions are for your appointment at {at:%H:%M}.",
        provisional=False,
        pre=page.before,
        post=page.after,
        red_flags=press.knowledge.care.red_flags,
    )
    return press.renderer.render_pdf(HANDOUT, handout_values(facts), created_at=press.clock.now())


def outcome_report_pdf(
    *, patient: PortalPatient, request_id: str, uow: ScoreTrendReads, press: PortalPress
) -> bytes:
    """The patient's scar scores over time, with their chart, as PDF."""
    chart = score_trend(context=patient.context(request_id), uow=uow, clock=press.clock)
    now = press.clock.now()
    printed_on = now.astimezone(ZoneInfo(patient.time_zone)).date()
    clinic = ClinicHeader(patient.clinic_name, patient.clinic_contact)
    values = outcome_values(clinic, chart, with_band=False, printed_on=printed_on)
    return press.renderer.render_pdf(OUTCOME_REPORT, values, created_at=now)
