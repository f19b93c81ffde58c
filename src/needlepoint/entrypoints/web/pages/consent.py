"""A series' consent in the clinic (ADR 0029): signing on a tablet, witnessing, withdrawal, PDF.

The page shows where the series' consent stands. With no consent that holds, it shows the
published form that applies and the signature form, for a clinician to hand the tablet to the
patient: the typed name always, a drawing on the signature pad if they can (``signature.js``;
without scripts the pad stays hidden and the typed name signs), and agreement ticked. The form
is read by the API's ``ConsentIn``, so a problem names the same field with the same code. A
signed consent then waits for a clinician to confirm the witness (their own session), which
keeps the signed form as a PDF; either may be withdrawn with a reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final
from uuid import UUID

from starlette.responses import RedirectResponse, Response

from needlepoint.domain.consent_templates import TemplateChangedError, blocks
from needlepoint.domain.errors import FieldProblem, InvalidInputError
from needlepoint.entrypoints.web import consent_form, templates
from needlepoint.entrypoints.web.visits import StaffVisit
from needlepoint.services.access import SeriesNotFoundError
from needlepoint.services.permissions import Action
from needlepoint.services.treatment.consents import (
    ConsentNotFoundError,
    SeriesConsent,
    WithdrawalRequest,
)

WORDS: Final[Mapping[str, tuple[str, str]]] = {
    "agreed": ("is not ticked.", "tick it to agree, or do not sign."),
    "typed_name": ("is missing.", "type your full name: it signs the form."),
    "reason": ("is missing.", "write why the patient withdraws (their words, briefly)."),
}
"""The page's words for a missing answer, by field (the codes stay the API's)."""

CHANGED: Final = (
    "The consent form was updated while it was open. Nothing was signed: read the form as it "
    "is now, then sign it."
)
PDF: Final = "application/pdf"


def show(visit: StaffVisit) -> Response:
    """Where the series' consent stands, and what can be done about it."""
    found = _found(visit)
    return _page(visit, found, values={}, problems={})


def sign(visit: StaffVisit) -> Response:
    """Record the patient's signature given on this tablet; it then awaits a witness."""
    series_id = visit.path_id("series_id", SeriesNotFoundError)
    services, context = visit.services, visit.context
    try:
        signature = consent_form.signature(visit.form, series_id)
        services.portal.sign_consent_on_tablet(signature, context=context)
    except InvalidInputError as error:
        problems = consent_form.worded(error.problems, WORDS, visit.form)
        return _page(visit, _found(visit), values=visit.form, problems=problems, status=422)
    except TemplateChangedError:
        return _page(visit, _found(visit), values={}, problems={}, detail=CHANGED, status=409)
    return RedirectResponse(f"/series/{series_id}/consent?signed=1", status_code=303)


def witness(visit: StaffVisit) -> Response:
    """Confirm in person that the patient signed; the signed form is kept as a PDF."""
    consent_id = visit.path_id("consent_id", ConsentNotFoundError)
    witnessed = visit.services.treatment.witness_consent(consent_id, context=visit.context)
    return RedirectResponse(f"/series/{witnessed.series_id}/consent?witnessed=1", status_code=303)


def withdraw(visit: StaffVisit) -> Response:
    """Record the patient's withdrawal, with their reason: no further session starts."""
    consent_id = visit.path_id("consent_id", ConsentNotFoundError)
    try:
        reason = consent_form.withdrawal_reason(visit.form)
        stopped = visit.services.treatment.withdraw_consent(
            WithdrawalRequest(consent_id, reason), context=visit.context
        )
    except InvalidInputError as error:
        series_id = _series_of(visit, consent_id)
        problems = consent_form.worded(error.problems, WORDS, visit.form)
        found = visit.services.treatment.series_consent(series_id, context=visit.context)
        return _page(visit, found, values=visit.form, problems=problems, status=422)
    return RedirectResponse(f"/series/{stopped.series_id}/consent?withdrawn=1", status_code=303)


def document(visit: StaffVisit) -> Response:
    """The signed form as a PDF, checked against its SHA-256 (a damaged one is never sent)."""
    consent_id = visit.path_id("consent_id", ConsentNotFoundError)
    kept = visit.services.treatment.consent_document(consent_id, context=visit.context)
    disposition = f'inline; filename="consent-{consent_id}.pdf"'
    return Response(kept.data, media_type=PDF, headers={"Content-Disposition": disposition})


def _found(visit: StaffVisit) -> SeriesConsent:
    series_id = visit.path_id("series_id", SeriesNotFoundError)
    return visit.services.treatment.series_consent(series_id, context=visit.context)


def _series_of(visit: StaffVisit, consent_id: UUID) -> UUID:
    """The series whose page sent the withdrawal (its form's hidden field), to show it again.

    The service reads it for the actor's clinic only: a wrong id reads as a missing series.
    """
    raw = visit.form.get("series_id", "")
    try:
        return UUID(raw)
    except ValueError:
        raise ConsentNotFoundError(f"no consent {consent_id}") from None


def _page(
    visit: StaffVisit,
    found: SeriesConsent,
    *,
    values: Mapping[str, str],
    problems: Mapping[str, FieldProblem],
    detail: str = "",
    status: int = 200,
) -> Response:
    patient = visit.services.records.get_patient(found.series.patient_id, context=visit.context)
    decisive = found.current
    page: dict[str, Any] = {
        "found": found,
        "series": found.series,
        "patient": patient,
        "decisive": decisive,
        "standing": decisive.standing.value if decisive else "none",
        "can_sign": found.form is not None and (decisive is None or decisive.withdrawal),
        "form_blocks": blocks(found.form.text.body) if found.form else (),
        "values": values,
        "problems": problems,
        "detail": detail,
        "may_manage_forms": visit.may(Action.CONSENT_TEMPLATE_MANAGE),
        "may_witness": visit.may(Action.CONSENT_WITNESS),
        "done": next((w for w in ("signed", "witnessed", "withdrawn") if visit.query(w)), ""),
        "current": "patients",
    }
    return templates.render(visit, "consent/series.html", page, status=status)
