"""The one mapping from errors to HTTP: RFC 9457 ``application/problem+json`` with stable codes.

Every error body has the same shape::

    {"type": "urn:needlepoint:problem:<code>", "title": "Not Found", "status": 404,
     "detail": "...", "code": "<code>", "errors": [{"field", "problem", "fix"}, ...]}

A field's problem also names ``limit``, the id of the limit in ``limits.yaml`` it breaks, when
it breaks one (a refusal by a limit also has that id as its ``code``).

``entrypoints.statuses.STATUS_BY_ERROR`` is the only place an error type gets its HTTP status
(a subclass inherits its nearest mapped base), for the API and the web app alike. Request
validation failures are 422 naming each field; an unknown field is refused by name. A 5xx never
carries the error's text, a traceback or any internal detail: the server log gets the error
type and the request id, never request data.
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Iterable, Iterator, Mapping, Sequence
from http import HTTPStatus
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Match, Route

from needlepoint.domain import text
from needlepoint.domain.errors import DomainError, FieldProblem, InvalidInputError
from needlepoint.entrypoints.api.schemas.common import Problem
from needlepoint.entrypoints.statuses import status_of
from needlepoint.services.accounts.second_step import SecondStepRequiredError
from needlepoint.services.accounts.sign_in import (
    TooManyAttemptsError,
)
from needlepoint.services.problems import code_of, field_path

PROBLEM_JSON: Final = "application/problem+json"

CODE_BY_HTTP_STATUS: Final[Mapping[int, str]] = {
    400: "bad-request",
    404: "not-found",
    405: "method-not-allowed",
    413: "body-too-large",
}
"""Codes for errors the framework raises itself (unknown path, wrong method, …)."""

NOT_FOUND_DETAIL: Final = "there is no such record in your clinic."
"""Said for every missing record: an unknown id and another clinic's id read the same."""

INTERNAL_ERROR_CODE: Final = "internal-error"
INVALID_INPUT_CODE: Final = InvalidInputError.code

_REQUEST_PARTS: Final = frozenset({"body", "query", "path", "header", "cookie"})
_FIXES: Final[Mapping[str, tuple[str, str]]] = {
    "extra_forbidden": (
        "is not a field of this request.",
        "remove it (unknown fields are refused).",
    ),
    "missing": ("is required.", "give a value."),
    "decimal_parsing": ("is not a number.", "send a JSON number, such as 1.5."),
    "decimal_type": ("is not a number.", "send a JSON number, such as 1.5."),
}
_DEFAULT_FIX: Final = "see this operation in the API document (/api/v1/openapi.json)."

log = logging.getLogger("needlepoint.api")


def problem(
    status: int,
    code: str,
    detail: str,
    *,
    errors: Iterable[FieldProblem] = (),
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, object] | None = None,
) -> JSONResponse:
    """A problem+json response (``extra``: members of its own, as RFC 9457 allows)."""
    body: dict[str, object] = {**(extra or {})}
    body |= {
        "type": f"urn:needlepoint:problem:{code}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
        "errors": [
            {"field": e.field, "problem": e.problem, "fix": e.fix, "code": e.code} for e in errors
        ],
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def domain_problem(error: DomainError) -> JSONResponse:
    """The response for an error raised on purpose by the services or the domain."""
    status = status_of(error)
    if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        return internal_problem()
    problems = error.problems if isinstance(error, InvalidInputError) else ()
    detail = NOT_FOUND_DETAIL if status == HTTPStatus.NOT_FOUND else str(error)
    headers = _headers_for(error)
    return problem(
        status, error.code, detail, errors=problems, headers=headers, extra=_extra_of(error)
    )


def _extra_of(error: DomainError) -> dict[str, object] | None:
    """A pending sign-in's token (and a new app's key) for the client's second step."""
    if not isinstance(error, SecondStepRequiredError):
        return None
    pending = error.pending
    extra: dict[str, object] = {
        "challenge": pending.token,
        "challenge_expires_at": pending.expires_at.isoformat(),
        "answer_at": "/api/v1/auth/login/second-step",
    }
    if pending.enrolment is not None:
        extra |= {
            "secret": pending.enrolment.secret,
            "manual_key": pending.enrolment.manual_key,
            "otpauth_uri": pending.enrolment.uri,
        }
    return extra


def _headers_for(error: DomainError) -> dict[str, str] | None:
    if isinstance(error, TooManyAttemptsError):
        return {"Retry-After": str(error.retry_after_seconds)}
    if status_of(error) == HTTPStatus.UNAUTHORIZED:
        return {"WWW-Authenticate": 'Bearer realm="needlepoint"'}
    return None


def internal_problem() -> JSONResponse:
    """The 500 response: says nothing about what went wrong inside."""
    return problem(500, INTERNAL_ERROR_CODE, "the server could not complete this request.")


def log_unexpected(error: BaseException, request_id: str) -> None:
    """Log an unexpected error: its type, where it was raised, and the request id only.

    The message is left out on purpose: database and validation errors quote the values they
    were given, and those may be patient data.
    """
    frames = "".join(traceback.format_tb(error.__traceback__))
    log.error("unexpected %s in request %s\n%s", type(error).__name__, request_id, frames)


def validation_problems(errors: Sequence[Any], body: object = None) -> list[FieldProblem]:
    """Pydantic's request errors as field problems (the offending values are never echoed).

    Fields are named as the domain and the web forms name them (``chart.zones[cheeks].passes``)
    and each problem has the stable code the web form would give (``services.problems``).
    """
    return [_field_problem(error, body) for error in errors]


def _field_problem(error: Mapping[str, Any], body: object) -> FieldProblem:
    location = list(error.get("loc", ()))
    if location and location[0] in _REQUEST_PARTS:
        part, location = location[0], location[1:]
        body = body if part == "body" else None
    kind = str(error.get("type", ""))
    said, fix = _FIXES.get(kind, (f"{error.get('msg', 'is not valid')!s}.", _DEFAULT_FIX))
    # A validator that knows how to write the value says so in its error's context.
    context = error.get("ctx")
    if isinstance(context, Mapping) and isinstance(context.get("fix"), str):
        fix = context["fix"]
    if isinstance(context, Mapping) and context.get("pattern") in text.FIXES:
        said = text.PROBLEMS[str(context["pattern"])]
        fix = text.FIXES[str(context["pattern"])]
    path = field_path(location, body) if location else "body"
    return FieldProblem(field=path, problem=said, fix=fix, code=code_of(error))


async def _on_domain_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    return fhir_answer(request, domain_problem(error))


async def _on_validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    problems = validation_problems(error.errors(), error.body)
    fields = ", ".join(p.field for p in problems)
    answer = problem(
        422, INVALID_INPUT_CODE, f"the request is not valid: {fields}.", errors=problems
    )
    return fhir_answer(request, answer)


FHIR_PREFIX: Final = "/fhir/"
FHIR_JSON: Final = "application/fhir+json"
ISSUE_BY_STATUS: Final[Mapping[int, str]] = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    409: "conflict",
    413: "too-costly",
    422: "invalid",
    429: "throttled",
}
"""The OperationOutcome issue type (FHIR's IssueType) of each status a problem has."""


def fhir_answer(request: Request, answer: JSONResponse) -> JSONResponse:
    """On a ``/fhir/`` path, the same problem as an OperationOutcome (``application/fhir+json``).

    Its first issue's diagnostics are the problem's detail, then each field's problem and fix;
    each field then has an issue of its own with the field as its ``expression``.
    """
    if not request.url.path.startswith(FHIR_PREFIX):
        return answer
    body = json.loads(bytes(answer.body))
    fields = [
        (str(e["field"]), f"{e['field']} {e['problem']} Fix: {e['fix']}")
        for e in body.get("errors", ())
    ]
    said = " ".join([str(body["detail"]), *(text for _, text in fields)])
    outcome = request.app.state.services.interop.operation_outcome(
        ISSUE_BY_STATUS.get(answer.status_code, "exception"), said, fields
    )
    headers = {
        name: value
        for name, value in answer.headers.items()
        if name.lower() not in {"content-type", "content-length"}
    }
    return JSONResponse(
        outcome, status_code=answer.status_code, media_type=FHIR_JSON, headers=headers
    )


async def _on_http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    status = error.status_code
    code = CODE_BY_HTTP_STATUS.get(status, f"http-{status}")
    headers = dict(error.headers or {})
    if status == HTTPStatus.METHOD_NOT_ALLOWED:
        headers["Allow"] = allowed_methods(request) or headers.get("Allow", "")
    answer = problem(status, code, HTTPStatus(status).phrase + ".", headers=headers or None)
    return fhir_answer(request, answer)


def allowed_methods(request: Request) -> str:
    """Every method the request's path answers to, for a 405's ``Allow`` (RFC 9110 §15.5.6).

    Starlette's 405 lists only the methods of the first route matching the path, but a path's
    GET and POST are separate routes: this asks every route, including those behind
    ``include_router`` (routers carry their full paths, so each route matches on its own).
    """
    scope = {
        "type": "http",
        "method": request.method,
        "path": request.scope["path"],
        "root_path": request.scope.get("root_path", ""),
    }
    methods: set[str] = set()
    for route in _routes(request.app.routes):
        if isinstance(route, Route) and route.methods and route.matches(scope)[0] != Match.NONE:
            methods |= route.methods
    return ", ".join(sorted(methods))


def _routes(routes: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    for route in routes:
        inner = getattr(route, "original_router", None)  # FastAPI's included router
        if inner is None:
            yield route
        else:
            yield from _routes(inner.routes)


def install(app: FastAPI) -> None:
    """Register the handlers: domain errors, request validation, framework HTTP errors."""
    app.add_exception_handler(DomainError, _on_domain_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(HTTPException, _on_http_error)


def documented_problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries saying these statuses answer with a problem."""
    reference = {"$ref": "#/components/schemas/Problem"}
    return {
        status: {
            "model": Problem,
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_JSON: {"schema": reference}},
        }
        for status in statuses
    }
