"""What a clinic's week and a chosen slot must satisfy, as typed problems.

The service reads the calendar; these rules judge it without reading anything:

* ``week_problems``: a week of opening periods has real weekdays, each period opens before it
  closes, and periods of one day do not overlap (the week sorted by weekday and opening).
* ``session_number_problems``: each session chosen is one of the series and not yet held or
  booked.
* ``slot_problem``: a chosen slot is with an active clinician, in a room in use, inside one
  opening period of its local day, and over no other booking of the practitioner or the room
  (``SlotProblemKind``, gravest first); ``slot_refusal`` turns it into the error to raise.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final
from uuid import UUID

from needlepoint.domain.errors import DomainError, FieldProblem, InvalidInputError
from needlepoint.domain.scheduling.appointments import OpeningHours, SlotTakenError
from needlepoint.domain.scheduling.slots import ClinicCalendar, within_opening_hours

SUNDAY: Final = 6


def week_problems(week: Sequence[OpeningHours]) -> list[FieldProblem]:
    """The problems of a week of opening periods, sorted by weekday and opening time."""
    problems: list[FieldProblem] = []
    for index, period in enumerate(week):
        field = f"opening_hours[{index}]"
        if not 0 <= period.weekday <= SUNDAY:
            problems.append(FieldProblem(field, "weekday must be 0 (Monday) to 6.", "pick a day."))
        if period.opens >= period.closes:
            problems.append(
                FieldProblem(field, "opens at or after it closes.", "give an earlier opening time.")
            )
        before = week[index - 1] if index else None
        if before and before.weekday == period.weekday and period.opens < before.closes:
            problems.append(
                FieldProblem(field, "overlaps the period before it.", "merge the two periods.")
            )
    return problems


def session_number_problems(
    sessions: int, taken: Collection[int], chosen: Iterable[int]
) -> list[FieldProblem]:
    """Each chosen session number that is not one of ``sessions``, or is already ``taken``."""
    problems = []
    for number in chosen:
        field = f"sessions[{number}]"
        if not 1 <= number <= sessions:
            problems.append(
                FieldProblem(field, "is not a session of this series.", f"pick 1 to {sessions}.")
            )
        elif number in taken:
            problems.append(FieldProblem(field, "is already held or booked.", "reschedule it."))
    return problems


class SlotProblemKind(StrEnum):
    """What is wrong with a chosen slot, gravest first."""

    NOT_A_PRACTITIONER = "not-a-practitioner"
    NOT_A_ROOM = "not-a-room"
    OUTSIDE_OPENING_HOURS = "outside-opening-hours"
    PRACTITIONER_TAKEN = "practitioner-taken"
    ROOM_TAKEN = "room-taken"


@dataclass(frozen=True, slots=True)
class SlotRequest:
    """A slot chosen by hand: ``[starts_at, starts_at + length)`` with a practitioner and room."""

    starts_at: datetime
    length: timedelta
    practitioner_id: UUID
    room_id: UUID

    @property
    def ends_at(self) -> datetime:
        """When the appointment would end."""
        return self.starts_at + self.length


def slot_problem(calendar: ClinicCalendar, request: SlotRequest) -> SlotProblemKind | None:
    """The gravest problem with booking ``request`` on ``calendar``; None when it is free.

    A clash is the practitioner's when the first booking it overlaps (in start order) has the
    same practitioner, else the room's when it has the same room.
    """
    if request.practitioner_id not in calendar.practitioner_ids:
        return SlotProblemKind.NOT_A_PRACTITIONER
    if request.room_id not in calendar.room_ids:
        return SlotProblemKind.NOT_A_ROOM
    if not within_opening_hours(calendar, request.starts_at, request.ends_at):
        return SlotProblemKind.OUTSIDE_OPENING_HOURS
    for other in calendar.taken_between(request.starts_at, request.ends_at):
        if other.practitioner_id == request.practitioner_id:
            return SlotProblemKind.PRACTITIONER_TAKEN
        if other.room_id == request.room_id:
            return SlotProblemKind.ROOM_TAKEN
    return None


def slot_refusal(kind: SlotProblemKind, request: SlotRequest, field: str) -> DomainError:
    """The error refusing ``request`` for ``kind``; ``field`` names the slot (``sessions[2]``)."""
    if kind is SlotProblemKind.PRACTITIONER_TAKEN:
        return SlotTakenError("practitioner", request.starts_at)
    if kind is SlotProblemKind.ROOM_TAKEN:
        return SlotTakenError("room", request.starts_at)
    if kind is SlotProblemKind.NOT_A_PRACTITIONER:
        return InvalidInputError.single(
            f"{field}.practitioner_id",
            "is not an active clinician of this clinic.",
            "pick a practitioner from the list.",
        )
    if kind is SlotProblemKind.NOT_A_ROOM:
        return InvalidInputError.single(
            f"{field}.room_id", "is not a room in use in this clinic.", "pick a room from the list."
        )
    minutes = int(request.length.total_seconds() // 60)
    return InvalidInputError.single(
        f"{field}.starts_at",
        "falls outside the clinic's opening hours.",
        f"choose a start at least {minutes} minutes before closing.",
    )


def check_slot(calendar: ClinicCalendar, request: SlotRequest, field: str) -> None:
    """Raise ``slot_refusal`` for the gravest problem with ``request``, if any."""
    kind = slot_problem(calendar, request)
    if kind is not None:
        raise slot_refusal(kind, request, field)
