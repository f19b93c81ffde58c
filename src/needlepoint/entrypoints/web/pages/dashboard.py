"""The dashboard: today's appointments, charts waiting for sign-off, patients due to book."""

from __future__ import annotations

from starlette.responses import Response

from needlepoint.entrypoints.web import templates
from needlepoint.entrypoints.web.visits import StaffVisit
from needlepoint.services.permissions import Action


def show(visit: StaffVisit) -> Response:
    """The day at a glance, read in one go (one transaction, one audit event).

    Charts waiting for sign-off and check-ins that need attention (ADR 0017) are shown to
    clinical staff only.
    """
    clinical = visit.may(Action.CONSULTATION_READ)
    board = visit.services.scheduling.dashboard(clinical=clinical, context=visit.context)
    values = {
        "clinical": clinical,
        "appointments": board.appointments,
        "awaiting": board.awaiting,
        "due": board.due,
        "attention": board.attention,
        "current": "dashboard",
    }
    return templates.render(visit, "dashboard.html", values)
