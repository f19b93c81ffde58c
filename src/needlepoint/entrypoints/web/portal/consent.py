"""The patient's consent to one of their series, in the portal (ADR 0029).

The patient reads the published form that applies to the series and signs it: their typed
name always, a drawing on the signature pad if they can (``signature.js``; without it the
typed name signs), and agreement ticked. The form is read by the API's ``ConsentIn``. The
consent then awaits the clinic's witness, after which the patient can download the signed form
as a PDF; they may withdraw their consent here at any time, with a reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final
from uuid import UUID

from starlette.responses import RedirectResponse, Response

from needlepoint.domain.consent_templates import TemplateChangedError, blocks
from needlepoint.domain.errors import FieldProblem, InvalidInputError
from needlepoint.entrypoints.api.permissions import PATIENT
from needlepoint.entrypoints.web import consent_form
from needlepoint.entrypoints.web.portal.pages import record_id
from needlepoint.entrypoints.web.portal.visits import PORTAL_PATH, PatientVisit, render
from needlepoint.entrypoints.web.routing import Page
from needlepoint.services.portal.consents import ConsentForm, PatientWithdrawal
from needlepoint.services.portal.sign_in import PortalRecordNotFoundError

WORDS: Final[Mapping[str, tuple[str, str]]] = {
    "agreed": ("is not ticked.", "tick the box to agree, or do not sign yet."),
    "typed_name": ("is missing.", "type your full name: it signs the form."),
    "reason": ("is missing.", "tell us briefly why, so the clinic knows."),
}
CHANGED: Final = (
    "Your clinic updated this form while you were reading it. Nothing was signed: please read "
    "the form as it is now, then sign it."
)
PDF: Final = "application/pdf"


def show(visit: PatientVisit) -> Response:
    """The form to read and sign, or where the patient's consent stands."""
    found = visit.portal.consent_form(record_id(visit, "series_id"), visit.context)
    return _page(visit, found, values={}, problems={})


def sign(visit: PatientVisit) -> Response:
    """The patient signs the form; it then awaits the clinic's witness."""
    series_id = record_id(visit, "series_id")
    try:
        signature = consent_form.signature(visit.form.fields, series_id)
        visit.portal.sign_consent(signature, visit.context)
    except InvalidInputError as error:
        found = visit.portal.consent_form(series_id, visit.context)
        problems = consent_form.worded(error.problems, WORDS, visit.form.fields)
        return _page(visit, found, values=visit.form.fields, problems=problems, status=422)
    except TemplateChangedError:
        found = visit.portal.consent_form(series_id, visit.context)
        return _page(visit, found, values={}, problems={}, detail=CHANGED, status=409)
    return RedirectResponse(f"{PORTAL_PATH}/series/{series_id}/consent?signed=1", status_code=303)


def withdraw(visit: PatientVisit) -> Response:
    """The patient withdraws their consent, with a reason."""
    consent_id = record_id(visit, "consent_id")
    try:
        reason = consent_form.withdrawal_reason(visit.form.fields)
        stopped = visit.portal.withdraw_consent(
            PatientWithdrawal(consent_id, reason), visit.context
        )
    except InvalidInputError as error:
        # The page that sent it names its series (a hidden field); it is read as the patient's.
        series_id = _series_field(visit)
        found = visit.portal.consent_form(series_id, visit.context)
        problems = consent_form.worded(error.problems, WORDS, visit.form.fields)
        return _page(visit, found, values=visit.form.fields, problems=problems, status=422)
    target = f"{PORTAL_PATH}/series/{stopped.series_id}/consent?withdrawn=1"
    return RedirectResponse(target, status_code=303)


def document(visit: PatientVisit) -> Response:
    """The signed form as a PDF (checked against its SHA-256; a damaged one is never sent)."""
    consent_id = record_id(visit, "consent_id")
    kept = visit.portal.consent_document(consent_id, visit.context)
    headers = {"Content-Disposition": 'inline; filename="signed-consent.pdf"'}
    return Response(kept.data, media_type=PDF, headers=headers)


def _series_field(visit: PatientVisit) -> UUID:
    try:
        return UUID(visit.form.fields.get("series_id", ""))
    except ValueError:
        raise PortalRecordNotFoundError("no series named by the form") from None


def _page(
    visit: PatientVisit,
    found: ConsentForm,
    *,
    values: Mapping[str, str],
    problems: Mapping[str, FieldProblem],
    detail: str = "",
    status: int = 200,
) -> Response:
    decisive = found.current
    page: dict[str, Any] = {
        "found": found,
        "decisive": decisive,
        "standing": decisive.standing.value if decisive else "none",
        "can_sign": found.form is not None and (decisive is None or decisive.withdrawal),
        "form_blocks": blocks(found.form.text.body) if found.form else (),
        "values": values,
        "problems": problems,
        "detail": detail,
        "done": next((w for w in ("signed", "withdrawn") if visit.query(w)), ""),
    }
    return render(visit, "portal/consent.html", page, status=status)


CONSENT_PORTAL_PAGES: Final = (
    Page("GET", f"{PORTAL_PATH}/series/{{series_id}}/consent", show, PATIENT),
    Page("POST", f"{PORTAL_PATH}/series/{{series_id}}/consent", sign, PATIENT),
    Page("POST", f"{PORTAL_PATH}/consents/{{consent_id}}/withdraw", withdraw, PATIENT),
    Page("GET", f"{PORTAL_PATH}/consents/{{consent_id}}/signed-form.pdf", document, PATIENT),
)
"""The portal's consent pages, joined to ``portal.routes.PORTAL_PAGES``."""
