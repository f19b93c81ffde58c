"""Appointments, rooms and opening hours, and an appointment's state machine.

Every instant here is aware. Appointments are stored as UTC instants but are *made* in the
clinic's IANA zone: a series booked at 10:00 stays at 10:00 local across a daylight-saving
change (ADR 0009, ADR 0015). An appointment occupies ``[starts_at, ends_at)``: one that ends at
10:30 and one that starts at 10:30 do not overlap.

A practitioner or a room is never booked twice for overlapping times. The service checks it
for a clear message; the database enforces it whatever the code does (ADR 0015).

An appointment's states form one machine (ADR 0015, amended 2026-12); every step takes ``now``::

    booked ──cancel (any time, with a reason)──────────────▶ cancelled
      │  ──its session is held on another day──────────────▶ cancelled (superseded)
      │  ──no-show (at or after the start)─────────────────▶ no_show
      │  ──attended (at or after the start)────────────────▶ attended
      │  ──a session of its series starts on its local day─▶ attended, linked to the session
      └─ move (to a start not before now) ─▶ booked

Nothing is booked or moved to a start before ``now``. Cancelled, attended and no-show are
final, except that an appointment marked attended by the desk is linked to the session that
starts for it later that day. Which messages each final state withdraws is
``domain.reminders.withdrawn_kinds``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Final
from uuid import UUID

from needlepoint.domain.errors import (
    ConflictError,
    FieldProblem,
    InvalidInputError,
    InvalidTransitionError,
)
from needlepoint.domain.planning import AppointmentPart

LONGEST_APPOINTMENT = timedelta(days=1)
"""No appointment lasts longer than a day: bounds the search for what overlaps a time.

A session is a visit of an hour or two; a day is far above any visit and keeps the read of a
day's appointments to two days of the (clinic, start) index. ``Appointment`` refuses longer.
"""


class AppointmentStatus(StrEnum):
    """Where an appointment stands. Only a cancelled one frees its time."""

    BOOKED = "booked"
    ATTENDED = "attended"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


VISIT_STATUSES: Final = frozenset({AppointmentStatus.ATTENDED, AppointmentStatus.NO_SHOW})
"""What can be recorded only once the appointment has started."""


class StartInPastError(InvalidInputError):
    """An appointment would be booked or moved to a start that has already passed."""

    code = "start-in-past"


class AppointmentNotStartedError(InvalidInputError):
    """Attendance or a no-show is recorded before the appointment has started."""

    code = "appointment-not-started"

    def __init__(self, starts_at: datetime) -> None:
        super().__init__(
            [
                FieldProblem(
                    "status",
                    f"the appointment has not started yet (it starts at {starts_at.isoformat()}).",
                    "record attendance or a no-show from its start on; cancel it if it will "
                    "not happen.",
                )
            ]
        )
        self.starts_at = starts_at


def past_start(starts_at: datetime, *, now: datetime, field: str) -> FieldProblem | None:
    """The problem with booking or moving an appointment to ``starts_at``, if it has passed."""
    if starts_at >= now:
        return None
    return FieldProblem(
        field,
        "is in the past: an appointment is never booked or moved to a time that has passed.",
        "choose a time from now on.",
    )


class SlotTakenError(ConflictError):
    """The practitioner or the room is already booked for part of the requested time."""

    code = "slot-taken"

    def __init__(self, what: str, starts_at: datetime) -> None:
        super().__init__(
            f"the {what} is already booked at {starts_at.isoformat()}; choose another slot"
        )
        self.what = what
        self.starts_at = starts_at


@dataclass(frozen=True, slots=True)
class Room:
    """A treatment room of a clinic."""

    id: UUID
    clinic_id: UUID
    name: str
    active: bool = True


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """One opening period on one weekday (0 = Monday), in the clinic's local time."""

    clinic_id: UUID
    weekday: int
    opens: time
    closes: time


@dataclass(frozen=True, slots=True)
class Appointment:
    """One booked visit: a patient, a practitioner and a room for ``[starts_at, ends_at)``.

    ``series_id`` and ``session_number`` say which session of which series it is for.
    """

    id: UUID
    clinic_id: UUID
    patient_id: UUID
    series_id: UUID | None
    session_number: int | None
    practitioner_id: UUID
    room_id: UUID
    starts_at: datetime
    ends_at: datetime
    status: AppointmentStatus
    created_at: datetime
    created_by: UUID
    version: int = 1
    status_reason: str | None = None
    session_id: UUID | None = None

    def __post_init__(self) -> None:
        if self.ends_at - self.starts_at > LONGEST_APPOINTMENT:
            raise InvalidInputError.single(
                "ends_at",
                "is more than a day after the start; no appointment lasts that long.",
                "book a visit of at most a day (LONGEST_APPOINTMENT).",
            )

    @property
    def occupies(self) -> bool:
        """Whether it holds its practitioner and room (everything but a cancellation)."""
        return self.status is not AppointmentStatus.CANCELLED

    @property
    def is_visit(self) -> bool:
        """Whether it stands for a session held or to be held: booked, or attended unlinked.

        An attended appointment linked to its session is that session, not a visit of its own.
        """
        if self.status is AppointmentStatus.ATTENDED:
            return self.session_id is None
        return self.status is AppointmentStatus.BOOKED

    def overlaps(self, starts_at: datetime, ends_at: datetime) -> bool:
        """Whether ``[starts_at, ends_at)`` shares any instant with this appointment."""
        return self.starts_at < ends_at and starts_at < self.ends_at

    def moved(
        self,
        *,
        starts_at: datetime,
        ends_at: datetime,
        practitioner_id: UUID,
        room_id: UUID,
        now: datetime,
    ) -> Appointment:
        """The booked appointment at another time from now on (perhaps with others, elsewhere).

        Raises:
            InvalidTransitionError: It is cancelled, attended or a no-show.
            StartInPastError: ``starts_at`` is before ``now`` (field ``starts_at``).
        """
        self._require_booked("reschedule")
        problem = past_start(starts_at, now=now, field="starts_at")
        if problem is not None:
            raise StartInPastError([problem])
        return replace(
            self,
            starts_at=starts_at,
            ends_at=ends_at,
            practitioner_id=practitioner_id,
            room_id=room_id,
            version=self.version + 1,
        )

    def with_status(
        self, status: AppointmentStatus, reason: str | None, *, now: datetime
    ) -> Appointment:
        """The booked appointment cancelled, or marked attended or a no-show once started.

        Raises:
            InvalidTransitionError: It is already cancelled, attended or a no-show.
            InvalidInputError: ``status`` is ``booked`` (field ``status``).
            AppointmentNotStartedError: Attendance or a no-show before the start.
        """
        self._require_booked(f"mark {status.value.replace('_', ' ')}")
        if status is AppointmentStatus.BOOKED:
            raise InvalidInputError.single("status", "is already booked.", "cancel or record it.")
        if status in VISIT_STATUSES and now < self.starts_at:
            raise AppointmentNotStartedError(self.starts_at)
        return replace(self, status=status, status_reason=reason, version=self.version + 1)

    def is_on(self, day: date, zone: tzinfo) -> bool:
        """Whether it starts on ``day`` in ``zone`` (the clinic's local day)."""
        return self.starts_at.astimezone(zone).date() == day

    def held_as(
        self, session_id: UUID, session_number: int, *, now: datetime, zone: tzinfo
    ) -> Appointment:
        """The appointment attended, linked to the session of its series that starts ``now``.

        A session attaches the appointment of its own local day, booked, or already marked
        attended by the desk. A patient may arrive early: the session may start before the
        appointment's booked time, as long as it is the same local day. The appointment takes
        the session's number (sessions are numbered in the order they are held); a different
        booked number is kept in the status reason.

        Raises:
            InvalidTransitionError: It is cancelled, a no-show, already linked to a session,
                or not on the session's local day.
        """
        if not self.is_visit:
            raise InvalidTransitionError(
                f"cannot attach a session to appointment {self.id}: it is "
                f"{self.status.value.replace('_', ' ')}"
                + (" and linked to a session" if self.session_id else "")
            )
        if not self.is_on(now.astimezone(zone).date(), zone):
            raise InvalidTransitionError(
                f"cannot attach a session to appointment {self.id}: it is not on the session's day"
            )
        return replace(
            self,
            status=AppointmentStatus.ATTENDED,
            session_id=session_id,
            session_number=session_number,
            status_reason=self._renumbered(session_number),
            version=self.version + 1,
        )

    def superseded(self, held_on: date, *, now: datetime) -> Appointment:
        """The booked appointment cancelled because its session was held on another day.

        Raises:
            InvalidTransitionError: It is not booked.
        """
        reason = f"session {self.session_number} was held on {held_on} without this appointment"
        return self.with_status(AppointmentStatus.CANCELLED, reason, now=now)

    def _renumbered(self, session_number: int) -> str | None:
        if self.session_number in (None, session_number):
            return self.status_reason
        note = f"booked as session {self.session_number}, held as session {session_number}"
        return f"{self.status_reason}; {note}" if self.status_reason else note

    def _require_booked(self, action: str) -> None:
        if self.status is not AppointmentStatus.BOOKED:
            raise InvalidTransitionError(
                f"cannot {action} appointment {self.id}: it is "
                f"{self.status.value.replace('_', ' ')}"
            )


def appointment_length(parts: tuple[AppointmentPart, ...]) -> timedelta:
    """How long a treatment appointment lasts: numbing, needling and the aftercare briefing."""
    return timedelta(minutes=sum(part.minutes for part in parts))
