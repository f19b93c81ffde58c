"""A clinic always keeps an active admin (domain.staffing)."""

from __future__ import annotations

from dataclasses import replace
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from needlepoint.domain.records import Role, StaffMember
from needlepoint.domain.staffing import LastAdminError, check_keeps_an_admin, is_active_admin

CLINIC = uuid4()


def member(role: Role, *, active: bool = True) -> StaffMember:
    return StaffMember(uuid4(), CLINIC, f"{uuid4().hex[:6]}@x.test", "X", role, None, active)


def test_the_last_active_admin_cannot_be_deactivated() -> None:
    admin = member(Role.ADMIN)
    staff = [admin, member(Role.CLINICIAN), member(Role.ADMIN, active=False)]

    with pytest.raises(LastAdminError) as refused:
        check_keeps_an_admin(staff, admin)

    assert refused.value.code == "last-admin"


def test_an_admin_may_go_while_another_admin_stays_active() -> None:
    first, second = member(Role.ADMIN), member(Role.ADMIN)

    check_keeps_an_admin([first, second], first)
    check_keeps_an_admin([first, second], second)


def test_staff_who_are_not_active_admins_may_always_go() -> None:
    admin = member(Role.ADMIN)

    for leaving in (
        member(Role.CLINICIAN),
        member(Role.FRONT_DESK),
        member(Role.ADMIN, active=False),
    ):
        check_keeps_an_admin([admin, leaving], leaving)


members = st.builds(member, st.sampled_from(Role), active=st.booleans())


@given(staff=st.lists(members, min_size=1, max_size=6), data=st.data())
def test_a_deactivation_the_rule_allows_never_leaves_a_clinic_that_had_an_admin_without_one(
    staff: list[StaffMember], data: st.DataObject
) -> None:
    leaving = data.draw(st.sampled_from(staff))
    had_an_admin = any(is_active_admin(m) for m in staff)

    try:
        check_keeps_an_admin(staff, leaving)
    except LastAdminError:
        others = [m for m in staff if m.id != leaving.id]
        assert is_active_admin(leaving) and not any(is_active_admin(m) for m in others)
        return
    after = [replace(m, active=False) if m.id == leaving.id else m for m in staff]
    assert any(is_active_admin(m) for m in after) or not had_an_admin
