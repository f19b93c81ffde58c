"""Patients in the database: search by name in either order, email and birth date, keyset
pages, edits and their recorded changes (issue 12), on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

import pytest

from needlepoint.adapters.db.unit_of_work import SqlAlchemyUnitOfWork
from needlepoint.domain import patient_search
from needlepoint.domain.patient_changes import FieldChange, PatientDetails, edited
from needlepoint.domain.patient_search import read_search
from needlepoint.domain.records import Clinic, PatientRecord, Role, StaffMember
from needlepoint.domain.treatment import VersionConflictError
from needlepoint.domain.vocabulary import Sex
from needlepoint.services.records.patients import key_of

AT = datetime(2026, 12, 8, 9, 30, tzinfo=UTC)


def new_clinic(uow: SqlAlchemyUnitOfWork) -> Clinic:
    clinic = Clinic(id=uuid4(), name="Harbour Skin", time_zone="Europe/London")
    with uow:
        uow.clinics.add(clinic)
        uow.commit()
    return clinic


def patient(clinic: Clinic, given: str, family: str, **overrides: Any) -> PatientRecord:
    values: dict[str, Any] = {
        "id": uuid4(),
        "clinic_id": clinic.id,
        "given_name": given,
        "family_name": family,
        "born_on": date(1990, 3, 14),
        "sex": Sex.FEMALE,
        "email": f"{given}.{family}@example.org".lower(),
        "phone": None,
        "created_at": AT,
    }
    return PatientRecord(**(values | overrides))


def add(uow: SqlAlchemyUnitOfWork, *patients: PatientRecord) -> None:
    with uow:
        for one in patients:
            uow.patients.add(one)
        uow.commit()


def found(uow: SqlAlchemyUnitOfWork, clinic: Clinic, text: str, **page: Any) -> list[str]:
    window = {"offset": 0, "limit": 50} | page
    with uow:
        rows = uow.patients.list(clinic.id, search=read_search(text), **window)
    return [f"{p.given_name} {p.family_name}" for p in rows]


@pytest.fixture
def clinic(uow: SqlAlchemyUnitOfWork) -> Clinic:
    clinic = new_clinic(uow)
    add(
        uow,
        patient(clinic, "Amira", "Okafor", born_on=date(1997, 4, 22)),
        patient(clinic, "Amira", "Osei"),
        patient(clinic, "Helen", "Okafor-Marsh"),
        patient(clinic, "Ógra", "Éamonn"),
    )
    return clinic


@pytest.mark.parametrize("text", ["Okafor Amira", "amira okafor", " AMIRA  OKAFOR ", "ami oka"])
def test_a_full_name_in_either_order_finds_the_patient(
    uow: SqlAlchemyUnitOfWork, clinic: Clinic, text: str
) -> None:
    assert found(uow, clinic, text) == ["Amira Okafor"]


def test_each_word_may_match_either_name(uow: SqlAlchemyUnitOfWork, clinic: Clinic) -> None:
    assert found(uow, clinic, "okafor") == ["Amira Okafor", "Helen Okafor-Marsh"]
    assert found(uow, clinic, "marsh helen") == ["Helen Okafor-Marsh"]
    assert found(uow, clinic, "éamonn ógra") == ["Ógra Éamonn"]


def test_an_email_finds_its_patient_only(uow: SqlAlchemyUnitOfWork, clinic: Clinic) -> None:
    assert found(uow, clinic, "Amira.Okafor@Example.org") == ["Amira Okafor"]
    assert found(uow, clinic, "okafor@example.org") == []


def test_a_birth_date_finds_the_patients_born_that_day(
    uow: SqlAlchemyUnitOfWork, clinic: Clinic
) -> None:
    assert found(uow, clinic, "1997-04-22") == ["Amira Okafor"]
    assert found(uow, clinic, "22 Apr 1997") == ["Amira Okafor"]
    assert found(uow, clinic, "14 March 1990") == [
        "Helen Okafor-Marsh",
        "Amira Osei",
        "Ógra Éamonn",
    ]


def test_another_clinics_patients_are_never_found(
    uow: SqlAlchemyUnitOfWork, clinic: Clinic
) -> None:
    other = new_clinic(uow)

    assert found(uow, other, "amira okafor") == []
    assert found(uow, other, "1997-04-22") == []


def test_the_database_finds_exactly_whom_the_rule_finds(
    uow: SqlAlchemyUnitOfWork, clinic: Clinic
) -> None:
    with uow:
        everyone = uow.patients.list(clinic.id, search=None, offset=0, limit=50)

    for text in ("a", "okafor a", "O", "-", "mars oka", "ógr", "1990-03-14", "x y"):
        wanted = read_search(text)
        expected = [
            f"{p.given_name} {p.family_name}"
            for p in everyone
            if patient_search.matches(
                wanted, names=(p.given_name, p.family_name), email=p.email, born_on=p.born_on
            )
        ]
        assert found(uow, clinic, text) == expected, text


def test_keyset_pages_follow_on_without_overlap_or_gap(uow: SqlAlchemyUnitOfWork) -> None:
    clinic = new_clinic(uow)
    twins = [patient(clinic, "Ann", "Nolan") for _ in range(4)]
    add(uow, *twins, patient(clinic, "Ann", "Byrne"), patient(clinic, "Zoe", "Nolan"))

    pages: list[list[PatientRecord]] = []
    after = None
    while True:
        with uow:
            page = list(uow.patients.list(clinic.id, search=None, offset=0, limit=2, after=after))
        if not page:
            break
        pages.append(page)
        after = key_of(page[-1])

    listed = [p for page in pages for p in page]
    assert [p.family_name for p in listed] == ["Byrne", "Nolan", "Nolan", "Nolan", "Nolan", "Nolan"]
    assert [p.id for p in listed[1:5]] == sorted(p.id for p in twins)
    assert listed[-1].given_name == "Zoe"


def test_a_page_after_a_key_lists_this_clinics_patients_only(
    uow: SqlAlchemyUnitOfWork, clinic: Clinic
) -> None:
    other = new_clinic(uow)
    stranger = patient(other, "Ann", "Aaron")
    add(uow, stranger, patient(other, "Zed", "Zulu"))

    with uow:
        page = uow.patients.list(clinic.id, search=None, offset=0, limit=10, after=key_of(stranger))

    assert {p.clinic_id for p in page} == {clinic.id}
    assert len(page) == 4


def test_accents_and_case_are_ignored_both_ways(uow: SqlAlchemyUnitOfWork, clinic: Clinic) -> None:
    add(uow, patient(clinic, "Zoë", "Ní Bhriain"))

    assert found(uow, clinic, "eamonn OGRA") == ["Ógra Éamonn"]
    assert found(uow, clinic, "zoe ni") == ["Zoë Ní Bhriain"]
    assert found(uow, clinic, "ZOË bhri") == ["Zoë Ní Bhriain"]


def test_a_renamed_patient_is_found_by_the_new_name_only(
    uow: SqlAlchemyUnitOfWork, clinic: Clinic
) -> None:
    with uow:
        (amira,) = uow.patients.list(clinic.id, search=read_search("osei"), offset=0, limit=5)
        uow.patients.save(replace(amira, family_name="Mensah", version=amira.version + 1))
        uow.commit()

    assert found(uow, clinic, "osei") == []
    assert found(uow, clinic, "amira mensah") == ["Amira Mensah"]


def test_percent_and_underscore_are_letters_in_a_name(
    uow: SqlAlchemyUnitOfWork, clinic: Clinic
) -> None:
    add(uow, patient(clinic, "A_b", "100%"))

    assert found(uow, clinic, "a_b") == ["A_b 100%"]
    assert found(uow, clinic, "00%") == ["A_b 100%"]
    assert found(uow, clinic, "10") == ["A_b 100%"]  # short: starts a word
    assert found(uow, clinic, "a%b") == []


# Edits and their recorded changes


def editor(uow: SqlAlchemyUnitOfWork, clinic: Clinic) -> StaffMember:
    member = StaffMember(
        uuid4(), clinic.id, f"{uuid4().hex[:8]}@clinic.test", "Sam Desk", Role.FRONT_DESK, None
    )
    with uow:
        uow.staff.add(member, password_hash="x")
        uow.commit()
    return member


def test_an_edit_saves_the_next_version_and_its_changes_read_back_newest_first(
    uow: SqlAlchemyUnitOfWork,
) -> None:
    clinic = new_clinic(uow)
    by = editor(uow, clinic)
    amira = patient(clinic, "Amira", "Okafor")
    add(uow, amira)
    details = PatientDetails("Amira", "Okafor", amira.born_on, Sex.FEMALE, amira.email)
    second, first_change = edited(
        amira, replace(details, phone="+44 1"), expected_version=1, by=by.id, at=AT
    )
    third, second_change = edited(
        second,
        replace(details, family_name="Hale", phone=None),
        expected_version=2,
        by=by.id,
        at=AT,
    )

    for saved, change in ((second, first_change), (third, second_change)):
        assert change is not None
        with uow:
            uow.patients.save(saved)
            uow.patient_changes.add(change)
            uow.commit()
    with uow:
        stored = uow.patients.get(clinic.id, amira.id)
        changes = uow.patient_changes.for_patient(clinic.id, amira.id, limit=10)
        latest = uow.patient_changes.for_patient(clinic.id, amira.id, limit=1)

    assert stored == third
    assert [c.version for c in changes] == [3, 2]
    assert changes[0].changes == (
        FieldChange("family_name", "Okafor", "Hale"),
        FieldChange("phone", "+44 1", None),
    )
    assert (changes[0].changed_by_name, changes[0].changed_at) == ("Sam Desk", AT)
    assert [c.version for c in latest] == [3]


def test_a_save_based_on_an_old_version_changes_nothing(uow: SqlAlchemyUnitOfWork) -> None:
    clinic = new_clinic(uow)
    amira = patient(clinic, "Amira", "Okafor")
    add(uow, amira)
    with uow:
        uow.patients.save(replace(amira, phone="+44 1", version=2))
        uow.commit()

    with pytest.raises(VersionConflictError) as refused, uow:
        uow.patients.save(replace(amira, phone="+44 2", version=2))

    assert (refused.value.expected, refused.value.current) == (1, 2)
    with uow:
        assert uow.patients.get(clinic.id, amira.id) == replace(amira, phone="+44 1", version=2)


def test_another_clinics_changes_are_never_read(uow: SqlAlchemyUnitOfWork) -> None:
    clinic = new_clinic(uow)
    by = editor(uow, clinic)
    amira = patient(clinic, "Amira", "Okafor")
    add(uow, amira)
    details = PatientDetails("Ami", "Okafor", amira.born_on, Sex.FEMALE, amira.email)
    saved, change = edited(amira, details, expected_version=1, by=by.id, at=AT)
    assert change is not None
    with uow:
        uow.patients.save(saved)
        uow.patient_changes.add(change)
        uow.commit()

    other = new_clinic(uow)

    with uow:
        assert uow.patient_changes.for_patient(other.id, amira.id, limit=10) == []
