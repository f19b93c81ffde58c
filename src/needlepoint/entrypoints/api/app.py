"""The REST API application: ``create_app(services)``, everything under ``/api/v1``.

The OpenAPI document is served at ``/api/v1/openapi.json`` (and browsable at ``/api/v1/docs``).
Every route, the web app's pages included, passes ``permissions.authorize`` first; the API's
errors become problem+json in ``errors``, the pages' become HTML pages (``web.routing``).
"""

from __future__ import annotations

import functools
import inspect
import re
from http import HTTPStatus

from fastapi import Depends, FastAPI, Request
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import BaseRoute

from needlepoint import __version__
from needlepoint.bootstrap import Services, bootstrap
from needlepoint.entrypoints.api import errors, permissions, security
from needlepoint.entrypoints.api.middleware import BodySizeLimit, RequestBoundary
from needlepoint.entrypoints.api.routers import (
    analytics,
    assessments,
    audit,
    auth,
    check_ins,
    clinic,
    consent,
    consultations,
    documents,
    fhir,
    fhir_bulk,
    patients,
    photos,
    scheduling,
    staff,
    treatment,
)
from needlepoint.entrypoints.api.transport import HttpsOnly
from needlepoint.entrypoints.api.unknown_query import refuse_unknown_query
from needlepoint.entrypoints.web import routes as web
from needlepoint.entrypoints.web.pages import photos as photo_pages
from needlepoint.entrypoints.web.portal import uploads
from needlepoint.entrypoints.web.visits import stray

ROUTERS = (
    auth.router,
    staff.router,
    clinic.router,
    patients.router,
    consultations.router,
    treatment.router,
    consent.router,
    documents.router,
    assessments.router,
    photos.router,
    scheduling.router,
    check_ins.router,
    audit.router,
    analytics.router,
    fhir_bulk.router,  # before fhir: its /fhir/R4B/{resource_type} would take $export
    fhir.router,
)
PROBLEM_STATUSES = (400, 401, 403, 404, 409, 413, 422, 429, 500)
WEB_STRAY_STATUSES = (HTTPStatus.NOT_FOUND, HTTPStatus.METHOD_NOT_ALLOWED)
UPLOADS = (
    (uploads.PHOTO_PATH, uploads.MAX_BODY_BYTES),
    (re.compile(photos.UPLOAD_PATTERN), uploads.MAX_BODY_BYTES),
    (photo_pages.UPLOAD_PATH, uploads.MAX_BODY_BYTES),
)
DESCRIPTION = f"""Microneedling treatment programmes for clinics.

**Signing in.** Staff sign in at `POST {permissions.API}/auth/login`: the answer sets the
`needlepoint_session` cookie (HttpOnly, Secure, SameSite=Lax) and carries `csrf_token`. Every
POST, PUT, PATCH or DELETE made with the cookie must send that token in the
`{security.CSRF_HEADER}` header (or come from this site's own pages, with a same-origin
`Origin` header); otherwise it is refused with 403 `csrf-refused` and nothing changes.
`GET {permissions.API}/auth/me` gives the token again.

**Throttling.** Failed sign-ins are throttled per account, per account and address, and per
address, before any password is checked: after a few free failures each further attempt waits
a delay that doubles up to 15 minutes (429 `too-many-attempts` with `Retry-After` in seconds).
An address the account signed in from recently is not slowed by failures from elsewhere.

**Scripts.** Admins issue API tokens (`POST {permissions.API}/auth/tokens`, sent as
`Authorization: Bearer …`; no CSRF token needed) and revoke them
(`POST {permissions.API}/auth/tokens/{{token_id}}/revoke`). A token acts as the member of staff
it names but never attests: signing, charting and clearing need that clinician's own session.
"""
"""The paths allowed a body over 1 MiB: a portal check-in with its photo (ADR 0017), and a
clinical photo's upload, by the API and by the page (ADR 0028)."""


def create_app(services: Services) -> FastAPI:
    """The API over these services (the dummy password hash is made here, once)."""
    services.accounts.prepare_logins()
    app = FastAPI(
        title="needlepoint",
        description=DESCRIPTION,
        version=__version__,
        openapi_url=f"{permissions.API}/openapi.json",
        docs_url=None,  # web.pages.api_docs serves /api/v1/docs from this site (strict CSP)
        redoc_url=None,
        dependencies=[Depends(permissions.authorize)],
        responses=errors.documented_problems(*PROBLEM_STATUSES),
    )
    app.state.services = services
    app.state.rules = {**permissions.PERMISSIONS, **web.web_rules()}
    errors.install(app)
    _answer_strays_by_area(app)
    app.router.routes.extend(_included_routers())
    app.router.routes.append(web.static_files())
    app.add_middleware(BodySizeLimit, larger=UPLOADS)
    settings = services.settings
    if settings.https_only:  # TR-1: plain HTTP is redirected, HTTPS answers carry HSTS
        app.add_middleware(
            HttpsOnly, public_url=settings.public_url, proxies=settings.trusted_proxies
        )
    app.add_middleware(RequestBoundary)  # added last: the outermost layer
    return app


@functools.cache
def _included_routers() -> tuple[BaseRoute, ...]:
    """Every router, included once per process with the guard in front of each route.

    FastAPI builds an included route's request handling (a pydantic adapter for each
    parameter) lazily, on the first request, and keeps it in the inclusion: about half a second
    for these 220 routes. Every app of the process (one in a server; many in the tests) shares
    these inclusions and so builds them once. Nothing in them refers to an app: requests reach
    their app, and through it their services, by the ASGI scope; this code sets no
    ``dependency_overrides``.
    """
    holder = FastAPI(
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(permissions.authorize)],
        responses=errors.documented_problems(*PROBLEM_STATUSES),
    )
    before = len(holder.router.routes)
    for router in ROUTERS:
        # Routers carry their full paths: the permission table is keyed by them.
        holder.include_router(router, dependencies=[Depends(refuse_unknown_query)])
    holder.include_router(web.web_router())  # the web app's pages: the same guard, HTML answers
    return tuple(holder.router.routes[before:])


def _answer_strays_by_area(app: FastAPI) -> None:
    """An unknown path or a wrong method: problem+json under ``/api``, an HTML page elsewhere.

    Only 404 and 405 outside the API go to the web app (a browser asked for a page); every
    other framework error, and all of them under ``/api``, stay the API's problem+json.
    """
    api_answer = app.exception_handlers[HTTPException]

    async def answer(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        path = request.url.path
        in_api = path == "/api" or path.startswith(("/api/", f"{fhir.FHIR}/"))
        if in_api or error.status_code not in WEB_STRAY_STATUSES:
            answered = api_answer(request, error)
            return await answered if inspect.isawaitable(answered) else answered
        response = await stray(request, error)
        if error.status_code == HTTPStatus.METHOD_NOT_ALLOWED:
            response.headers["Allow"] = errors.allowed_methods(request)
        return response

    app.add_exception_handler(HTTPException, answer)


def create_app_from_environment() -> FastAPI:
    """The app with settings from the environment (the factory ``needlepoint serve`` runs)."""
    return create_app(bootstrap())
