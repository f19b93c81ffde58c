"""Messages carry the minimum (ecosystem.md TR-3): no clinical detail in any subject or body."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from builders import make_care_context
from needlepoint.adapters.email import render
from needlepoint.domain.care import CareItem, CarePhase, build_timeline
from needlepoint.domain.evidence import EvidenceLevel, Provenance
from needlepoint.domain.messages import MessageKind, OutboxMessage
from needlepoint.domain.reminders import (
    CareTimeline,
    Contact,
    ReminderPolicy,
    ReminderRequest,
    plan_reminders,
)
from needlepoint.domain.scheduling import Appointment, AppointmentStatus
from needlepoint.knowledge import care as care_tables
from needlepoint.knowledge.reminders import load_reminder_schedule

LONDON = ZoneInfo("Europe/London")
START = datetime(2026, 12, 8, 10, 0, tzinfo=LONDON)
CANARIES = (
    "CANARY-INSTRUCTION",
    "canary_topic",
    "canary-item-id",
    "CANARY-REASON",
    "CANARY-SOURCE",
    "CANARY-NOTE",
)
CLINICAL_WORDS = (
    "microneedl",
    "needl",
    "skin",
    "scar",
    "acne",
    "treatment",
    "retino",
    "antiviral",
    "valacic",
    "isotret",
    "depth",
    " mm",
    "diagnos",
    "care",
    "sunscreen",
    "spf",
    "infection",
)


def _canary_item(offset_hours: int) -> CareItem:
    return CareItem(
        id="canary-item-id",
        topic="canary_topic",
        phase=CarePhase.PRE,
        instruction="CANARY-INSTRUCTION: stop your retinoid and start the antiviral",
        starts_at=START + timedelta(hours=offset_hours),
        ends_at=START,
        provenance=Provenance(
            sources=("CANARY-SOURCE",), evidence=EvidenceLevel.INFERRED, note="CANARY-NOTE"
        ),
    )


def _every_message() -> tuple[OutboxMessage, ...]:
    """Every kind of message, on both channels, with canaries in every clinical field."""
    real = build_timeline(
        care_tables.load_care_templates(), make_care_context(), appointment_at=START
    )
    canaries = tuple(_canary_item(h) for h in (-120, -48, -3))
    appointment = Appointment(
        id=uuid4(),
        clinic_id=uuid4(),
        patient_id=uuid4(),
        series_id=uuid4(),
        session_number=3,
        practitioner_id=uuid4(),
        room_id=uuid4(),
        starts_at=START,
        ends_at=START + timedelta(minutes=75),
        status=AppointmentStatus.BOOKED,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        created_by=uuid4(),
        status_reason="CANARY-REASON",
    )
    request = ReminderRequest(
        appointment=appointment,
        clinic_tz=LONDON,
        contact=Contact(email="pat@example.test", phone=None),
        care=CareTimeline.from_items((*real, *canaries), anchored_at=START),
        interval_days=28,
        next_session_booked=False,
    )
    policy = ReminderPolicy(
        schedule=load_reminder_schedule(),
        portal_url="https://portal.clinic.test",
        sms_enabled=True,
        care_templates=care_tables.load_care_templates(),
    )
    now = datetime(2026, 1, 1, tzinfo=UTC)
    last = replace(request, is_last_session=True, contact=Contact(None, "+447700900123"))
    return (*plan_reminders(request, policy, now=now), *plan_reminders(last, policy, now=now))


MESSAGES = _every_message()


def test_every_kind_of_reminder_is_rendered() -> None:
    assert {m.kind for m in MESSAGES} == {
        MessageKind.PRE_CARE,
        MessageKind.APPOINTMENT_REMINDER,
        MessageKind.AFTERCARE,
        MessageKind.NEXT_SESSION_RECALL,
        MessageKind.SERIES_END,
        MessageKind.OUTCOME_REVIEW,
    }


@pytest.mark.parametrize("message", MESSAGES, ids=lambda m: m.idempotency_key.split(":", 2)[2])
def test_tr3_no_clinical_canary_or_word_reaches_an_email_or_sms(message: OutboxMessage) -> None:
    email = render(message, "reminders@clinic.test").decode("utf-8").lower()
    text = f"{message.subject}\n{message.body}".lower()

    assert [c for c in CANARIES if c.lower() in text or c.lower() in email] == []
    assert [w for w in CLINICAL_WORDS if w in text] == []


def test_tr3_no_care_instruction_text_reaches_a_message() -> None:
    instructions = [t.instruction[:30].lower() for t in care_tables.load_care_templates()]
    bodies = "\n".join(f"{m.subject}\n{m.body}".lower() for m in MESSAGES)

    assert [i for i in instructions if i in bodies] == []


def test_every_message_links_to_the_portal_and_says_it_is_automatic() -> None:
    assert all("https://portal.clinic.test" in m.body for m in MESSAGES)
    assert all("sent automatically" in m.body for m in MESSAGES)
