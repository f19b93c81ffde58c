"""The clinic's calendar set-up, for admins: rooms and the week's opening hours.

Practitioners are the clinic's active clinicians (staff accounts), listed here for reference.
Opening hours are one period per weekday on this page (the API takes several), in the
clinic's local time; a day left blank is closed. Every change goes through the scheduling
service, which checks it and records it in the audit trail.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from typing import Final
from uuid import UUID

from starlette.responses import RedirectResponse, Response

from needlepoint.domain.errors import FieldProblem, InvalidInputError
from needlepoint.domain.scheduling import OpeningHours
from needlepoint.entrypoints.web import templates
from needlepoint.entrypoints.web.visits import StaffVisit, Visit
from needlepoint.services.messaging.delivery import MessageNotUncertainError

WEEKDAYS: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def show(visit: StaffVisit) -> Response:
    """Rooms, opening hours and practitioners."""
    return _page(visit, values=None, problems={})


def add_room(visit: StaffVisit) -> Response:
    """Add a treatment room."""
    try:
        visit.services.scheduling.add_room(visit.form.get("name", ""), context=visit.context)
    except InvalidInputError as error:
        found = {f"room_{p.field}": p for p in error.problems}
        return _page(visit, values=visit.form, problems=found, status=422)
    return RedirectResponse("/settings/calendar?saved=room", status_code=303)


def set_hours(visit: StaffVisit) -> Response:
    """Replace the week's opening hours."""
    problems: list[FieldProblem] = []
    week = [period for day in range(7) if (period := _period(visit.form, day, problems))]
    try:
        if problems:
            raise InvalidInputError(problems)
        visit.services.scheduling.set_opening_hours(week, context=visit.context)
    except InvalidInputError as error:
        found = {_hours_field(p.field, week): p for p in error.problems}
        return _page(visit, values=visit.form, problems=found, status=422)
    return RedirectResponse("/settings/calendar?saved=hours", status_code=303)


def _period(
    form: Mapping[str, str], day: int, problems: list[FieldProblem]
) -> tuple[int, time, time] | None:
    opens, closes = (form.get(f"{part}_{day}", "").strip() for part in ("opens", "closes"))
    if not opens and not closes:
        return None  # closed that day
    parsed = []
    for part, raw in (("opens", opens), ("closes", closes)):
        try:
            parsed.append(time.fromisoformat(raw))
        except ValueError:
            problems.append(
                FieldProblem(
                    f"{part}_{day}",
                    "is not a time.",
                    "give it as HH:MM, or leave both times blank for a closed day.",
                )
            )
    return (day, parsed[0], parsed[1]) if len(parsed) == 2 else None  # noqa: PLR2004


def _hours_field(service_field: str, week: list[tuple[int, time, time]]) -> str:
    """``opening_hours[2]`` (the service's index into the week) → ``opens_<weekday>``."""
    if service_field.startswith("opening_hours[") and service_field.endswith("]"):
        index = int(service_field.removeprefix("opening_hours[").removesuffix("]"))
        if 0 <= index < len(week):
            return f"opens_{sorted(week)[index][0]}"
    return service_field


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
