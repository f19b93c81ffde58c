"""Patients: the list with live search, registration, and the programme at a glance."""

from __future__ import annotations

from typing import Final
from uuid import UUID

from starlette.responses import RedirectResponse, Response

from needlepoint.domain.errors import InvalidInputError
from needlepoint.entrypoints.api.schemas.records import PatientIn
from needlepoint.entrypoints.web import forms, templates
from needlepoint.entrypoints.web.pages import check_in_history
from needlepoint.entrypoints.web.visits import StaffVisit, Visit
from needlepoint.services.access import PatientNotFoundError
from needlepoint.services.permissions import Action

LISTED: Final = 50
"""Patients shown per search; a longer list asks for a narrower search."""

RESULTS_TARGET: Final = "patient-results"


def search(visit: StaffVisit) -> Response:
    """The clinic's patients by name, email or birth date; htmx's live search gets the results.

    Fifty at a time: the next page starts after the last patient shown (``after``).
    """
    text = forms.search_text(visit.query("q"))
    values = {"q": text, **_found(visit, text, after=_optional_id(visit.query("after")))}
    if visit.from_htmx and visit.request.headers.get("HX-Target") == RESULTS_TARGET:
        return templates.render(visit, "patients/_results.html", values, headers=_VARY)
    page = {**values, "current": "patients"}
    return templates.render(visit, "patients/list.html", page, headers=_VARY)


def _found(visit: Visit, text: str, *, after: UUID | None) -> dict[str, object]:
    """The page of patients found, whether more follow, or the problem with the search."""
    try:
        found = visit.services.records.search_patients(
            text or None, page=(0, LISTED + 1), context=visit.context, after=after
        )
    except InvalidInputError as error:
        return {"patients": (), "more": False, "next_after": None, "problem": error.problems[0]}
    more = len(found) > LISTED
    next_after = found[LISTED - 1].id if more else None
    return {"patients": found[:LISTED], "more": more, "next_after": next_after, "problem": None}


def _optional_id(raw: str) -> UUID | None:
    try:
        return UUID(raw) if raw else None
    except ValueError:
        return None


def new_form(visit: StaffVisit) -> Response:
    """The registration form, empty."""
    return _registration(visit, values={}, problems=())


def register(visit: StaffVisit) -> Response:
    """Register a patient from the form; on a problem, the form again naming each field."""
    try:
        given = forms.body(visit.form, PatientIn.model_fields)
        new = forms.parsed(PatientIn, given).to_domain()
        patient = visit.services.records.register_patient(new, context=visit.context)
    except InvalidInputError as error:
        return _registration(visit, values=visit.form, problems=error.problems, status=422)
    return RedirectResponse(f"/patients/{patient.id}", status_code=303)


def show(visit: StaffVisit) -> Response:
    """One patient's programme: the whole of it for clinical staff, the schedule for others."""
    return _programme(visit, _patient_id(visit.request.path_params["patient_id"]))


def _programme(visit: Visit, patient_id: UUID, *, status: int = 200) -> Response:
    services, context = visit.services, visit.context
    if visit.may(Action.CONSULTATION_READ):
        programme = services.records.patient_programme(patient_id, context=context)
    else:
        programme = services.records.patient_schedule(patient_id, context=context)
    page = {
        "programme": programme,
        "current": "patients",
        "may_edit": visit.may(Action.PATIENT_EDIT),
        "may_export_fhir": visit.may(Action.FHIR_READ),
        "changes": services.records.patient_changes(patient_id, context=context),
        "check_ins": check_in_history.history_of(visit, patient_id),
    }
    return templates.render(visit, "patients/show.html", page, status=status)


def _registration(
    visit: Visit, *, values: object, problems: tuple[object, ...], status: int = 200
) -> Response:
    page = {"values": values, "problems": forms.by_field(problems), "current": "patients"}
    return templates.render(visit, "patients/new.html", page, status=status)


def _patient_id(raw: str) -> UUID:
    try:
        return UUID(raw)
    except ValueError:
        raise PatientNotFoundError(f"no patient {raw!r}") from None


_VARY: Final = {"Vary": "HX-Request, HX-Target"}
