"""A new consultation, as a guided flow: the intake form, the screening result, the plan.

The intake form is turned into the consultation document (``intake_form``) and recorded by
the services, which screen and plan it; nothing is saved when they refuse it, and the form
comes back with each problem beside its input. The result page puts the decision first; the
plan page lets a clinician change depths, sessions and interval, each change with a reason
(the services refuse a change without one, and a consultation that does not allow treatment).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Final
from uuid import UUID

from starlette.responses import RedirectResponse, Response

from needlepoint.domain.clearances import ClearanceRequiredError
from needlepoint.domain.errors import FieldProblem, InputCode, InvalidInputError
from needlepoint.domain.records import ConsultationRecord, ConsultationStatus
from needlepoint.domain.series_plan import PlannedZone, SeriesPlan, proposed_plan
from needlepoint.domain.treatment import SeriesExistsError, SeriesOverlapError
from needlepoint.domain.units import DEPTH_MM
from needlepoint.entrypoints.web import intake_form, templates
from needlepoint.entrypoints.web.pages import clearances
from needlepoint.entrypoints.web.visits import StaffVisit, Visit
from needlepoint.services.access import PatientNotFoundError
from needlepoint.services.consultation.consultations import (
    ConsultationNotFoundError,
    ConsultationRequest,
)
from needlepoint.services.treatment.series import TREATABLE_DECISIONS, NewSeries

MAX_COUNT_DIGITS: Final = 4

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
        chosen, reasons = _chosen_plan(consultation, visit.form)
        supersede = visit.form.get("supersede_reason", "").strip()
        new = NewSeries(consultation.id, chosen, reasons, supersede_reason=supersede)
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


def _chosen_plan(
    consultation: ConsultationRecord, form: Mapping[str, str]
) -> tuple[SeriesPlan | None, dict[str, str]]:
    """The plan the form describes and its reasons; None when the consultation has no plan."""
    report = consultation.report
    if not (report.get("plan") or {}).get("zones") or not report.get("series"):
        return None, {}
    proposed = proposed_plan({"plan": report["plan"], "series": report["series"]})
    problems: list[FieldProblem] = []
    reasons: dict[str, str] = {}
    zones: list[PlannedZone] = []
    for planned in proposed.zones:
        zone = planned.zone
        path = f"plan.zones[{zone}]"
        reason = form.get(f"reason.{zone}", "").strip()
        for key in (path, f"{path}.depth_mm.min", f"{path}.depth_mm.max"):
            reasons[key] = reason
        if not form.get(f"include.{zone}"):
            continue
        low = _decimal(form, f"depth_min.{zone}", planned.depth_min_mm, f"{path}.depth_mm.min")
        high = _decimal(form, f"depth_max.{zone}", planned.depth_max_mm, f"{path}.depth_mm.max")
        if isinstance(low, FieldProblem) or isinstance(high, FieldProblem):
            problems.extend(p for p in (low, high) if isinstance(p, FieldProblem))
            continue
        zones.append(PlannedZone(zone, low, high))
    counts = {}
    for name, default in (
        ("sessions", proposed.sessions),
        ("interval_days", proposed.interval_days),
    ):
        reasons[f"plan.{name}"] = form.get(f"reason.{name}", "").strip()
        raw = form.get(name, "").strip() or str(default)
        if not raw.isdigit() or len(raw) > MAX_COUNT_DIGITS:
            problems.append(
                FieldProblem(
                    f"plan.{name}",
                    "is not a whole number.",
                    "give 1 or more.",
                    InputCode.NOT_A_WHOLE_NUMBER,
                )
            )
            continue
        counts[name] = int(raw)
    if problems:
        raise InvalidInputError(problems)
    chosen = SeriesPlan(tuple(zones), counts["sessions"], counts["interval_days"])
    return chosen, {k: v for k, v in reasons.items() if v}


def _decimal(
    form: Mapping[str, str], name: str, default: Decimal, path: str
) -> Decimal | FieldProblem:
    raw = form.get(name, "").strip()
    if not raw:
        return default
    value = DEPTH_MM.value_of(raw)
    if value is None:
        return FieldProblem(path, DEPTH_MM.problem, DEPTH_MM.fix, DEPTH_MM.code)
    return value


def _plan_problems(problems: Iterable[object]) -> dict[str, FieldProblem]:
    """Problems keyed by their row: ``zone:cheeks``, ``sessions`` or ``interval_days``."""
    found: dict[str, FieldProblem] = {}
    for problem in problems:
        if not isinstance(problem, FieldProblem):
            continue
        key = problem.field
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
