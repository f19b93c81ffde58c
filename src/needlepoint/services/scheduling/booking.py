"""Use cases of the clinic's calendar: set-up, free slots, booking a series, and changes.

* Set-up (admin): rooms and the week's opening hours, in the clinic's time zone. Practitioners
  are the clinic's active clinicians (staff with a licensed needle depth).
* A series is booked whole or in part: sessions not yet held or booked get one appointment
  each. The proposal keeps the agreed interval and the local hour (``domain.scheduling``),
  and skips days too close to the patient's other sessions on a shared zone; what the
  clinician books is checked again here: never before now, inside opening hours, the
  protocol's length, the interval limits across all the patient's series (``services.visits``:
  never before the earliest eligible date nor closer than the minimum interval, hard stops;
  past the maximum interval only with a recorded reason and within the bound of
  ``limits.yaml``), and never over another booking of the practitioner or room (checked here
  for a clear message, enforced by the database).
* Rescheduling (to a time from now on) re-checks the intervals; cancellation needs a reason;
  attendance and no-show are recorded from the start on. The appointment's state machine is
  the domain's (``Appointment.moved``, ``Appointment.with_status``). An appointment that
  ends withdraws its pending messages that no longer apply (``reminders``); the
  ``on_change`` hook plans the messages of a booking or a move.

Each use case is one unit of work and appends exactly one audit event.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Final
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from needlepoint.domain.errors import DomainError, FieldProblem, InvalidInputError, NotFoundError
from needlepoint.domain.intervals import blocked_days
from needlepoint.domain.limits import LimitTable
from needlepoint.domain.planning import PlanningTables
from needlepoint.domain.records import PatientRecord, Role, StaffMember
from needlepoint.domain.scheduling import (
    Appointment,
    AppointmentPart,
    AppointmentStatus,
    CalendarSource,
    ClinicCalendar,
    OpeningHours,
    Room,
    SeriesProgress,
    SeriesRules,
    Slot,
    SlotTakenError,
    StartInPastError,
    appointment_length,
    free_slots,
    past_start,
    propose_series,
    within_opening_hours,
)
from needlepoint.domain.treatment import (
    InvalidTransitionError,
    SeriesStatus,
    TreatmentSeries,
    VersionConflictError,
)
from needlepoint.services import audit, permissions
from needlepoint.services.access import SeriesNotFoundError, series_access
from needlepoint.services.clinics import clinic_zone
from needlepoint.services.messaging import reminders
from needlepoint.services.permissions import Action
from needlepoint.services.ports import Clock
from needlepoint.services.scheduling.ports import SchedulingUnitOfWork
from needlepoint.services.scheduling.visits import (
    IntervalChange,
    booking_rules,
    check_intervals,
    patient_visits,
    series_rules,
)

INTERVAL_OVERRIDE: Final = "longer interval (interval-beyond-maximum)"
"""How a recorded reason for a gap past the maximum begins: it names the limit it passes."""
BOOKABLE_SERIES = frozenset({SeriesStatus.PLANNED, SeriesStatus.IN_PROGRESS})
ACTIVE = frozenset({AppointmentStatus.BOOKED, AppointmentStatus.ATTENDED})
MAX_ROOM_NAME = 100
OnChange = Callable[[SchedulingUnitOfWork, Appointment, str], None]
"""Called in the booking's unit of work after each appointment is written: the appointment and
what happened to it (``booked``, ``rescheduled``, ``cancelled``, ``no_show``, ``attended``).
What an ended appointment no longer sends is withdrawn before the hook is called."""


class AppointmentNotFoundError(NotFoundError):
    """No such appointment in this clinic."""

    code = "appointment-not-found"


def _no_reminders(uow: SchedulingUnitOfWork, appointment: Appointment, change: str) -> None:
    """The default ``on_change``: nothing beyond the appointment itself."""


@dataclass(frozen=True, slots=True)
class Booking:
    """What booking needs beyond the request: protocol tables, limits and the reminder hook."""

    tables: PlanningTables
    limits: LimitTable
    on_change: OnChange = _no_reminders

    @property
    def extra_interval_days(self) -> int:
        """How far past the maximum interval a recorded reason may go."""
        return self.limits.extra_interval_days

    @property
    def length(self) -> timedelta:
        """The booked length of a treatment appointment."""
        return appointment_length(self.tables.appointment_parts)


# ------------------------------------------------------------------ set-up


@dataclass(frozen=True, slots=True)
class ClinicSetup:
    """The clinic's rooms, week and practitioners, and the booked length of a session."""

    time_zone: str
    rooms: tuple[Room, ...]
    opening_hours: tuple[OpeningHours, ...]
    practitioners: tuple[StaffMember, ...]
    length: timedelta
    parts: tuple[AppointmentPart, ...]


def clinic_setup(
    *, context: audit.RequestContext, uow: SchedulingUnitOfWork, tables: PlanningTables
) -> ClinicSetup:
    """What the calendar is built from (no patient data, so not audited)."""
    permissions.require(context, Action.SCHEDULE_READ)
    clinic_id = context.actor.clinic_id
    with uow:
        clinic = uow.clinics.get(clinic_id)
        return ClinicSetup(
            time_zone=clinic.time_zone if clinic else "UTC",
            rooms=tuple(uow.rooms.for_clinic(clinic_id)),
            opening_hours=tuple(uow.opening_hours.for_clinic(clinic_id)),
            practitioners=practitioners(uow, clinic_id),
            length=appointment_length(tables.appointment_parts),
            parts=tables.appointment_parts,
        )


def practitioners(uow: SchedulingUnitOfWork, clinic_id: UUID) -> tuple[StaffMember, ...]:
    """The clinic's active clinicians: the people appointments are booked with."""
    return tuple(
        member
        for member in uow.staff.for_clinic(clinic_id)
        if member.active and member.role is Role.CLINICIAN
    )


def add_room(
    *, name: str, context: audit.RequestContext, uow: SchedulingUnitOfWork, clock: Clock
) -> Room:
    """Add a treatment room; names are unique in a clinic."""
    permissions.require(context, Action.SCHEDULE_SET_UP)
    cleaned = name.strip()
    if not cleaned or len(cleaned) > MAX_ROOM_NAME:
        raise InvalidInputError.single(
            "name", "a room needs a name of 1 to 100 characters.", "give the room a short name."
        )
    room = Room(id=uuid4(), clinic_id=context.actor.clinic_id, name=cleaned)
    with uow:
        if any(
            r.name.casefold() == cleaned.casefold() for r in uow.rooms.for_clinic(room.clinic_id)
        ):
            raise InvalidInputError.single(
                "name", f"there is already a room called {cleaned}.", "choose another name."
            )
        uow.rooms.add(room)
        audit.record(uow, context, _clinic_access("room.add", room.clinic_id), at=clock.now())
        uow.commit()
    return room


def set_opening_hours(
    *,
    hours: Sequence[tuple[int, time, time]],
    context: audit.RequestContext,
    uow: SchedulingUnitOfWork,
    clock: Clock,
) -> tuple[OpeningHours, ...]:
    """Replace the clinic's week: ``(weekday 0=Monday, opens, closes)`` in local time."""
    permissions.require(context, Action.SCHEDULE_SET_UP)
    clinic_id = context.actor.clinic_id
    week = tuple(OpeningHours(clinic_id, d, o, c) for d, o, c in sorted(hours))
    problems = _week_problems(week)
    if problems:
        raise InvalidInputError(problems)
    with uow:
        uow.opening_hours.replace(clinic_id, week)
        audit.record(uow, context, _clinic_access("opening_hours.set", clinic_id), at=clock.now())
        uow.commit()
    return week


def _week_problems(week: tuple[OpeningHours, ...]) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    for index, period in enumerate(week):
        field = f"opening_hours[{index}]"
        if not 0 <= period.weekday <= 6:  # noqa: PLR2004
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


def _clinic_access(action: str, clinic_id: UUID) -> audit.Access:
    return audit.Access(action, "clinic", str(clinic_id), None)


# ------------------------------------------------------------------ slots and proposals


@dataclass(frozen=True, slots=True)
class SeriesBooking:
    """What booking a series looks like now: its rules, what is booked, what is proposed.

    ``proposed`` holds, for each session of ``to_book`` in turn, a free slot or None: none
    when no slot is found (``problem`` says why), and none for a session numbered before one
    already held or booked (a gap: its date is the clinician's to choose, and is checked on
    booking). ``extra_interval_days`` is how far past the maximum interval a recorded reason
    may go.
    """

    series: TreatmentSeries
    patient: PatientRecord
    rules: SeriesRules
    length: timedelta
    parts: tuple[AppointmentPart, ...]
    booked: tuple[Appointment, ...]
    to_book: tuple[int, ...]
    proposed: tuple[Slot | None, ...]
    problem: str | None
    time_zone: str
    extra_interval_days: int


def propose_series_booking(
    *,
    series_id: UUID,
    context: audit.RequestContext,
    uow: SchedulingUnitOfWork,
    clock: Clock,
    booking: Booking,
    practitioner_id: UUID | None = None,
) -> SeriesBooking:
    """Free slots for every session of a series not yet held or booked; the read is audited."""
    permissions.require(context, Action.APPOINTMENT_BOOK)
    now = clock.now()
    with uow:
        series, patient = _bookable(uow, context, series_id)
        zone = clinic_zone(uow, context.actor.clinic_id)
        wanted = _Wanted(series, zone, now, practitioner_id)
        proposal = _proposal(uow, wanted, patient, booking)
        audit.record(uow, context, series_access("appointment.propose", series), at=now)
        uow.commit()
    return proposal


@dataclass(frozen=True, slots=True)
class _Wanted:
    series: TreatmentSeries
    zone: ZoneInfo
    now: datetime
    practitioner_id: UUID | None


def _proposal(
    uow: SchedulingUnitOfWork, wanted: _Wanted, patient: PatientRecord, booking: Booking
) -> SeriesBooking:
    series, zone, now = wanted.series, wanted.zone, wanted.now
    rules = booking_rules(uow, series)
    length = booking.length
    days, booked = _held_and_booked(uow, series, zone)
    to_book = tuple(n for n in range(1, rules.sessions + 1) if n not in days)
    last_taken = max(days, default=0)
    slots: dict[int, Slot] = {}
    problem = None
    if last_taken < rules.sessions:
        calendar = _calendar_source(uow, series.clinic_id, zone)
        visits = patient_visits(uow, series, zone)
        blocked = blocked_days(visits, series.plan.zone_names, rules.min_interval_days)
        progress = SeriesProgress(
            last_taken + 1, days.get(last_taken), wanted.practitioner_id, blocked
        )
        try:
            found = propose_series(rules, calendar, length, now=now, zone=zone, progress=progress)
        except DomainError as error:
            problem = str(error)
        else:
            slots = dict(zip(range(last_taken + 1, rules.sessions + 1), found, strict=True))
    proposed = tuple(slots.get(n) for n in to_book)
    return SeriesBooking(
        series,
        patient,
        rules,
        length,
        booking.tables.appointment_parts,
        booked,
        to_book,
        proposed,
        problem,
        str(zone),
        booking.extra_interval_days,
    )


def _held_and_booked(
    uow: SchedulingUnitOfWork, series: TreatmentSeries, zone: ZoneInfo
) -> tuple[dict[int, date], tuple[Appointment, ...]]:
    """Session number → local day, for sessions held or booked; and the active appointments."""
    days: dict[int, date] = {}
    for session in uow.sessions.for_series(series.clinic_id, series.id):
        if session.started_at is not None:
            days[session.number] = session.started_at.astimezone(zone).date()
    booked = tuple(
        a
        for a in uow.appointments.for_patient(series.clinic_id, series.patient_id)
        if a.series_id == series.id and a.status in ACTIVE and a.session_number is not None
    )
    for appointment in booked:
        number = appointment.session_number or 0
        days.setdefault(number, appointment.starts_at.astimezone(zone).date())
    return days, booked


def _calendar_source(uow: SchedulingUnitOfWork, clinic_id: UUID, zone: ZoneInfo) -> CalendarSource:
    """The clinic's calendar for any span of local days, read when the proposal asks."""

    def between(first: date, last: date) -> ClinicCalendar:
        starts_at = datetime.combine(first, time(), tzinfo=zone)
        ends_at = datetime.combine(last + timedelta(days=1), time(), tzinfo=zone)
        return calendar_between(uow, clinic_id, zone, starts_at, ends_at)

    return between


def calendar_between(
    uow: SchedulingUnitOfWork,
    clinic_id: UUID,
    zone: ZoneInfo,
    starts_at: datetime,
    ends_at: datetime,
) -> ClinicCalendar:
    """The clinic's week, people, rooms and bookings between two instants."""
    return ClinicCalendar(
        time_zone=zone,
        opening_hours=tuple(uow.opening_hours.for_clinic(clinic_id)),
        practitioner_ids=tuple(p.id for p in practitioners(uow, clinic_id)),
        room_ids=tuple(r.id for r in uow.rooms.for_clinic(clinic_id) if r.active),
        taken=tuple(uow.appointments.between(clinic_id, starts_at, ends_at)),
    )


def slots_on(
    *,
    on: date,
    context: audit.RequestContext,
    uow: SchedulingUnitOfWork,
    clock: Clock,
    booking: Booking,
    practitioner_id: UUID | None = None,
) -> tuple[Slot, ...]:
    """Every free treatment slot of one local day (no patient data: not audited)."""
    permissions.require(context, Action.SCHEDULE_READ)
    clinic_id = context.actor.clinic_id
    with uow:
        zone = clinic_zone(uow, clinic_id)
        day_start = datetime.combine(on, time(), tzinfo=zone)
        calendar = calendar_between(uow, clinic_id, zone, day_start, day_start + timedelta(days=1))
        length = booking.length
        return tuple(
            free_slots(
                calendar, on, length, not_before=clock.now(), practitioner_id=practitioner_id
            )
        )


# ------------------------------------------------------------------ booking


@dataclass(frozen=True, slots=True)
class SlotChoice:
    """One session the clinician books: when, with whom, where; a reason past the max interval."""

    number: int
    starts_at: datetime
    practitioner_id: UUID
    room_id: UUID
    reason: str = ""


def book_series(
    *,
    series_id: UUID,
    choices: Sequence[SlotChoice],
    context: audit.RequestContext,
    uow: SchedulingUnitOfWork,
    clock: Clock,
    booking: Booking,
) -> tuple[Appointment, ...]:
    """Book sessions of a series, all or nothing."""
    permissions.require(context, Action.APPOINTMENT_BOOK)
    now = clock.now()
    if not choices:
        raise InvalidInputError.single("sessions", "no session was chosen.", "pick a slot.")
    _refuse_past_starts(choices, now)
    with uow:
        series, _ = _bookable(uow, context, series_id)
        people, rooms = [c.practitioner_id for c in choices], [c.room_id for c in choices]
        uow.appointments.hold(series.clinic_id, people, rooms)
        zone = clinic_zone(uow, series.clinic_id)
        length = booking.length
        _check_choices(uow, _Booked(series, zone, length, booking.extra_interval_days), choices)
        made = tuple(_appointment(series, c, length, context, now) for c in choices)
        for appointment in made:
            uow.appointments.add(appointment)
            booking.on_change(uow, appointment, "booked")
        audit.record(uow, context, series_access("appointment.book", series), at=now)
        uow.commit()
    return made


def _refuse_past_starts(choices: Sequence[SlotChoice], now: datetime) -> None:
    """Refuse every chosen start that has already passed (``start-in-past``)."""
    problems = [
        problem
        for c in choices
        if (problem := past_start(c.starts_at, now=now, field=f"sessions[{c.number}].starts_at"))
    ]
    if problems:
        raise StartInPastError(problems)


@dataclass(frozen=True, slots=True)
class _Booked:
    """The series being booked, where, for how long, and how far a reason may stretch a gap."""

    series: TreatmentSeries
    zone: ZoneInfo
    length: timedelta
    extra_interval_days: int


def _check_choices(
    uow: SchedulingUnitOfWork, booked: _Booked, choices: Sequence[SlotChoice]
) -> None:
    series, zone = booked.series, booked.zone
    days, _ = _held_and_booked(uow, series, zone)
    problems = list(_number_problems(series_rules(series).sessions, days, choices))
    if problems:
        raise InvalidInputError(problems)
    change = IntervalChange(
        series,
        planned={c.number: c.starts_at.astimezone(zone).date() for c in choices},
        reasons={c.number: c.reason.strip() for c in choices},
    )
    check_intervals(uow, change, zone=zone, extra_days=booked.extra_interval_days)
    calendar = calendar_between(
        uow,
        series.clinic_id,
        zone,
        min(c.starts_at for c in choices),
        max(c.starts_at for c in choices) + booked.length,
    )
    for choice in choices:
        _check_slot(uow, calendar, series.clinic_id, choice, booked.length)


def _number_problems(
    sessions: int, days: dict[int, date], choices: Sequence[SlotChoice]
) -> list[FieldProblem]:
    problems = []
    for choice in choices:
        field = f"sessions[{choice.number}]"
        if not 1 <= choice.number <= sessions:
            problems.append(
                FieldProblem(field, "is not a session of this series.", f"pick 1 to {sessions}.")
            )
        elif choice.number in days:
            problems.append(FieldProblem(field, "is already held or booked.", "reschedule it."))
    return problems


def _check_slot(
    uow: SchedulingUnitOfWork,
    calendar: ClinicCalendar,
    clinic_id: UUID,
    choice: SlotChoice,
    length: timedelta,
) -> None:
    field = f"sessions[{choice.number}]"
    ends_at = choice.starts_at + length
    if choice.practitioner_id not in calendar.practitioner_ids:
        raise InvalidInputError.single(
            f"{field}.practitioner_id",
            "is not an active clinician of this clinic.",
            "pick a practitioner from the list.",
        )
    room = uow.rooms.get(clinic_id, choice.room_id)
    if room is None or not room.active:
        raise InvalidInputError.single(
            f"{field}.room_id", "is not a room in use in this clinic.", "pick a room from the list."
        )
    if not within_opening_hours(calendar, choice.starts_at, ends_at):
        raise InvalidInputError.single(
            f"{field}.starts_at",
            "falls outside the clinic's opening hours.",
            f"choose a start at least {int(length.total_seconds() // 60)} minutes before closing.",
        )
    for other in calendar.taken:
        if other.overlaps(choice.starts_at, ends_at):
            if other.practitioner_id == choice.practitioner_id:
                raise SlotTakenError("practitioner", choice.starts_at)
            if other.room_id == choice.room_id:
                raise SlotTakenError("room", choice.starts_at)


def _appointment(
    series: TreatmentSeries,
    choice: SlotChoice,
    length: timedelta,
    context: audit.RequestContext,
    now: datetime,
) -> Appointment:
    reason = choice.reason.strip()
    return Appointment(
        id=uuid4(),
        clinic_id=series.clinic_id,
        patient_id=series.patient_id,
        series_id=series.id,
        session_number=choice.number,
        practitioner_id=choice.practitioner_id,
        room_id=choice.room_id,
        starts_at=choice.starts_at,
        ends_at=choice.starts_at + length,
        status=AppointmentStatus.BOOKED,
        created_at=now,
        created_by=context.actor.id,
        status_reason=_override_note(reason) if reason else None,
    )


def _override_note(reason: str) -> str:
    """The recorded reason for a gap past the maximum, naming the limit it passes."""
    return f"{INTERVAL_OVERRIDE}: {reason.strip()}"


# ------------------------------------------------------------------ changes


@dataclass(frozen=True, slots=True)
class Move:
    """A reschedule: the new start, practitioner and room, over the version it was based on."""

    appointment_id: UUID
    expected_version: int
    starts_at: datetime
    practitioner_id: UUID
    room_id: UUID
    reason: str = ""


def reschedule(
    *,
    move: Move,
    context: audit.RequestContext,
    uow: SchedulingUnitOfWork,
    clock: Clock,
    booking: Booking,
) -> Appointment:
    """Move a booked appointment; the intervals with the sessions either side are re-checked.

    A reason given with the move (for a gap past the maximum) is recorded on the appointment.
    """
    permissions.require(context, Action.APPOINTMENT_CHANGE)
    now = clock.now()
    with uow:
        uow.appointments.hold(context.actor.clinic_id, [move.practitioner_id], [move.room_id])
        current = _current(uow, context, move.appointment_id, move.expected_version)
        moved = current.moved(
            starts_at=move.starts_at,
            ends_at=move.starts_at + (current.ends_at - current.starts_at),
            practitioner_id=move.practitioner_id,
            room_id=move.room_id,
            now=now,
        )
        _check_move(uow, current, move, booking.extra_interval_days)
        if move.reason.strip():  # the reason a longer gap passed with: recorded with the move
            moved = replace(moved, status_reason=_override_note(move.reason))
        uow.appointments.save(moved)
        booking.on_change(uow, moved, "rescheduled")
        audit.record(uow, context, _access("appointment.reschedule", moved), at=now)
        uow.commit()
    return moved


def _check_move(
    uow: SchedulingUnitOfWork, current: Appointment, move: Move, extra_days: int
) -> None:
    zone = clinic_zone(uow, current.clinic_id)
    length = current.ends_at - current.starts_at
    calendar = calendar_between(
        uow, current.clinic_id, zone, move.starts_at, move.starts_at + length
    )
    others = tuple(a for a in calendar.taken if a.id != current.id)
    calendar = ClinicCalendar(
        zone, calendar.opening_hours, calendar.practitioner_ids, calendar.room_ids, others
    )
    number = current.session_number or 1
    choice = SlotChoice(number, move.starts_at, move.practitioner_id, move.room_id, move.reason)
    series = uow.series.get(current.clinic_id, current.series_id) if current.series_id else None
    if series is not None and current.session_number is not None:
        change = IntervalChange(
            series,
            planned={number: move.starts_at.astimezone(zone).date()},
            reasons={number: move.reason.strip()},
            replacing=frozenset({current.id}),
            field="starts_at",
        )
        check_intervals(uow, change, zone=zone, extra_days=extra_days)
    _check_slot(uow, calendar, current.clinic_id, choice, length)


@dataclass(frozen=True, slots=True)
class StatusChange:
    """A cancellation, attendance or no-show, over the version it was based on."""

    appointment_id: UUID
    expected_version: int
    status: AppointmentStatus
    reason: str = ""


def change_status(
    *,
    change: StatusChange,
    context: audit.RequestContext,
    uow: SchedulingUnitOfWork,
    clock: Clock,
    booking: Booking,
) -> Appointment:
    """Cancel an appointment, or record the patient attended or did not come (once started).

    Its pending messages that no longer apply are withdrawn in the same transaction
    (``domain.reminders.withdrawn_kinds``); aftercare for an attended visit still goes.
    """
    permissions.require(context, Action.APPOINTMENT_CHANGE)
    status, reason = change.status, change.reason
    if status is AppointmentStatus.CANCELLED and not reason.strip():
        raise InvalidInputError.single(
            "reason", "a cancellation needs a reason.", "say why (e.g. patient unwell)."
        )
    if status is AppointmentStatus.BOOKED:
        raise InvalidInputError.single("status", "is already booked.", "cancel or record it.")
    now = clock.now()
    with uow:
        current = _current(uow, context, change.appointment_id, change.expected_version)
        changed = current.with_status(status, reason.strip() or None, now=now)
        uow.appointments.save(changed)
        reminders.withdraw_for_appointment(uow=uow, appointment=changed)
        booking.on_change(uow, changed, status.value)
        audit.record(uow, context, _access(f"appointment.{status.value}", changed), at=now)
        uow.commit()
    return changed


def _current(
    uow: SchedulingUnitOfWork,
    context: audit.RequestContext,
    appointment_id: UUID,
    expected_version: int,
) -> Appointment:
    found = uow.appointments.get(context.actor.clinic_id, appointment_id)
    if found is None:
        raise AppointmentNotFoundError(f"no appointment {appointment_id}")
    if found.version != expected_version:
        raise VersionConflictError("appointment", found.id, expected_version, found.version)
    return found


def _access(action: str, appointment: Appointment) -> audit.Access:
    return audit.Access(action, "appointment", str(appointment.id), appointment.patient_id)


# ------------------------------------------------------------------ reads


@dataclass(frozen=True, slots=True)
class DayAppointment:
    """One appointment on a day list, with who it is for and with."""

    appointment: Appointment
    patient: PatientRecord
    practitioner: str
    room: str


def day_list(
    *, on: date, context: audit.RequestContext, uow: SchedulingUnitOfWork, clock: Clock
) -> tuple[DayAppointment, ...]:
    """The clinic's appointments on one local day, earliest first; the read is audited."""
    permissions.require(context, Action.SCHEDULE_READ)
    clinic_id = context.actor.clinic_id
    with uow:
        zone = clinic_zone(uow, clinic_id)
        start = datetime.combine(on, time(), tzinfo=zone)
        found = uow.worklists.appointments_between(clinic_id, start, start + timedelta(days=1))
        listed = tuple(DayAppointment(*row) for row in found)
        access = audit.Access("worklist.day_list", "appointment", on.isoformat(), None)
        audit.record(uow, context, access, at=clock.now())
        uow.commit()
    return listed


def patient_appointments(
    *, patient_id: UUID, context: audit.RequestContext, uow: SchedulingUnitOfWork, clock: Clock
) -> tuple[Appointment, ...]:
    """A patient's appointments, earliest first, cancelled ones included; audited."""
    permissions.require(context, Action.SCHEDULE_READ)
    with uow:
        found = tuple(uow.appointments.for_patient(context.actor.clinic_id, patient_id))
        access = audit.Access("appointment.list", "patient", str(patient_id), patient_id)
        audit.record(uow, context, access, at=clock.now())
        uow.commit()
    return found


def get_appointment(
    *, appointment_id: UUID, context: audit.RequestContext, uow: SchedulingUnitOfWork, clock: Clock
) -> DayAppointment:
    """One appointment with its patient, practitioner and room; the read is audited."""
    permissions.require(context, Action.SCHEDULE_READ)
    clinic_id = context.actor.clinic_id
    with uow:
        found = uow.appointments.get(clinic_id, appointment_id)
        patient = uow.patients.get(clinic_id, found.patient_id) if found else None
        if found is None or patient is None:
            missing = audit.Access("appointment.read", "appointment", str(appointment_id), None)
            audit.record(uow, context, replace(missing, outcome="not_found"), at=clock.now())
            uow.commit()
            raise AppointmentNotFoundError(f"no appointment {appointment_id}")
        person = uow.staff.get(clinic_id, found.practitioner_id)
        room = uow.rooms.get(clinic_id, found.room_id)
        audit.record(uow, context, _access("appointment.read", found), at=clock.now())
        uow.commit()
    return DayAppointment(
        found, patient, person.display_name if person else "?", room.name if room else "?"
    )


def _bookable(
    uow: SchedulingUnitOfWork, context: audit.RequestContext, series_id: UUID
) -> tuple[TreatmentSeries, PatientRecord]:
    series = uow.series.get(context.actor.clinic_id, series_id)
    patient = uow.patients.get(context.actor.clinic_id, series.patient_id) if series else None
    if series is None or patient is None:
        raise SeriesNotFoundError(f"no series {series_id}")
    if series.status not in BOOKABLE_SERIES:
        raise InvalidTransitionError(
            f"cannot book series {series.id}: it is {series.status.value.replace('_', ' ')}"
        )
    return series, patient
