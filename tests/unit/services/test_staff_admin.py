"""An admin manages their clinic's staff over in-memory fakes: every change audited, the last
admin kept, sign-ins ended by a deactivation or a password reset."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from fakes import FakeAccountsUnitOfWork, PlainHasher
from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.records import Role, StaffMember
from needlepoint.domain.staffing import LastAdminError
from needlepoint.services.accounts import api_tokens, staff_admin
from needlepoint.services.accounts.ports import LoginSession
from needlepoint.services.accounts.sign_in import StaffNotFoundError
from needlepoint.services.accounts.staff_admin import PasswordReset
from needlepoint.services.audit import AuthMethod, RequestContext
from needlepoint.services.permissions import PermissionDeniedError

CLINIC = uuid4()
AT = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)


class Clock:
    def now(self) -> datetime:
        return AT

    def today(self) -> date:
        return AT.date()


def member(role: Role, name: str, clinic: UUID = CLINIC) -> StaffMember:
    licence = Decimal("1.5") if role is Role.CLINICIAN else None
    return StaffMember(uuid4(), clinic, f"{name}@x.test", name, role, licence)


ADMIN = member(Role.ADMIN, "ada")
CLINICIAN = member(Role.CLINICIAN, "rowan")
DESK = member(Role.FRONT_DESK, "sam")
STRANGER = member(Role.ADMIN, "other", uuid4())


@pytest.fixture
def uow() -> FakeAccountsUnitOfWork:
    return FakeAccountsUnitOfWork(ADMIN, CLINICIAN, DESK, STRANGER)


def as_(actor: StaffMember) -> RequestContext:
    return RequestContext(actor=actor, request_id="req", auth=AuthMethod.SESSION)


def events(uow: FakeAccountsUnitOfWork) -> list[tuple[str, str]]:
    return [(e.action, e.resource_id) for e in uow.audit.events]


def test_the_last_admin_cannot_deactivate_themselves(uow: FakeAccountsUnitOfWork) -> None:
    with pytest.raises(LastAdminError):
        staff_admin.deactivate_staff(staff_id=ADMIN.id, context=as_(ADMIN), uow=uow, clock=Clock())

    assert uow.members[ADMIN.id].active
    assert uow.audit.events == []


def test_an_admin_may_deactivate_themselves_while_another_admin_stays(
    uow: FakeAccountsUnitOfWork,
) -> None:
    second = member(Role.ADMIN, "bea")
    uow.members[second.id] = second

    staff_admin.deactivate_staff(staff_id=ADMIN.id, context=as_(ADMIN), uow=uow, clock=Clock())

    assert not uow.members[ADMIN.id].active
    with pytest.raises(LastAdminError):
        staff_admin.deactivate_staff(
            staff_id=second.id, context=as_(second), uow=uow, clock=Clock()
        )


def test_deactivation_ends_sessions_and_tokens_and_reactivation_lets_them_back(
    uow: FakeAccountsUnitOfWork,
) -> None:
    uow.sessions.add(LoginSession("h", CLINICIAN.id, AT, AT, AT.replace(year=2027)))
    issued = api_tokens.issue_api_token(
        new=api_tokens.NewApiToken("x", CLINICIAN.id),
        default_days=90,
        context=as_(ADMIN),
        uow=uow,
        clock=Clock(),
    )

    staff_admin.deactivate_staff(staff_id=CLINICIAN.id, context=as_(ADMIN), uow=uow, clock=Clock())
    back = staff_admin.reactivate_staff(
        staff_id=CLINICIAN.id, context=as_(ADMIN), uow=uow, clock=Clock()
    )

    assert uow.sessions.rows["h"].revoked_at == AT
    assert uow.tokens.rows[issued.record.id].revoked_at == AT
    assert back.active and uow.members[CLINICIAN.id].active
    assert events(uow)[-2:] == [
        ("staff.deactivate", str(CLINICIAN.id)),
        ("staff.reactivate", str(CLINICIAN.id)),
    ]


def test_a_password_reset_sets_the_hash_ends_sign_ins_and_is_audited(
    uow: FakeAccountsUnitOfWork,
) -> None:
    uow.sessions.add(LoginSession("h", DESK.id, AT, AT, AT.replace(year=2027)))
    reset = PasswordReset(DESK.id, "a temporary passphrase")

    staff_admin.reset_password(
        reset=reset, context=as_(ADMIN), uow=uow, hasher=PlainHasher(), clock=Clock()
    )

    assert uow.staff.password_hashes[DESK.id] == PlainHasher().hash("a temporary passphrase")
    assert uow.sessions.rows["h"].revoked_at == AT
    assert events(uow) == [("staff.reset_password", str(DESK.id))]
    assert "passphrase" not in repr(reset)


def test_a_short_temporary_password_is_refused_naming_the_field(
    uow: FakeAccountsUnitOfWork,
) -> None:
    with pytest.raises(InvalidInputError) as refused:
        staff_admin.reset_password(
            reset=PasswordReset(DESK.id, "short"),
            context=as_(ADMIN),
            uow=uow,
            hasher=PlainHasher(),
            clock=Clock(),
        )

    assert refused.value.problems[0].field == "password"
    assert uow.audit.events == []


def test_a_clinicians_licence_is_set_and_audited(uow: FakeAccountsUnitOfWork) -> None:
    changed = staff_admin.set_licence(
        staff_id=CLINICIAN.id,
        licence_max_depth_mm=Decimal("2.0"),
        context=as_(ADMIN),
        uow=uow,
        clock=Clock(),
    )

    assert changed.licence_max_depth_mm == uow.members[CLINICIAN.id].licence_max_depth_mm == 2
    assert events(uow) == [("staff.set_licence", str(CLINICIAN.id))]


@pytest.mark.parametrize(
    ("who", "depth"), [(CLINICIAN, None), (CLINICIAN, Decimal(0)), (DESK, Decimal("1.0"))]
)
def test_a_licence_depth_must_fit_the_role(
    uow: FakeAccountsUnitOfWork, who: StaffMember, depth: Decimal | None
) -> None:
    with pytest.raises(InvalidInputError) as refused:
        staff_admin.set_licence(
            staff_id=who.id,
            licence_max_depth_mm=depth,
            context=as_(ADMIN),
            uow=uow,
            clock=Clock(),
        )

    assert refused.value.problems[0].field == "licence_max_depth_mm"
    assert uow.members[who.id] == who


def test_another_clinics_member_is_not_found(uow: FakeAccountsUnitOfWork) -> None:
    with pytest.raises(StaffNotFoundError):
        staff_admin.reactivate_staff(
            staff_id=CLINICIAN.id, context=as_(STRANGER), uow=uow, clock=Clock()
        )
    with pytest.raises(StaffNotFoundError):
        staff_admin.deactivate_staff(
            staff_id=CLINICIAN.id, context=as_(STRANGER), uow=uow, clock=Clock()
        )

    assert uow.members[CLINICIAN.id].active
    assert uow.audit.events == []


@pytest.mark.parametrize("actor", [CLINICIAN, DESK])
def test_only_an_admin_manages_staff(uow: FakeAccountsUnitOfWork, actor: StaffMember) -> None:
    with pytest.raises(PermissionDeniedError):
        staff_admin.reactivate_staff(staff_id=DESK.id, context=as_(actor), uow=uow, clock=Clock())
    with pytest.raises(PermissionDeniedError):
        staff_admin.set_licence(
            staff_id=CLINICIAN.id,
            licence_max_depth_mm=Decimal(3),
            context=as_(actor),
            uow=uow,
            clock=Clock(),
        )

    assert uow.members[CLINICIAN.id] == replace(CLINICIAN)
