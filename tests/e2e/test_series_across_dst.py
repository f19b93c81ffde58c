"""A six-session series across both of London's DST changes (issue 5 acceptance).

Booked through the services as the front desk books it, with reminders planned in the same
unit of work: every session keeps its local hour, and every appointment reminder is due
exactly 24 hours (of elapsed time) before its appointment, whatever the clocks did between.
"""

from __future__ import annotations

import dataclasses
import itertools
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from api_support import MovingClock, add_clinic, add_member, intake_document, make_services
from needlepoint.bootstrap import Services
from needlepoint.domain import series_plan
from needlepoint.domain.messages import MessageKind, MessageStatus
from needlepoint.domain.records import Role
from needlepoint.domain.treatment import TreatmentSeries
from needlepoint.domain.vocabulary import Sex
from needlepoint.services.audit import AuthMethod, RequestContext
from needlepoint.services.consultation import consultations as consultation_records
from needlepoint.services.records import patients
from needlepoint.services.scheduling.booking import SlotChoice
from needlepoint.services.treatment import series as treatment

LONDON = ZoneInfo("Europe/London")
SUMMER, WINTER = timedelta(hours=1), timedelta(0)


def test_six_sessions_over_both_dst_changes_keep_their_hour_and_exact_reminders(
    tmp_path: Path,
) -> None:
    clock = MovingClock(datetime(2026, 10, 1, 6, 0, tzinfo=UTC))
    services = make_services(f"sqlite:///{tmp_path / 'dst.sqlite3'}", clock)
    clinic_id = add_clinic(services)
    desk = RequestContext(
        add_member(services, clinic_id, Role.CLINICIAN, "dr@dst.test"),
        "dst",
        auth=AuthMethod.SESSION,
    )
    admin = RequestContext(
        add_member(services, clinic_id, Role.ADMIN, "admin@dst.test"),
        "dst",
        auth=AuthMethod.SESSION,
    )
    services.scheduling.set_opening_hours([(d, time(8), time(20)) for d in range(7)], context=admin)
    services.scheduling.add_room("Room 1", context=admin)
    series = _six_session_series(services, desk)

    booking = services.scheduling.propose_series_booking(series.id, context=desk)
    proposed = [s for s in booking.proposed if s is not None]
    assert len(proposed) == len(booking.proposed), booking.problem
    choices = [
        SlotChoice(n, s.starts_at, s.practitioner_id, s.room_id)
        for n, s in zip(booking.to_book, proposed, strict=True)
    ]
    made = services.scheduling.book_series(series.id, choices, context=desk)

    local = [a.starts_at.astimezone(LONDON) for a in made]
    assert len(made) == 6
    assert len({moment.time() for moment in local}) == 1
    assert [m.utcoffset() for m in local] == [SUMMER, WINTER, WINTER, WINTER, WINTER, SUMMER]
    gaps = {(b.date() - a.date()).days for a, b in itertools.pairwise(local)}
    assert gaps == {42}
    with services.database.unit_of_work() as uow:
        queued = uow.outbox.for_patient(clinic_id, series.patient_id)
    reminders = {
        m.appointment_id: m.due_at
        for m in queued
        if m.kind is MessageKind.APPOINTMENT_REMINDER and m.status is MessageStatus.PENDING
    }
    ahead = [a for a in made if a.starts_at - timedelta(hours=24) >= clock.now()]
    assert len(ahead) >= 5  # a first session within 24 h of booking gets no T-24 h reminder
    assert set(reminders) == {a.id for a in ahead}
    assert {a.starts_at - reminders[a.id] for a in ahead} == {timedelta(hours=24)}
    services.database.close()


def _six_session_series(
    services: Services,
    context: RequestContext,
    *,
    consulted_on: str = "2026-10-01",
    interval_days: int = 42,
) -> TreatmentSeries:
    document = intake_document()
    document["consulted_on"] = consulted_on
    facts = document["patient"]
    new = patients.NewPatient(
        "Amira",
        "Okafor",
        date.fromisoformat(facts["born_on"]),
        Sex(facts["sex"]),
        email="amira@example.test",
    )
    patient = services.records.register_patient(new, context=context)
    request = consultation_records.ConsultationRequest(patient.id, document)
    record = services.consultation.record_consultation(request, context=context)
    services.consultation.sign_consultation(record.id, context=context)
    report = record.report
    proposal = series_plan.proposed_plan({"plan": report["plan"], "series": report["series"]})
    plan = dataclasses.replace(proposal, sessions=6, interval_days=interval_days)
    reasons = {
        "plan.sessions": "deep rolling scars; six agreed with the patient",
        "plan.interval_days": "patient travels for work; six weeks apart",
    }
    new_series = treatment.NewSeries(record.id, plan, reasons)
    return services.treatment.create_series(new_series, context=context)


NEW_YORK = ZoneInfo("America/New_York")
EDT, EST = timedelta(hours=-4), timedelta(hours=-5)


def test_tz1_six_sessions_every_four_weeks_at_ten_in_new_york_across_both_dst_changes(
    tmp_path: Path,
) -> None:
    """TZ-1: a 6-session series every 4 weeks at 10:00 America/New_York from late October to
    March: every session at 10:00 local, the UTC offset switching at both changes (EDT, EST
    ×4, EDT), and every T−24 h reminder due exactly 24 h before its session in UTC."""
    clock = MovingClock(datetime(2026, 10, 26, 14, 0, tzinfo=UTC))
    services = make_services(f"sqlite:///{tmp_path / 'tz1.sqlite3'}", clock)
    clinic_id = services.accounts.add_clinic(name="Hudson", time_zone="America/New_York").id
    desk = RequestContext(
        add_member(services, clinic_id, Role.CLINICIAN, "dr@tz1.test"),
        "tz1",
        auth=AuthMethod.SESSION,
    )
    admin = RequestContext(
        add_member(services, clinic_id, Role.ADMIN, "admin@tz1.test"),
        "tz1",
        auth=AuthMethod.SESSION,
    )
    # Open from 10:00 local, so the first free slot of every day is 10:00 wall time.
    services.scheduling.set_opening_hours(
        [(d, time(10), time(18)) for d in range(7)], context=admin
    )
    services.scheduling.add_room("Room 1", context=admin)
    series = _six_session_series(services, desk, consulted_on="2026-10-26", interval_days=28)

    booking = services.scheduling.propose_series_booking(series.id, context=desk)
    proposed = [s for s in booking.proposed if s is not None]
    assert len(proposed) == len(booking.proposed) == 6, booking.problem
    choices = [
        SlotChoice(n, s.starts_at, s.practitioner_id, s.room_id)
        for n, s in zip(booking.to_book, proposed, strict=True)
    ]
    made = services.scheduling.book_series(series.id, choices, context=desk)

    local = [a.starts_at.astimezone(NEW_YORK) for a in made]
    assert [m.time() for m in local] == [time(10)] * 6
    assert [m.utcoffset() for m in local] == [EDT, EST, EST, EST, EST, EDT]
    assert {(b.date() - a.date()).days for a, b in itertools.pairwise(local)} == {28}
    assert {a.starts_at.astimezone(UTC).hour for a in made} == {14, 15}
    with services.database.unit_of_work() as uow:
        queued = uow.outbox.for_patient(clinic_id, series.patient_id)
    reminders = {
        m.appointment_id: m.due_at
        for m in queued
        if m.kind is MessageKind.APPOINTMENT_REMINDER and m.status is MessageStatus.PENDING
    }
    ahead = [a for a in made if a.starts_at - timedelta(hours=24) >= clock.now()]
    assert len(ahead) >= 5  # a first session within 24 h of booking gets no T-24 h reminder
    assert set(reminders) == {a.id for a in ahead}
    assert [a.starts_at - reminders[a.id] for a in ahead] == [timedelta(hours=24)] * len(ahead)
    services.database.close()
