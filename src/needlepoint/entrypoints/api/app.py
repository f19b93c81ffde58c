"""The REST API application: ``create_app(services)``, everything under ``/api/v1``.

The OpenAPI document is served at ``/api/v1/openapi.json`` (and browsable at ``/api/v1/docs``).
Every route passes ``permissions.authorize`` first; errors become problem+json in ``errors``.
"""

from __future__ import annotations

import inspect
from http import HTTPStatus

from fastapi import Depends, FastAPI, Request
from starlette.exceptions import HTTPException
from starlette.responses import Response

from needlepoint import __version__
from needlepoint.bootstrap import Services, bootstrap
from needlepoint.entrypoints.api import errors, permissions
from needlepoint.entrypoints.api.middleware import BodySizeLimit, RequestBoundary
from needlepoint.entrypoints.api.routers import (
    assessments,
    auth,
    consultations,
    patients,
    scheduling,
    staff,
    treatment,
)
from needlepoint.entrypoints.web.portal import uploads
from needlepoint.entrypoints.web.routes import web_routes
from needlepoint.entrypoints.web.visits import stray

ROUTERS = (
    auth.router,
    staff.router,
    patients.router,
    consultations.router,
    treatment.router,
    assessments.router,
    scheduling.router,
)
PROBLEM_STATUSES = (400, 401, 403, 404, 409, 413, 422, 429, 500)
WEB_STRAY_STATUSES = (HTTPStatus.NOT_FOUND, HTTPStatus.METHOD_NOT_ALLOWED)
UPLOADS = ((uploads.PHOTO_PATH, uploads.MAX_BODY_BYTES),)
"""The one path allowed a body over 1 MiB: a portal check-in with its photo (ADR 0017)."""


def create_app(services: Services) -> FastAPI:
    """The API over these services (the dummy password hash is made here, once)."""
    services.prepare_logins()
    app = FastAPI(
        title="needlepoint",
        version=__version__,
        openapi_url=f"{permissions.API}/openapi.json",
        docs_url=f"{permissions.API}/docs",
        redoc_url=None,
        dependencies=[Depends(permissions.authorize)],
        responses=errors.documented_problems(*PROBLEM_STATUSES),
    )
    app.state.services = services
    errors.install(app)
    _answer_strays_by_area(app, services)
    for router in ROUTERS:
        # Routers carry their full paths: the permission table is keyed by them.
        app.include_router(router)
    app.router.routes.extend(web_routes(services))  # the web app: plain routes, own checks
    app.add_middleware(BodySizeLimit, larger=UPLOADS)
    app.add_middleware(RequestBoundary)  # added last: the outermost layer
    return app


def _answer_strays_by_area(app: FastAPI, services: Services) -> None:
    """An unknown path or a wrong method: problem+json under ``/api``, an HTML page elsewhere.

    Only 404 and 405 outside the API go to the web app (a browser asked for a page); every
    other framework error, and all of them under ``/api``, stay the API's problem+json.
    """
    api_answer = app.exception_handlers[HTTPException]
    web_answer = stray(services)

    async def answer(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        path = request.url.path
        in_api = path == "/api" or path.startswith("/api/")
        if in_api or error.status_code not in WEB_STRAY_STATUSES:
            answered = api_answer(request, error)
            return await answered if inspect.isawaitable(answered) else answered
        response = await web_answer(request, error)
        if error.status_code == HTTPStatus.METHOD_NOT_ALLOWED:
            response.headers["Allow"] = errors.allowed_methods(request)
        return response

    app.add_exception_handler(HTTPException, answer)


def create_app_from_environment() -> FastAPI:
    """The app with settings from the environment (the factory ``needlepoint serve`` runs)."""
    return create_app(bootstrap())
