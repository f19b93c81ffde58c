"""The scar assessment on a face map: choose a zone, count its scars, watch the scores.

A zone chosen on the map loads its form into the page (htmx; without script, the link opens
the page with that zone's form). Every change posts the whole form to the preview, which the
services grade with the same pure scales as a recorded assessment and nothing is kept. Zones
the consultation excluded, and the eyelids (inside the orbital rim, never needled), are
marked on the map with the reason in words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Final
from uuid import UUID

from starlette.responses import RedirectResponse, Response

from needlepoint.domain.errors import FieldProblem, InvalidInputError
from needlepoint.domain.records import PatientRecord
from needlepoint.domain.vocabulary import Zone
from needlepoint.entrypoints.api.schemas.records import AssessmentIn
from needlepoint.entrypoints.web import face_map, forms, templates
from needlepoint.entrypoints.web.visits import StaffVisit, Visit
from needlepoint.services.access import PatientNotFoundError
from needlepoint.services.consultation.consultations import ConsultationNotFoundError

_NAMED_ZONE: Final = re.compile(r"zones\[([a-z_]+)\]")
"""A zone of the request named by the API's model (the services number them)."""

ZONE_LABELS = {
    Zone.FOREHEAD: "Forehead",
    Zone.GLABELLA: "Glabella (between the brows)",
    Zone.TEMPLES: "Temples",
    Zone.PERIORBITAL: "Periorbital (outside the orbital rim)",
    Zone.EYELIDS: "Eyelids (inside the orbital rim)",
    Zone.NOSE: "Nose",
    Zone.CHEEKS: "Cheeks",
    Zone.PERIORAL: "Perioral (around the mouth)",
    Zone.CHIN: "Chin",
    Zone.JAWLINE: "Jawline",
    Zone.NECK: "Neck",
}


def new_form(visit: StaffVisit) -> Response:
    """The face map, with the zone named in ``?zone=`` already open (the no-script path)."""
    patient = _patient(visit)
    values: dict[str, str] = {"assessed_on": visit.today().isoformat()}
    zone = _zone_or_none(visit.query("zone"))
    if zone is not None:
        values[f"{zone}.open"] = "on"
    return _page(visit, patient, values, problems={}, all_problems=())


def zone_form(visit: StaffVisit) -> Response:
    """One zone's form (a fragment), keeping any counts the page already holds for it."""
    _patient(visit)
    zone = _zone_or_none(visit.request.path_params["zone"])
    if zone is None:
        raise PatientNotFoundError("no such zone")
    values = dict(visit.request.query_params)
    page = {
        "zone": zone,
        "label": ZONE_LABELS[zone],
        "values": values,
        "problems": {},
        "face": face_map,
        "autofocus": True,
        "excluded": _exclusions(visit).get(zone),
    }
    return templates.render(visit, "assessments/_zone.html", page)


def preview(visit: StaffVisit) -> Response:
    """The scores the form's counts would get (a fragment); a problem is named, not raised."""
    _patient(visit)
    try:
        documents = face_map.zone_documents(visit.form)
        scores: Mapping[str, Any] | None = visit.services.records.preview_scar_scores(documents)
        problems: tuple[object, ...] = ()
    except InvalidInputError as error:
        scores, problems = None, error.problems
    opened = face_map.opened_zones(visit.form)
    page = {"scores": scores, "problems": face_map.problems_by_zone(problems, opened)}
    return templates.render(visit, "assessments/_scores.html", page)


def record(visit: StaffVisit) -> Response:
    """Record the assessment; on a problem, the page again with each problem by its zone."""
    patient = _patient(visit)
    opened = face_map.opened_zones(visit.form)
    try:
        given: dict[str, object] = {**forms.body(visit.form, ("assessed_on",))}
        given["zones"] = face_map.zone_documents(visit.form)
        new = forms.parsed(AssessmentIn, given).to_domain(patient.id)
        visit.services.records.record_assessment(new, context=visit.context)
    except InvalidInputError as error:
        problems = _by_zone(error.problems, opened)
        return _page(visit, patient, visit.form, problems, error.problems, status=422)
    return RedirectResponse(f"/patients/{patient.id}#assessments-title", status_code=303)


def _page(
    visit: Visit,
    patient: PatientRecord,
    values: Mapping[str, str],
    problems: Mapping[str, object],
    all_problems: Iterable[object],
    *,
    status: int = 200,
) -> Response:
    excluded = _exclusions(visit)
    opened = face_map.opened_zones(values)
    scores = None
    if opened and not problems:
        try:
            scores = visit.services.records.preview_scar_scores(face_map.zone_documents(values))
        except InvalidInputError:
            scores = None
    page = {
        "current": "patients",
        "patient": patient,
        "consultation_id": visit.query("consultation"),
        "views": face_map.VIEWS,
        "face": face_map,
        "labels": ZONE_LABELS,
        "excluded": excluded,
        "values": values,
        "opened": opened,
        "problems": problems,
        "all_problems": list(all_problems),
        "scores": scores,
        "autofocus": False,
    }
    return templates.render(visit, "assessments/new.html", page, status=status)


def _exclusions(visit: Visit) -> dict[Zone, str]:
    """Zone → why it is not treated: the orbital-rim hard stop, and the consultation's."""
    excluded: dict[Zone, str] = dict(face_map.HARD_STOPS)
    raw = visit.query("consultation")
    if not raw:
        return excluded
    try:
        consultation_id = UUID(raw)
    except ValueError:
        raise ConsultationNotFoundError(f"no consultation {raw!r}") from None
    consultation = visit.services.consultation.get_consultation(
        consultation_id, context=visit.context
    )
    if str(consultation.patient_id) != visit.request.path_params["patient_id"]:
        raise ConsultationNotFoundError(f"no consultation {raw!r}")
    report = consultation.report
    reasons = {f.get("rule_id"): f.get("reason", "") for f in report.get("findings") or ()}
    for exclusion in report.get("zone_exclusions") or ():
        zone = _zone_or_none(str(exclusion.get("zone", "")))
        if zone is None:
            continue
        why = " ".join(reasons.get(rule, "") for rule in exclusion.get("rule_ids", ()))
        when = "never treated" if exclusion.get("permanent") else "excluded for now"
        if exclusion.get("until"):
            when = f"excluded until {templates.day(exclusion['until'])}"
        excluded[zone] = f"Excluded by the screening ({when}): {why}".strip()
    return excluded


def _patient(visit: Visit) -> PatientRecord:
    raw = visit.request.path_params["patient_id"]
    try:
        patient_id = UUID(raw)
    except ValueError:
        raise PatientNotFoundError(f"no patient {raw!r}") from None
    return visit.services.records.get_patient(patient_id, context=visit.context)


def _zone_or_none(raw: str) -> Zone | None:
    try:
        zone = Zone(raw)
    except ValueError:
        return None
    return zone if zone in face_map.FACE_ZONES else None


def _by_zone(problems: Iterable[object], opened: tuple[Zone, ...]) -> dict[str, object]:
    """Problems keyed by the zone they belong to, else by their field.

    The services name a zone by its place in the request; the API's model names it by its name
    (``zones[cheeks].ecca_counts.rolling``).
    """
    named: dict[str, object] = {}
    placed = []
    for problem in problems:
        found = isinstance(problem, FieldProblem) and _NAMED_ZONE.match(problem.field)
        if found:
            named.setdefault(found.group(1), problem)
        else:
            placed.append(problem)
    return {**face_map.problems_by_zone(placed, opened), **named}
