"""Reading the check-in form: each answer checked, each problem naming its field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from needlepoint.domain.checkins import MAX_NOTE_CHARS, MAX_PAIN, CheckInAnswers, Degree
from needlepoint.domain.errors import FieldProblem, InvalidInputError

YES_NO: Final = {"yes": True, "no": False}
QUESTIONS: Final = {
    "redness": "Redness",
    "swelling": "Swelling",
    "pain": "Pain",
    "pus": "Pus or yellow crusts",
    "fever": "Fever",
    "blisters": "Blisters",
    "note": "Anything else",
    "photo": "Photo",
}
"""The label of each field, for the list of problems at the top of the form."""


def answers(form: Mapping[str, str]) -> CheckInAnswers:
    """The answers of a check-in form, or every problem with it at once."""
    problems: list[FieldProblem] = []
    redness = _degree(form, "redness", problems)
    swelling = _degree(form, "swelling", problems)
    pain = _pain(form, problems)
    pus = _yes_no(form, "pus", problems)
    fever = _yes_no(form, "fever", problems)
    blisters = _yes_no(form, "blisters", problems)
    note = form.get("note", "").strip()
    if len(note) > MAX_NOTE_CHARS:
        fix = f"shorten it to {MAX_NOTE_CHARS} characters or fewer."
        problems.append(FieldProblem("note", f"is {len(note)} characters long.", fix))
    if (
        problems
        or redness is None
        or swelling is None
        or pain is None
        or pus is None
        or fever is None
        or blisters is None
    ):
        raise InvalidInputError(problems)
    return CheckInAnswers(redness, swelling, pain, pus, fever, blisters, note)


def _degree(form: Mapping[str, str], name: str, problems: list[FieldProblem]) -> Degree | None:
    raw = form.get(name, "")
    if raw in {d.value for d in Degree}:
        return Degree(raw)
    problems.append(FieldProblem(name, "has no answer.", "choose none, mild, moderate or severe."))
    return None


def _pain(form: Mapping[str, str], problems: list[FieldProblem]) -> int | None:
    raw = form.get("pain", "").strip()
    if raw.isdigit() and 0 <= int(raw) <= MAX_PAIN:
        return int(raw)
    problems.append(
        FieldProblem("pain", "has no answer.", f"choose a number from 0 to {MAX_PAIN}.")
    )
    return None


def _yes_no(form: Mapping[str, str], name: str, problems: list[FieldProblem]) -> bool | None:
    raw = form.get(name, "")
    if raw in YES_NO:
        return YES_NO[raw]
    problems.append(FieldProblem(name, "has no answer.", "choose yes or no."))
    return None
