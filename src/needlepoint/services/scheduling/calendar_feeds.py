"""Use cases: a patient's calendar feed link (issue, revoke, status) and the feed itself.

A link is ``/calendar/<token>.ics`` with a random 256-bit token (``secrets.token_urlsafe``);
only the token's SHA-256 is stored, and a fetch looks the link up by that hash, so a copy of
the database hands out no live link and no token is ever compared byte by byte. Issuing a
link revokes the patient's previous one: a patient has at most one live link, and a leaked
link is shut by issuing a new one (or by revoking it). Staff actions are audited as theirs;
each fetch of a feed is audited with the actor role ``calendar_feed`` and the patient's id.
An unknown token and a revoked one get the same answer (``CalendarFeedNotFoundError``).

The feed's content is ``domain.calendar`` (ADR 0018): appointments, care steps and follow-up
reviews, with the clinic's name and nothing clinical.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from needlepoint.domain.calendar import (
    CalendarFeed,
    CalendarInputs,
    SeriesMilestones,
    earliest_pre_care_offset_hours,
    listed_appointments,
    patient_calendar,
)
from needlepoint.domain.care import CareTemplate
from needlepoint.domain.errors import NotFoundError
from needlepoint.domain.records import AuditEvent, ConsultationRecord, PatientRecord
from needlepoint.domain.scheduling import Appointment
from needlepoint.domain.treatment import SeriesStatus
from needlepoint.services import audit, permissions
from needlepoint.services.access import listed_patient
from needlepoint.services.accounts.facade import MAX_TOKEN_CHARS, TOKEN_BYTES, digest
from needlepoint.services.permissions import Action
from needlepoint.services.ports import Clock
from needlepoint.services.scheduling.ports import (
    CalendarFeedAccess,
    CalendarRenderer,
    FeedRendering,
    SeriesMilestoneReads,
)

FEED_ACTOR_ROLE: Final = "calendar_feed"
"""The actor role of a feed fetch in the audit trail (no member of staff is involved)."""

FOLLOW_UP_REVIEW_MONTHS: Final = (3, 6)
"""Follow-up reviews, in months after the last session of a series.

From shared/reference/clinical.md §7 (expectations), software rule: "Judge the series at
≥ 3 months after the last session. The final read is at 6 months." (knowledge:
expectations.yaml ``timing-acne-scars``, ``judge_after``; issue 5: "the 3- and 6-month outcome
reviews").
"""


class CalendarFeedNotFoundError(NotFoundError):
    """No live calendar feed has this link (unknown and revoked links read the same)."""

    code = "calendar-feed-not-found"


@dataclass(frozen=True, slots=True)
class IssuedFeed:
    """A newly issued link: the token is shown once and never stored."""

    token: str
    feed: CalendarFeed
    patient: PatientRecord


@dataclass(frozen=True, slots=True)
class FeedStatus:
    """A patient and their live feed link, if they have one (its token is never kept)."""

    patient: PatientRecord
    feed: CalendarFeed | None


@dataclass(frozen=True, slots=True)
class FeedMaking:
    """What a feed is made with besides the records: care templates, reviews, the renderer."""

    care_templates: tuple[CareTemplate, ...]
    renderer: CalendarRenderer
    review_after_months: tuple[int, ...] = FOLLOW_UP_REVIEW_MONTHS


def issue_feed(
    *, patient_id: UUID, context: audit.RequestContext, uow: CalendarFeedAccess, clock: Clock
) -> IssuedFeed:
    """A new secret feed link for a patient of the actor's clinic; the old one stops working."""
    permissions.require(context, Action.CALENDAR_FEED_MANAGE)
    clinic_id = context.actor.clinic_id
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with uow:
        patient = listed_patient(uow, context, patient_id, "calendar_feed.issue", clock)
        now = clock.now()
        uow.calendar_feeds.revoke_for_patient(clinic_id, patient.id, now)
        feed = CalendarFeed(uuid4(), clinic_id, patient.id, digest(token), now)
        uow.calendar_feeds.add(feed)
        access = audit.Access("calendar_feed.issue", "calendar_feed", str(feed.id), patient.id)
        audit.record(uow, context, access, at=now)
        uow.commit()
    return IssuedFeed(token=token, feed=feed, patient=patient)


def revoke_feed(
    *, patient_id: UUID, context: audit.RequestContext, uow: CalendarFeedAccess, clock: Clock
) -> int:
    """Stop a patient's feed link working; how many live links there were (0 or 1)."""
    permissions.require(context, Action.CALENDAR_FEED_MANAGE)
    clinic_id = context.actor.clinic_id
    with uow:
        patient = listed_patient(uow, context, patient_id, "calendar_feed.revoke", clock)
        now = clock.now()
        revoked = uow.calendar_feeds.revoke_for_patient(clinic_id, patient.id, now)
        access = audit.Access("calendar_feed.revoke", "patient", str(patient.id), patient.id)
        audit.record(uow, context, access, at=now)
        uow.commit()
    return revoked


def feed_status(
    *, patient_id: UUID, context: audit.RequestContext, uow: CalendarFeedAccess, clock: Clock
) -> FeedStatus:
    """A patient of the actor's clinic and their live feed link, if any."""
    permissions.require(context, Action.CALENDAR_FEED_MANAGE)
    with uow:
        patient = listed_patient(uow, context, patient_id, "calendar_feed.read", clock)
        feed = uow.calendar_feeds.live_for_patient(context.actor.clinic_id, patient.id)
        access = audit.Access("calendar_feed.read", "patient", str(patient.id), patient.id)
        audit.record(uow, context, access, at=clock.now())
        uow.commit()
    return FeedStatus(patient=patient, feed=feed)


def render_feed(
    *, token: str, request_id: str, making: FeedMaking, uow: FeedRendering, clock: Clock
) -> bytes:
    """The feed a link opens, rendered; ``CalendarFeedNotFoundError`` for any other token.

    One audit event per fetch (actor role ``calendar_feed``, the patient's id); a refused
    token leaves none, so unknown and revoked links cost the same and read the same.
    """
    if not token or len(token) > MAX_TOKEN_CHARS:
        raise CalendarFeedNotFoundError("no such calendar feed")
    with uow:
        feed = uow.calendar_feeds.live_by_hash(digest(token))
        clinic = None if feed is None else uow.clinics.get(feed.clinic_id)
        if feed is None or clinic is None:
            raise CalendarFeedNotFoundError("no such calendar feed")
        appointments = listed_appointments(
            uow.appointments.for_patient(feed.clinic_id, feed.patient_id)
        )
        series = _series_milestones(uow, feed, appointments, making.care_templates)
        inputs = CalendarInputs(
            clinic.name,
            clinic.time_zone,
            ZoneInfo(clinic.time_zone),
            series,
            making.review_after_months,
        )
        now = clock.now()
        rendered = making.renderer(patient_calendar(appointments, inputs), stamped_at=now)
        uow.audit.append(_fetch_event(feed, request_id, at=now))
        uow.commit()
    return rendered


def _series_milestones(
    uow: SeriesMilestoneReads,
    feed: CalendarFeed,
    appointments: Sequence[Appointment],
    templates: tuple[CareTemplate, ...],
) -> dict[UUID, SeriesMilestones]:
    """Each series the appointments belong to: its planned sessions and pre-care lead."""
    found: dict[UUID, SeriesMilestones] = {}
    for series_id in sorted({a.series_id for a in appointments if a.series_id}, key=str):
        series = uow.series.get(feed.clinic_id, series_id)
        if series is None or series.patient_id != feed.patient_id:
            continue
        consultation = uow.consultations.get(feed.clinic_id, series.consultation_id)
        offset = earliest_pre_care_offset_hours(templates, _chosen_pre_care(consultation))
        follow_up = series.status is not SeriesStatus.CANCELLED
        found[series_id] = SeriesMilestones(series_id, series.plan.sessions, offset, follow_up)
    return found


def _chosen_pre_care(consultation: ConsultationRecord | None) -> Iterable[str]:
    """The ids of the pre-care items the consultation chose for the patient."""
    if consultation is None:
        return ()
    care: Mapping[str, Any] = consultation.report.get("care") or {}
    return (str(item["id"]) for item in care.get("pre", ()) if "id" in item)


def _fetch_event(feed: CalendarFeed, request_id: str, *, at: datetime) -> AuditEvent:
    return AuditEvent(
        at=at,
        actor_id=None,
        actor_role=FEED_ACTOR_ROLE,
        action="calendar_feed.fetch",
        resource_type="calendar_feed",
        resource_id=str(feed.id),
        patient_id=feed.patient_id,
        outcome="success",
        request_id=request_id,
    )
