"""The clinic's details, for admins: the phone number, address and phone hours patients see.

The form is read by the API's ``ClinicContactIn`` and saved by the same use case as
``PUT /api/v1/clinic/contact`` (audited), so a problem names the same field with the same code
as the API's answer; it is shown beside its input in the page's words.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from starlette.responses import RedirectResponse, Response

from needlepoint.domain.errors import FieldProblem, InvalidInputError
from needlepoint.domain.records import Clinic
from needlepoint.entrypoints.api.schemas.accounts import ClinicContactIn
from needlepoint.entrypoints.web import forms, templates
from needlepoint.entrypoints.web.visits import StaffVisit

FIELDS: Final = ("phone", "address", "phone_hours")


def show(visit: StaffVisit) -> Response:
    """The clinic's details as they stand, in the form."""
    clinic = visit.services.accounts.clinic(context=visit.context)
    return _page(visit, clinic, values=_stored(clinic), problems={})


def save(visit: StaffVisit) -> Response:
    """Replace the contact details; on a problem, the form again naming each field."""
    clinic_id = visit.context.actor.clinic_id
    try:
        given = forms.body(visit.form, FIELDS, blank=("phone",))  # as the API gets "" for it
        contact = forms.parsed(ClinicContactIn, given).to_domain()
        visit.services.accounts.set_clinic_contact(clinic_id, contact, context=visit.context)
    except InvalidInputError as error:
        clinic = visit.services.accounts.clinic(context=visit.context)
        found = forms.by_field(error.problems)
        return _page(visit, clinic, values=visit.form, problems=found, status=422)
    return RedirectResponse("/settings/clinic?saved=contact", status_code=303)


def _stored(clinic: Clinic) -> dict[str, str]:
    contact = clinic.contact
    if contact is None:
        return {}
    return {"phone": contact.phone, "address": contact.address, "phone_hours": contact.phone_hours}


def _page(
    visit: StaffVisit,
    clinic: Clinic,
    *,
    values: Mapping[str, str],
    problems: Mapping[str, FieldProblem],
    status: int = 200,
) -> Response:
    page = {
        "clinic": clinic,
        "values": values,
        "problems": problems,
        "saved": visit.query("saved"),
        "current": "clinic",
        "two_step_required": visit.services.accounts.clinic_requires_two_step(
            context=visit.context
        ),
    }
    return templates.render(visit, "settings/clinic.html", page, status=status)
