"""The one mapping from errors to web pages: an HTML page naming the problem, never a trace.

``entrypoints.statuses`` gives an error type its HTTP status, the same as the API's. A missing
record always reads the same, whatever the id, so another clinic's id cannot be told from an
unknown one. An unexpected error is logged with its type and the request id only (messages may
quote patient data) and shown as a plain 500 page. A path no page has, or a method its page
does not take, is answered with the same page (404 or 405), never the API's problem+json.
"""

from __future__ import annotations

import logging
import traceback
from http import HTTPStatus
from typing import TYPE_CHECKING, Final

from starlette.responses import Response

from needlepoint.domain.errors import DomainError, InvalidInputError
from needlepoint.entrypoints.statuses import status_of
from needlepoint.entrypoints.web import templates
from needlepoint.services import permissions
from needlepoint.services.permissions import Action, PermissionDeniedError

if TYPE_CHECKING:
    from needlepoint.entrypoints.web.visits import Visit

NOT_FOUND_DETAIL: Final = "There is no such record in your clinic."
CSRF_DETAIL: Final = (
    "This form was not sent by this page, or the page is out of date. "
    "Go back, reload the page and send the form again."
)
UNEXPECTED_DETAIL: Final = "The server could not complete this request. Nothing was changed."
STRAY_PAGES: Final = {
    HTTPStatus.NOT_FOUND: (
        "Page not found",
        "There is no page at this address. Check the address, or start again from the dashboard.",
    ),
    HTTPStatus.METHOD_NOT_ALLOWED: (
        "Not possible here",
        "This page cannot be used that way. Go back and use its links and buttons.",
    ),
}
"""Title and words of the page for a stray request, by status (any other: the status phrase)."""

log = logging.getLogger("needlepoint.web")


def error_page(visit: Visit, error: DomainError) -> Response:
    """The page for an error raised on purpose by the services or the domain."""
    status = status_of(error)
    if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        return unexpected(visit, error)
    detail = NOT_FOUND_DETAIL if status == HTTPStatus.NOT_FOUND else str(error)
    problems = error.problems if isinstance(error, InvalidInputError) else ()
    return _page(
        visit, status, detail, problems=problems, patient_id=_refused_patient(visit, error)
    )


def _refused_patient(visit: Visit, error: DomainError) -> str | None:
    """The patient of a page refused to the member's role: the refusal offers break-glass."""
    patient_id = visit.request.path_params.get("patient_id")
    refused = isinstance(error, PermissionDeniedError) and visit.request.method == "GET"
    may = visit.member is not None and permissions.allows(visit.member.role, Action.BREAK_GLASS)
    return str(patient_id) if refused and may and patient_id else None


def csrf_refused(visit: Visit) -> Response:
    """403: an unsafe request without its CSRF token."""
    request = visit.request
    path = getattr(request.scope.get("route"), "path", request.url.path)
    log.warning("refused %s %s: CSRF token missing or wrong", request.method, path)
    return _page(visit, HTTPStatus.FORBIDDEN, CSRF_DETAIL)


def unexpected(visit: Visit, error: BaseException) -> Response:
    """500: logged by type and place only; the page says nothing about what went wrong."""
    frames = "".join(traceback.format_tb(error.__traceback__))
    request_id = getattr(visit.request.state, "request_id", "-")
    log.error("unexpected %s in request %s\n%s", type(error).__name__, request_id, frames)
    return _page(visit, HTTPStatus.INTERNAL_SERVER_ERROR, UNEXPECTED_DETAIL)


def stray_page(visit: Visit, status: int) -> Response:
    """404 or 405: a path no page has, or a method its page does not take."""
    phrase = HTTPStatus(status).phrase
    title, detail = STRAY_PAGES.get(HTTPStatus(status), (phrase, f"{phrase}."))
    return _page(visit, status, detail, title=title)


def _page(
    visit: Visit,
    status: int,
    detail: str,
    *,
    problems: tuple[object, ...] = (),
    title: str = "",
    patient_id: str | None = None,
) -> Response:
    title = title or HTTPStatus(status).phrase
    values = {
        "status": status,
        "title": title,
        "detail": detail,
        "problems": problems,
        "break_glass_patient_id": patient_id,
    }
    if visit.from_htmx:
        # htmx swaps error answers too (base.html's htmx-config): into the alerts region.
        headers = {"HX-Retarget": "#alerts", "HX-Reswap": "innerHTML"}
        return templates.render(visit, "_error.html", values, status=status, headers=headers)
    return templates.render(visit, "error.html", values, status=status)
