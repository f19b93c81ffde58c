"""What a signed-in patient sees: home, a series, an appointment, progress; "I've read this".

Every read goes through the portal's services with the patient's context, so it is scoped to
their own records and audited; an id that is not theirs reads as one that does not exist.
"""

from __future__ import annotations

from uuid import UUID

from starlette.responses import RedirectResponse, Response

from needlepoint.domain.outcomes import OutcomeScale
from needlepoint.entrypoints.web.pages.outcomes import plot
from needlepoint.entrypoints.web.pages.printouts import pdf_response
from needlepoint.entrypoints.web.portal.visits import HOME, PatientVisit, PortalVisit, render
from needlepoint.entrypoints.web.portal.words import HELPERS
from needlepoint.services.portal.sign_in import PortalRecordNotFoundError

SCALE_WORDS = {
    OutcomeScale.GB_QUANTITATIVE: "scar score (Goodman and Baron)",
    OutcomeScale.ECCA: "scar score (ECCA)",
}


def home(visit: PatientVisit) -> Response:
    """Today's care and check-ins, upcoming appointments, the plan, recent check-ins."""
    page = visit.portal.home(visit.context)
    values = {
        "home": page,
        "emergency": visit.portal.emergency_signs(),
        "call_clinic": visit.portal.call_clinic_signs(),
        **HELPERS,
    }
    return render(visit, "portal/home.html", values)


def series(visit: PatientVisit) -> Response:
    """One series: the plan in plain words and a summary of each session held."""
    page = visit.portal.series(record_id(visit, "series_id"), visit.context)
    return render(visit, "portal/series.html", {"page": page, **HELPERS})


def appointment(visit: PatientVisit) -> Response:
    """One appointment: when, and the care before and after it."""
    page = visit.portal.appointment(record_id(visit, "appointment_id"), visit.context)
    return render(visit, "portal/appointment.html", {"page": page, **HELPERS})


def progress(visit: PatientVisit) -> Response:
    """The patient's scar scores over time, as a chart and a table."""
    chart = visit.portal.progress(visit.context)
    scale = "" if chart.scale is None else SCALE_WORDS.get(chart.scale, "scar score")
    values = {"chart": chart, "plot": plot(chart) if chart.points else None, "scale_words": scale}
    return render(visit, "portal/progress.html", values)


def acknowledge(visit: PatientVisit) -> Response:
    """Mark one of today's care instructions as read; htmx swaps in the new state."""
    read = visit.portal.acknowledge(visit.path_param("item_id"), visit.context)
    if visit.from_htmx:
        return render(visit, "portal/_care_item.html", {"entry": read})
    return RedirectResponse(f"{HOME}#care-title", status_code=303)


def record_id(visit: PortalVisit, name: str) -> UUID:
    """A record id from the path; anything but a UUID reads as a record that does not exist."""
    raw = visit.path_param(name)
    try:
        return UUID(raw)
    except ValueError:
        raise PortalRecordNotFoundError(f"no record {raw!r}") from None


def appointment_handout_pdf(visit: PatientVisit) -> Response:
    """The handout of one of the patient's appointments as PDF."""
    appointment_id = record_id(visit, "appointment_id")
    data = visit.portal.appointment_handout_pdf(
        appointment_id, visit.signed_in, request_id=visit.context.request_id
    )
    return pdf_response(data, "handout.pdf")


def outcome_report_pdf(visit: PatientVisit) -> Response:
    """The patient's scar scores over time as PDF."""
    data = visit.portal.outcome_report_pdf(visit.signed_in, request_id=visit.context.request_id)
    return pdf_response(data, "outcome-report.pdf")
