"""The front desk's calendar: a day or a week, a lane per practitioner or per room.

``/calendar?view=week&on=YYYY-MM-DD&by=practitioner`` shows the local week (Monday first) that
holds the day; ``view=day`` that day alone; ``by=room`` a lane per room. Each appointment links
to its page, where it is moved or cancelled (the booking pages' reschedule flow); each gap long
enough for a session says so. Without ``on`` the calendar opens on the clinic's today.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Final
from urllib.parse import urlencode

from starlette.responses import Response

from needlepoint.domain.dates import calendar_problem
from needlepoint.domain.errors import FieldProblem, InputCode
from needlepoint.domain.scheduling.agenda import WEEK_DAYS, Booking, LaneDay, LaneKind
from needlepoint.entrypoints.web import templates
from needlepoint.entrypoints.web.visits import StaffVisit, Visit
from needlepoint.services.scheduling.agenda import AgendaRequest

PATH: Final = "/calendar"
VIEWS: Final = {"week": WEEK_DAYS, "day": 1}
_ISO_DAY: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of a lane's day, in time order: a booking or a gap, its local times."""

    kind: str
    """``booking`` or ``gap``."""
    starts: str
    ends: str
    booking: Booking | None = None
    fits: bool = False


def entries(lane_day: LaneDay, zone: tzinfo) -> list[Entry]:
    """A lane's day as the page lists it: bookings and gaps by start, in local wall times."""

    def local(instant: datetime) -> str:
        return instant.astimezone(zone).strftime("%H:%M")

    found = [
        (
            b.appointment.starts_at,
            Entry("booking", local(b.span.starts_at), local(b.span.ends_at), b),
        )
        for b in lane_day.bookings
    ]
    found += [
        (
            g.span.starts_at,
            Entry("gap", local(g.span.starts_at), local(g.span.ends_at), fits=g.fits),
        )
        for g in lane_day.gaps
    ]
    return [entry for _, entry in sorted(found, key=lambda pair: (pair[0], pair[1].kind))]


def opening_text(lane_day: LaneDay, zone: tzinfo) -> str:
    """The day's opening periods in local wall times (``09:00–13:00, 14:00–18:00``)."""
    return ", ".join(
        f"{s.starts_at.astimezone(zone):%H:%M}–{s.ends_at.astimezone(zone):%H:%M}"
        for s in lane_day.opening
    )


@dataclass(frozen=True, slots=True)
class _Asked:
    """The calendar asked for, and a problem with the day asked for (then today is shown)."""

    view: str
    by: LaneKind
    on: date
    problem: FieldProblem | None


def show(visit: StaffVisit) -> Response:
    """The calendar of the week (or day) asked for."""
    asked = _asked(visit)
    days = VIEWS[asked.view]
    first = asked.on - timedelta(days=asked.on.weekday()) if days == WEEK_DAYS else asked.on
    request = AgendaRequest(first_day=first, days=days, by=asked.by)
    agenda = visit.services.scheduling.agenda(request, context=visit.context)
    step = timedelta(days=days)
    page = {
        "agenda": agenda,
        "view": asked.view,
        "by": asked.by.value,
        "problem": asked.problem,
        "today": _today(visit),
        "entries": lambda lane_day: entries(lane_day, visit.time_zone),
        "opening": lambda lane_day: opening_text(lane_day, visit.time_zone),
        "links": {
            "previous": _link(asked, first - step),
            "next": _link(asked, first + step),
            "today": _link(asked, None),
            "week": _link(asked, asked.on, view="week"),
            "day": _link(asked, asked.on, view="day"),
            "practitioner": _link(asked, asked.on, by="practitioner"),
            "room": _link(asked, asked.on, by="room"),
        },
        "current": "calendar",
    }
    return templates.render(visit, "agenda/show.html", page, status=422 if asked.problem else 200)


def _asked(visit: Visit) -> _Asked:
    view = visit.query("view") if visit.query("view") in VIEWS else "week"
    by = LaneKind.ROOM if visit.query("by") == LaneKind.ROOM.value else LaneKind.PRACTITIONER
    raw = visit.query("on")
    on = _day(raw) if raw else _today(visit)
    if on is None:
        problem = FieldProblem(
            "on", "is not a date.", "give the day as YYYY-MM-DD.", InputCode.NOT_A_DATE
        )
        return _Asked(view, by, _today(visit), problem)
    outside = calendar_problem("on", on)
    return _Asked(view, by, _today(visit) if outside else on, outside)


def _day(raw: str) -> date | None:
    """The day written as YYYY-MM-DD, else None."""
    if not _ISO_DAY.match(raw):
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def _today(visit: Visit) -> date:
    """Today where the clinic is."""
    return visit.services.clock.now().astimezone(visit.time_zone).date()


def _link(asked: _Asked, on: date | None, **changes: str) -> str:
    query = {"view": asked.view, "by": asked.by.value, **changes}
    if on is not None:
        query["on"] = on.isoformat()
    return f"{PATH}?{urlencode(query)}"
