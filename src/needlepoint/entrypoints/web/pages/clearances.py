"""Clearing a finding that needs clearance, from the consultation page (ADR 0021).

The consultation page lists each finding that needs clearance with where it stands today:
cleared (by whom, until when), waited out, waiting until its date, or needing a clearance;
a clinician clears one with a reason and the last day it holds. Problems come back beside
their fields, named as the API names them (``rule_id``, ``reason``, ``valid_until``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Final
from uuid import UUID

from starlette.responses import RedirectResponse, Response

from needlepoint.domain import clearances as clearance_rules
from needlepoint.domain.clearances import FindingStatus
from needlepoint.domain.errors import FieldProblem, InvalidInputError
from needlepoint.domain.records import ConsultationRecord, ConsultationStatus
from needlepoint.entrypoints.api.schemas.consultation import ClearanceIn
from needlepoint.entrypoints.web import forms
from needlepoint.entrypoints.web.visits import StaffVisit, Visit
from needlepoint.services.consultation.clearances import findings_to_clear
from needlepoint.services.consultation.consultations import ConsultationNotFoundError
from needlepoint.services.permissions import Action

SUGGESTED_DAYS: Final = 182
"""The last day a clearance form suggests: about six months, a typical series and review."""


def statuses(visit: Visit, consultation: ConsultationRecord) -> tuple[FindingStatus, ...]:
    """Where each of a signed consultation's findings needing clearance stands today."""
    if consultation.status is not ConsultationStatus.SIGNED:
        return ()
    findings = findings_to_clear(consultation)
    if not findings or not visit.may(Action.CLEARANCE_READ):
        return ()
    held = visit.services.consultation.list_clearances(
        consultation.patient_id, context=visit.context
    )
    return clearance_rules.status_of(findings, held, visit.today())


def page_values(visit: Visit, consultation: ConsultationRecord) -> dict[str, Any]:
    """What the consultation page needs to show and record clearances."""
    return {
        "clearances": statuses(visit, consultation),
        "clearance_until": (visit.today() + timedelta(days=SUGGESTED_DAYS)).isoformat(),
        "clearance_problems": {},
        "clearance_values": {},
        "clearance_action": Action.CLEARANCE_RECORD,
    }


def record(visit: StaffVisit) -> Response:
    """Clear a finding; on a problem, the consultation page again with it beside its field."""
    consultation_id = _uuid(visit.request.path_params["consultation_id"])
    try:
        given = forms.body(visit.form, ClearanceIn.model_fields, blank=("rule_id", "reason"))
        new = forms.parsed(ClearanceIn, given).to_domain(consultation_id)
        visit.services.consultation.record_clearance(new, context=visit.context)
    except InvalidInputError as error:
        return _again(visit, consultation_id, forms.by_field(error.problems))
    return RedirectResponse(f"/consultations/{consultation_id}#clearances-title", status_code=303)


def _again(visit: Visit, consultation_id: UUID, problems: Mapping[str, FieldProblem]) -> Response:
    from needlepoint.entrypoints.web.pages import consultations  # noqa: PLC0415 - one page

    consultation = visit.services.consultation.get_consultation(
        consultation_id, context=visit.context
    )
    extra = {"clearance_problems": problems, "clearance_values": visit.form}
    return consultations.result_page(visit, consultation, extra, status=422)


def _uuid(raw: str) -> UUID:
    try:
        return UUID(raw)
    except ValueError:
        raise ConsultationNotFoundError(f"no record {raw!r}") from None
