"""The daily check-in: the form, sending it (with an optional photo), the result, the photo.

A problem with an answer or the photo shows the form again with the problem beside its
field, with the status of the problem (422; 413 for a photo too large; 415 for a file that
is not a JPEG or PNG).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import RedirectResponse, Response

from needlepoint.domain.checkins import MAX_PAIN, Degree
from needlepoint.domain.errors import InvalidInputError
from needlepoint.entrypoints.statuses import status_of
from needlepoint.entrypoints.web.forms import by_field
from needlepoint.entrypoints.web.headers import PHOTO_HEADERS
from needlepoint.entrypoints.web.portal import forms
from needlepoint.entrypoints.web.portal.pages import record_id
from needlepoint.entrypoints.web.portal.visits import PORTAL_PATH, PatientVisit, PortalVisit, render
from needlepoint.entrypoints.web.portal.words import HELPERS
from needlepoint.services.portal.check_ins import NewCheckIn

PHOTO_TYPE = "image/jpeg"


def form(visit: PatientVisit) -> Response:
    """The check-in form for one treatment whose check-in window is open today."""
    return _form(visit, values={}, problems=None)


def submit(visit: PatientVisit) -> Response:
    """Triage and keep the check-in, then show its result."""
    treatment_id = record_id(visit, "treatment_id")
    try:
        answers = forms.answers(visit.form.fields)
        new = NewCheckIn(treatment_id, answers, visit.form.files.get("photo"))
        check_in = visit.portal.submit_check_in(new, visit.context)
    except InvalidInputError as error:
        return _form(visit, values=visit.form.fields, problems=error)
    return RedirectResponse(f"{PORTAL_PATH}/check-ins/{check_in.id}", status_code=303)


def show(visit: PatientVisit) -> Response:
    """One of the patient's check-ins: its level, what it means, the reasons, whom to call."""
    check_in = visit.portal.check_in(record_id(visit, "check_in_id"), visit.context)
    values = {
        "check_in": check_in,
        "emergency": visit.portal.emergency_signs(),
        "call_clinic": visit.portal.call_clinic_signs(),
        **HELPERS,
    }
    return render(visit, "portal/check_in_result.html", values)


def photo(visit: PatientVisit) -> Response:
    """One of the patient's check-in photos, as the server re-encoded it."""
    kept = visit.portal.photo(record_id(visit, "photo_id"), visit.context)
    return Response(kept.data, media_type=PHOTO_TYPE, headers=PHOTO_HEADERS)


def _form(
    visit: PortalVisit, *, values: Mapping[str, str], problems: InvalidInputError | None
) -> Response:
    due = visit.portal.check_in_form(record_id(visit, "treatment_id"), visit.context)
    page: dict[str, Any] = {
        "due": due,
        "values": values,
        "problems": by_field(problems.problems) if problems else {},
        "labels": forms.QUESTIONS,
        "degrees": [d.value for d in Degree],
        "pain_scale": range(MAX_PAIN + 1),
        "emergency": visit.portal.emergency_signs(),
        **HELPERS,
    }
    status = 200 if problems is None else status_of(problems)
    return render(visit, "portal/check_in.html", page, status=status)
