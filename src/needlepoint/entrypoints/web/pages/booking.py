"""Booking: a series' sessions on the clinic's calendar, and changes to an appointment.

Front desk and clinicians book. The page proposes a free slot for every session still to
book (same local hour, the agreed interval, the same practitioner when free); each can be
changed before booking. The service checks everything again and books all or nothing: a
session in the past, too close to another session of the patient on a shared zone (in any
series), before the earliest eligible date or outside opening hours is refused beside its
field, a longer gap than the protocol allows needs a reason (and is refused past the bound a
reason may go), and a slot taken meanwhile is refused as a whole (409) with the form kept.
Attendance or a no-show recorded before the appointment starts is refused beside the buttons.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final
from uuid import UUID

from starlette.responses import RedirectResponse, Response

from needlepoint.domain.errors import FieldProblem, InvalidInputError
from needlepoint.domain.scheduling import AppointmentStatus, SlotTakenError
from needlepoint.domain.treatment import InvalidTransitionError, VersionConflictError
from needlepoint.entrypoints.web import chart_forms, templates
from needlepoint.entrypoints.web.visits import StaffVisit, Visit
from needlepoint.services.access import SeriesNotFoundError
from needlepoint.services.scheduling import booking as scheduling
from needlepoint.services.scheduling.booking import AppointmentNotFoundError

_SERVICE_FIELD: Final = re.compile(r"^sessions\[(\d+)\](?:\.(\w+))?$")
_FORM_FIELD: Final = {
    "starts_at": "starts_at",
    "practitioner_id": "practitioner",
    "room_id": "room",
}
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
    problems: list[FieldProblem] = []
    choices = _choices(visit, problems)
    try:
        if problems:
            raise InvalidInputError(problems)
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
    visit: Visit, booking: scheduling.SeriesBooking, values: Mapping[str, str] | None
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


def _choices(visit: Visit, problems: list[FieldProblem]) -> list[scheduling.SlotChoice]:
    numbers = sorted(
        int(name.removeprefix("book_"))
        for name, value in visit.form.items()
        if name.startswith("book_") and name.removeprefix("book_").isdigit() and value == "yes"
    )
    if not numbers:
        problems.append(FieldProblem("booking", "no session is ticked.", "tick a session to book."))
    return [c for n in numbers if (c := _choice(visit, n, problems)) is not None]


def _choice(
    visit: Visit, number: int, problems: list[FieldProblem]
) -> scheduling.SlotChoice | None:
    form = visit.form
    starts_at = chart_forms.clinic_moment(form, f"starts_at_{number}", problems, visit.time_zone)
    if starts_at is None and not form.get(f"starts_at_{number}", "").strip():
        problems.append(FieldProblem(f"starts_at_{number}", "is missing.", "pick a date and time."))
    practitioner = _form_uuid(form, f"practitioner_{number}", problems)
    room = _form_uuid(form, f"room_{number}", problems)
    if starts_at is None or practitioner is None or room is None:
        return None
    reason = form.get(f"reason_{number}", "").strip()[:500]
    return scheduling.SlotChoice(number, starts_at, practitioner, room, reason)


def _form_uuid(form: Mapping[str, str], field: str, problems: list[FieldProblem]) -> UUID | None:
    try:
        return UUID(form.get(field, ""))
    except ValueError:
        problems.append(FieldProblem(field, "is not chosen.", "pick one from the list."))
        return None


def _form_field(service_field: str) -> str:
    """``sessions[2].starts_at`` → ``starts_at_2``; form fields pass through."""
    matched = _SERVICE_FIELD.match(service_field)
    if not matched:
        return service_field
    number, part = matched.groups()
    return f"{_FORM_FIELD.get(part or 'starts_at', 'starts_at')}_{number}"


def _move_field(service_field: str) -> str:
    """``sessions[3].starts_at`` → ``starts_at`` on the one-appointment form."""
    matched = _SERVICE_FIELD.match(service_field)
    if not matched:
        return service_field
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
    problems: list[FieldProblem] = []
    starts_at = chart_forms.clinic_moment(form, "starts_at", problems, visit.time_zone)
    practitioner = _form_uuid(form, "practitioner", problems)
    room = _form_uuid(form, "room", problems)
    version = form.get("expected_version", "")
    try:
        if problems or starts_at is None or practitioner is None or room is None:
            raise InvalidInputError(problems or [_missing_start()])
        move = scheduling.Move(
            appointment_id,
            _version(version),
            starts_at,
            practitioner,
            room,
            form.get("reason", "").strip()[:500],
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
    status = STATUS_CHANGES.get(form.get("status", ""))
    try:
        if status is None:
            raise InvalidInputError.single("status", "is not a change.", "use a button.")
        change = scheduling.StatusChange(
            appointment_id,
            _version(form.get("expected_version", "")),
            status,
            form.get("reason", "").strip()[:500],
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


def _missing_start() -> FieldProblem:
    return FieldProblem("starts_at", "is missing.", "pick a date and time.")


def _version(raw: str) -> int:
    if not raw.isdigit():
        raise InvalidInputError.single("expected_version", "is missing.", "reload the page.")
    return int(raw)
