"""Staff accounts, patients and consultation records over in-memory fakes."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from conftest import EXAMPLES, TODAY, load_example
from fakes import OPERATOR, SETUP_CLOCK, FakeUnitOfWork, FixedClock, PlainHasher
from needlepoint.adapters.passwords import Argon2PasswordHasher
from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.records import AlreadySignedError, Clinic, ConsultationStatus, Role
from needlepoint.domain.vocabulary import Sex
from needlepoint.knowledge import catalogue
from needlepoint.services.access import PatientNotFoundError
from needlepoint.services.accounts import staff as accounts
from needlepoint.services.audit import AuthMethod, RequestContext
from needlepoint.services.consultation.consultations import (
    ConsultationNotFoundError,
    ConsultationRequest,
    get_consultation,
    record_consultation,
    sign_consultation,
)
from needlepoint.services.consultation.engine import Engine
from needlepoint.services.records import patients

CLOCK = FixedClock(TODAY, time(10, 0))
ENGINE = Engine(
    knowledge=catalogue.load_knowledge(),
    citations={s.id: s.citation for s in catalogue.sources().sources},
    default_session_time=time(9),
)


@pytest.fixture
def uow() -> FakeUnitOfWork:
    fake = FakeUnitOfWork()
    for name in ("Harbour Skin Clinic", "Other Clinic"):
        fake.clinics.add(Clinic(id=uuid4(), name=name, time_zone="Europe/London"))
    return fake


def _clinic_ids(uow: FakeUnitOfWork) -> list[UUID]:
    return list(uow.clinics.rows)


def _clinician(uow: FakeUnitOfWork, clinic_index: int = 0) -> RequestContext:
    new = accounts.NewStaff(
        clinic_id=_clinic_ids(uow)[clinic_index],
        email=f"dr{clinic_index}@clinic.test",
        display_name="Dr Rowan Hale",
        role=Role.CLINICIAN,
        licence_max_depth_mm=Decimal("1.5"),
        password="a long enough passphrase",
    )
    member = accounts.add_staff(
        new=new, uow=uow, hasher=PlainHasher(), context=OPERATOR, clock=SETUP_CLOCK
    )
    return RequestContext(actor=member, request_id=f"req-{clinic_index}", auth=AuthMethod.SESSION)


def _patient(uow: FakeUnitOfWork, context: RequestContext):  # type: ignore[no-untyped-def]
    new = patients.NewPatient(
        given_name="Amira", family_name="Okafor", born_on=date(1997, 4, 22), sex=Sex.FEMALE
    )
    return patients.register_patient(
        new=new, context=context, uow=uow, clock=CLOCK, max_age_years=120
    )


def test_a_short_password_is_refused(uow: FakeUnitOfWork) -> None:
    new = accounts.NewStaff(_clinic_ids(uow)[0], "a@b.test", "A", Role.FRONT_DESK, None, "short")

    with pytest.raises(InvalidInputError) as caught:
        accounts.add_staff(
            new=new, uow=uow, hasher=PlainHasher(), context=OPERATOR, clock=SETUP_CLOCK
        )

    assert caught.value.problems[0].field == "password"


def test_a_clinician_needs_a_licence_depth_and_front_desk_has_none(uow: FakeUnitOfWork) -> None:
    clinician = accounts.NewStaff(
        _clinic_ids(uow)[0], "c@b.test", "C", Role.CLINICIAN, None, "plum heron tidy basalt"
    )
    desk = accounts.NewStaff(
        _clinic_ids(uow)[0], "d@b.test", "D", Role.FRONT_DESK, Decimal(1), "plum heron tidy basalt"
    )

    for new in (clinician, desk):
        with pytest.raises(InvalidInputError) as caught:
            accounts.add_staff(
                new=new, uow=uow, hasher=PlainHasher(), context=OPERATOR, clock=SETUP_CLOCK
            )
        assert caught.value.problems[0].field == "licence_max_depth_mm"


def test_emails_are_unique_whatever_their_case(uow: FakeUnitOfWork) -> None:
    _clinician(uow)
    again = accounts.NewStaff(
        _clinic_ids(uow)[1], "DR0@Clinic.test", "X", Role.ADMIN, None, "plum heron tidy basalt"
    )

    with pytest.raises(accounts.EmailTakenError):
        accounts.add_staff(
            new=again, uow=uow, hasher=PlainHasher(), context=OPERATOR, clock=SETUP_CLOCK
        )


def test_authentication_accepts_the_right_password_only(uow: FakeUnitOfWork) -> None:
    context = _clinician(uow)
    hasher = PlainHasher()

    def sign_in(email: str, password: str):  # type: ignore[no-untyped-def]
        return accounts.authenticate(
            email=email, password=password, uow=uow, hasher=hasher, dummy_hash="x"
        )

    assert sign_in("DR0@clinic.test", "a long enough passphrase") == context.actor
    assert sign_in("dr0@clinic.test", "a long enough passphrasE") is None
    assert sign_in("nobody@clinic.test", "a long enough passphrase") is None


def test_argon2id_hashes_verify_and_reject() -> None:
    hasher = Argon2PasswordHasher()

    hashed = hasher.hash("correct horse battery staple")

    assert hashed.startswith("$argon2id$")
    assert hasher.verify("correct horse battery staple", hashed)
    assert not hasher.verify("correct horse battery stapler", hashed)
    assert not hasher.verify("anything", "not-a-hash")


def test_registering_and_reading_a_patient_is_audited_once_each(uow: FakeUnitOfWork) -> None:
    context = _clinician(uow)
    before = len(uow.audit.events)  # the account's creation

    patient = _patient(uow, context)
    patients.get_patient(patient_id=patient.id, context=context, uow=uow, clock=CLOCK)

    events = uow.audit.events[before:]
    assert [e.action for e in events] == ["patient.create", "patient.read"]
    assert all(e.patient_id == patient.id and e.request_id == "req-0" for e in events)


def test_another_clinics_patient_is_not_found_and_the_miss_is_audited(uow: FakeUnitOfWork) -> None:
    patient = _patient(uow, _clinician(uow, 0))
    other = _clinician(uow, 1)

    with pytest.raises(PatientNotFoundError):
        patients.get_patient(patient_id=patient.id, context=other, uow=uow, clock=CLOCK)

    assert uow.audit.events[-1].outcome == "not_found"
    assert uow.audit.events[-1].actor_id == other.actor.id


def _record(uow: FakeUnitOfWork, context: RequestContext, patient_id, **kw):  # type: ignore[no-untyped-def]
    document = load_example(EXAMPLES[0])
    request = ConsultationRequest(patient_id=patient_id, document=document, **kw)
    return record_consultation(
        request=request, context=context, uow=uow, engine=ENGINE, clock=CLOCK
    )


def test_recording_a_consultation_keeps_the_report_and_versions_as_a_draft(
    uow: FakeUnitOfWork,
) -> None:
    context = _clinician(uow)
    patient = _patient(uow, context)

    record = _record(uow, context, patient.id, appointment="2026-12-07T10:00")

    assert record.status is ConsultationStatus.DRAFT
    assert record.decision == "proceed" == record.report["decision"]
    assert record.knowledge_versions["contraindications"]
    assert record.intake["clinic"]["name"] == "Harbour Skin Clinic"
    assert uow.audit.events[-1].action == "consultation.create"


def test_intake_that_contradicts_the_patient_record_is_refused(uow: FakeUnitOfWork) -> None:
    context = _clinician(uow)
    patient = _patient(uow, context)
    document = load_example(EXAMPLES[0])
    document["patient"]["born_on"] = date(1990, 1, 1)
    request = ConsultationRequest(patient_id=patient.id, document=document)

    with pytest.raises(InvalidInputError) as caught:
        record_consultation(request=request, context=context, uow=uow, engine=ENGINE, clock=CLOCK)

    assert caught.value.problems[0].field == "patient.born_on"
    assert not uow.consultations.rows


def test_a_signed_consultation_cannot_be_signed_again(uow: FakeUnitOfWork) -> None:
    context = _clinician(uow)
    record = _record(uow, context, _patient(uow, context).id)

    signed = sign_consultation(consultation_id=record.id, context=context, uow=uow, clock=CLOCK)

    assert signed.status is ConsultationStatus.SIGNED and signed.signed_by == context.actor.id
    with pytest.raises(AlreadySignedError):
        sign_consultation(consultation_id=record.id, context=context, uow=uow, clock=CLOCK)


def test_a_rescreen_must_supersede_this_patients_consultation(uow: FakeUnitOfWork) -> None:
    context = _clinician(uow)
    first = _record(uow, context, _patient(uow, context).id)
    stranger = _patient(uow, context)

    with pytest.raises(InvalidInputError):
        _record(uow, context, stranger.id, supersedes=first.id)

    again = _record(uow, context, first.patient_id, supersedes=first.id)
    assert again.supersedes == first.id


def test_another_clinic_cannot_read_a_consultation(uow: FakeUnitOfWork) -> None:
    context = _clinician(uow, 0)
    record = _record(uow, context, _patient(uow, context).id)

    with pytest.raises(ConsultationNotFoundError):
        get_consultation(
            consultation_id=record.id, context=_clinician(uow, 1), uow=uow, clock=CLOCK
        )


def test_a_failed_operation_leaves_nothing_behind(uow: FakeUnitOfWork) -> None:
    context = _clinician(uow)
    before = len(uow.audit.events)

    with pytest.raises(PatientNotFoundError):
        _record(uow, context, uuid4())

    assert len(uow.audit.events) == before
    assert not uow.consultations.rows
