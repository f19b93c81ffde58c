"""Pages as FastAPI routes: the API's one guard, answered in a browser's terms.

A page is a FastAPI route like any API operation, so the app's one dependency
(``api.permissions.authorize``) finds who is asking, checks the CSRF token of an unsafe
request and the action the page takes (its rule in the page table), before the page runs.
What differs is only how a page answers: its route class (``page_route``) reads the form
first (the token may be in it), names the cookies its tokens are bound to, and turns a
refusal or an error into a page of its audience (the login page, an HTML error page, an
htmx alert) with the web's security headers, instead of problem+json.

Each audience (the staff app, the patient portal) is an ``Audience``: its cookies, how it
reads a form, how it answers a failure and what it adds to every answer.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from needlepoint.entrypoints.api.permissions import Rule
from needlepoint.entrypoints.web.headers import add_security_headers

Endpoint = Callable[..., Any]
Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class Audience(Protocol):
    """How one audience's pages read their forms and answer failures."""

    @property
    def csrf_cookies(self) -> tuple[str, ...]:
        """The session cookie and the pre-session cookie a page's CSRF token is bound to."""

    async def prepare(self, request: Request) -> None:
        """Read the form into ``request.state.form_fields`` (before the guard looks at it)."""

    async def failed(self, request: Request, error: Exception) -> Response:
        """The page for a refusal or an error raised by the guard or the page."""

    async def finish(self, request: Request, response: Response) -> None:
        """Add what every answer of this audience carries (a pre-session cookie, say)."""


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a page table: its method and path, its endpoint, and its rule."""

    method: str
    path: str
    view: Endpoint
    allowed: Rule


def page_route(audience: Audience) -> type[APIRoute]:
    """The route class of an audience's pages: the guard's failures as its pages."""

    class PageRoute(APIRoute):
        def get_route_handler(self) -> Handler:
            handler = super().get_route_handler()
            return _answering(audience, handler)

    return PageRoute


def _answering(audience: Audience, handler: Handler) -> Handler:
    async def answer(request: Request) -> Response:
        request.state.csrf_cookies = audience.csrf_cookies
        try:
            await audience.prepare(request)
            response = await handler(request)
        except Exception as error:
            response = await audience.failed(request, error)
        await audience.finish(request, response)
        add_security_headers(response.headers)
        return response

    return answer


def router_of(audience: Audience, pages: Iterable[Page]) -> APIRouter:
    """An audience's page table as a FastAPI router (pages are not in the API's document).

    A page that answers GET answers HEAD too, as a Starlette route would (the guard reads
    HEAD as GET).
    """
    router = APIRouter(route_class=page_route(audience))
    for page in pages:
        router.add_api_route(
            page.path,
            page.view,
            methods=[page.method, "HEAD"] if page.method == "GET" else [page.method],
            include_in_schema=False,
            name=f"{page.method} {page.path}",
        )
    return router


def rules_of(pages: Iterable[Page]) -> Mapping[tuple[str, str], Rule]:
    """The page table as the guard reads it: (method, path) → rule."""
    return {(page.method, page.path): page.allowed for page in pages}
