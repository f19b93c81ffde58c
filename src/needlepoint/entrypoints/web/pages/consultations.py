"""A new consultation, as a guided flow: the intake form, the screening result, the plan.

The intake form is turned into the consultation document (``intake_form``) and recorded by
the services, which screen and plan it; nothing is saved when they refuse it, and the form
comes back with each problem beside its input. The result page puts the decision first; the
plan page lets a clinician change depths, sessions and interval, each change with a reason
(the services refuse a change without one, and a consultation that does not allow treatment).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any, Final
from uuid import UUID

from starlette.responses import RedirectResponse, Response

from needlepoint.domain.clearances import ClearanceRequiredError
from needlepoint.domain.errors import FieldProblem, InputCode, InvalidInputError
from needlepoint.domain.records import ConsultationRecord, ConsultationStatus
from needlepoint.domain.series_plan import SeriesPlan, proposed_plan
from needlepoint.domain.treatment import SeriesExistsError, SeriesOverlapError
from needlepoint.entrypoints.api.schemas.treatment import SeriesIn
from needlepoint.entrypoints.web import forms, intake_form, templates
from needlepoint.entrypoints.web.pages import clearances
from needlepoint.entrypoints.web.visits import StaffVisit, Visit
from needlepoint.services.access import PatientNotFoundError
from needlepoint.services.consultation.consultations import (
    ConsultationNotFoundError,
    ConsultationRequest,
)
from needlepoint.services.treatment.series import TREATABLE_DECISIONS, NewSeries

COUNT_WORDS: Final = {
    ("plan.sessions", InputCode.NOT_A_WHOLE_NUMBER): ("is not a whole number.", "give 1 or more."),
    ("plan.sessions", InputCode.OUT_OF_RANGE): ("is out of range.", "give 1 to 100."),
    ("plan.interval_days", InputCode.NOT_A_WHOLE_NUMBER): (
        "is not a whole number.",
        "give 1 or more.",
    ),
    ("plan.interval_days", InputCode.OUT_OF_RANGE): ("is out of range.", "give 1 to 3650."),
}
"""The page's words for a count ``SeriesIn`` refuses (its message is written for programmers)."""

DECISION_WORDS: Final = {
    "proceed": "Proceed",
    "needs_clearance": "Needs clearance",
    "defer": "Defer",
    "decline": "Decline",
}


def new_form(visit: StaffVisit) -> Response:
    """The intake form, empty but for today's date."""
    patient_id = _uuid(visit.request.path_params["patient_id"], PatientNotFoundError)
    patient = visit.services.records.get_patient(patient_id, context=visit.context)
    today = visit.today().isoformat()
    return _intake(visit, patient, {"consulted_on": today}, {}, ())


def record(visit: StaffVisit) -> Response:
    """Record the consultation; on a problem, the form again with each problem by its input."""
    patient_id = _uuid(visit.request.path_params["patient_id"], PatientNotFoundError)
    patient = visit.services.records.get_patient(patient_id, context=visit.context)
    intake = intake_form.document_from(visit.form)
    request = ConsultationRequest(patient_id, intake.document, appointment=intake.appointment)
    try:
        consultation = visit.services.consultation.record_consultation(
            request, context=visit.context
        )
    except InvalidInputError as error:
        problems = intake_form.problems_by_input(error.problems, intake)
        return _intake(visit, patient, visit.form, problems, error.problems, status=422)
    return RedirectResponse(f"/consultations/{consultation.id}", status_code=303)


def show(visit: StaffVisit) -> Response:
    """The screening result: the decision first, then why, what to do, and the sources."""
    return result_page(visit, _consultation(visit), {})


def result_page(
    visit: Visit,
    consultation: ConsultationRecord,
    extra: Mapping[str, Any],
    *,
    status: int = 200,
) -> Response:
    """The result page, with where each finding needing clearance stands today."""
    patient = visit.services.records.get_patient(consultation.patient_id, context=visit.context)
    page = {
        "current": "patients",
        "patient": patient,
        **_result(consultation),
        **clearances.page_values(visit, consultation),
        **extra,
    }
    return templates.render(visit, "consultations/show.html", page, status=status)


def sign(visit: StaffVisit) -> Response:
    """Sign the consultation (it never changes after), then show it again."""
    consultation_id = _uuid(visit.request.path_params["consultation_id"])
    visit.services.consultation.sign_consultation(consultation_id, context=visit.context)
    return RedirectResponse(f"/consultations/{consultation_id}", status_code=303)


def plan(visit: StaffVisit) -> Response:
    """The proposed plan, ready to agree as a series (or why it cannot be)."""
    consultation = _consultation(visit)
    return _plan_page(visit, consultation, values={}, problems={}, all_problems=())


def save_series(visit: StaffVisit) -> Response:
    """Agree the plan as a series; every change from the proposal needs its reason."""
    consultation = _consultation(visit)
    try:
        new = _series_request(consultation, visit.form)
        visit.services.treatment.create_series(new, context=visit.context)
    except InvalidInputError as error:
        problems = _plan_problems(error.problems)
        return _plan_page(
            visit, consultation, values=visit.form, problems=problems,
            all_problems=error.problems, status=422,
        )  # fmt: skip
    except (ClearanceRequiredError, SeriesExistsError, SeriesOverlapError) as error:
        refusal = {"refusal": error, "refusal_code": error.code}
        return _plan_page(
            visit, consultation, values=visit.form, problems={}, all_problems=(),
            status=409, extra=refusal,
        )  # fmt: skip
    return RedirectResponse(f"/patients/{consultation.patient_id}#series-title", status_code=303)


# --- the intake page --------------------------------------------------------------------


def _intake(
    visit: Visit,
    patient: object,
    values: Mapping[str, str],
    problems: Mapping[str, FieldProblem],
    all_problems: Iterable[object],
    *,
    status: int = 200,
) -> Response:
    page = {
        "current": "patients",
        "patient": patient,
        "values": values,
        "problems": problems,
        "all_problems": [p for p in all_problems if isinstance(p, FieldProblem)],
        "form": intake_form,
        "opened": lambda prefix: any(k.startswith(f"{prefix}.") and v for k, v in values.items()),
    }
    return templates.render(visit, "consultations/new.html", page, status=status)


# --- the result page --------------------------------------------------------------------


def _result(consultation: ConsultationRecord) -> dict[str, Any]:
    report = consultation.report
    findings = list(report.get("findings") or ())
    by_rule = {f.get("rule_id"): f for f in findings}
    exclusions = [
        {
            **exclusion,
            "reasons": [
                by_rule[rule]["reason"] for rule in exclusion.get("rule_ids", ()) if rule in by_rule
            ],
        }
        for exclusion in report.get("zone_exclusions") or ()
    ]
    return {
        "consultation": consultation,
        "report": report,
        "decision": consultation.decision,
        "decision_words": DECISION_WORDS.get(consultation.decision, consultation.decision),
        "findings": findings,
        "exclusions": exclusions,
        "sources": report.get("sources") or {},
        "signed": consultation.status is ConsultationStatus.SIGNED,
        "treatable": consultation.decision in TREATABLE_DECISIONS,
    }


# --- the plan page ----------------------------------------------------------------------


def _plan_page(
    visit: Visit,
    consultation: ConsultationRecord,
    *,
    values: Mapping[str, str],
    problems: Mapping[str, FieldProblem],
    all_problems: Iterable[object],
    status: int = 200,
    extra: Mapping[str, Any] | None = None,
) -> Response:
    report = consultation.report
    rows = list((report.get("plan") or {}).get("zones") or ())
    series = report.get("series")
    patient = visit.services.records.get_patient(consultation.patient_id, context=visit.context)
    plannable = consultation.decision in TREATABLE_DECISIONS and bool(rows) and bool(series)
    page = {
        "current": "patients",
        "patient": patient,
        **_result(consultation),
        "rows": rows,
        "not_planned": (report.get("plan") or {}).get("not_planned") or (),
        "series": series,
        "plannable": plannable,
        "values": values,
        "problems": problems,
        "all_problems": [p for p in all_problems if isinstance(p, FieldProblem)],
        "clearances": clearances.statuses(visit, consultation),
        "refusal": None,
        "refusal_code": "",
        **(extra or {}),
    }
    return templates.render(visit, "consultations/plan.html", page, status=status)


def _series_request(consultation: ConsultationRecord, form: Mapping[str, str]) -> NewSeries:
    """The series the plan form asks for, read by the API's ``SeriesIn``.

    Without a plan on the consultation, the proposal as it stands (the services then say why
    it cannot be agreed).
    """
    given: dict[str, object] = {**forms.body(form, ("supersede_reason",))}
    report = consultation.report
    if (report.get("plan") or {}).get("zones") and report.get("series"):
        proposed = proposed_plan({"plan": report["plan"], "series": report["series"]})
        plan, reasons = _plan_body(proposed, form)
        given |= {"plan": plan, "reasons": reasons}
    try:
        request = forms.parsed(SeriesIn, given)
    except InvalidInputError as error:
        raise InvalidInputError([_worded(p) for p in error.problems]) from None
    return request.to_domain(consultation.id)


def _plan_body(
    proposed: SeriesPlan, form: Mapping[str, str]
) -> tuple[dict[str, object], dict[str, str]]:
    """The plan the form describes (a blank input is the proposal's value), and its reasons.

    A zone's one reason stands for each of its changes (the zone, its minimum and maximum).
    """
    zones: list[dict[str, object]] = []
    reasons: dict[str, str] = {}
    for planned in proposed.zones:
        zone = planned.zone.value
        path = f"plan.zones[{zone}]"
        if reason := form.get(f"reason.{zone}", "").strip():
            reasons |= dict.fromkeys((path, f"{path}.depth_mm.min", f"{path}.depth_mm.max"), reason)
        if form.get(f"include.{zone}"):
            low = _or_proposed(form, f"depth_min.{zone}", planned.depth_min_mm)
            high = _or_proposed(form, f"depth_max.{zone}", planned.depth_max_mm)
            zones.append({"zone": zone, "depth_mm": {"min": low, "max": high}})
    plan: dict[str, object] = {"zones": zones}
    counts = {"sessions": proposed.sessions, "interval_days": proposed.interval_days}
    for name, default in counts.items():
        plan[name] = _or_proposed(form, name, default)
        if reason := form.get(f"reason.{name}", "").strip():
            reasons[f"plan.{name}"] = reason
    return plan, reasons


def _or_proposed(form: Mapping[str, str], name: str, proposed: object) -> str:
    return form.get(name, "").strip() or str(proposed)


def _worded(problem: FieldProblem) -> FieldProblem:
    """A count refused by the model, in the page's words (the field and code stay the API's)."""
    words = COUNT_WORDS.get((problem.field, problem.code))
    return replace(problem, problem=words[0], fix=words[1]) if words else problem


def _plan_problems(problems: Iterable[object]) -> dict[str, FieldProblem]:
    """Problems keyed by their row: ``zone:cheeks``, ``sessions`` or ``interval_days``."""
    found: dict[str, FieldProblem] = {}
    for problem in problems:
        if not isinstance(problem, FieldProblem):
            continue
        key = problem.field.removeprefix("reasons.")  # a reason is shown beside its change
        if key.startswith("plan.zones[") and "]" in key:
            key = "zone:" + key[len("plan.zones[") : key.index("]")]
        elif key.startswith("plan."):
            key = key.removeprefix("plan.")
        found.setdefault(key, problem)
    return found


# --- shared -------------------------------------------------------------------------------


def _consultation(visit: Visit) -> ConsultationRecord:
    consultation_id = _uuid(visit.request.path_params["consultation_id"])
    return visit.services.consultation.get_consultation(consultation_id, context=visit.context)


def _uuid(raw: str, missing: type[Exception] = ConsultationNotFoundError) -> UUID:
    try:
        return UUID(raw)
    except ValueError:
        raise missing(f"no record {raw!r}") from None
