"""Reminder planning: which messages one appointment sends, when, and on which channel.

``plan_reminders`` turns one appointment into outbox messages:

* **pre-care countdown**: one message per distinct start of the series' pre-care items that
  begin more than 24 h ahead, at the item's local start (wall-clock, ADR 0009: "five days
  before 10:00" is 10:00 local five days earlier across a daylight-saving change). Items that
  begin within the last 24 h are announced by the appointment reminder instead;
* **appointment reminder** exactly 24 h before the start (an absolute duration: UTC
  arithmetic, so it is 23 or 25 wall-clock hours across a change);
* **aftercare** on the days and local hours of ``reminders.yaml`` (day 0, 1, 3 and 7);
* **next-session recall** when the next session is not booked: ``lead_days`` before this
  session's date + the series' ``interval_days``;
* after the **last session**: the end-of-series note and the outcome reviews (3 and 6 months).

Nothing due before ``now`` is planned, and nothing goes before the appointment ends except the
pre-care messages and the reminder. Each message's idempotency key names the appointment, the
kind, the milestone, the appointment's start instant and the channel: planning twice queues
once, and a moved appointment gets fresh messages. The message id is derived from the key, so
it is stable too (the email's Message-ID comes from it).

Bodies carry no clinical detail: the wording builders in ``reminder_texts`` take dates, counts
and the portal address only, never a care item's text (issue 5, ecosystem.md TR-3).

When an appointment ends, ``withdrawn_kinds`` says which of its pending messages no longer go::

    kind                            cancelled   no-show     attended
    pre-care countdown              withdrawn   withdrawn   withdrawn
    T−24 h appointment reminder     withdrawn   withdrawn   withdrawn
    aftercare (day 0, 1, 3, 7)      withdrawn   withdrawn   kept: the visit happened
    next-session recall             withdrawn   withdrawn   kept: the next session is due
    end of series, outcome reviews  withdrawn   withdrawn   kept: the series did end
    portal sign-in, clinic alert    not an appointment's messages: never touched

A cancelled or missed visit sends nothing more (rebooking plans afresh); an attended one sends
nothing that asks the patient to prepare for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Final
from uuid import UUID, uuid5

from needlepoint.domain import reminder_texts as texts
from needlepoint.domain.care import CareItem, CarePhase, CareTemplate
from needlepoint.domain.dates import add_months
from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.messages import Channel, MessageKind, OutboxMessage
from needlepoint.domain.scheduling import Appointment, AppointmentStatus

REMINDER_LEAD: Final = timedelta(hours=24)
"""The appointment reminder goes exactly this long before the start (issue 5: T−24 h)."""

SMS_KINDS: Final = frozenset({MessageKind.APPOINTMENT_REMINDER, MessageKind.PRE_CARE})
"""What also goes by SMS to a patient with an email address: only what must be acted on in time."""

PRE_VISIT_KINDS: Final = frozenset({MessageKind.PRE_CARE, MessageKind.APPOINTMENT_REMINDER})
"""What prepares the patient for a visit: pointless once the visit is over."""

APPOINTMENT_KINDS: Final = frozenset(
    {
        *PRE_VISIT_KINDS,
        MessageKind.AFTERCARE,
        MessageKind.NEXT_SESSION_RECALL,
        MessageKind.SERIES_END,
        MessageKind.OUTCOME_REVIEW,
    }
)
"""Every kind planned for an appointment (``plan_reminders``)."""

MESSAGE_NAMESPACE: Final = UUID("5b0c7f0e-3d59-5d4e-9a51-6e6565646c65")
"""Namespace of the message ids derived from idempotency keys (uuid5)."""


@dataclass(frozen=True, slots=True)
class Milestone:
    """One follow-up message after a session (or after the last one), in local time."""

    id: str
    kind: MessageKind
    at: time
    after_days: int = 0
    after_months: int = 0


@dataclass(frozen=True, slots=True)
class ReminderSchedule:
    """The follow-up timings from the knowledge base (``reminders.yaml``)."""

    milestones: tuple[Milestone, ...]
    recall_lead_days: int
    recall_at: time
    version: str


@dataclass(frozen=True, slots=True)
class ReminderPolicy:
    """What a deployment decides: the schedule, the portal's address, whether SMS is on.

    ``care_templates`` are the knowledge base's care templates, from which the items a
    consultation chose are looked up by id.
    """

    schedule: ReminderSchedule
    portal_url: str
    sms_enabled: bool = False
    care_templates: tuple[CareTemplate, ...] = ()


@dataclass(frozen=True, slots=True)
class Contact:
    """Where the patient receives messages."""

    email: str | None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class CareTimeline:
    """When the patient's pre-care items begin, as wall-clock offsets before an appointment.

    Build it from the care templates the consultation chose (``from_templates``), or from a
    timeline already anchored to some appointment start (``from_items``: ``build_timeline``
    output, or ``Programme.care_items`` with ``Programme.first_session_at``).
    """

    pre_care_offsets: tuple[timedelta, ...] = ()

    @classmethod
    def from_templates(cls, templates: Iterable[CareTemplate]) -> CareTimeline:
        """The pre-care templates' start offsets (hours before the appointment)."""
        return cls(
            tuple(
                timedelta(hours=t.start_offset_hours)
                for t in templates
                if t.phase is CarePhase.PRE and t.start_offset_hours < 0
            )
        )

    @classmethod
    def from_items(cls, items: Iterable[CareItem], *, anchored_at: datetime) -> CareTimeline:
        """Each pre-care item's wall-clock distance from the start it was anchored to.

        Raises:
            InvalidInputError: ``anchored_at`` has no time zone.
        """
        if anchored_at.tzinfo is None:
            raise InvalidInputError.single(
                "anchored_at",
                "the start the care items are anchored to has no time zone.",
                "pass the appointment start the timeline was built for (first_session_at).",
            )
        anchor = anchored_at.replace(tzinfo=None)
        zone = anchored_at.tzinfo
        offsets = (
            i.starts_at.astimezone(zone).replace(tzinfo=None) - anchor
            for i in items
            if i.phase is CarePhase.PRE
        )
        return cls(tuple(o for o in offsets if o < timedelta(0)))


@dataclass(frozen=True, slots=True)
class ReminderRequest:
    """Everything the planner needs about one appointment.

    ``interval_days`` is the series' interval (for the recall); ``next_session_booked`` says
    whether the session after this one already has an appointment.
    """

    appointment: Appointment
    clinic_tz: tzinfo
    contact: Contact
    care: CareTimeline = CareTimeline()
    is_last_session: bool = False
    next_session_booked: bool = True
    interval_days: int | None = None


@dataclass(frozen=True, slots=True)
class _Planned:
    kind: MessageKind
    milestone: str
    due_at: datetime
    text: texts.Text


def plan_reminders(
    request: ReminderRequest, policy: ReminderPolicy, *, now: datetime
) -> tuple[OutboxMessage, ...]:
    """The messages one appointment sends from ``now`` on, soonest first.

    Raises:
        InvalidInputError: ``now`` has no time zone.
    """
    if now.tzinfo is None:
        raise InvalidInputError.single(
            "now", "the current instant has no time zone.", "pass an aware instant (UTC)."
        )
    planned = sorted(_planned(request, policy), key=lambda p: (p.due_at, p.kind, p.milestone))
    return tuple(
        _message(request, p, channel, now)
        for p in planned
        if p.due_at >= now
        for channel in channels_for(request.contact, p.kind, sms_enabled=policy.sms_enabled)
    )


def withdrawn_kinds(status: AppointmentStatus) -> frozenset[MessageKind]:
    """The kinds of an appointment's pending messages that no longer go once it is ``status``.

    Cancelled or a no-show: all of them. Attended: the pre-visit ones (pre-care countdown and
    the T−24 h reminder); aftercare, the recall and the end-of-series messages still go.
    Booked: none.
    """
    if status is AppointmentStatus.ATTENDED:
        return PRE_VISIT_KINDS
    if status is AppointmentStatus.BOOKED:
        return frozenset()
    return APPOINTMENT_KINDS


def channels_for(contact: Contact, kind: MessageKind, *, sms_enabled: bool) -> tuple[Channel, ...]:
    """The channels a message of ``kind`` goes by.

    Email carries every message when the patient has an address. SMS (when the deployment
    has a gateway) carries the time-critical kinds, or every kind for a patient without email.
    """
    channels: list[Channel] = []
    if contact.email:
        channels.append(Channel.EMAIL)
    if sms_enabled and contact.phone and (kind in SMS_KINDS or not contact.email):
        channels.append(Channel.SMS)
    return tuple(channels)


def idempotency_key(
    appointment: Appointment, kind: MessageKind, milestone: str, channel: Channel
) -> str:
    """What a message is about: appointment, kind, milestone, start instant and channel."""
    start = appointment.starts_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"appointment:{appointment.id}:{kind.value}:{milestone}:{start}:{channel.value}"


def message_id(key: str) -> UUID:
    """The stable id of the message with this idempotency key."""
    return uuid5(MESSAGE_NAMESPACE, key)


def _planned(request: ReminderRequest, policy: ReminderPolicy) -> Iterator[_Planned]:
    local_start = request.appointment.starts_at.astimezone(request.clinic_tz)
    yield from _pre_care(request, local_start, policy.portal_url)
    yield _appointment_reminder(request, local_start, policy.portal_url)
    for milestone in policy.schedule.milestones:
        if milestone.kind is MessageKind.AFTERCARE or request.is_last_session:
            yield _follow_up(request, milestone, local_start, policy.portal_url)
    recall = _recall(request, local_start, policy)
    if recall is not None:
        yield recall


def _pre_care(
    request: ReminderRequest, local_start: datetime, portal_url: str
) -> Iterator[_Planned]:
    offsets: dict[timedelta, int] = {}
    for offset in request.care.pre_care_offsets:
        offsets[offset] = offsets.get(offset, 0) + 1
    for offset, steps in sorted(offsets.items()):
        if offset < -REMINDER_LEAD:
            yield _Planned(
                MessageKind.PRE_CARE,
                f"pre-{_hours(-offset)}h",
                _wall_clock(local_start, offset),
                texts.pre_care(steps, local_start, portal_url),
            )


def _appointment_reminder(
    request: ReminderRequest, local_start: datetime, portal_url: str
) -> _Planned:
    due_at = request.appointment.starts_at.astimezone(UTC) - REMINDER_LEAD
    steps_soon = any(o >= -REMINDER_LEAD for o in request.care.pre_care_offsets)
    text = texts.appointment_reminder(local_start, portal_url, steps_due=steps_soon)
    return _Planned(MessageKind.APPOINTMENT_REMINDER, f"t-{_hours(REMINDER_LEAD)}h", due_at, text)


def _follow_up(
    request: ReminderRequest, milestone: Milestone, local_start: datetime, portal_url: str
) -> _Planned:
    day = add_months(local_start.date(), milestone.after_months) + timedelta(
        days=milestone.after_days
    )
    due_at = _not_before_end(request, _local(day, milestone.at, request.clinic_tz))
    if milestone.kind is MessageKind.AFTERCARE:
        text = texts.aftercare(milestone.after_days, local_start, portal_url)
    elif milestone.kind is MessageKind.SERIES_END:
        text = texts.series_end(local_start, portal_url)
    else:
        text = texts.outcome_review(milestone.after_months, portal_url)
    return _Planned(milestone.kind, milestone.id, due_at, text)


def _recall(
    request: ReminderRequest, local_start: datetime, policy: ReminderPolicy
) -> _Planned | None:
    if request.is_last_session or request.next_session_booked or not request.interval_days:
        return None
    next_due_on = local_start.date() + timedelta(days=request.interval_days)
    lead_days = min(policy.schedule.recall_lead_days, request.interval_days - 1)
    send_on = next_due_on - timedelta(days=max(lead_days, 0))
    due_at = _not_before_end(request, _local(send_on, policy.schedule.recall_at, request.clinic_tz))
    text = texts.next_session_recall(next_due_on, policy.portal_url)
    return _Planned(MessageKind.NEXT_SESSION_RECALL, "next-session-recall", due_at, text)


def _message(
    request: ReminderRequest, planned: _Planned, channel: Channel, now: datetime
) -> OutboxMessage:
    appointment = request.appointment
    key = idempotency_key(appointment, planned.kind, planned.milestone, channel)
    recipient = request.contact.email if channel is Channel.EMAIL else request.contact.phone
    return OutboxMessage(
        id=message_id(key),
        clinic_id=appointment.clinic_id,
        patient_id=appointment.patient_id,
        appointment_id=appointment.id,
        kind=planned.kind,
        channel=channel,
        recipient=recipient or "",
        subject=planned.text.subject,
        body=planned.text.body,
        due_at=planned.due_at.astimezone(UTC),
        idempotency_key=key,
        created_at=now,
    )


def _wall_clock(local_start: datetime, offset: timedelta) -> datetime:
    """``offset`` from a local time as a clock on the wall counts it (ADR 0009)."""
    return (local_start.replace(tzinfo=None) + offset).replace(tzinfo=local_start.tzinfo)


def _local(day: date, at: time, zone: tzinfo) -> datetime:
    """A local date and wall-clock time (in a spring-forward gap, the earlier offset's reading)."""
    return datetime.combine(day, at, tzinfo=zone)


def _not_before_end(request: ReminderRequest, due_at: datetime) -> datetime:
    return max(due_at, request.appointment.ends_at)


def _hours(duration: timedelta) -> int:
    return int(duration.total_seconds() // 3600)
