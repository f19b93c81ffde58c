"""When a handout says a session takes place: the booked appointment, else the actual start,
else provisionally an interval after the latest earlier session held or booked."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from needlepoint.domain.scheduling import Appointment, AppointmentStatus
from needlepoint.domain.series_plan import PlannedZone, SeriesPlan
from needlepoint.domain.treatment import (
    SeriesStatus,
    SessionStatus,
    TreatmentSeries,
    TreatmentSession,
)
from needlepoint.domain.vocabulary import Zone
from needlepoint.services.treatment.pages import HandoutDate, session_time

LONDON = ZoneInfo("Europe/London")
TEN = time(10, 0)
FIRST = date(2026, 11, 16)
SESSIONS = 6


def a_series(interval_days: int) -> TreatmentSeries:
    dated = [
        {"number": n, "on": (FIRST + timedelta(days=28 * (n - 1))).isoformat()}
        for n in range(1, SESSIONS + 1)
    ]
    proposal: dict[str, Any] = {"series": {"dated": dated}}
    plan = SeriesPlan(
        (PlannedZone(Zone.CHEEKS, Decimal("1.0"), Decimal("1.5")),), SESSIONS, interval_days
    )
    at = datetime(2026, 11, 1, tzinfo=UTC)
    return TreatmentSeries(
        uuid4(), uuid4(), uuid4(), uuid4(), proposal, plan, (), SeriesStatus.PLANNED, at, uuid4()
    )


def a_session(series: TreatmentSeries, number: int, started_at: datetime) -> TreatmentSession:
    return TreatmentSession(
        uuid4(), series.id, series.clinic_id, series.patient_id, number, SessionStatus.STARTED,
        started_at=started_at,
    )  # fmt: skip


def an_appointment(series: TreatmentSeries, number: int, starts_at: datetime) -> Appointment:
    return Appointment(
        id=uuid4(), clinic_id=series.clinic_id, patient_id=series.patient_id,
        series_id=series.id, session_number=number, practitioner_id=uuid4(), room_id=uuid4(),
        starts_at=starts_at, ends_at=starts_at + timedelta(hours=1),
        status=AppointmentStatus.BOOKED, created_at=starts_at, created_by=uuid4(),
    )  # fmt: skip


instants = st.datetimes(
    min_value=datetime(2026, 11, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)
numbers = st.integers(min_value=1, max_value=SESSIONS)


@given(number=numbers, booked_at=instants, started_at=instants, interval=st.integers(14, 42))
def test_a_booked_appointment_wins_and_is_given_in_the_clinics_time(
    number: int, booked_at: datetime, started_at: datetime, interval: int
) -> None:
    series = a_series(interval)
    held = [a_session(series, number, started_at)]
    booked = {number: an_appointment(series, number, booked_at)}

    at, dated_by = session_time(series, number, held, booked, LONDON, TEN)

    assert dated_by is HandoutDate.APPOINTMENT
    # An ambiguous local time never equals a UTC one (PEP 495), so compare the instants.
    assert at.timestamp() == booked_at.timestamp() and at.tzinfo is LONDON


@given(number=numbers, started_at=instants, interval=st.integers(14, 42))
def test_a_started_session_is_dated_by_its_start(
    number: int, started_at: datetime, interval: int
) -> None:
    series = a_series(interval)

    at, dated_by = session_time(
        series, number, [a_session(series, number, started_at)], {}, LONDON, TEN
    )

    assert dated_by is HandoutDate.STARTED
    assert at.timestamp() == started_at.timestamp() and at.tzinfo is LONDON


@given(
    earlier=st.integers(1, SESSIONS - 1),
    gap=st.integers(1, SESSIONS - 1),
    last_at=instants,
    interval=st.integers(14, 42),
    by_appointment=st.booleans(),
)
def test_an_unbooked_session_is_due_an_interval_per_session_after_the_latest_known_one(
    earlier: int, gap: int, last_at: datetime, interval: int, by_appointment: bool
) -> None:
    series = a_series(interval)
    number = min(earlier + gap, SESSIONS)
    held = [] if by_appointment else [a_session(series, earlier, last_at)]
    booked = {earlier: an_appointment(series, earlier, last_at)} if by_appointment else {}
    older = a_session(series, 1, last_at - timedelta(days=400)) if earlier > 1 else None

    at, dated_by = session_time(
        series, number, [*held, *([older] if older else [])], booked, LONDON, TEN
    )

    expected = last_at.astimezone(LONDON).date() + timedelta(days=interval * (number - earlier))
    assert dated_by is HandoutDate.PROVISIONAL
    assert (at.date(), at.timetz()) == (expected, TEN.replace(tzinfo=LONDON))


@given(number=numbers, later_at=instants)
def test_with_nothing_known_before_it_a_session_keeps_the_proposals_day(
    number: int, later_at: datetime
) -> None:
    series = a_series(21)
    later = [a_session(series, n, later_at) for n in range(number + 1, SESSIONS + 1)]

    at, dated_by = session_time(series, number, later, {}, LONDON, TEN)

    assert dated_by is HandoutDate.PROVISIONAL
    assert at.date() == FIRST + timedelta(days=28 * (number - 1))
    assert at.time() == TEN
