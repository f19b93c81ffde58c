"""The clinic's calendar: appointments, rooms and opening hours, free slots, series proposals.

* :mod:`~needlepoint.domain.scheduling.appointments`: the appointment and its state machine,
  rooms, opening hours, and how long a treatment appointment lasts.
* :mod:`~needlepoint.domain.scheduling.slots`: the free slots of a local day
  (``ClinicCalendar``, ``free_slots``, ``within_opening_hours``).
* :mod:`~needlepoint.domain.scheduling.proposals`: one free slot per session still to book,
  keeping the agreed interval and the local hour (``propose_series``).
* :mod:`~needlepoint.domain.scheduling.rules`: what a week of opening hours and a slot chosen
  by hand must satisfy, as typed problems.

Clinic-time arithmetic (a local day's instants, a wall-clock time as an instant) is
``domain.clinic_time``'s.
"""

from needlepoint.domain.planning import AppointmentPart
from needlepoint.domain.scheduling.appointments import (
    LONGEST_APPOINTMENT,
    VISIT_STATUSES,
    Appointment,
    AppointmentNotStartedError,
    AppointmentStatus,
    OpeningHours,
    Room,
    SlotTakenError,
    StartInPastError,
    appointment_length,
    past_start,
)
from needlepoint.domain.scheduling.proposals import (
    CalendarSource,
    SeriesProgress,
    SeriesRules,
    propose_series,
)
from needlepoint.domain.scheduling.rules import (
    SlotProblemKind,
    SlotRequest,
    check_slot,
    session_number_problems,
    slot_problem,
    slot_refusal,
    week_problems,
)
from needlepoint.domain.scheduling.slots import (
    ClinicCalendar,
    NoSlotError,
    Slot,
    check_practitioner,
    free_slots,
    local_instant,
    opening_periods,
    within_opening_hours,
)

__all__ = [
    "LONGEST_APPOINTMENT",
    "VISIT_STATUSES",
    "Appointment",
    "AppointmentNotStartedError",
    "AppointmentPart",
    "AppointmentStatus",
    "CalendarSource",
    "ClinicCalendar",
    "NoSlotError",
    "OpeningHours",
    "Room",
    "SeriesProgress",
    "SeriesRules",
    "Slot",
    "SlotProblemKind",
    "SlotRequest",
    "SlotTakenError",
    "StartInPastError",
    "appointment_length",
    "check_practitioner",
    "check_slot",
    "free_slots",
    "local_instant",
    "opening_periods",
    "past_start",
    "propose_series",
    "session_number_problems",
    "slot_problem",
    "slot_refusal",
    "week_problems",
    "within_opening_hours",
]
