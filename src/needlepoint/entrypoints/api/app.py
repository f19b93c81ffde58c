"""The REST API application: ``create_app(services)``, everything under ``/api/v1``.

The OpenAPI document is served at ``/api/v1/openapi.json`` (and browsable at ``/api/v1/docs``).
Every route passes ``permissions.authorize`` first; errors become problem+json in ``errors``.
"""

from __future__ import annotations

from fastapi import Depends, FastAPI

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
from needlepoint.entrypoints.web.routes import web_routes

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
    for router in ROUTERS:
        # Routers carry their full paths: the permission table is keyed by them.
        app.include_router(router)
    app.router.routes.extend(web_routes(services))  # the web app: plain routes, own checks
    app.add_middleware(BodySizeLimit)
    app.add_middleware(RequestBoundary)  # added last: the outermost layer
    return app


def create_app_from_environment() -> FastAPI:
    """The app with settings from the environment (the factory ``needlepoint serve`` runs)."""
    return create_app(bootstrap())
