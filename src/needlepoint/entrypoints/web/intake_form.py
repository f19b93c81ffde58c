"""The intake form: its questions, and the form turned into the consultation document.

Every input is named by the document path it fills (``history.pregnant``,
``history.isotretinoin.stopped_on``), so a problem the services report on a path is shown
beside the input of that name. Lists are flattened into one input per choice (a form keeps
one value per name): ``treatments.acne_scars.cheeks``, ``zone_states.cheeks.sunburn``,
``history.topical_actives.retinoid``, ``history.recent_procedures[0].zones.cheeks``. An
unanswered yes/no question is left out of the document, so the services refuse it by name:
it is never read as "no".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from needlepoint.domain.errors import FieldProblem
from needlepoint.domain.vocabulary import (
    Device,
    DiabetesControl,
    Indication,
    IsotretinoinStatus,
    ProcedureKind,
    SkinCancerHistory,
    TopicalActive,
    Zone,
    ZoneCondition,
)


@dataclass(frozen=True, slots=True)
class Question:
    """A yes/no health-history question: its document field and how it is asked."""

    field: str
    text: str

    @property
    def name(self) -> str:
        """The input's name (the document path)."""
        return f"history.{self.field}"


SAFETY_QUESTIONS: Final = (
    Question("pregnant", "Is the patient pregnant?"),
    Question("breastfeeding", "Is the patient breastfeeding?"),
    Question("anticoagulant", "Takes an anticoagulant (warfarin, apixaban or another DOAC)?"),
    Question("antiplatelet", "Takes an antiplatelet drug (clopidogrel, daily aspirin)?"),
    Question("bleeding_disorder", "Has a bleeding or clotting disorder (e.g. haemophilia)?"),
    Question("keloid_history", "Has ever formed a keloid?"),
    Question("hypertrophic_scar_history", "Has ever formed raised (hypertrophic) scars?"),
    Question("cold_sores", "Gets cold sores (herpes simplex)?"),
    Question("immunosuppressed", "Has a weakened immune system (drugs, chemotherapy, steroids)?"),
    Question(
        "autoimmune_or_collagen_vascular",
        "Has an autoimmune or collagen vascular disease (lupus, scleroderma)?",
    ),
    Question("metal_allergy", "Is allergic to stainless steel, nickel or other needle metals?"),
    Question("anaesthetic_allergy", "Has reacted to a local anaesthetic?"),
    Question(
        "pigmentation_after_procedures",
        "Has had skin darken after earlier procedures or injuries?",
    ),
    Question("cardiac_device", "Has a pacemaker, defibrillator or other cardiac device?"),
    Question("unwell_or_feverish", "Is unwell or feverish today?"),
)

FITZPATRICK: Final = (
    (1, "I: very fair; always burns, never tans"),
    (2, "II: fair; usually burns, tans with difficulty"),
    (3, "III: medium; sometimes burns, tans gradually"),
    (4, "IV: olive or light brown; rarely burns, tans easily"),
    (5, "V: brown; very rarely burns"),
    (6, "VI: dark brown to black; never burns"),
)

QUALITATIVE: Final = (
    ("contour_change", "The scars change the skin's contour, not only its colour"),
    ("visible_at_social_distance", "The scarring is obvious at 50 cm or more"),
    ("easily_concealed", "Makeup or hair covers it well"),
    ("flattens_on_stretch", "The scars flatten when the skin is stretched"),
)
"""The Goodman & Baron qualitative observations, asked once for every acne-scar zone."""

PROCEDURE_ROWS: Final = 2
ZONES: Final = tuple(Zone)
INDICATIONS: Final = tuple(Indication)
CONDITIONS: Final = tuple(ZoneCondition)
ACTIVES: Final = tuple(TopicalActive)
PROCEDURES: Final = tuple(ProcedureKind)
DEVICES: Final = tuple(Device)
ISOTRETINOIN: Final = tuple(IsotretinoinStatus)
DIABETES: Final = tuple(DiabetesControl)
SKIN_CANCER: Final = tuple(SkinCancerHistory)

_ANSWERS: Final = {"true": True, "false": False}
_INDEXED: Final = re.compile(r"^(?P<list>[a-z_.]+)\[(?P<index>\d+)\](?P<rest>.*)$")


@dataclass(frozen=True, slots=True)
class IntakeForm:
    """The document built from a form, and where each of its list entries came from."""

    document: dict[str, Any]
    appointment: str | None
    procedure_rows: tuple[int, ...]
    """Document index → form row of ``history.recent_procedures``."""


def document_from(form: Mapping[str, str]) -> IntakeForm:
    """The consultation document the form describes (checked by the services, not here)."""
    procedures, rows = _procedures(form)
    history: dict[str, Any] = {
        "isotretinoin": _isotretinoin(form),
        "photosensitising_drugs": _lines(form.get("history.photosensitising_drugs", "")),
        "topical_actives": [
            a.value for a in ACTIVES if _ticked(form, f"history.topical_actives.{a}")
        ],
        "recent_procedures": procedures,
    }
    for question in SAFETY_QUESTIONS:
        answer = _ANSWERS.get(form.get(question.name, ""))
        if answer is not None:
            history[question.field] = answer
    _set(history, "diabetes", form.get("history.diabetes", ""))
    _set(history, "skin_cancer", form.get("history.skin_cancer", ""))
    patient: dict[str, Any] = {}
    _set(patient, "fitzpatrick", _number(form.get("patient.fitzpatrick", "")))
    treatments = _treatments(form)
    document: dict[str, Any] = {
        "patient": patient,
        "history": history,
        "treatments": treatments,
        "zone_states": _zone_states(form),
        "scar_assessments": _scar_assessments(form, treatments),
    }
    _set(document, "consulted_on", form.get("consulted_on", "").strip())
    _set(document, "device", form.get("device", ""))
    appointment = form.get("appointment", "").strip() or None
    return IntakeForm(document, appointment, rows)


def problems_by_input(problems: Iterable[object], intake: IntakeForm) -> dict[str, FieldProblem]:
    """The services' problems keyed by the input (or group of inputs) to show each beside."""
    found: dict[str, FieldProblem] = {}
    for problem in problems:
        if isinstance(problem, FieldProblem):
            found.setdefault(_input_of(problem.field, intake), problem)
    return found


def _input_of(path: str, intake: IntakeForm) -> str:
    indexed = _INDEXED.match(path)
    if indexed is None:
        return path
    listed, index, rest = indexed["list"], int(indexed["index"]), indexed["rest"]
    if listed == "history.recent_procedures" and index < len(intake.procedure_rows):
        row = intake.procedure_rows[index]
        field = rest.split("[")[0].lstrip(".") or "kind"
        return f"{listed}[{row}].{field}"
    if listed == "scar_assessments" and ".qualitative." in rest:
        return "scar_assessments.qualitative." + rest.rsplit(".", 1)[-1]
    return listed


def _isotretinoin(form: Mapping[str, str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    _set(found, "status", form.get("history.isotretinoin.status", ""))
    _set(found, "stopped_on", form.get("history.isotretinoin.stopped_on", "").strip())
    return found


def _procedures(form: Mapping[str, str]) -> tuple[list[dict[str, Any]], tuple[int, ...]]:
    procedures: list[dict[str, Any]] = []
    rows: list[int] = []
    for row in range(PROCEDURE_ROWS):
        prefix = f"history.recent_procedures[{row}]"
        kind = form.get(f"{prefix}.kind", "")
        performed_on = form.get(f"{prefix}.performed_on", "").strip()
        zones = [z.value for z in ZONES if _ticked(form, f"{prefix}.zones.{z}")]
        if not (kind or performed_on or zones):
            continue
        entry: dict[str, Any] = {"zones": zones}
        _set(entry, "kind", kind)
        _set(entry, "performed_on", performed_on)
        procedures.append(entry)
        rows.append(row)
    return procedures, tuple(rows)


def _treatments(form: Mapping[str, str]) -> list[dict[str, Any]]:
    treatments = []
    for indication in INDICATIONS:
        zones = [z.value for z in ZONES if _ticked(form, f"treatments.{indication}.{z}")]
        if zones:
            treatments.append({"indication": indication.value, "zones": zones})
    return treatments


def _zone_states(form: Mapping[str, str]) -> list[dict[str, Any]]:
    states = []
    for zone in ZONES:
        found = [c.value for c in CONDITIONS if _ticked(form, f"zone_states.{zone}.{c}")]
        if found:
            states.append({"zone": zone.value, "conditions": found})
    return states


def _scar_assessments(
    form: Mapping[str, str], treatments: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The qualitative observations, given once, for each zone requested for acne scars."""
    answers = {
        field: _ANSWERS.get(form.get(f"scar_assessments.qualitative.{field}", ""))
        for field, _ in QUALITATIVE
    }
    if all(answer is None for answer in answers.values()):
        return []
    qualitative = {field: answer for field, answer in answers.items() if answer is not None}
    zones = [
        zone
        for treatment in treatments
        if treatment["indication"] == Indication.ACNE_SCARS.value
        for zone in treatment["zones"]
    ]
    return [{"zone": zone, "qualitative": qualitative} for zone in dict.fromkeys(zones)]


def _ticked(form: Mapping[str, str], name: str) -> bool:
    return form.get(name, "") not in ("", "false")


def _lines(raw: str) -> list[str]:
    return [line.strip() for line in re.split(r"[\n,]", raw) if line.strip()]


def _number(raw: str) -> object:
    text = raw.strip()
    return int(text) if text.isdigit() else text


def _set(target: dict[str, Any], key: str, value: object) -> None:
    if value not in ("", None):
        target[key] = value
