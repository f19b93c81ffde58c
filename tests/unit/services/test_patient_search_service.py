"""Searching patients over in-memory fakes: one reading of the text, one audit event that
names no patient and keeps nothing of what was searched, keyset pages."""

from __future__ import annotations

from datetime import date, time
from uuid import UUID, uuid4

import pytest

from conftest import TODAY
from fakes import FakeRecordsUnitOfWork, FixedClock
from needlepoint.domain import patient_search
from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.records import Clinic, PatientRecord, Role, StaffMember
from needlepoint.domain.vocabulary import Sex
from needlepoint.services.audit import AuthMethod, RequestContext
from needlepoint.services.records import patients

CLOCK = FixedClock(TODAY, time(10, 0))


@pytest.fixture
def uow() -> FakeRecordsUnitOfWork:
    return FakeRecordsUnitOfWork()


def desk(uow: FakeRecordsUnitOfWork) -> RequestContext:
    clinic = Clinic(uuid4(), "Harbour Skin", "Europe/London")
    uow.clinics.add(clinic)
    member = StaffMember(uuid4(), clinic.id, "desk@x.test", "Sam Desk", Role.FRONT_DESK, None)
    return RequestContext(actor=member, request_id="req", auth=AuthMethod.SESSION)


def register(
    uow: FakeRecordsUnitOfWork, context: RequestContext, given: str, family: str
) -> PatientRecord:
    new = patients.NewPatient(
        given, family, date(1997, 4, 22), Sex.FEMALE, email=f"{given}.{family}@example.org"
    )
    return patients.register_patient(
        new=new, context=context, uow=uow, clock=CLOCK, max_age_years=120
    )


def search(
    uow: FakeRecordsUnitOfWork,
    context: RequestContext,
    text: str | None,
    after: UUID | None = None,
) -> list[str]:
    found = patients.search_patients(
        search=text, page=(0, 10), context=context, uow=uow, clock=CLOCK, after=after
    )
    return [f"{p.given_name} {p.family_name}" for p in found]


def test_a_full_name_either_way_round_finds_the_patient_and_the_listing_is_audited(
    uow: FakeRecordsUnitOfWork,
) -> None:
    context = desk(uow)
    register(uow, context, "Amira", "Okafor")
    register(uow, context, "Amira", "Osei")

    found = [search(uow, context, text) for text in ("Okafor Amira", "amira okafor")]

    assert found == [["Amira Okafor"], ["Amira Okafor"]]
    listed = [e for e in uow.audit.events if e.action == "patient.list"]
    assert [(e.resource_id, e.patient_id) for e in listed] == [("*", None), ("*", None)]


def test_a_date_that_does_not_exist_is_refused_before_anything_is_read(
    uow: FakeRecordsUnitOfWork,
) -> None:
    context = desk(uow)
    events = len(uow.audit.events)

    with pytest.raises(InvalidInputError) as refused:
        search(uow, context, "1997-02-30")

    assert refused.value.problems[0].field == "search"
    assert len(uow.audit.events) == events


def test_the_next_page_starts_after_the_last_patient_of_the_previous_one(
    uow: FakeRecordsUnitOfWork,
) -> None:
    context = desk(uow)
    for family in ("Byrne", "Kelly", "Nolan"):
        register(uow, context, "Ann", family)
    kelly = next(p for p in uow.patients.rows.values() if p.family_name == "Kelly")

    assert search(uow, context, None, after=kelly.id) == ["Ann Nolan"]


def test_a_page_starts_after_a_cursor_as_after_the_patient_it_names(
    uow: FakeRecordsUnitOfWork,
) -> None:
    context = desk(uow)
    for family in ("Byrne", "Kelly", "Nolan"):
        register(uow, context, "Ann", family)
    kelly = next(p for p in uow.patients.rows.values() if p.family_name == "Kelly")
    cursor = patient_search.cursor_of(patients.key_of(kelly))

    found = patients.search_patients(
        search=None, page=(0, 10), context=context, uow=uow, clock=CLOCK, after=cursor
    )

    assert [p.family_name for p in found] == ["Nolan"]


def test_a_cursor_that_is_none_is_refused_before_anything_is_read(
    uow: FakeRecordsUnitOfWork,
) -> None:
    context = desk(uow)
    events = len(uow.audit.events)

    with pytest.raises(InvalidInputError) as refused:
        patients.search_patients(
            search=None, page=(0, 10), context=context, uow=uow, clock=CLOCK, after="nonsense"
        )

    assert refused.value.problems[0].field == "cursor"
    assert len(uow.audit.events) == events


def test_a_page_after_another_clinics_patient_is_empty(uow: FakeRecordsUnitOfWork) -> None:
    context, other = desk(uow), desk(uow)
    register(uow, context, "Ann", "Byrne")
    stranger = register(uow, other, "Ann", "Aaron")

    assert search(uow, context, None, after=stranger.id) == []
