"""A patient's calendar: appointments not cancelled, care steps and reviews, nothing clinical."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from needlepoint.domain.calendar import (
    CalendarInputs,
    EventKind,
    SeriesMilestones,
    earliest_pre_care_offset_hours,
    months_after,
    patient_calendar,
)
from needlepoint.domain.care import CarePhase, CareTemplate
from needlepoint.domain.evidence import EvidenceLevel, Provenance
from needlepoint.domain.scheduling import Appointment, AppointmentStatus

LONDON = ZoneInfo("Europe/London")
CLINIC = uuid4()
PATIENT = uuid4()
SERIES = UUID(int=7)
STAFF = uuid4()
ROOM = uuid4()
CREATED = datetime(2026, 1, 2, 9, 0, tzinfo=UTC)
CLINIC_NAME = "Harbour Skin Clinic"
CLINICAL_WORDS = ("microneedl", "needl", "scar", "acne", "cheek", "forehead", "retinoid", "depth")


def appointment(
    starts_at: datetime,
    *,
    status: AppointmentStatus = AppointmentStatus.BOOKED,
    number: int | None = None,
    version: int = 1,
) -> Appointment:
    return Appointment(
        id=uuid4(),
        clinic_id=CLINIC,
        patient_id=PATIENT,
        series_id=SERIES if number else None,
        session_number=number,
        practitioner_id=STAFF,
        room_id=ROOM,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=90),
        status=status,
        created_at=CREATED,
        created_by=STAFF,
        version=version,
    )


def inputs(
    series: Mapping[UUID, SeriesMilestones] | None = None, months: tuple[int, ...] = (3, 6)
) -> CalendarInputs:
    return CalendarInputs(CLINIC_NAME, "Europe/London", LONDON, series or {}, months)


def milestones(
    *, sessions: int = 3, offset_hours: int | None = -120, follow_up: bool = True
) -> dict[UUID, SeriesMilestones]:
    return {SERIES: SeriesMilestones(SERIES, sessions, offset_hours, follow_up)}


def template(template_id: str, phase: CarePhase, start_offset_hours: int) -> CareTemplate:
    return CareTemplate(
        id=template_id,
        topic="topic",
        phase=phase,
        instruction="text",
        start_offset_hours=start_offset_hours,
        end_offset_hours=max(start_offset_hours, 0),
        condition_name="always",
        condition=lambda _: True,
        provenance=Provenance(("source",), EvidenceLevel.PRACTICE),
    )


def test_every_appointment_not_cancelled_is_an_event_at_its_own_times() -> None:
    kept = appointment(datetime(2026, 3, 2, 10, 0, tzinfo=UTC), version=3)
    attended = appointment(
        datetime(2026, 2, 2, 10, 0, tzinfo=UTC), status=AppointmentStatus.ATTENDED
    )
    cancelled = appointment(
        datetime(2026, 4, 2, 10, 0, tzinfo=UTC), status=AppointmentStatus.CANCELLED
    )

    calendar = patient_calendar([kept, cancelled, attended], inputs())

    events = calendar.of_kind(EventKind.APPOINTMENT)
    assert [e.uid for e in events] == [f"{attended.id}@needlepoint", f"{kept.id}@needlepoint"]
    assert events[1].starts == kept.starts_at
    assert events[1].ends == kept.ends_at
    assert events[1].sequence == 3


def test_appointment_times_are_given_in_the_clinic_zone() -> None:
    summer = appointment(datetime(2026, 7, 1, 9, 0, tzinfo=UTC))

    event = patient_calendar([summer], inputs()).events[0]

    assert isinstance(event.starts, datetime)
    assert event.starts.tzinfo == LONDON
    assert (event.starts.hour, event.starts.minute) == (10, 0)


def test_no_event_names_a_treatment_a_scar_or_a_body_area() -> None:
    visits = [appointment(datetime(2026, 3, 2, 10, 0, tzinfo=UTC), number=n) for n in (1, 2, 3)]

    calendar = patient_calendar(visits, inputs(milestones()))

    assert {e.kind for e in calendar.events} == set(EventKind)
    for event in calendar.events:
        text = f"{event.summary} {event.description}".lower()
        assert CLINIC_NAME.lower() in event.summary.lower()
        assert not any(word in text for word in CLINICAL_WORDS), text


def test_care_steps_start_on_the_local_day_the_earliest_pre_care_begins() -> None:
    # 10:00 BST on Tuesday 31 March 2026; five days earlier is before the clocks went forward.
    visit = appointment(datetime(2026, 3, 31, 9, 0, tzinfo=UTC), number=1, version=2)

    calendar = patient_calendar([visit], inputs(milestones(offset_hours=-120)))

    (step,) = calendar.of_kind(EventKind.CARE_STEP)
    assert step.all_day
    assert (step.starts, step.ends) == (date(2026, 3, 26), date(2026, 3, 27))
    assert step.uid == f"care-{visit.id}@needlepoint"
    assert step.sequence == 2


def test_a_series_without_pre_care_and_a_visit_outside_a_series_have_no_care_step() -> None:
    in_series = appointment(datetime(2026, 3, 2, 10, 0, tzinfo=UTC), number=1)
    lone = appointment(datetime(2026, 3, 9, 10, 0, tzinfo=UTC))

    calendar = patient_calendar([in_series, lone], inputs(milestones(offset_hours=None)))

    assert calendar.of_kind(EventKind.CARE_STEP) == ()


def test_follow_up_reviews_fall_3_and_6_months_after_the_last_planned_session() -> None:
    first = appointment(datetime(2026, 6, 1, 9, 0, tzinfo=UTC), number=1)
    last = appointment(datetime(2026, 8, 31, 9, 0, tzinfo=UTC), number=2, version=4)

    calendar = patient_calendar([first, last], inputs(milestones(sessions=2)))

    reviews = calendar.of_kind(EventKind.FOLLOW_UP)
    assert [r.starts for r in reviews] == [date(2026, 11, 30), date(2027, 2, 28)]
    assert [r.uid for r in reviews] == [
        f"review-{SERIES}-3m@needlepoint",
        f"review-{SERIES}-6m@needlepoint",
    ]
    assert {r.sequence for r in reviews} == {4}


def test_no_follow_up_review_until_the_last_session_is_booked() -> None:
    first = appointment(datetime(2026, 6, 1, 9, 0, tzinfo=UTC), number=1)

    calendar = patient_calendar([first], inputs(milestones(sessions=3)))

    assert calendar.of_kind(EventKind.FOLLOW_UP) == ()


def test_a_cancelled_last_session_or_a_stopped_series_has_no_follow_up_review() -> None:
    last = appointment(datetime(2026, 6, 1, 9, 0, tzinfo=UTC), number=1)
    cancelled = appointment(
        datetime(2026, 6, 1, 9, 0, tzinfo=UTC), number=1, status=AppointmentStatus.CANCELLED
    )

    stopped = patient_calendar([last], inputs(milestones(sessions=1, follow_up=False)))
    dropped = patient_calendar([cancelled], inputs(milestones(sessions=1)))

    assert stopped.of_kind(EventKind.FOLLOW_UP) == ()
    assert dropped.events == ()


def test_the_same_records_always_give_the_same_calendar_in_time_order() -> None:
    visits = [
        appointment(datetime(2026, 3, 2, 10, 0, tzinfo=UTC) + timedelta(weeks=4 * n), number=n + 1)
        for n in range(3)
    ]

    forwards = patient_calendar(visits, inputs(milestones()))
    backwards = patient_calendar(list(reversed(visits)), inputs(milestones()))

    assert forwards == backwards
    starts = [
        e.starts
        if isinstance(e.starts, datetime)
        else datetime.combine(e.starts, datetime.min.time(), LONDON)
        for e in forwards.events
    ]
    assert starts == sorted(starts)


def test_earliest_pre_care_ignores_aftercare_and_items_no_longer_in_the_table() -> None:
    templates = [
        template("pre-sun", CarePhase.PRE, -168),
        template("pre-retinoids", CarePhase.PRE, -120),
        template("post-sun", CarePhase.POST, 0),
    ]

    earliest = earliest_pre_care_offset_hours(templates, ["pre-retinoids", "post-sun", "gone"])
    none = earliest_pre_care_offset_hours(templates, ["post-sun"])

    assert earliest == -120
    assert none is None


def test_months_after_keeps_the_day_or_takes_the_last_day_of_a_shorter_month() -> None:
    assert months_after(date(2026, 1, 15), 3) == date(2026, 4, 15)
    assert months_after(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert months_after(date(2027, 8, 31), 6) == date(2028, 2, 29)
    assert months_after(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert months_after(date(2026, 10, 31), 2) == date(2026, 12, 31)


def test_events_are_in_the_order_of_their_instants_even_when_the_clocks_go_back() -> None:
    # Sunday 25 October 2026, London: 01:45 BST is 00:45 UTC; the second 01:30 is 01:30 UTC.
    second_half_past_one = appointment(datetime(2026, 10, 25, 1, 30, tzinfo=UTC))
    first_quarter_to_two = appointment(datetime(2026, 10, 25, 0, 45, tzinfo=UTC))

    calendar = patient_calendar([second_half_past_one, first_quarter_to_two], inputs())

    assert [e.uid for e in calendar.events] == [
        f"{first_quarter_to_two.id}@needlepoint",
        f"{second_half_past_one.id}@needlepoint",
    ]
