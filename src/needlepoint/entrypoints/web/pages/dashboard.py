"""The dashboard: today's appointments, charts waiting for sign-off, patients due to book."""

from __future__ import annotations

from starlette.responses import Response

from needlepoint.entrypoints.web import templates
from needlepoint.entrypoints.web.visits import StaffVisit
from needlepoint.services.permissions import Action
from needlepoint.services.scheduling.dashboard import WORKLIST_PAGE


def show(visit: StaffVisit) -> Response:
    """The day at a glance, read in one go (one transaction, one audit event).

    Charts waiting for sign-off and check-ins that need attention (ADR 0017) are shown to
    clinical staff only. Each worklist shows a page (``WORKLIST_PAGE``); the patients due to
    book go on at ``?due_after=`` the next page's cursor.
    """
    clinical = visit.may(Action.CONSULTATION_READ)
    board = visit.services.scheduling.dashboard(
        clinical=clinical, context=visit.context, due_after=visit.query("due_after") or None
    )
    values = {
        "clinical": clinical,
        "appointments": board.appointments,
        "awaiting": board.awaiting,
        "awaiting_more": board.awaiting_more,
        "due": board.due,
        "due_more": board.due_more,
        "due_later_page": bool(visit.query("due_after")),
        "page_size": WORKLIST_PAGE,
        "attention": board.attention,
        "current": "dashboard",
    }
    return templates.render(visit, "dashboard.html", values)
