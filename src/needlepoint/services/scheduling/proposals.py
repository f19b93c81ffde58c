"""Use cases that propose: free slots for a series still to book, and a day's free slots.

The proposal keeps the agreed interval and the local hour (``domain.scheduling.proposals``)
and skips days too close to the patient's other sessions on a shared zone
(``domain.intervals.blocked_days``). What the clinician then books is checked again
(``services.scheduling.booking``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from needlepoint.domain.dates import check_in_calendar
from needlepoint.domain.errors import DomainError
from needlepoint.domain.intervals import blocked_days
from needlepoint.domain.records import PatientRecord
from needlepoint.domain.scheduling import (
    Appointment,
    AppointmentPart,
    SeriesProgress,
    SeriesRules,
    Slot,
    check_practitioner,
    free_slots,
    propose_series,
)
from needlepoint.domain.treatment import TreatmentSeries
from needlepoint.services import audit, permissions
from needlepoint.services.access import series_access
from needlepoint.services.clinics import clinic_zone
from needlepoint.services.permissions import Action
from needlepoint.services.ports import Clock
from needlepoint.services.scheduling.ports import (
    ChoiceChecks,
    ProposalReads,
    ProposalWork,
    SlotReads,
)
from needlepoint.services.scheduling.steps import (
    Booking,
    bookable,
    calendar_on_days,
    calendar_source,
    held_and_booked,
)
from needlepoint.services.scheduling.visits import booking_rules, patient_visits


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
    uow: ProposalWork,
    clock: Clock,
    booking: Booking,
    practitioner_id: UUID | None = None,
) -> SeriesBooking:
    """Free slots for every session of a series not yet held or booked; the read is audited."""
    permissions.require(context, Action.APPOINTMENT_BOOK)
    now = clock.now()
    with uow:
        series, patient = bookable(uow, context.actor.clinic_id, series_id)
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
    uow: ChoiceChecks, wanted: _Wanted, patient: PatientRecord, booking: Booking
) -> SeriesBooking:
    series, zone = wanted.series, wanted.zone
    rules = booking_rules(uow, series)
    days, booked = held_and_booked(uow, series, zone)
    to_book = tuple(n for n in range(1, rules.sessions + 1) if n not in days)
    walls = {a.session_number: a.starts_at.astimezone(zone).time() for a in booked}
    slots, problem = _proposed_slots(uow, wanted, rules, (days, walls), booking.length)
    return SeriesBooking(
        series,
        patient,
        rules,
        booking.length,
        booking.tables.appointment_parts,
        booked,
        to_book,
        tuple(slots.get(n) for n in to_book),
        problem,
        str(zone),
        booking.extra_interval_days,
    )


def _proposed_slots(
    uow: ProposalReads,
    wanted: _Wanted,
    rules: SeriesRules,
    taken: tuple[dict[int, date], dict[int | None, time]],
    length: timedelta,
) -> tuple[dict[int, Slot], str | None]:
    """Session number → proposed slot for the sessions after the last taken; or why none.

    ``taken`` is session number → local day of the sessions held or booked, and → local wall
    time of those booked: the proposal keeps the last booked one's wall time.
    """
    series, zone = wanted.series, wanted.zone
    days, walls = taken
    last_taken = max(days, default=0)
    if last_taken >= rules.sessions:
        return {}, None
    visits = patient_visits(uow, series, zone)
    blocked = blocked_days(visits, series.plan.zone_names, rules.min_interval_days)
    progress = SeriesProgress(
        last_taken + 1,
        days.get(last_taken),
        wanted.practitioner_id,
        blocked,
        previous_wall=walls.get(last_taken),
    )
    calendar = calendar_source(uow, series.clinic_id, zone)
    try:
        found = propose_series(
            rules, calendar, length, now=wanted.now, zone=zone, progress=progress
        )
    except DomainError as error:
        return {}, str(error)
    return dict(zip(range(last_taken + 1, rules.sessions + 1), found, strict=True)), None


def slots_on(
    *,
    on: date,
    context: audit.RequestContext,
    uow: SlotReads,
    clock: Clock,
    booking: Booking,
    practitioner_id: UUID | None = None,
) -> tuple[Slot, ...]:
    """Every free treatment slot of one local day (no patient data: not audited).

    Raises:
        InvalidInputError: Field ``on``: outside 1900 to 2200 (``out-of-range``); field
            ``practitioner_id``: not one of the clinic's practitioners (``not-a-choice``).
    """
    permissions.require(context, Action.SCHEDULE_READ)
    check_in_calendar("on", on)
    clinic_id = context.actor.clinic_id
    with uow:
        zone = clinic_zone(uow, clinic_id)
        calendar = calendar_on_days(uow, clinic_id, zone, on, on)
        check_practitioner(calendar, practitioner_id)
        return tuple(
            free_slots(
                calendar,
                on,
                booking.length,
                not_before=clock.now(),
                practitioner_id=practitioner_id,
            )
        )
