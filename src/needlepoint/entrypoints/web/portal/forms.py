"""Reading the check-in form: each answer checked, each problem naming its field.

The answers are read by the check-in's request model (``api.schemas.portal.CheckInIn``), so
a problem carries the model's field and stable code; the words are the portal's own, plain
ones for patients.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Final

from needlepoint.domain.checkins import MAX_NOTE_CHARS, MAX_PAIN, CheckInAnswers
from needlepoint.domain.errors import FieldProblem, InvalidInputError
from needlepoint.entrypoints.api.schemas.portal import CheckInIn
from needlepoint.entrypoints.web.forms import body, parsed

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

_DEGREE: Final = ("has no answer.", "choose none, mild, moderate or severe.")
_YES_OR_NO: Final = ("has no answer.", "choose yes or no.")
WORDS: Final = {
    "redness": _DEGREE,
    "swelling": _DEGREE,
    "pain": ("has no answer.", f"choose a number from 0 to {MAX_PAIN}."),
    "pus": _YES_OR_NO,
    "fever": _YES_OR_NO,
    "blisters": _YES_OR_NO,
}
"""What the form says of an answer it cannot take, whatever the code (the note's words say
how long it is)."""


def answers(form: Mapping[str, str]) -> CheckInAnswers:
    """The answers of a check-in form, or every problem with it at once."""
    given = body(form, CheckInIn.model_fields)
    try:
        return parsed(CheckInIn, given).to_domain()
    except InvalidInputError as error:
        raise InvalidInputError([_in_words(p, given) for p in error.problems]) from None


def _in_words(problem: FieldProblem, given: Mapping[str, str]) -> FieldProblem:
    if problem.field == "note":
        length = len(given.get("note", "").strip())
        fix = f"shorten it to {MAX_NOTE_CHARS} characters or fewer."
        return replace(problem, problem=f"is {length} characters long.", fix=fix)
    said, fix = WORDS.get(problem.field, (problem.problem, problem.fix))
    return replace(problem, problem=said, fix=fix)
