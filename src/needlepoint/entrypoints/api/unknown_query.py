"""An unknown query parameter is refused, on every API route (ecosystem.md AC-4, ADR 0042).

A query model (``Annotated[Model, Query()]``, ``extra="forbid"``) refuses unknown parameters by
itself; a route taking separate ``Query`` parameters would silently ignore ``?sort=…`` or
``?clinic_id=…``. This dependency, on every API router, compares the query string with the
names the route declares (its own, its dependencies', a query model's fields) and refuses the
rest as a query model would: 422, each unknown name a field ``unknown-field``.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel


def declared_query_names(dependant: Dependant) -> frozenset[str]:
    """The query parameter names a route (with its dependencies) takes."""
    names: set[str] = set()
    for field in dependant.query_params:
        annotation: Any = field.field_info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            names |= {info.alias or name for name, info in annotation.model_fields.items()}
        else:
            names.add(field.alias)
    for sub in dependant.dependencies:
        names |= declared_query_names(sub)
    return frozenset(names)


async def refuse_unknown_query(request: Request) -> None:
    """Raise 422 (``extra_forbidden`` at each unknown name) if the query names one."""
    dependant = getattr(request.scope.get("route"), "dependant", None)
    if dependant is None:
        return
    unknown = sorted(set(request.query_params) - declared_query_names(dependant))
    if unknown:
        raise RequestValidationError(
            [
                {"type": "extra_forbidden", "loc": ("query", name), "msg": "unknown parameter"}
                for name in unknown
            ]
        )
