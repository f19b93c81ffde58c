"""Calendar feeds on a real database (SQLite, and PostgreSQL when reachable), through the app.

A link issued for a patient opens, through the ASGI app, a feed whose appointments are exactly
the patient's appointments that are not cancelled (inserted directly with
``uow.appointments.add``), with the care step and follow-up reviews of their series. A revoked,
replaced or unknown link is the same 404; another patient's link never shows this patient.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest
import recurring_ical_events
from icalendar import Calendar
from sqlalchemy import select

from api_support import BASE_URL, PASSWORD, MovingClock, TestClient, make_services
from conftest import EXAMPLES, load_example
from fakes import OPERATOR
from needlepoint.adapters.db import tables
from needlepoint.adapters.db.unit_of_work import SqlAlchemyUnitOfWork
from needlepoint.bootstrap import Services
from needlepoint.domain.calendar import CalendarFeed
from needlepoint.domain.records import Role
from needlepoint.domain.scheduling import Appointment, AppointmentStatus, Room
from needlepoint.domain.vocabulary import Sex
from needlepoint.entrypoints.api.app import create_app
from needlepoint.services.accounts import staff as accounts
from needlepoint.services.accounts.sign_in import digest
from needlepoint.services.audit import AuthMethod, RequestContext
from needlepoint.services.consultation.consultations import ConsultationRequest
from needlepoint.services.records import patients
from needlepoint.services.scheduling.calendar_feeds import FEED_ACTOR_ROLE
from needlepoint.services.treatment import series as treatment

PROCEED = next(p for p in EXAMPLES if p.name.startswith("01-proceed"))
WINDOW_START = datetime(2026, 11, 1, tzinfo=UTC)
WINDOW_END = WINDOW_START + timedelta(days=2 * 365)
LICENCE = Decimal("1.5")
NOT_FOUND_PAGE_MARK = "There is no such record in your clinic."


@dataclass(frozen=True)
class Clinic:
    services: Services
    context: RequestContext
    room_id: UUID

    def uow(self) -> SqlAlchemyUnitOfWork:
        uow = self.services.database.unit_of_work()
        assert isinstance(uow, SqlAlchemyUnitOfWork)
        return uow


@pytest.fixture(scope="module")
def services(db_url: str) -> Iterator[Services]:
    services = make_services(db_url, MovingClock())
    yield services
    services.database.close()


@pytest.fixture
def clinic(services: Services) -> Clinic:
    clinic = services.accounts.add_clinic(name="Harbour Skin Clinic", time_zone="Europe/London")
    email = f"{uuid4().hex[:10]}@clinic.test"
    new = accounts.NewStaff(
        clinic.id, email, "Dr Rowan Hale", Role.CLINICIAN, Decimal("1.5"), PASSWORD
    )
    member = services.accounts.add_staff(new, context=OPERATOR)
    room = Room(uuid4(), clinic.id, "Room 1")
    uow = services.database.unit_of_work()
    with uow:
        uow.rooms.add(room)
        uow.commit()
    return Clinic(
        services,
        RequestContext(actor=member, request_id="req-calendar", auth=AuthMethod.SESSION),
        room.id,
    )


@pytest.fixture
def app(services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services), base_url=BASE_URL) as client:
        yield client


def new_patient(clinic: Clinic, family_name: str = "Okafor") -> UUID:
    new = patients.NewPatient("Amira", family_name, datetime(1997, 4, 22).date(), Sex.FEMALE)
    return clinic.services.records.register_patient(new, context=clinic.context).id


def new_series(clinic: Clinic, patient_id: UUID) -> tuple[UUID, int]:
    request = ConsultationRequest(patient_id=patient_id, document=load_example(PROCEED))
    record = clinic.services.consultation.record_consultation(request, context=clinic.context)
    clinic.services.consultation.sign_consultation(record.id, context=clinic.context)
    series = clinic.services.treatment.create_series(
        treatment.NewSeries(record.id), context=clinic.context
    )
    return series.id, series.plan.sessions


def book(
    clinic: Clinic,
    patient_id: UUID,
    starts_at: datetime,
    *,
    series: tuple[UUID, int] | None = None,
    status: AppointmentStatus = AppointmentStatus.BOOKED,
) -> Appointment:
    appointment = Appointment(
        id=uuid4(),
        clinic_id=clinic.context.actor.clinic_id,
        patient_id=patient_id,
        series_id=series[0] if series else None,
        session_number=series[1] if series else None,
        practitioner_id=clinic.context.actor.id,
        room_id=clinic.room_id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=75),
        status=status,
        created_at=WINDOW_START,
        created_by=clinic.context.actor.id,
    )
    uow = clinic.services.database.unit_of_work()
    with uow:
        uow.appointments.add(appointment)
        uow.commit()
    return appointment


def feed_path(token: str) -> str:
    return f"/calendar/{token}.ics"


def expanded(body: bytes) -> list[tuple[str, str, datetime, datetime]]:
    parsed = Calendar.from_ical(body)
    events = recurring_ical_events.of(parsed).between(WINDOW_START, WINDOW_END)
    return sorted(
        (
            str(e["CATEGORIES"].cats[0]),
            str(e["UID"]),
            _instant(e.start),
            _instant(e.end),
        )
        for e in events
    )


def _instant(moment: object) -> datetime:
    if isinstance(moment, datetime):
        return moment.astimezone(UTC)
    return datetime.combine(moment, datetime.min.time(), UTC)  # type: ignore[arg-type]


def appointments_in(body: bytes) -> list[tuple[str, datetime, datetime]]:
    return [(uid, s, e) for kind, uid, s, e in expanded(body) if kind == "Appointment"]


def fetch_events(clinic: Clinic, patient_id: UUID) -> list[tuple[str, str, str]]:
    uow = clinic.uow()
    with uow:
        column = tables.audit_event.c
        rows = uow._connection().execute(
            select(column.actor_role, column.action, column.request_id).where(
                column.patient_id == patient_id
            )
        )
        return [(row.actor_role, row.action, row.request_id) for row in rows]


def test_a_feed_fetched_through_the_app_is_exactly_the_patients_appointments(
    clinic: Clinic, app: TestClient
) -> None:
    patient_id = new_patient(clinic)
    series_id, sessions = new_series(clinic, patient_id)
    monday = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    visits = [
        book(clinic, patient_id, monday + timedelta(weeks=4 * n), series=(series_id, n + 1))
        for n in range(sessions)
    ]
    attended = book(
        clinic, patient_id, monday - timedelta(days=3), status=AppointmentStatus.ATTENDED
    )
    cancelled = book(
        clinic, patient_id, monday + timedelta(days=1), status=AppointmentStatus.CANCELLED
    )
    issued = clinic.services.scheduling.issue_calendar_feed(patient_id, context=clinic.context)

    response = app.get(feed_path(issued.token))

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["cache-control"] == "no-store"
    expected = sorted((f"{a.id}@needlepoint", a.starts_at, a.ends_at) for a in [*visits, attended])
    assert appointments_in(response.content) == expected
    assert f"{cancelled.id}@needlepoint" not in response.text
    kinds = [kind for kind, *_ in expanded(response.content)]
    assert kinds.count("Care step") == sessions
    assert kinds.count("Follow-up") == 2
    assert b"BEGIN:VTIMEZONE\r\nTZID:Europe/London" in response.content


def test_each_fetch_is_audited_once_as_the_calendar_feed_with_the_patients_id(
    clinic: Clinic, app: TestClient
) -> None:
    patient_id = new_patient(clinic)
    issued = clinic.services.scheduling.issue_calendar_feed(patient_id, context=clinic.context)

    answers = [app.get(feed_path(issued.token)) for _ in range(2)]

    events = fetch_events(clinic, patient_id)
    assert [a.status_code for a in answers] == [200, 200]
    fetches = [e for e in events if e[1] == "calendar_feed.fetch"]
    assert sorted(e[2] for e in fetches) == sorted(a.headers["x-request-id"] for a in answers)
    roles_and_actions = [(role, action) for role, action, _ in events]
    assert roles_and_actions.count((FEED_ACTOR_ROLE, "calendar_feed.fetch")) == 2
    assert roles_and_actions.count(("clinician", "calendar_feed.issue")) == 1


def test_revoked_replaced_and_unknown_links_get_the_same_404(
    clinic: Clinic, app: TestClient
) -> None:
    patient_id = new_patient(clinic)
    first = clinic.services.scheduling.issue_calendar_feed(patient_id, context=clinic.context)
    second = clinic.services.scheduling.issue_calendar_feed(patient_id, context=clinic.context)
    third = clinic.services.scheduling.issue_calendar_feed(patient_id, context=clinic.context)
    assert app.get(feed_path(third.token)).status_code == 200
    revoked = clinic.services.scheduling.revoke_calendar_feed(patient_id, context=clinic.context)

    answers = [
        app.get(feed_path(token))
        for token in (first.token, second.token, third.token, "not-a-link", "x" * 500)
    ]

    assert revoked == 1
    assert {a.status_code for a in answers} == {404}
    assert len({a.text for a in answers}) == 1
    assert NOT_FOUND_PAGE_MARK in answers[0].text
    assert all(third.token not in a.text for a in answers)


def test_another_patients_link_never_shows_this_patients_events(
    clinic: Clinic, services: Services, app: TestClient
) -> None:
    amira = new_patient(clinic, "Okafor")
    other_clinic = dataclasses.replace(clinic, context=_colleague_elsewhere(services))
    bola = new_patient(clinic, "Adeyemi")
    carla = new_patient(other_clinic, "Costa")
    mine = book(clinic, amira, datetime(2027, 1, 4, 10, 0, tzinfo=UTC))
    theirs = book(clinic, bola, datetime(2027, 1, 4, 12, 0, tzinfo=UTC))
    links = {
        who: services.scheduling.issue_calendar_feed(who, context=ctx.context).token
        for who, ctx in ((amira, clinic), (bola, clinic), (carla, other_clinic))
    }

    bodies = {who: app.get(feed_path(token)).text for who, token in links.items()}

    assert str(mine.id) in bodies[amira]
    assert str(mine.id) not in bodies[bola]
    assert str(mine.id) not in bodies[carla]
    assert str(theirs.id) not in bodies[amira]
    assert "Clinic appointment" not in bodies[carla]


def test_only_the_hash_of_a_link_is_stored_and_a_revoked_one_is_never_found(
    clinic: Clinic,
) -> None:
    patient_id = new_patient(clinic)
    issued = clinic.services.scheduling.issue_calendar_feed(patient_id, context=clinic.context)
    uow = clinic.uow()

    with uow:
        found = uow.calendar_feeds.live_by_hash(digest(issued.token))
        live = uow.calendar_feeds.live_for_patient(clinic.context.actor.clinic_id, patient_id)
        stored = (
            uow._connection()
            .execute(
                select(tables.calendar_feed.c.token_hash).where(
                    tables.calendar_feed.c.id == issued.feed.id
                )
            )
            .scalar_one()
        )
        revoked = uow.calendar_feeds.revoke_for_patient(
            clinic.context.actor.clinic_id, patient_id, WINDOW_START
        )
        after = uow.calendar_feeds.live_by_hash(digest(issued.token))
        uow.commit()

    assert found == issued.feed == live
    assert isinstance(found, CalendarFeed)
    assert stored == digest(issued.token)
    assert issued.token not in stored
    assert (revoked, after) == (1, None)


def _colleague_elsewhere(services: Services) -> RequestContext:
    other = services.accounts.add_clinic(name="Quay Dermatology", time_zone="Europe/London")
    email = f"{uuid4().hex[:10]}@elsewhere.test"
    new = accounts.NewStaff(
        other.id, email, "Dr Ines Costa", Role.CLINICIAN, Decimal("1.5"), PASSWORD
    )
    return RequestContext(
        actor=services.accounts.add_staff(new, context=OPERATOR),
        request_id="req-elsewhere",
        auth=AuthMethod.SESSION,
    )
