"""The dashboard: today's appointments, charts waiting for sign-off, patients due to book."""

from __future__ import annotations

from starlette.responses import Response

from needlepoint.entrypoints.api.permissions import CLINICAL
from needlepoint.entrypoints.web import templates
from needlepoint.entrypoints.web.visits import Visit


def show(visit: Visit) -> Response:
    """The day at a glance; charts waiting for sign-off are shown to clinical staff only."""
    services, context = visit.services, visit.context
    clinical = visit.may(CLINICAL)
    awaiting = services.charts_awaiting_signoff(context=context) if clinical else ()
    due = services.sessions_due(context=context)
    values = {"clinical": clinical, "awaiting": awaiting, "due": due, "current": "dashboard"}
    return templates.render(visit, "dashboard.html", values)
