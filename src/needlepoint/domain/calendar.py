"""A patient's calendar: their appointments and the key care milestones, as calendar events.

The feed a patient subscribes to (ADR 0018) is made of three kinds of event:

* **appointments**: every appointment that is not cancelled, at its own start and end, with a
  UID that never changes (``<appointment id>@needlepoint``) and the appointment's version as
  its sequence, so a rescheduled visit moves in the patient's calendar instead of doubling;
* **care steps**: an all-day event on the local day the earliest pre-care instruction of a
  series' appointment begins ("care steps start"), for appointments of a series with pre-care;
* **follow-up reviews**: all-day events some months after the series' last planned session,
  once that session is booked.

Events carry the minimum: the clinic's name and what kind of event it is, never a treatment,
a scar or a body area (the link could leak; scenario TR-3). The details sit behind the
patient's portal sign-in. The clinic's time zone comes in as an argument; nothing here reads
a clock or a zone database.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from enum import StrEnum
from uuid import UUID

from needlepoint.domain.care import CarePhase, CareTemplate
from needlepoint.domain.scheduling import Appointment

UID_DOMAIN = "needlepoint"
"""The right-hand side of every event UID (RFC 5545 §3.8.4.7 suggests a domain-like part)."""


@dataclass(frozen=True, slots=True)
class CalendarFeed:
    """A patient's secret feed link, as stored: only the SHA-256 of its token is kept.

    A feed is live until revoked; issuing a new link revokes the patient's old one.
    """

    id: UUID
    clinic_id: UUID
    patient_id: UUID
    token_hash: str
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def live(self) -> bool:
        """Whether the link still opens the feed."""
        return self.revoked_at is None


class EventKind(StrEnum):
    """What an event of the feed is; a calendar shows it as the event's category."""

    APPOINTMENT = "appointment"
    CARE_STEP = "care_step"
    FOLLOW_UP = "follow_up"


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One event: timed (aware ``datetime`` bounds) or all-day (``date`` bounds, end exclusive).

    ``sequence`` rises whenever the thing the event stands for changes (RFC 5545 SEQUENCE).
    """

    uid: str
    kind: EventKind
    summary: str
    description: str
    starts: datetime | date
    ends: datetime | date
    sequence: int

    @property
    def all_day(self) -> bool:
        """Whether the event covers whole days rather than a stretch of time."""
        return not isinstance(self.starts, datetime)


@dataclass(frozen=True, slots=True)
class SeriesMilestones:
    """What the calendar needs to know of one treatment series.

    ``pre_care_offset_hours`` is when the earliest pre-care instruction chosen for the patient
    begins, in wall-clock hours from the start of each appointment (negative: before), or None
    when no pre-care instruction applies. ``follow_up`` is False for a series stopped early:
    it gets no follow-up reviews.
    """

    series_id: UUID
    planned_sessions: int
    pre_care_offset_hours: int | None
    follow_up: bool = True


@dataclass(frozen=True, slots=True)
class PatientCalendar:
    """A patient's feed: the clinic it comes from, the clinic's zone, and the events in order."""

    clinic_name: str
    time_zone: str
    """The clinic's IANA zone name: every timed event is given in it."""
    events: tuple[CalendarEvent, ...]

    def of_kind(self, kind: EventKind) -> tuple[CalendarEvent, ...]:
        """The events of one kind, in order."""
        return tuple(e for e in self.events if e.kind is kind)


@dataclass(frozen=True, slots=True)
class CalendarInputs:
    """Everything a patient's calendar is made from, besides the appointments themselves."""

    clinic_name: str
    time_zone: str
    zone: tzinfo
    """The clinic's zone as a tzinfo (the one named ``time_zone``)."""
    series: Mapping[UUID, SeriesMilestones]
    review_after_months: Sequence[int]


def listed_appointments(appointments: Iterable[Appointment]) -> tuple[Appointment, ...]:
    """The appointments the feed lists: every one not cancelled, earliest first."""
    kept = (a for a in appointments if a.occupies)
    return tuple(sorted(kept, key=lambda a: (a.starts_at, str(a.id))))


def patient_calendar(
    appointments: Iterable[Appointment], inputs: CalendarInputs
) -> PatientCalendar:
    """The calendar of one patient: appointments, care steps and follow-up reviews.

    Cancelled appointments are left out (a subscribed calendar drops what a refreshed feed no
    longer holds). Events are ordered by start instant (all-day events at local midnight),
    then UID, so the same records always give the same feed.
    """
    listed = listed_appointments(appointments)
    events = [
        *(appointment_event(a, inputs) for a in listed),
        *_care_steps(listed, inputs),
        *_follow_ups(listed, inputs),
    ]
    events.sort(key=lambda e: (_sort_instant(e, inputs.zone), e.uid))
    return PatientCalendar(inputs.clinic_name, inputs.time_zone, tuple(events))


def appointment_event(appointment: Appointment, inputs: CalendarInputs) -> CalendarEvent:
    """An appointment as an event in the clinic's zone: the clinic's name, nothing clinical."""
    return CalendarEvent(
        uid=f"{appointment.id}@{UID_DOMAIN}",
        kind=EventKind.APPOINTMENT,
        summary=f"Clinic appointment — {inputs.clinic_name}",
        description="Your appointment. Your care steps are in your patient portal.",
        starts=appointment.starts_at.astimezone(inputs.zone),
        ends=appointment.ends_at.astimezone(inputs.zone),
        sequence=appointment.version,
    )


def earliest_pre_care_offset_hours(
    templates: Iterable[CareTemplate], chosen_ids: Iterable[str]
) -> int | None:
    """When the first pre-care instruction chosen for a patient begins, in hours from the visit.

    ``chosen_ids`` are the care items the patient's consultation selected; ids no longer in
    the knowledge table, and aftercare items, are ignored. None when no pre-care item is left.
    """
    wanted = set(chosen_ids)
    offsets = [
        t.start_offset_hours for t in templates if t.id in wanted and t.phase is CarePhase.PRE
    ]
    return min(offsets, default=None)


def months_after(day: date, months: int) -> date:
    """The same day ``months`` calendar months later (the month's last day if it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, _days_in_month(year, month)))


def _days_in_month(year: int, month: int) -> int:
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    return (first_of_next - timedelta(days=1)).day


def _care_steps(listed: Sequence[Appointment], inputs: CalendarInputs) -> Iterator[CalendarEvent]:
    for appointment in listed:
        series = inputs.series.get(appointment.series_id) if appointment.series_id else None
        if series is None or series.pre_care_offset_hours is None:
            continue
        local = appointment.starts_at.astimezone(inputs.zone)
        day = (local + timedelta(hours=series.pre_care_offset_hours)).date()
        yield CalendarEvent(
            uid=f"care-{appointment.id}@{UID_DOMAIN}",
            kind=EventKind.CARE_STEP,
            summary=f"Care steps start — {inputs.clinic_name}",
            description="Your care steps before your next visit start today. "
            "See your patient portal for what to do.",
            starts=day,
            ends=day + timedelta(days=1),
            sequence=appointment.version,
        )


def _follow_ups(listed: Sequence[Appointment], inputs: CalendarInputs) -> Iterator[CalendarEvent]:
    for series in sorted(inputs.series.values(), key=lambda s: str(s.series_id)):
        last = _last_planned_session(listed, series) if series.follow_up else None
        if last is None:
            continue
        last_day = last.starts_at.astimezone(inputs.zone).date()
        for months in sorted(set(inputs.review_after_months)):
            day = months_after(last_day, months)
            yield CalendarEvent(
                uid=f"review-{series.series_id}-{months}m@{UID_DOMAIN}",
                kind=EventKind.FOLLOW_UP,
                summary=f"Follow-up review due — {inputs.clinic_name}",
                description="Your follow-up review with the clinic is due. "
                "Contact the clinic to book it.",
                starts=day,
                ends=day + timedelta(days=1),
                sequence=last.version,
            )


def _last_planned_session(
    listed: Sequence[Appointment], series: SeriesMilestones
) -> Appointment | None:
    """The latest appointment for the series' last planned session, if one is booked."""
    last = [
        a
        for a in listed
        if a.series_id == series.series_id and a.session_number == series.planned_sessions
    ]
    return last[-1] if last else None


def _sort_instant(event: CalendarEvent, zone: tzinfo) -> datetime:
    """The event's start as a UTC instant (an all-day event's: local midnight).

    In UTC because times of one zone compare by their wall clock, which puts the second
    01:30 of a night the clocks go back before the first 01:45.
    """
    if isinstance(event.starts, datetime):
        return event.starts.astimezone(UTC)
    midnight = datetime(event.starts.year, event.starts.month, event.starts.day, tzinfo=zone)
    return midnight.astimezone(UTC)
