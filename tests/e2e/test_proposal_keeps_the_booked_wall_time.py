"""A series' proposal keeps the wall time its booked session was booked at (issue 14).

The probe: in a New York clinic, with session 1 booked at 14:00 local, the proposal put
sessions 2-4 at 08:00 local. Read over HTTP, as the front desk's page reads it.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from api_support import MovingClock, add_member, intake_document, make_services, signed_in
from needlepoint.bootstrap import Services
from needlepoint.domain import series_plan
from needlepoint.domain.records import Role
from needlepoint.domain.treatment import TreatmentSeries
from needlepoint.domain.vocabulary import Sex
from needlepoint.services.audit import AuthMethod, RequestContext
from needlepoint.services.consultation import consultations as consultation_records
from needlepoint.services.records import patients
from needlepoint.services.scheduling.booking import SlotChoice
from needlepoint.services.treatment import series as treatment

NEW_YORK = ZoneInfo("America/New_York")


def test_sessions_after_a_1400_booking_are_proposed_at_1400_in_new_york(tmp_path: Path) -> None:
    clock = MovingClock(datetime(2026, 10, 1, 12, 0, tzinfo=UTC))
    services = make_services(f"sqlite:///{tmp_path / 'ny.sqlite3'}", clock)
    clinic_id = services.accounts.add_clinic(name="Hudson Skin", time_zone="America/New_York").id
    clinician = add_member(services, clinic_id, Role.CLINICIAN, "dr@hudson.test")
    admin = add_member(services, clinic_id, Role.ADMIN, "admin@hudson.test")
    admin_context = RequestContext(admin, "ny", auth=AuthMethod.SESSION)
    desk = RequestContext(clinician, "ny", auth=AuthMethod.SESSION)
    week = [(day, time(8), time(18)) for day in range(7)]
    services.scheduling.set_opening_hours(week, context=admin_context)
    room = services.scheduling.add_room("Room 1", context=admin_context)
    series = _four_session_series(services, desk)
    first = datetime(2026, 10, 6, 14, 0, tzinfo=NEW_YORK)
    services.scheduling.book_series(
        series.id, [SlotChoice(1, first, clinician.id, room.id)], context=desk
    )

    answer = signed_in(services, "dr@hudson.test").get(f"/api/v1/series/{series.id}/booking")

    assert answer.status_code == 200, answer.text
    proposed = answer.json()["proposed"]
    assert [p["number"] for p in proposed] == [2, 3, 4]
    local = [datetime.fromisoformat(p["slot"]["starts_at"]).astimezone(NEW_YORK) for p in proposed]
    # Across the November change (EDT to EST) the wall time holds, not the UTC hour.
    assert [moment.time() for moment in local] == [time(14)] * 3
    eastern_daylight, eastern_standard = timedelta(hours=-4), timedelta(hours=-5)
    assert first.utcoffset() == eastern_daylight
    assert {moment.utcoffset() for moment in local} == {eastern_standard}
    services.database.close()


def _four_session_series(services: Services, context: RequestContext) -> TreatmentSeries:
    document = intake_document()
    document["consulted_on"] = "2026-10-01"
    document["clinic"]["time_zone"] = "America/New_York"
    facts = document["patient"]
    new = patients.NewPatient(
        "Amira", "Okafor", date.fromisoformat(facts["born_on"]), Sex(facts["sex"])
    )
    patient = services.records.register_patient(new, context=context)
    request = consultation_records.ConsultationRequest(patient.id, document)
    record = services.consultation.record_consultation(request, context=context)
    services.consultation.sign_consultation(record.id, context=context)
    report = record.report
    proposal = series_plan.proposed_plan({"plan": report["plan"], "series": report["series"]})
    plan = dataclasses.replace(proposal, sessions=4, interval_days=28)
    reasons = {"plan.sessions": "four agreed with the patient"}
    return services.treatment.create_series(
        treatment.NewSeries(record.id, plan, reasons), context=context
    )
