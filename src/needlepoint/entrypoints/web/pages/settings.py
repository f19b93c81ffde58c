"""The clinic's calendar set-up, for admins: rooms and the week's opening hours.

Practitioners are the clinic's active clinicians (staff accounts), listed here for reference.
Opening hours are one period per weekday on this page (the API takes several), in the
clinic's local time; a day left blank is closed. Each form is read by the API's request
model for the same operation (``RoomIn``, ``WeekIn``: a problem names the field and code the
API gives, shown beside its input in the page's words); every change then goes through the
scheduling service, which checks it and records it in the audit trail.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import time
from typing import Final, TypeVar
from uuid import UUID

from pydantic import BaseModel
from starlette.responses import RedirectResponse, Response

from needlepoint.domain.errors import FieldProblem, InvalidInputError
from needlepoint.domain.scheduling import OpeningHours
from needlepoint.entrypoints.api.schemas.scheduling import RoomIn, WeekIn
from needlepoint.entrypoints.web import forms, templates
from needlepoint.entrypoints.web.visits import StaffVisit, Visit
from needlepoint.services.messaging.delivery import MessageNotUncertainError

WEEKDAYS: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_PERIOD: Final = re.compile(r"^(?:periods|opening_hours)\[(\d+)\](?:\.(opens|closes))?$")
"""A period of the week as the API's model (``periods[1].closes``) or the service names it."""
_ROOM_WORDS: Final = ("a room needs a name of 1 to 100 characters.", "give the room a short name.")
_TIME_WORDS: Final = (
    "is not a time.",
    "give it as HH:MM, or leave both times blank for a closed day.",
)
M = TypeVar("M", bound=BaseModel)


def show(visit: StaffVisit) -> Response:
    """Rooms, opening hours and practitioners."""
    return _page(visit, values=None, problems={})


def add_room(visit: StaffVisit) -> Response:
    """Add a treatment room."""
    try:
        room = _worded(RoomIn, forms.body(visit.form, RoomIn.model_fields), _ROOM_WORDS)
        visit.services.scheduling.add_room(room.name, context=visit.context)
    except InvalidInputError as error:
        found = {f"room_{p.field}": p for p in error.problems}
        return _page(visit, values=visit.form, problems=found, status=422)
    return RedirectResponse("/settings/calendar?saved=room", status_code=303)


def set_hours(visit: StaffVisit) -> Response:
    """Replace the week's opening hours."""
    periods = {day: period for day in range(7) if (period := _period(visit.form, day))}
    days = list(periods)
    try:
        closed = visit.form.get("closed_all_week") == "yes"
        given = {"periods": list(periods.values()), "closed_all_week": closed}
        body = _worded(WeekIn, given, _TIME_WORDS)
        week = [
            (p.weekday, time.fromisoformat(p.opens), time.fromisoformat(p.closes))
            for p in body.periods
        ]
        visit.services.scheduling.set_opening_hours(
            week, context=visit.context, closed_all_week=body.closed_all_week
        )
    except InvalidInputError as error:
        found = {_hours_field(p.field, days): p for p in error.problems}
        return _page(visit, values=visit.form, problems=found, status=422)
    return RedirectResponse("/settings/calendar?saved=hours", status_code=303)


def _period(form: Mapping[str, str], day: int) -> dict[str, object] | None:
    """One day's inputs as a period of the API's week; both times blank: closed that day."""
    given = forms.body(form, (f"opens_{day}", f"closes_{day}"))
    if not given:
        return None
    return {"weekday": day} | {name.partition("_")[0]: value for name, value in given.items()}


def _worded(model: type[M], given: Mapping[str, object], words: tuple[str, str]) -> M:
    """The request read by the API's ``model``; each problem in this page's ``words``."""
    try:
        return forms.parsed(model, given)
    except InvalidInputError as error:
        said = [replace(p, problem=words[0], fix=words[1]) for p in error.problems]
        raise InvalidInputError(said) from None


def _hours_field(field: str, days: Sequence[int]) -> str:
    """``periods[1].closes`` or ``opening_hours[1]`` (an index into the week) → ``closes_<day>``.

    The week is sent in weekday order, the order the service checks it in.
    """
    matched = _PERIOD.match(field)
    if matched and int(matched[1]) < len(days):
        return f"{matched[2] or 'opens'}_{days[int(matched[1])]}"
    return field


def _page(
    visit: Visit,
    *,
    values: Mapping[str, str] | None,
    problems: Mapping[str, FieldProblem],
    status: int = 200,
) -> Response:
    setup = visit.services.scheduling.clinic_setup(context=visit.context)
    shown = dict(values) if values is not None else _stored_week(setup.opening_hours)
    page = {
        "setup": setup,
        "weekdays": WEEKDAYS,
        "values": shown,
        "problems": problems,
        "saved": visit.query("saved"),
        "current": "settings",
    }
    return templates.render(visit, "settings/calendar.html", page, status=status)


def _stored_week(hours: tuple[OpeningHours, ...]) -> dict[str, str]:
    shown: dict[str, str] = {}
    for period in hours:
        shown.setdefault(f"opens_{period.weekday}", period.opens.strftime("%H:%M"))
        shown.setdefault(f"closes_{period.weekday}", period.closes.strftime("%H:%M"))
    return shown


def messages(visit: StaffVisit) -> Response:
    """Messages a stopped worker left uncertain: each may or may not have arrived."""
    found = visit.services.messaging.uncertain_messages(context=visit.context)
    page = {"messages": found, "saved": visit.query("saved"), "current": "settings"}
    return templates.render(visit, "settings/messages.html", page)


def resolve_message(visit: StaffVisit) -> Response:
    """Record what the admin found: the message arrived, or it is to be sent again."""
    raw = visit.request.path_params["message_id"]
    try:
        message_id = UUID(raw)
    except ValueError:
        raise MessageNotUncertainError(f"no uncertain message {raw!r}") from None
    arrived = visit.form.get("arrived")
    if arrived not in {"yes", "no"}:
        raise InvalidInputError.single("arrived", "is not an answer.", "use one of the buttons.")
    visit.services.messaging.resolve_uncertain_message(
        message_id, arrived=arrived == "yes", context=visit.context
    )
    return RedirectResponse(f"/settings/messages?saved={arrived}", status_code=303)
