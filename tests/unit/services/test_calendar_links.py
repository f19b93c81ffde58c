"""Calendar links over in-memory fakes: one live link per patient, hash only, each use audited."""

from __future__ import annotations

from datetime import date, time
from uuid import uuid4

import pytest

from conftest import TODAY
from fakes import OPERATOR, SETUP_CLOCK, FakeUnitOfWork, FixedClock, PlainHasher
from needlepoint.domain.records import Clinic, Role
from needlepoint.domain.vocabulary import Sex
from needlepoint.services.access import PatientNotFoundError
from needlepoint.services.accounts import staff as accounts
from needlepoint.services.accounts.sign_in import digest
from needlepoint.services.audit import AuthMethod, RequestContext
from needlepoint.services.records import patients
from needlepoint.services.scheduling import calendar_feeds as calendar_service

CLOCK = FixedClock(TODAY, time(10, 0))


@pytest.fixture
def uow() -> FakeUnitOfWork:
    fake = FakeUnitOfWork()
    fake.clinics.add(Clinic(id=uuid4(), name="Harbour Skin Clinic", time_zone="Europe/London"))
    return fake


@pytest.fixture
def desk(uow: FakeUnitOfWork) -> RequestContext:
    clinic_id = next(iter(uow.clinics.rows))
    new = accounts.NewStaff(
        clinic_id, "desk@clinic.test", "Desk", Role.FRONT_DESK, None, "plum heron tidy basalt"
    )
    member = accounts.add_staff(
        new=new, uow=uow, hasher=PlainHasher(), context=OPERATOR, clock=SETUP_CLOCK
    )
    return RequestContext(actor=member, request_id="req-1", auth=AuthMethod.SESSION)


def a_patient(uow: FakeUnitOfWork, context: RequestContext):  # type: ignore[no-untyped-def]
    new = patients.NewPatient("Amira", "Okafor", date(1997, 4, 22), Sex.FEMALE)
    return patients.register_patient(
        new=new, context=context, uow=uow, clock=CLOCK, max_age_years=120
    )


def test_an_issued_link_keeps_only_the_hash_of_its_token(
    uow: FakeUnitOfWork, desk: RequestContext
) -> None:
    patient = a_patient(uow, desk)

    issued = calendar_service.issue_feed(patient_id=patient.id, context=desk, uow=uow, clock=CLOCK)

    (stored,) = uow.calendar_feeds.rows.values()
    assert len(issued.token) >= 43  # 256 random bits, URL-safe
    assert stored.token_hash == digest(issued.token)
    assert issued.token not in repr(stored)
    assert issued.patient == patient


def test_reissuing_revokes_the_old_link_so_a_patient_has_one_live_link(
    uow: FakeUnitOfWork, desk: RequestContext
) -> None:
    patient = a_patient(uow, desk)
    first = calendar_service.issue_feed(patient_id=patient.id, context=desk, uow=uow, clock=CLOCK)

    second = calendar_service.issue_feed(patient_id=patient.id, context=desk, uow=uow, clock=CLOCK)

    assert uow.calendar_feeds.live_by_hash(digest(first.token)) is None
    assert uow.calendar_feeds.live_by_hash(digest(second.token)) == second.feed
    assert first.token != second.token


def test_issuing_revoking_and_reading_each_append_one_audit_event(
    uow: FakeUnitOfWork, desk: RequestContext
) -> None:
    patient = a_patient(uow, desk)
    before = len(uow.audit.events)

    calendar_service.issue_feed(patient_id=patient.id, context=desk, uow=uow, clock=CLOCK)
    status = calendar_service.feed_status(patient_id=patient.id, context=desk, uow=uow, clock=CLOCK)
    revoked = calendar_service.revoke_feed(
        patient_id=patient.id, context=desk, uow=uow, clock=CLOCK
    )
    after = calendar_service.feed_status(patient_id=patient.id, context=desk, uow=uow, clock=CLOCK)

    actions = [e.action for e in uow.audit.events[before:]]
    assert actions == [
        "calendar_feed.issue",
        "calendar_feed.read",
        "calendar_feed.revoke",
        "calendar_feed.read",
    ]
    assert {e.patient_id for e in uow.audit.events[before:]} == {patient.id}
    assert status.feed is not None
    assert (revoked, after.feed) == (1, None)


def test_a_link_for_an_unknown_patient_is_refused_and_the_miss_audited(
    uow: FakeUnitOfWork, desk: RequestContext
) -> None:
    with pytest.raises(PatientNotFoundError):
        calendar_service.issue_feed(patient_id=uuid4(), context=desk, uow=uow, clock=CLOCK)

    assert uow.calendar_feeds.rows == {}
    assert uow.audit.events[-1].outcome == "not_found"


@pytest.mark.parametrize("token", ["", "x" * 101])
def test_an_empty_or_oversized_token_is_not_even_looked_up(token: str) -> None:
    making = calendar_service.FeedMaking(care_templates=(), renderer=lambda *_a, **_k: b"")

    with pytest.raises(calendar_service.CalendarFeedNotFoundError):
        calendar_service.render_feed(
            token=token, request_id="r", making=making, uow=FakeUnitOfWork(), clock=CLOCK
        )
