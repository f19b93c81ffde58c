"""Appointments, rooms and opening hours: the clinic's calendar.

Every instant here is aware. Appointments are stored as UTC instants but are *made* in the
clinic's IANA zone: a series booked at 10:00 stays at 10:00 local across a daylight-saving
change (ADR 0009, ADR 0015). An appointment occupies ``[starts_at, ends_at)``: one that ends at
10:30 and one that starts at 10:30 do not overlap.

A practitioner or a room is never booked twice for overlapping times. The service checks it
for a clear message; the database enforces it whatever the code does (ADR 0015).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time
from enum import StrEnum
from uuid import UUID

from needlepoint.domain.errors import DomainError


class AppointmentStatus(StrEnum):
    """Where an appointment stands. Only a cancelled one frees its time."""

    BOOKED = "booked"
    ATTENDED = "attended"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


class SlotTakenError(DomainError):
    """The practitioner or the room is already booked for part of the requested time."""

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

    @property
    def occupies(self) -> bool:
        """Whether it holds its practitioner and room (everything but a cancellation)."""
        return self.status is not AppointmentStatus.CANCELLED

    def overlaps(self, starts_at: datetime, ends_at: datetime) -> bool:
        """Whether ``[starts_at, ends_at)`` shares any instant with this appointment."""
        return self.starts_at < ends_at and starts_at < self.ends_at

    def moved(
        self, *, starts_at: datetime, ends_at: datetime, practitioner_id: UUID, room_id: UUID
    ) -> Appointment:
        """The appointment at another time (and perhaps with another practitioner or room)."""
        return replace(
            self,
            starts_at=starts_at,
            ends_at=ends_at,
            practitioner_id=practitioner_id,
            room_id=room_id,
            version=self.version + 1,
        )

    def with_status(self, status: AppointmentStatus, reason: str | None) -> Appointment:
        """The appointment cancelled, marked attended or a no-show."""
        return replace(self, status=status, status_reason=reason, version=self.version + 1)
