"""Turning Pydantic validation errors into field problems a person can act on."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from needlepoint.domain.errors import FieldProblem

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


def field_path(location: Sequence[int | str]) -> str:
    """``('history', 'recent_procedures', 0, 'kind')`` → ``history.recent_procedures[0].kind``."""
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(file)"


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
    return FieldProblem(field=path, problem=f"{message}.", fix=_fix(detail))


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
    return _FIXES.get(kind, "correct the value (see `needlepoint schema`).")
