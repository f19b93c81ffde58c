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
    "date_parsing": "write the date as YYYY-MM-DD.",
    "date_type": "write the date as YYYY-MM-DD.",
    "bool_type": "answer true or false.",
    "bool_parsing": "answer true or false.",
    "int_type": "give a whole number.",
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
    """One problem per validation error, each naming its field and a fix."""
    return [_problem(detail) for detail in error.errors(include_url=False)]


def _problem(detail: ErrorDetails) -> FieldProblem:
    path = field_path(detail["loc"])
    message = detail["msg"].removeprefix("Value error, ")
    return FieldProblem(field=path, problem=f"{message}.", fix=_fix(detail))


def _fix(detail: ErrorDetails) -> str:
    kind = detail["type"]
    context: dict[str, Any] = dict(detail.get("ctx") or {})
    if kind == "enum":
        return f"use one of: {context.get('expected', '')}."
    if kind in {"greater_than_equal", "greater_than"}:
        return f"use a value of at least {context.get('ge', context.get('gt'))}."
    if kind in {"less_than_equal", "less_than"}:
        return f"use a value of at most {context.get('le', context.get('lt'))}."
    return _FIXES.get(kind, "correct the value (see `needlepoint schema`).")
