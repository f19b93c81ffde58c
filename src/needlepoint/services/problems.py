"""Turning Pydantic validation errors into field problems a person can act on.

One vocabulary for the API's request validation and the consultation file's: each Pydantic
error type gets a stable code (``domain.errors.InputCode``), and list items with a natural key
(a zone, a session number) are named by it, as the domain names them
(``chart.zones[cheeks].passes``, ``sessions[2].starts_at``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from needlepoint.domain import contact, text
from needlepoint.domain.errors import FieldProblem, InputCode

_FIXES = {
    "missing": "add this field; every question must be answered (see `needlepoint schema`).",
    "extra_forbidden": "remove this field or check its spelling (see `needlepoint schema`).",
    "date_from_datetime_parsing": "write the date as YYYY-MM-DD.",
    "date_from_datetime_inexact": "write the date as YYYY-MM-DD, without a time.",
    "date_parsing": "write the date as YYYY-MM-DD.",
    "date_type": "write the date as YYYY-MM-DD.",
    "bool_type": "answer true or false (unquoted).",
    "bool_parsing": "answer true or false.",
    "int_type": "give a whole number (unquoted).",
    "int_parsing": "give a whole number.",
    "decimal_parsing": "give a number, e.g. 1.5.",
    "decimal_type": "give a number, e.g. 1.5.",
    "too_short": "give at least one entry.",
    "too_long": "give fewer entries.",
    "string_too_long": "shorten the text.",
    "string_too_short": "give a value.",
    "dict_type": "give a mapping of names to values.",
    "tuple_type": "give a list.",
    "model_type": "give a mapping of fields.",
}


_CODES = {
    "missing": InputCode.REQUIRED,
    "extra_forbidden": InputCode.UNKNOWN_FIELD,
    "decimal_parsing": InputCode.NOT_A_NUMBER,
    "decimal_type": InputCode.NOT_A_NUMBER,
    "float_parsing": InputCode.NOT_A_NUMBER,
    "float_type": InputCode.NOT_A_NUMBER,
    "int_parsing": InputCode.NOT_A_WHOLE_NUMBER,
    "int_type": InputCode.NOT_A_WHOLE_NUMBER,
    "int_from_float": InputCode.NOT_A_WHOLE_NUMBER,
    "date_parsing": InputCode.NOT_A_DATE,
    "date_type": InputCode.NOT_A_DATE,
    "date_from_datetime_parsing": InputCode.NOT_A_DATE,
    "date_from_datetime_inexact": InputCode.NOT_A_DATE,
    "datetime_parsing": InputCode.NOT_A_TIME,
    "datetime_type": InputCode.NOT_A_TIME,
    "datetime_from_date_parsing": InputCode.NOT_A_TIME,
    "timezone_aware": InputCode.NOT_A_TIME,
    "time_parsing": InputCode.NOT_A_TIME,
    "time_type": InputCode.NOT_A_TIME,
    "enum": InputCode.NOT_A_CHOICE,
    "literal_error": InputCode.NOT_A_CHOICE,
    "uuid_parsing": InputCode.NOT_AN_ID,
    "uuid_type": InputCode.NOT_AN_ID,
    "bool_parsing": InputCode.NOT_YES_OR_NO,
    "bool_type": InputCode.NOT_YES_OR_NO,
    "string_too_long": InputCode.TOO_LONG,
    "too_long": InputCode.TOO_LONG,
    "string_too_short": InputCode.TOO_SHORT,
    "too_short": InputCode.TOO_SHORT,
    "string_type": InputCode.NOT_TEXT,
    "string_pattern_mismatch": InputCode.NOT_TEXT,
    "greater_than": InputCode.OUT_OF_RANGE,
    "greater_than_equal": InputCode.OUT_OF_RANGE,
    "less_than": InputCode.OUT_OF_RANGE,
    "less_than_equal": InputCode.OUT_OF_RANGE,
}
"""Pydantic's error types → the stable codes the domain and the web forms use."""

NATURAL_KEYS = ("zone", "number")
"""Keys that name a list item in a field path (``zones[cheeks]``, ``sessions[2]``)."""


def code_of(detail: ErrorDetails | Mapping[str, Any]) -> str:
    """The stable code of one Pydantic error (a validator may set its own in its context)."""
    context = detail.get("ctx")
    context = context if isinstance(context, Mapping) else {}
    if isinstance(context.get("code"), str):
        return str(context["code"])
    kind = str(detail.get("type", ""))
    if kind == "string_too_short" and context.get("min_length") == 1:
        return InputCode.REQUIRED
    if kind == "string_pattern_mismatch" and context.get("pattern") in contact.CODES:
        return contact.CODES[str(context["pattern"])]
    return _CODES.get(kind, InputCode.INVALID)


def field_path(location: Sequence[int | str], body: object = None) -> str:
    """``('history', 'recent_procedures', 0, 'kind')`` → ``history.recent_procedures[0].kind``.

    Given the ``body`` the location points into, a list item with a natural key is named by
    it: ``('chart', 'zones', 0, 'passes')`` → ``chart.zones[cheeks].passes``.
    """
    path, node = "", body
    for part in location:
        node = _child(node, part)
        if isinstance(part, int):
            path += f"[{_natural_key(node) or part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "(file)"


def _child(node: object, part: int | str) -> object:
    if isinstance(part, int):
        fits = isinstance(node, list) and -len(node) <= part < len(node)
        return node[part] if fits and isinstance(node, list) else None
    return node.get(part) if isinstance(node, Mapping) else None


def _natural_key(item: object) -> str | None:
    if not isinstance(item, Mapping):
        return None
    for key in NATURAL_KEYS:
        value = item.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool):
            text = str(value)
            if text.isprintable() and len(text) <= MAX_KEY_CHARS:
                return text
    return None


MAX_KEY_CHARS: Final = 40
"""A natural key longer than this is not one (the index names the item instead)."""


def problems_from_validation(error: ValidationError) -> list[FieldProblem]:
    """One problem per validation error, each naming its field and a fix.

    A list that is "too short" only because one of its items was invalid is not reported
    again: the item's own problem says what to fix.
    """
    details = [_without_key_marker(d) for d in error.errors(include_url=False)]
    return [_problem(d) for d in details if not _echo_of_item_error(d, details)]


def _without_key_marker(detail: ErrorDetails) -> ErrorDetails:
    """Pydantic marks a bad mapping key with a trailing ``[key]``; the path already names it."""
    location = tuple(part for part in detail["loc"] if part != "[key]")
    return {**detail, "loc": location}


def _echo_of_item_error(detail: ErrorDetails, details: list[ErrorDetails]) -> bool:
    if detail["type"] != "too_short":
        return False
    here = tuple(detail["loc"])
    return any(
        tuple(other["loc"])[: len(here)] == here and len(other["loc"]) > len(here)
        for other in details
    )


def _problem(detail: ErrorDetails) -> FieldProblem:
    path = field_path(detail["loc"])
    message = detail["msg"].removeprefix("Value error, ")
    return FieldProblem(field=path, problem=f"{message}.", fix=_fix(detail), code=code_of(detail))


_BOUNDS = {
    "greater_than_equal": ("ge", "use a value of at least {}."),
    "greater_than": ("gt", "use a value above {}."),
    "less_than_equal": ("le", "use a value of at most {}."),
    "less_than": ("lt", "use a value below {}."),
}


def _fix(detail: ErrorDetails) -> str:
    kind = detail["type"]
    context: dict[str, Any] = dict(detail.get("ctx") or {})
    if kind == "enum":
        return f"use one of: {context.get('expected', '')}."
    if kind in _BOUNDS:
        key, template = _BOUNDS[kind]
        return template.format(context.get(key))
    if kind == "string_pattern_mismatch" and context.get("pattern") in text.FIXES:
        return text.FIXES[str(context["pattern"])]
    return _FIXES.get(kind, "correct the value (see `needlepoint schema`).")
