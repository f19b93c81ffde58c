"""The one mapping from errors to web pages: an HTML page naming the problem, never a trace.

``STATUS_BY_ERROR`` gives an error type its HTTP status (a subclass inherits its nearest
listed base; anything unlisted is a 400). A missing record always reads the same, whatever the
id, so another clinic's id cannot be told from an unknown one. An unexpected error is logged
with its type and the request id only (messages may quote patient data) and shown as a plain
500 page.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Mapping
from http import HTTPStatus
from typing import TYPE_CHECKING, Final

from starlette.responses import Response

from needlepoint.domain.charting import (
    ContraindicatedError,
    ExpiredCartridgeError,
    OverrideRequiredError,
)
from needlepoint.domain.errors import DomainError, InvalidInputError
from needlepoint.domain.records import AlreadySignedError
from needlepoint.domain.treatment import (
    InvalidTransitionError,
    LicenceRequiredError,
    VersionConflictError,
)
from needlepoint.entrypoints.web import templates
from needlepoint.services.consultation_records import ConsultationNotFoundError
from needlepoint.services.patients import PatientNotFoundError
from needlepoint.services.sessions import (
    InvalidCredentialsError,
    NotAuthenticatedError,
    PermissionDeniedError,
    TooManyAttemptsError,
)
from needlepoint.services.treatment import (
    ConsultationNotSignedError,
    NotTreatableError,
    SeriesNotFoundError,
    SessionNotFoundError,
)

if TYPE_CHECKING:
    from needlepoint.entrypoints.web.visits import Visit

STATUS_BY_ERROR: Final[Mapping[type[DomainError], int]] = {
    InvalidInputError: 422,
    ExpiredCartridgeError: 422,
    OverrideRequiredError: 422,
    InvalidCredentialsError: 401,
    NotAuthenticatedError: 401,
    PermissionDeniedError: 403,
    LicenceRequiredError: 403,
    PatientNotFoundError: 404,
    ConsultationNotFoundError: 404,
    SeriesNotFoundError: 404,
    SessionNotFoundError: 404,
    AlreadySignedError: 409,
    ContraindicatedError: 409,
    VersionConflictError: 409,
    InvalidTransitionError: 409,
    ConsultationNotSignedError: 409,
    NotTreatableError: 409,
    TooManyAttemptsError: 429,
}
"""Error type → HTTP status. An error raised on purpose but not listed here is a 400."""

UNLISTED_STATUS: Final = 400
NOT_FOUND_DETAIL: Final = "There is no such record in your clinic."
CSRF_DETAIL: Final = (
    "This form was not sent by this page, or the page is out of date. "
    "Go back, reload the page and send the form again."
)
UNEXPECTED_DETAIL: Final = "The server could not complete this request. Nothing was changed."

log = logging.getLogger("needlepoint.web")


def status_of(error: DomainError) -> int:
    """The HTTP status of an error: its own entry, else its nearest listed base class."""
    for kind in type(error).__mro__:
        status = STATUS_BY_ERROR.get(kind)
        if status is not None:
            return status
    return UNLISTED_STATUS


def error_page(visit: Visit, error: DomainError) -> Response:
    """The page for an error raised on purpose by the services or the domain."""
    status = status_of(error)
    if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        return unexpected(visit, error)
    detail = NOT_FOUND_DETAIL if status == HTTPStatus.NOT_FOUND else str(error)
    problems = error.problems if isinstance(error, InvalidInputError) else ()
    return _page(visit, status, detail, problems=problems)


def csrf_refused(visit: Visit) -> Response:
    """403: an unsafe request without its CSRF token."""
    log.warning("refused %s %s: CSRF token missing or wrong", visit.page.method, visit.page.path)
    return _page(visit, HTTPStatus.FORBIDDEN, CSRF_DETAIL)


def unexpected(visit: Visit, error: BaseException) -> Response:
    """500: logged by type and place only; the page says nothing about what went wrong."""
    frames = "".join(traceback.format_tb(error.__traceback__))
    request_id = getattr(visit.request.state, "request_id", "-")
    log.error("unexpected %s in request %s\n%s", type(error).__name__, request_id, frames)
    return _page(visit, HTTPStatus.INTERNAL_SERVER_ERROR, UNEXPECTED_DETAIL)


def _page(visit: Visit, status: int, detail: str, *, problems: tuple[object, ...] = ()) -> Response:
    title = HTTPStatus(status).phrase
    values = {"status": status, "title": title, "detail": detail, "problems": problems}
    if visit.from_htmx:
        # htmx swaps error answers too (base.html's htmx-config): into the alerts region.
        headers = {"HX-Retarget": "#alerts", "HX-Reswap": "innerHTML"}
        return templates.render(visit, "_error.html", values, status=status, headers=headers)
    return templates.render(visit, "error.html", values, status=status)
