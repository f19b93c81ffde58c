"""Repositories and the unit of work on a real database (SQLite, and PostgreSQL if reachable)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from needlepoint.adapters.db.unit_of_work import SqlAlchemyUnitOfWork
from needlepoint.domain.patient_search import read_search
from needlepoint.domain.records import (
    AlreadySignedError,
    Clinic,
    ConsultationRecord,
    ConsultationStatus,
    PatientRecord,
    Role,
    StaffMember,
)
from needlepoint.domain.vocabulary import Sex

AT = datetime(2026, 11, 23, 9, 30, 15, 123456, tzinfo=UTC)


def make_clinic(**overrides: Any) -> Clinic:
    values: dict[str, Any] = {"id": uuid4(), "name": "Harbour Skin", "time_zone": "Europe/Dublin"}
    return Clinic(**(values | overrides))


def make_staff(clinic: Clinic, **overrides: Any) -> StaffMember:
    values: dict[str, Any] = {
        "id": uuid4(),
        "clinic_id": clinic.id,
        "email": f"clinician-{uuid4().hex[:8]}@example.org",
        "display_name": "Dr Aoife Byrne",
        "role": Role.CLINICIAN,
        "licence_max_depth_mm": Decimal("1.50"),
    }
    return StaffMember(**(values | overrides))


def make_patient(clinic: Clinic, **overrides: Any) -> PatientRecord:
    values: dict[str, Any] = {
        "id": uuid4(),
        "clinic_id": clinic.id,
        "given_name": "Niamh",
        "family_name": "Kelly",
        "born_on": date(1991, 4, 2),
        "sex": Sex.FEMALE,
        "email": "niamh@example.org",
        "phone": "+353 1 555 0100",
        "created_at": AT,
    }
    return PatientRecord(**(values | overrides))


def make_consultation(
    patient: PatientRecord, clinician: StaffMember, **overrides: Any
) -> ConsultationRecord:
    values: dict[str, Any] = {
        "id": uuid4(),
        "clinic_id": patient.clinic_id,
        "patient_id": patient.id,
        "consulted_on": date(2026, 11, 23),
        "intake": {"fitzpatrick": 3, "isotretinoin_months_ago": None, "zones": ["cheeks"]},
        "report": {"decision": "proceed", "findings": [], "plan": {"depth_mm": "1.0"}},
        "decision": "proceed",
        "knowledge_versions": {"contraindications": "2026.11.1", "depths": "2026.10.0"},
        "status": ConsultationStatus.DRAFT,
        "created_at": AT,
        "created_by": clinician.id,
    }
    return ConsultationRecord(**(values | overrides))


def seed_clinic(uow: SqlAlchemyUnitOfWork) -> tuple[Clinic, StaffMember]:
    clinic = make_clinic()
    clinician = make_staff(clinic)
    with uow:
        uow.clinics.add(clinic)
        uow.staff.add(clinician, password_hash="$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA")
        uow.commit()
    return clinic, clinician


def add_patients(uow: SqlAlchemyUnitOfWork, *patients: PatientRecord) -> None:
    with uow:
        for patient in patients:
            uow.patients.add(patient)
        uow.commit()


# Round trips


def test_clinic_round_trips(uow: SqlAlchemyUnitOfWork) -> None:
    clinic = make_clinic(name="Clínica Ñandú", time_zone="America/Argentina/Buenos_Aires")

    with uow:
        uow.clinics.add(clinic)
        uow.commit()
    with uow:
        stored = uow.clinics.get(clinic.id)

    assert stored == clinic


def test_staff_round_trips_with_depth_as_decimal(uow: SqlAlchemyUnitOfWork) -> None:
    clinic, clinician = seed_clinic(uow)
    desk = make_staff(clinic, role=Role.FRONT_DESK, licence_max_depth_mm=None, active=False)

    with uow:
        uow.staff.add(desk, password_hash="hash-2")
        uow.commit()
    with uow:
        stored_clinician = uow.staff.get(clinic.id, clinician.id)
        stored_desk = uow.staff.get(clinic.id, desk.id)

    assert stored_clinician == clinician
    assert stored_clinician is not None
    assert isinstance(stored_clinician.licence_max_depth_mm, Decimal)
    assert stored_clinician.licence_max_depth_mm.as_tuple() == Decimal("1.50").as_tuple()
    assert stored_desk == desk


def test_staff_by_email_returns_member_and_password_hash(uow: SqlAlchemyUnitOfWork) -> None:
    _, clinician = seed_clinic(uow)

    with uow:
        found = uow.staff.by_email(clinician.email)
        missing = uow.staff.by_email("nobody@example.org")

    assert found is not None
    assert found[0] == clinician
    assert found[1].startswith("$argon2id$")
    assert missing is None


def test_staff_email_is_unique(uow: SqlAlchemyUnitOfWork) -> None:
    clinic, clinician = seed_clinic(uow)

    with pytest.raises(IntegrityError), uow:
        uow.staff.add(make_staff(clinic, email=clinician.email), password_hash="x")
        uow.commit()


def test_patient_round_trips(uow: SqlAlchemyUnitOfWork) -> None:
    clinic, _ = seed_clinic(uow)
    patient = make_patient(
        clinic, given_name="Zoë", family_name="O'Brien", email=None, phone=None, sex=Sex.OTHER
    )

    add_patients(uow, patient)
    with uow:
        stored = uow.patients.get(clinic.id, patient.id)

    assert stored == patient
    assert stored is not None
    assert stored.created_at.tzinfo is not None


def test_instants_come_back_in_utc_whatever_zone_they_went_in(uow: SqlAlchemyUnitOfWork) -> None:
    clinic, _ = seed_clinic(uow)
    dublin_winter = timezone(timedelta(hours=-5))
    patient = make_patient(clinic, created_at=AT.astimezone(dublin_winter))

    add_patients(uow, patient)
    with uow:
        stored = uow.patients.get(clinic.id, patient.id)

    assert stored is not None
    assert stored.created_at == AT
    assert stored.created_at.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(uow: SqlAlchemyUnitOfWork) -> None:
    clinic, _ = seed_clinic(uow)

    with pytest.raises(Exception, match="naive datetime"), uow:
        uow.patients.add(make_patient(clinic, created_at=datetime(2026, 11, 23, 9, 30)))


def test_consultation_round_trips_with_json_and_supersedes(uow: SqlAlchemyUnitOfWork) -> None:
    clinic, clinician = seed_clinic(uow)
    patient = make_patient(clinic)
    first = make_consultation(patient, clinician)
    second = make_consultation(patient, clinician, supersedes=first.id)

    add_patients(uow, patient)
    with uow:
        uow.consultations.add(first)
        uow.consultations.add(second)
        uow.commit()
    with uow:
        stored_first = uow.consultations.get(clinic.id, first.id)
        stored_second = uow.consultations.get(clinic.id, second.id)

    assert stored_first == first
    assert stored_second == second
    assert stored_second is not None
    assert stored_second.supersedes == first.id


def test_for_patient_lists_newest_first(uow: SqlAlchemyUnitOfWork) -> None:
    clinic, clinician = seed_clinic(uow)
    patient = make_patient(clinic)
    older = make_consultation(patient, clinician, consulted_on=date(2026, 10, 1))
    newer = make_consultation(patient, clinician, consulted_on=date(2026, 11, 1))

    add_patients(uow, patient)
    with uow:
        uow.consultations.add(older)
        uow.consultations.add(newer)
        uow.commit()
    with uow:
        listed = uow.consultations.for_patient(clinic.id, patient.id)

    assert [c.id for c in listed] == [newer.id, older.id]


# Clinic scoping


def test_another_clinics_records_look_exactly_like_unknown_ones(uow: SqlAlchemyUnitOfWork) -> None:
    clinic, clinician = seed_clinic(uow)
    other_clinic, _ = seed_clinic(uow)
    patient = make_patient(clinic)
    consultation = make_consultation(patient, clinician)
    add_patients(uow, patient)
    with uow:
        uow.consultations.add(consultation)
        uow.commit()

    with uow:
        answers = {
            "patient": uow.patients.get(other_clinic.id, patient.id),
            "unknown patient": uow.patients.get(other_clinic.id, uuid4()),
            "staff": uow.staff.get(other_clinic.id, clinician.id),
            "consultation": uow.consultations.get(other_clinic.id, consultation.id),
            "unknown consultation": uow.consultations.get(other_clinic.id, uuid4()),
        }
        listed = uow.consultations.for_patient(other_clinic.id, patient.id)
        patients = uow.patients.list(other_clinic.id, search=None, offset=0, limit=50)

    assert answers == dict.fromkeys(answers)
    assert list(listed) == []
    assert list(patients) == []


def test_a_consultation_cannot_name_another_clinics_patient(uow: SqlAlchemyUnitOfWork) -> None:
    clinic, _ = seed_clinic(uow)
    other_clinic, other_clinician = seed_clinic(uow)
    patient = make_patient(clinic)
    add_patients(uow, patient)
    misfiled = replace(make_consultation(patient, other_clinician), clinic_id=other_clinic.id)

    with pytest.raises(IntegrityError), uow:
        uow.consultations.add(misfiled)
        uow.commit()


# Search and pagination


def family_names(patients: Any) -> list[str]:
    return [p.family_name for p in patients]


def test_list_orders_by_family_then_given_name_and_pages(uow: SqlAlchemyUnitOfWork) -> None:
    clinic, _ = seed_clinic(uow)
    names = [("Walsh", "Ciara"), ("Byrne", "Sean"), ("Byrne", "Aoife"), ("Murphy", "Liam")]
    add_patients(uow, *(make_patient(clinic, family_name=f, given_name=g) for f, g in names))

    with uow:
        first_page = uow.patients.list(clinic.id, search=None, offset=0, limit=3)
        second_page = uow.patients.list(clinic.id, search=None, offset=3, limit=3)

    assert [(p.family_name, p.given_name) for p in first_page] == [
        ("Byrne", "Aoife"),
        ("Byrne", "Sean"),
        ("Murphy", "Liam"),
    ]
    assert family_names(second_page) == ["Walsh"]


def test_same_names_are_ordered_by_id_so_pages_never_overlap(uow: SqlAlchemyUnitOfWork) -> None:
    clinic, _ = seed_clinic(uow)
    twins = [make_patient(clinic, family_name="Nolan", given_name="Ann") for _ in range(5)]
    add_patients(uow, *twins)

    with uow:
        pages = [
            uow.patients.list(clinic.id, search=read_search("nolan"), offset=o, limit=2)
            for o in (0, 2, 4)
        ]

    ids = [p.id for page in pages for p in page]
    # Both databases order Uuid columns by their 128-bit value (SQLite stores 32 hex digits).
    assert ids == sorted(p.id for p in twins)


def test_search_matches_given_or_family_name_ignoring_case(uow: SqlAlchemyUnitOfWork) -> None:
    clinic, _ = seed_clinic(uow)
    add_patients(
        uow,
        make_patient(clinic, family_name="Doyle", given_name="Orla"),
        make_patient(clinic, family_name="Orlando", given_name="Marco"),
        make_patient(clinic, family_name="Ryan", given_name="Jack"),
        make_patient(clinic, family_name="Éamonn", given_name="Ógra"),
    )

    with uow:
        found = uow.patients.list(clinic.id, search=read_search("ORL"), offset=0, limit=50)
        accented = uow.patients.list(clinic.id, search=read_search("éamo"), offset=0, limit=50)

    assert family_names(found) == ["Doyle", "Orlando"]
    assert family_names(accented) == ["Éamonn"]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("100%", ["100% Real"]),
        ("a_b", ["a_b"]),
        ("00%", ["100% Real"]),  # inside a word: three characters or more
        ("_b", []),  # one or two characters must start a word (ADR 0034), and none starts "_"
        ("%", []),
    ],
)
def test_search_treats_like_wildcards_as_literal_text(
    uow: SqlAlchemyUnitOfWork, search: str, expected: list[str]
) -> None:
    clinic, _ = seed_clinic(uow)
    add_patients(
        uow,
        make_patient(clinic, family_name="100% Real", given_name="Test"),
        make_patient(clinic, family_name="100 Real", given_name="Test"),
        make_patient(clinic, family_name="a_b", given_name="Test"),
        make_patient(clinic, family_name="axb", given_name="Test"),
        make_patient(clinic, family_name="a/b", given_name="Test"),
    )

    with uow:
        found = uow.patients.list(clinic.id, search=read_search(search), offset=0, limit=50)

    assert family_names(found) == expected


# Signing


def test_signing_a_draft_is_saved(uow: SqlAlchemyUnitOfWork) -> None:
    clinic, clinician = seed_clinic(uow)
    patient = make_patient(clinic)
    draft = make_consultation(patient, clinician)
    add_patients(uow, patient)
    with uow:
        uow.consultations.add(draft)
        uow.commit()

    signed = draft.sign(by=clinician.id, at=AT + timedelta(minutes=5))
    with uow:
        uow.consultations.save_signature(signed)
        uow.commit()
    with uow:
        stored = uow.consultations.get(clinic.id, draft.id)

    assert stored == signed


def signed_consultation(uow: SqlAlchemyUnitOfWork) -> ConsultationRecord:
    clinic, clinician = seed_clinic(uow)
    patient = make_patient(clinic)
    draft = make_consultation(patient, clinician)
    signed = draft.sign(by=clinician.id, at=AT)
    add_patients(uow, patient)
    with uow:
        uow.consultations.add(draft)
        uow.consultations.save_signature(signed)
        uow.commit()
    return signed


def test_a_signed_consultation_cannot_be_signed_again(uow: SqlAlchemyUnitOfWork) -> None:
    signed = signed_consultation(uow)
    again = replace(signed, signed_at=AT + timedelta(days=1))

    with pytest.raises(AlreadySignedError) as raised, uow:
        uow.consultations.save_signature(again)

    assert raised.value.record_id == signed.id
    with uow:
        assert uow.consultations.get(signed.clinic_id, signed.id) == signed


def test_save_signature_refuses_an_unsigned_record(uow: SqlAlchemyUnitOfWork) -> None:
    clinic, clinician = seed_clinic(uow)

    with pytest.raises(ValueError, match="signed record"), uow:
        uow.consultations.save_signature(make_consultation(make_patient(clinic), clinician))


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE consultation SET decision = 'decline' WHERE id = :id",
        "UPDATE consultation SET status = 'draft' WHERE id = :id",
        "DELETE FROM consultation WHERE id = :id",
    ],
)
def test_the_database_refuses_to_change_a_signed_consultation(
    uow: SqlAlchemyUnitOfWork, engine: Engine, statement: str
) -> None:
    signed = signed_consultation(uow)
    row_id = signed.id.hex if engine.dialect.name == "sqlite" else signed.id

    with pytest.raises(IntegrityError, match="signed consultation"), engine.begin() as connection:
        connection.execute(text(statement), {"id": row_id})


def test_the_database_still_lets_a_draft_change(uow: SqlAlchemyUnitOfWork, engine: Engine) -> None:
    clinic, clinician = seed_clinic(uow)
    patient = make_patient(clinic)
    draft = make_consultation(patient, clinician)
    add_patients(uow, patient)
    with uow:
        uow.consultations.add(draft)
        uow.commit()
    row_id = draft.id.hex if engine.dialect.name == "sqlite" else draft.id

    with engine.begin() as connection:
        changed = connection.execute(
            text("UPDATE consultation SET decision = 'defer' WHERE id = :id"), {"id": row_id}
        ).rowcount

    assert changed == 1


# Unit of work


class Boom(Exception):
    pass


def test_a_unit_of_work_that_raises_before_commit_leaves_nothing(
    uow: SqlAlchemyUnitOfWork,
) -> None:
    clinic = make_clinic()
    patient = make_patient(clinic)

    with pytest.raises(Boom), uow:
        uow.clinics.add(clinic)
        uow.patients.add(patient)
        raise Boom

    with uow:
        assert uow.clinics.get(clinic.id) is None
        assert uow.patients.get(clinic.id, patient.id) is None


def test_a_unit_of_work_left_without_commit_leaves_nothing(uow: SqlAlchemyUnitOfWork) -> None:
    clinic = make_clinic()

    with uow:
        uow.clinics.add(clinic)

    with uow:
        assert uow.clinics.get(clinic.id) is None


def test_work_after_a_commit_needs_its_own_commit(uow: SqlAlchemyUnitOfWork) -> None:
    kept, dropped = make_clinic(), make_clinic()

    with uow:
        uow.clinics.add(kept)
        uow.commit()
        uow.clinics.add(dropped)

    with uow:
        assert uow.clinics.get(kept.id) == kept
        assert uow.clinics.get(dropped.id) is None


def test_repositories_refuse_work_outside_the_with_block(uow: SqlAlchemyUnitOfWork) -> None:
    with pytest.raises(RuntimeError, match="with"):
        uow.clinics.get(uuid4())


def test_a_unit_of_work_cannot_be_entered_twice_at_once(uow: SqlAlchemyUnitOfWork) -> None:
    with uow, pytest.raises(RuntimeError, match="already in use"), uow:
        pass


def test_a_blank_search_lists_everyone(uow: SqlAlchemyUnitOfWork) -> None:
    clinic, _ = seed_clinic(uow)
    add_patients(uow, make_patient(clinic, family_name="Ahern"), make_patient(clinic))

    with uow:
        found = uow.patients.list(clinic.id, search=read_search("  "), offset=0, limit=50)
        trimmed = uow.patients.list(clinic.id, search=read_search(" ahern "), offset=0, limit=50)

    assert family_names(found) == ["Ahern", "Kelly"]
    assert family_names(trimmed) == ["Ahern"]
