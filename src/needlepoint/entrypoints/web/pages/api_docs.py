"""The API's reference page at ``/api/v1/docs``, served from this site alone.

FastAPI's own page loads Swagger UI from a CDN: blank offline, and no CSP. This page links the
OpenAPI document (``/api/v1/openapi.json``) and lists its operations with a small script of
ours (``static/api-docs.js``), under the web app's security headers and strict CSP.
"""

from __future__ import annotations

from typing import Final

from starlette.responses import Response

from needlepoint.entrypoints.web import templates
from needlepoint.entrypoints.web.visits import StaffVisit

OPENAPI_PATH: Final = "/api/v1/openapi.json"
DOCS_PATH: Final = "/api/v1/docs"


def show(visit: StaffVisit) -> Response:
    """The reference page; its script fills in the operations from the OpenAPI document."""
    return templates.render(visit, "api_docs.html", {"openapi": OPENAPI_PATH})
