"""Booking: a series' sessions on the clinic's calendar, and changes to an appointment.

Front desk and clinicians book. The page proposes a free slot for every session still to
book (same local hour, the agreed interval, the same practitioner when free); each can be
changed before booking. The service checks everything again and books all or nothing: a
session in the past, too close to another session of the patient on a shared zone (in any
series), before the earliest eligible date or outside opening hours is refused beside its
field, a longer gap than the protocol allows needs a reason (and is refused past the bound a
reason may go), and a slot taken meanwhile is refused as a whole (409) with the form kept.
Attendance or a no-show recorded before the appointment starts is refused beside the buttons.

Each form is read by the API's request model for the same operation (``BookIn``,
``RescheduleIn``, ``StatusIn``), its clinic wall times first turned into instants
(``web.wall_times``), so a problem names the field the API names (``sessions[2].starts_at``,
shown beside ``starts_at_2``) with the API's code, in the page's words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Final, TypeVar
from uuid import UUID

from pydantic import BaseModel
from starlette.responses import RedirectResponse, Response

from needlepoint.domain.errors import FieldProblem, InputCode, InvalidInputError
from needlepoint.domain.scheduling import AppointmentStatus, SlotTakenError
from needlepoint.domain.treatment import InvalidTransitionError, VersionConflictError
from needlepoint.entrypoints.api.schemas.scheduling import BookIn, RescheduleIn, StatusIn
from needlepoint.entrypoints.web import forms, templates, wall_times
from needlepoint.entrypoints.web.visits import StaffVisit, Visit
from needlepoint.services.access import SeriesNotFoundError
from needlepoint.services.scheduling.booking import SlotChoice
from needlepoint.services.scheduling.changes import Move, StatusChange
from needlepoint.services.scheduling.proposals import SeriesBooking
from needlepoint.services.scheduling.steps import AppointmentNotFoundError

_SERVICE_FIELD: Final = re.compile(r"^sessions\[(\d+)\](?:\.(\w+))?$")
_FORM_FIELD: Final = {
    "starts_at": "starts_at",
    "practitioner_id": "practitioner",
    "room_id": "room",
    "reason": "reason",
}
"""Each field of a booking or a move, as the API names it → its input on the form (a series'
booking numbers each input by its session: ``starts_at_2``)."""
_NOT_CHOSEN: Final = ("is not chosen.", "pick one from the list.")
_WORDS: Final = {
    ("sessions", InputCode.TOO_SHORT): ("no session is ticked.", "tick a session to book."),
    ("starts_at", InputCode.REQUIRED): ("is missing.", "pick a date and time."),
    ("practitioner_id", ""): _NOT_CHOSEN,
    ("room_id", ""): _NOT_CHOSEN,
    ("reason", InputCode.TOO_LONG): ("is too long.", "shorten it to 500 characters or fewer."),
    ("expected_version", ""): ("is missing.", "reload the page."),
    ("status", ""): ("is not a change.", "use a button."),
}
"""The page's words for a problem the API's model finds: (field, code) → (problem, fix); the
code ``""`` stands for any code. The field and code stay the API's."""
M = TypeVar("M", bound=BaseModel)
STATUS_CHANGES: Final = {
    "cancelled": AppointmentStatus.CANCELLED,
    "attended": AppointmentStatus.ATTENDED,
    "no_show": AppointmentStatus.NO_SHOW,
}


def series_form(visit: StaffVisit) -> Response:
    """The series' booking: what is booked, and a proposed slot for each session to book."""
    series_id = visit.path_id("series_id", SeriesNotFoundError)
    return _booking_page(visit, series_id, values=None, problems={})


def book(visit: StaffVisit) -> Response:
    """Book the chosen sessions, all or nothing."""
    series_id = visit.path_id("series_id", SeriesNotFoundError)
    try:
        choices = _choices(visit)
        made = visit.services.scheduling.book_series(series_id, choices, context=visit.context)
    except InvalidInputError as error:
        found = {_form_field(p.field): p for p in error.problems}
        return _booking_page(visit, series_id, values=visit.form, problems=found, status=422)
    except SlotTakenError as error:
        taken = _refused(error, "nothing was booked.")
        return _booking_page(visit, series_id, values=visit.form, problems=taken, status=409)
    return RedirectResponse(f"/patients/{made[0].patient_id}?booked=1#appointments-title", 303)


def _refused(error: Exception, outcome: str) -> dict[str, FieldProblem]:
    """The service's refusal, shown above the form, and what came of the request."""
    return {"booking": FieldProblem("booking", str(error) + ".", outcome)}


def _booking_page(
    visit: Visit,
    series_id: UUID,
    *,
    values: Mapping[str, str] | None,
    problems: Mapping[str, FieldProblem],
    status: int = 200,
) -> Response:
    services, context = visit.services, visit.context
    booking = services.scheduling.propose_series_booking(series_id, context=context)
    setup = services.scheduling.clinic_setup(context=context)
    rows = _rows(visit, booking, values)
    page = {
        "booking": booking,
        "setup": setup,
        "rows": rows,
        "problems": problems,
        "patient": booking.patient,
        "current": "patients",
    }
    return templates.render(visit, "booking/series.html", page, status=status)


@dataclass(frozen=True, slots=True)
class _Row:
    number: int
    chosen: bool
    starts_at: str
    practitioner: str
    room: str
    reason: str


def _rows(
    visit: Visit, booking: SeriesBooking, values: Mapping[str, str] | None
) -> tuple[_Row, ...]:
    proposed = dict(zip(booking.to_book, booking.proposed, strict=False))
    rows = []
    for number in booking.to_book:
        slot = proposed.get(number)
        if values is not None:
            rows.append(_row_from_form(number, values))
            continue
        rows.append(
            _Row(
                number=number,
                chosen=slot is not None,
                starts_at=_wall(slot.starts_at, visit) if slot else "",
                practitioner=str(slot.practitioner_id) if slot else "",
                room=str(slot.room_id) if slot else "",
                reason="",
            )
        )
    return tuple(rows)


def _row_from_form(number: int, values: Mapping[str, str]) -> _Row:
    return _Row(
        number=number,
        chosen=values.get(f"book_{number}") == "yes",
        starts_at=values.get(f"starts_at_{number}", ""),
        practitioner=values.get(f"practitioner_{number}", ""),
        room=values.get(f"room_{number}", ""),
        reason=values.get(f"reason_{number}", ""),
    )


def _wall(moment: datetime, visit: Visit) -> str:
    return moment.astimezone(visit.time_zone).strftime("%Y-%m-%dT%H:%M")


def _choices(visit: StaffVisit) -> list[SlotChoice]:
    """The ticked sessions, read by the API's ``BookIn`` (every problem at once)."""
    form = visit.form
    numbers = sorted(
        int(name.removeprefix("book_"))
        for name, value in form.items()
        if name.startswith("book_") and name.removeprefix("book_").isdigit() and value == "yes"
    )
    sessions: list[dict[str, object]] = []
    refused: list[FieldProblem] = []
    for number in numbers:
        inputs = {field: f"{name}_{number}" for field, name in _FORM_FIELD.items()}
        session = {"number": number, **_api_body(form, inputs)}
        times = {"starts_at": f"sessions[{number}].starts_at"}
        refused += wall_times.read_instants(session, times, visit.time_zone)
        sessions.append(session)
    body = _parsed(BookIn, {"sessions": sessions}, refused)
    return [
        SlotChoice(c.number, c.starts_at, c.practitioner_id, c.room_id, c.reason)
        for c in body.sessions
    ]


def _api_body(form: Mapping[str, str], inputs: Mapping[str, str]) -> dict[str, object]:
    """The form's ``inputs`` (API field → input name) as the API's body; blank is not given."""
    given = forms.body(form, inputs.values())
    return {field: given[name] for field, name in inputs.items() if name in given}


def _parsed(model: type[M], given: Mapping[str, object], refused: list[FieldProblem]) -> M:
    """The request read by the API's ``model``; each problem in the page's words."""
    try:
        return wall_times.parsed(model, given, refused)
    except InvalidInputError as error:
        raise InvalidInputError([_in_words(p) for p in error.problems]) from None


def _in_words(problem: FieldProblem) -> FieldProblem:
    name = problem.field.rpartition(".")[2]
    words = _WORDS.get((name, problem.code)) or _WORDS.get((name, ""))
    return replace(problem, problem=words[0], fix=words[1]) if words else problem


def _form_field(service_field: str) -> str:
    """``sessions[2].starts_at`` → ``starts_at_2``; ``sessions`` → the booking as a whole."""
    if service_field == "sessions":
        return "booking"
    matched = _SERVICE_FIELD.match(service_field)
    if not matched:
        return service_field
    number, part = matched.groups()
    return f"{_FORM_FIELD.get(part or 'starts_at', 'starts_at')}_{number}"


def _move_field(service_field: str) -> str:
    """``sessions[3].starts_at`` → ``starts_at``, ``room_id`` → ``room`` on the move form."""
    matched = _SERVICE_FIELD.match(service_field)
    if not matched:
        return _FORM_FIELD.get(service_field, service_field)
    return _FORM_FIELD.get(matched.group(2) or "starts_at", "starts_at")


# ------------------------------------------------------------------ one appointment


def reschedule_form(visit: StaffVisit) -> Response:
    """Move one appointment: a new time, practitioner or room."""
    appointment_id = visit.path_id("appointment_id", AppointmentNotFoundError)
    return _appointment_page(visit, appointment_id, values=None, problems={})


def reschedule(visit: StaffVisit) -> Response:
    """Move the appointment; intervals and clashes are checked by the service."""
    appointment_id = visit.path_id("appointment_id", AppointmentNotFoundError)
    form = visit.form
    try:
        given = _api_body(form, {"expected_version": "expected_version", **_FORM_FIELD})
        refused = wall_times.read_instants(given, {"starts_at": "starts_at"}, visit.time_zone)
        body = _parsed(RescheduleIn, given, refused)
        move = Move(
            appointment_id,
            body.expected_version,
            body.starts_at,
            body.practitioner_id,
            body.room_id,
            body.reason,
        )
        moved = visit.services.scheduling.reschedule_appointment(move, context=visit.context)
    except InvalidInputError as error:
        found = {_move_field(p.field): p for p in error.problems}
        return _appointment_page(visit, appointment_id, values=form, problems=found, status=422)
    except (SlotTakenError, VersionConflictError, InvalidTransitionError) as error:
        said = _refused(error, "nothing was changed.")
        return _appointment_page(visit, appointment_id, values=form, problems=said, status=409)
    return RedirectResponse(f"/patients/{moved.patient_id}?moved=1#appointments-title", 303)


def change_status(visit: StaffVisit) -> Response:
    """Cancel the appointment (with a reason), or record attendance or a no-show."""
    appointment_id = visit.path_id("appointment_id", AppointmentNotFoundError)
    form = visit.form
    try:
        given = forms.body(form, StatusIn.model_fields)
        body = _parsed(StatusIn, given, [])
        change = StatusChange(
            appointment_id, body.expected_version, STATUS_CHANGES[body.status], body.reason
        )
        changed = visit.services.scheduling.change_appointment_status(change, context=visit.context)
    except InvalidInputError as error:
        found = {_status_field(p.field): p for p in error.problems}
        return _appointment_page(visit, appointment_id, values=form, problems=found, status=422)
    except (VersionConflictError, InvalidTransitionError) as error:
        said = _refused(error, "nothing was changed.")
        return _appointment_page(visit, appointment_id, values=form, problems=said, status=409)
    return RedirectResponse(f"/patients/{changed.patient_id}#appointments-title", 303)


def _status_field(service_field: str) -> str:
    """``reason`` → ``status_reason`` (the cancel form's reason); anything else → ``status``."""
    return "status_reason" if service_field == "reason" else "status"


def _appointment_page(
    visit: Visit,
    appointment_id: UUID,
    *,
    values: Mapping[str, str] | None,
    problems: Mapping[str, FieldProblem],
    status: int = 200,
) -> Response:
    services, context = visit.services, visit.context
    found = services.scheduling.get_appointment(appointment_id, context=context)
    setup = services.scheduling.clinic_setup(context=context)
    appointment = found.appointment
    shown = values or {
        "starts_at": _wall(appointment.starts_at, visit),
        "practitioner": str(appointment.practitioner_id),
        "room": str(appointment.room_id),
    }
    page = {
        "found": found,
        "appointment": appointment,
        "setup": setup,
        "values": shown,
        "problems": problems,
        "patient": found.patient,
        "current": "patients",
    }
    return templates.render(visit, "booking/appointment.html", page, status=status)
