"""Editing a patient's details: the form read by the API's ``PatientEditIn``, the same service.

A save based on a version someone else has since saved is not applied: the form comes back
with the editor's values, the details saved meanwhile beside them, and the new version to
base the next save on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from starlette.responses import RedirectResponse, Response

from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.patient_changes import EDITABLE, as_text
from needlepoint.domain.records import PatientRecord
from needlepoint.domain.treatment import VersionConflictError
from needlepoint.entrypoints.api.schemas.records import PatientEditIn
from needlepoint.entrypoints.web import forms, templates
from needlepoint.entrypoints.web.visits import StaffVisit, Visit
from needlepoint.services.access import PatientNotFoundError

LABELS: Final = {
    "given_name": "Given name",
    "family_name": "Family name",
    "born_on": "Date of birth",
    "sex": "Sex",
    "email": "Email",
    "phone": "Phone",
}


def edit_form(visit: StaffVisit) -> Response:
    """The patient's details in the form, as saved now."""
    patient = _patient(visit)
    return _form(visit, _Page(patient, details_of(patient), str(patient.version)))


def edit(visit: StaffVisit) -> Response:
    """Save the edited details; a problem or a concurrent save shows the form again."""
    patient_id = visit.path_id("patient_id", PatientNotFoundError)
    records = visit.services.records
    try:
        given = forms.body(visit.form, PatientEditIn.model_fields)
        edit = forms.parsed(PatientEditIn, given).to_edit(patient_id)
        records.edit_patient(edit, context=visit.context)
    except InvalidInputError as error:
        current = records.get_patient(patient_id, context=visit.context)
        expected = visit.form.get("expected_version", "")
        page = _Page(current, visit.form, expected, problems=error.problems)
        return _form(visit, page, status=422)
    except VersionConflictError:
        current = records.get_patient(patient_id, context=visit.context)
        page = _Page(current, visit.form, str(current.version), conflict=True)
        return _form(visit, page, status=409)
    return RedirectResponse(f"/patients/{patient_id}#changes-title", status_code=303)


def details_of(patient: PatientRecord) -> dict[str, str]:
    """A patient's details as the form's inputs hold them."""
    return {field: as_text(getattr(patient, field)) or "" for field in EDITABLE}


@dataclass(frozen=True, slots=True)
class _Page:
    """What the form shows: the patient as saved, the inputs, the version to base a save on."""

    patient: PatientRecord
    values: Mapping[str, str]
    expected_version: str
    problems: tuple[object, ...] = ()
    conflict: bool = False


def _form(visit: Visit, form: _Page, *, status: int = 200) -> Response:
    page = {
        "patient": form.patient,
        "values": form.values,
        "expected_version": form.expected_version,
        "problems": forms.by_field(form.problems),
        "labels": LABELS,
        "conflict": form.conflict,
        "saved": details_of(form.patient),
        "current": "patients",
    }
    return templates.render(visit, "patients/edit.html", page, status=status)


def _patient(visit: Visit) -> PatientRecord:
    patient_id = visit.path_id("patient_id", PatientNotFoundError)
    return visit.services.records.get_patient(patient_id, context=visit.context)
