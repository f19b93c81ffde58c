"""Reading forms with the API's own request models, so both refuse the same way.

A form arrives as text. Its inputs are laid out as the API's request body (``body``: a blank
input is a field not given, text is trimmed) and validated by the API's model for that
operation (``parsed``), so each problem names the same field with the same stable code as
the API's answer would; only the words are the web's. ``by_field`` keys the problems for
showing each beside its input.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Final, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from needlepoint.domain.errors import FieldProblem, InputCode, InvalidInputError
from needlepoint.services.problems import code_of, field_path

MAX_SEARCH: Final = 200
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")
M = TypeVar("M", bound=BaseModel)

WORDS: Final = {
    InputCode.REQUIRED: ("is missing.", "give a value."),
    InputCode.NOT_TEXT: ("is not plain text.", "type printable characters, not only spaces."),
    InputCode.NOT_AN_EMAIL: ("is not valid.", "give an address like name@example.org."),
    InputCode.NOT_A_PHONE: ("is not valid.", "use digits, spaces and + ( ) - . only."),
    InputCode.NOT_A_DATE: ("is not a date.", "give it as YYYY-MM-DD."),
    InputCode.NOT_A_CHOICE: ("is not chosen.", "choose one from the list."),
}
"""A person's words for the codes whose Pydantic message is written for programmers."""


def body(
    form: Mapping[str, str], names: Iterable[str], *, blank: Iterable[str] = ()
) -> dict[str, str]:
    """The named inputs as a request body: trimmed, and a blank input left out (missing).

    An input of spaces only stays as it is, so it is refused as text, not as missing. The
    inputs named in ``blank`` are sent even when empty, as an API client sends ``""``: the
    services then say what is missing (a reason, say) in their own words.
    """
    kept = set(blank)
    return {
        name: value.strip() or value
        for name in names
        if (value := form.get(name, "")) or (name in kept and name in form)
    }


def parsed(model: type[M], given: Mapping[str, object]) -> M:
    """The request ``given`` as the API's ``model`` reads it, or every problem at once."""
    try:
        return model.model_validate(given)
    except ValidationError as error:
        details = error.errors(include_url=False)
        raise InvalidInputError([_problem(d, given) for d in details]) from None


def _problem(detail: ErrorDetails, given: Mapping[str, object]) -> FieldProblem:
    """One problem, its field named as the API names it (list items by their zone)."""
    code = code_of(detail)
    context = detail.get("ctx") or {}
    fix = str(context.get("fix", "correct the value."))
    said, fix = WORDS.get(code, (detail["msg"].removeprefix("Value error, ") + ".", fix))
    return FieldProblem(field_path(detail["loc"], given), said, fix, code)


def search_text(raw: str) -> str:
    """A patient search, trimmed; control characters and over-long text are refused."""
    text = raw.strip()
    if len(text) > MAX_SEARCH or _CONTROL.search(text):
        raise InvalidInputError.single(
            "q", "is not a name to search for.", f"type up to {MAX_SEARCH} printable characters."
        )
    return text


def by_field(problems: Iterable[object]) -> dict[str, FieldProblem]:
    """Problems keyed by their field, for showing each beside its input."""
    return {p.field: p for p in problems if isinstance(p, FieldProblem)}
