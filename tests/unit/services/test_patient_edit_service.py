"""Editing a patient over in-memory fakes: saved with its change record, audited, never lost."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time
from decimal import Decimal
from uuid import uuid4

import pytest

from conftest import TODAY
from fakes import (
    OPERATOR,
    SETUP_CLOCK,
    FakeRecordsUnitOfWork,
    FakeStaffUnitOfWork,
    FixedClock,
    PlainHasher,
)
from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.patient_changes import FieldChange, PatientDetails
from needlepoint.domain.records import Clinic, PatientRecord, Role
from needlepoint.domain.treatment import VersionConflictError
from needlepoint.domain.vocabulary import Sex
from needlepoint.services.access import PatientNotFoundError
from needlepoint.services.accounts import staff as accounts
from needlepoint.services.audit import AuthMethod, RequestContext
from needlepoint.services.records import patient_edits, patients
from needlepoint.services.records.patient_edits import PatientEdit

CLOCK = FixedClock(TODAY, time(10, 0))
DETAILS = PatientDetails("Amira", "Okafor", date(1997, 4, 22), Sex.FEMALE, "amira@example.org")


@pytest.fixture
def uow() -> FakeRecordsUnitOfWork:
    fake = FakeRecordsUnitOfWork()
    for name in ("Harbour Skin Clinic", "Other Clinic"):
        fake.clinics.add(Clinic(id=uuid4(), name=name, time_zone="Europe/London"))
    return fake


def desk(uow: FakeRecordsUnitOfWork, clinic: int = 0) -> RequestContext:
    clinic_id = list(uow.clinics.rows)[clinic]
    new = accounts.NewStaff(
        clinic_id,
        f"desk{clinic}@clinic.test",
        "Sam Desk",
        Role.FRONT_DESK,
        None,
        "plum heron tidy basalt",
    )
    staff = FakeStaffUnitOfWork(uow.database)
    member = accounts.add_staff(
        new=new, uow=staff, hasher=PlainHasher(), context=OPERATOR, clock=SETUP_CLOCK
    )
    return RequestContext(actor=member, request_id="req", auth=AuthMethod.SESSION)


def registered(uow: FakeRecordsUnitOfWork, context: RequestContext) -> PatientRecord:
    new = patients.NewPatient("Amira", "Okafor", date(1997, 4, 22), Sex.FEMALE, "amira@example.org")
    return patients.register_patient(
        new=new, context=context, uow=uow, clock=CLOCK, max_age_years=120
    )


def edit(uow: FakeRecordsUnitOfWork, context: RequestContext, change: PatientEdit) -> PatientRecord:
    return patient_edits.edit_patient(
        edit=change, context=context, uow=uow, clock=CLOCK, max_age_years=120
    )


def test_an_edit_saves_the_details_and_records_what_changed_who_and_when(
    uow: FakeRecordsUnitOfWork,
) -> None:
    context = desk(uow)
    patient = registered(uow, context)

    edited = edit(uow, context, PatientEdit(patient.id, 1, replace(DETAILS, phone="+44 1")))

    assert (edited.phone, edited.version) == ("+44 1", 2)
    assert uow.patients.get(patient.clinic_id, patient.id) == edited
    (change,) = patient_edits.list_patient_changes(
        patient_id=patient.id, context=context, uow=uow, clock=CLOCK
    )
    assert change.changes == (FieldChange("phone", None, "+44 1"),)
    assert (change.changed_by, change.changed_by_name, change.changed_at) == (
        context.actor.id,
        "Sam Desk",
        CLOCK.now(),
    )
    actions = [(e.action, e.outcome) for e in uow.audit.events]
    assert actions[-2:] == [("patient.update", "success"), ("patient_change.list", "success")]


def test_a_stale_edit_is_refused_audited_and_the_newer_one_kept(
    uow: FakeRecordsUnitOfWork,
) -> None:
    context = desk(uow)
    patient = registered(uow, context)
    first = edit(uow, context, PatientEdit(patient.id, 1, replace(DETAILS, phone="+44 1")))

    with pytest.raises(VersionConflictError):
        edit(uow, context, PatientEdit(patient.id, 1, replace(DETAILS, phone="+44 2")))

    assert uow.patients.get(patient.clinic_id, patient.id) == first
    assert len(uow.patient_changes.rows) == 1
    assert (uow.audit.events[-1].action, uow.audit.events[-1].outcome) == (
        "patient.update",
        "version_conflict",
    )


def test_an_edit_changing_nothing_writes_only_its_audit_event(uow: FakeRecordsUnitOfWork) -> None:
    context = desk(uow)
    patient = registered(uow, context)

    same = edit(uow, context, PatientEdit(patient.id, 1, DETAILS))

    assert same == patient
    assert uow.patient_changes.rows == []
    assert uow.audit.events[-1].outcome == "unchanged"


def test_another_clinics_patient_is_not_found_and_the_miss_audited(
    uow: FakeRecordsUnitOfWork,
) -> None:
    patient = registered(uow, desk(uow, 0))
    stranger = desk(uow, 1)

    with pytest.raises(PatientNotFoundError):
        edit(uow, stranger, PatientEdit(patient.id, 1, replace(DETAILS, phone="+44 1")))

    assert (uow.audit.events[-1].action, uow.audit.events[-1].outcome) == (
        "patient.update",
        "not_found",
    )
    assert uow.patients.get(patient.clinic_id, patient.id) == patient


def test_a_birth_date_in_the_future_is_refused_before_anything_is_read(
    uow: FakeRecordsUnitOfWork,
) -> None:
    context = desk(uow)
    patient = registered(uow, context)
    events = len(uow.audit.events)

    with pytest.raises(InvalidInputError) as refused:
        edit(uow, context, PatientEdit(patient.id, 1, replace(DETAILS, born_on=date(2099, 1, 1))))

    assert refused.value.problems[0].field == "born_on"
    assert len(uow.audit.events) == events


def test_a_clinician_may_edit_too(uow: FakeRecordsUnitOfWork) -> None:
    context = desk(uow)
    clinician = replace(
        context, actor=replace(context.actor, role=Role.CLINICIAN, licence_max_depth_mm=Decimal(1))
    )
    patient = registered(uow, context)

    edited = edit(uow, clinician, PatientEdit(patient.id, 1, replace(DETAILS, given_name="Ami")))

    assert edited.given_name == "Ami"
