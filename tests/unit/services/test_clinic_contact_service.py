"""The clinic's contact details over in-memory stores: who may change them, and the audit."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

import pytest

from fakes import OPERATOR
from fakes.units import FakeStaffUnitOfWork
from needlepoint.domain.contact import ClinicContact
from needlepoint.domain.errors import InputCode, InvalidInputError
from needlepoint.domain.records import Clinic, Role, StaffMember
from needlepoint.services.accounts import clinic_contact
from needlepoint.services.accounts.clinic_contact import ClinicNotFoundError
from needlepoint.services.audit import AuthMethod, RequestContext
from needlepoint.services.permissions import PermissionDeniedError

HOME, OTHER = Clinic(uuid4(), "Harbour", "Europe/London"), Clinic(uuid4(), "North", "UTC")
CONTACT = ClinicContact("020 7946 0321", "14 Harbour Street", "9:00 to 18:00")


class Clock:
    def now(self) -> datetime:
        return datetime(2026, 12, 8, 9, tzinfo=UTC)

    def today(self) -> date:
        return self.now().date()


def context(role: Role, clinic: Clinic = HOME) -> RequestContext:
    licence = Decimal("1.5") if role is Role.CLINICIAN else None
    actor = StaffMember(uuid4(), clinic.id, f"{role.value}@x.test", role.value, role, licence)
    return RequestContext(actor, "req-1", AuthMethod.SESSION)


@pytest.fixture
def uow() -> FakeStaffUnitOfWork:
    store = FakeStaffUnitOfWork()
    store.clinics.add(HOME)
    store.clinics.add(OTHER)
    return store


def test_an_admin_sets_their_clinics_details_and_the_change_is_audited(
    uow: FakeStaffUnitOfWork,
) -> None:
    admin = context(Role.ADMIN)

    saved = clinic_contact.set_clinic_contact(
        clinic_id=HOME.id, contact=CONTACT, context=admin, uow=uow, clock=Clock()
    )

    assert saved.contact == CONTACT
    assert clinic_contact.clinic_details(context=context(Role.FRONT_DESK), uow=uow) == saved
    (event,) = uow.audit.events
    assert (event.action, event.resource_id, event.actor_id, event.patient_id) == (
        "clinic.contact.update",
        str(HOME.id),
        admin.actor.id,
        None,
    )


@pytest.mark.parametrize("role", [Role.CLINICIAN, Role.FRONT_DESK])
def test_only_an_admin_changes_them(uow: FakeStaffUnitOfWork, role: Role) -> None:
    with pytest.raises(PermissionDeniedError):
        clinic_contact.set_clinic_contact(
            clinic_id=HOME.id, contact=CONTACT, context=context(role), uow=uow, clock=Clock()
        )

    assert uow.clinics.get(HOME.id) == HOME and uow.audit.events == []


def test_another_clinic_reads_as_one_that_does_not_exist(uow: FakeStaffUnitOfWork) -> None:
    admin = context(Role.ADMIN)
    for clinic_id in (OTHER.id, uuid4()):
        with pytest.raises(ClinicNotFoundError):
            clinic_contact.set_clinic_contact(
                clinic_id=clinic_id, contact=CONTACT, context=admin, uow=uow, clock=Clock()
            )

    assert uow.clinics.get(OTHER.id) == OTHER and uow.audit.events == []


def test_the_machines_operator_sets_any_clinics_details(uow: FakeStaffUnitOfWork) -> None:
    clinic_contact.set_clinic_contact(
        clinic_id=OTHER.id, contact=CONTACT, context=OPERATOR, uow=uow, clock=Clock()
    )

    assert uow.clinics.get(OTHER.id) == Clinic(OTHER.id, "North", "UTC", CONTACT)
    assert [e.actor_role for e in uow.audit.events] == ["operator"]


def test_a_number_that_breaks_the_phone_rule_never_reaches_the_use_case() -> None:
    with pytest.raises(InvalidInputError) as caught:
        ClinicContact("ring reception")

    assert [(p.field, p.code) for p in caught.value.problems] == [("phone", InputCode.NOT_A_PHONE)]
