"""Break-glass use cases over in-memory fakes (ADR 0038, AC-6): open, read, lapse, audit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fakes import OPERATOR, SETUP_CLOCK, FakeRecordsUnitOfWork, FakeStaffUnitOfWork, PlainHasher
from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.records import Clinic, Role
from needlepoint.domain.vocabulary import Sex
from needlepoint.services.accounts import staff as accounts
from needlepoint.services.audit import AuthMethod, RequestContext
from needlepoint.services.permissions import PermissionDeniedError
from needlepoint.services.records import break_glass, patients

AT = datetime(2026, 12, 11, 22, 0, tzinfo=UTC)
REASON = "patient phoned with facial swelling after treatment; clinician unreachable"


class Clock:
    def __init__(self) -> None:
        self.at = AT

    def now(self) -> datetime:
        return self.at

    def today(self) -> date:
        return self.at.date()


def _world() -> tuple[FakeRecordsUnitOfWork, RequestContext, UUID]:
    uow = FakeRecordsUnitOfWork()
    clinic = Clinic(id=uuid4(), name="Harbour Skin Clinic", time_zone="Europe/London")
    uow.clinics.add(clinic)
    new = accounts.NewStaff(
        clinic.id, "desk@clinic.test", "Sam Desk", Role.FRONT_DESK, None, "plum heron tidy basalt"
    )
    member = accounts.add_staff(
        new=new,
        uow=FakeStaffUnitOfWork(uow.database),
        hasher=PlainHasher(),
        context=OPERATOR,
        clock=SETUP_CLOCK,
    )
    context = RequestContext(actor=member, request_id="setup", auth=AuthMethod.SESSION)
    patient = patients.register_patient(
        new=patients.NewPatient("Amira", "Okafor", date(1997, 4, 22), Sex.FEMALE),
        context=context,
        uow=uow,
        clock=Clock(),
        max_age_years=120,
    )
    return uow, context, patient.id


@settings(max_examples=30, deadline=None)
@given(
    elapsed_s=st.integers(min_value=0, max_value=2 * 3600),
    ttl_minutes=st.integers(1, 60),
)
def test_ac6_a_read_passes_only_before_expiry_and_every_read_is_audited_high(
    elapsed_s: int, ttl_minutes: int
) -> None:
    uow, context, patient_id = _world()
    clock = Clock()
    grant = break_glass.open_break_glass(
        patient_id=patient_id,
        reason=REASON,
        context=context,
        uow=uow,
        clock=clock,
        ttl_minutes=ttl_minutes,
    )
    clock.at = AT + timedelta(seconds=elapsed_s)
    before = len(uow.database.audit)
    live = elapsed_s < ttl_minutes * 60

    try:
        read = break_glass.read_under_break_glass(
            grant_id=grant.id, context=context, uow=uow, clock=clock
        )
    except PermissionDeniedError:
        assert not live
    else:
        assert live
        assert read.programme.clinical is not None
    written = uow.database.audit[before:]
    assert written  # a read or a refusal: audited either way
    assert {e.severity for e in written} == {"high"}
    assert {e.break_glass_id for e in written} == {grant.id}


def test_ac6_no_reason_stores_no_grant_and_names_reason() -> None:
    uow, context, patient_id = _world()

    with pytest.raises(InvalidInputError) as refused:
        break_glass.open_break_glass(
            patient_id=patient_id,
            reason=None,
            context=context,
            uow=uow,
            clock=Clock(),
            ttl_minutes=60,
        )

    assert refused.value.problems[0].field == "reason"
    assert uow.database.break_glass_grants == {}
