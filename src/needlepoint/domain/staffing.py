"""Rules of a clinic's staff list: a clinic always keeps an active admin.

Only an admin can add staff, reset passwords or set licences, so a clinic left without an
active admin could not be run from the app at all. Deactivating an admin (oneself included)
is allowed only while another admin stays active.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from needlepoint.domain.errors import ConflictError
from needlepoint.domain.records import Role, StaffMember


class LastAdminError(ConflictError):
    """Deactivating this member would leave the clinic with no active admin."""

    code = "last-admin"

    def __init__(self, staff_id: UUID) -> None:
        super().__init__(
            f"member of staff {staff_id} is the clinic's last active admin; make another "
            "admin first (add one, or reactivate one), then deactivate this account"
        )
        self.staff_id = staff_id


def check_keeps_an_admin(members: Iterable[StaffMember], leaving: StaffMember) -> None:
    """Refuse if deactivating ``leaving`` leaves none of ``members`` an active admin.

    ``members`` are the clinic's staff as they stand (``leaving`` among them or not).

    Raises:
        LastAdminError: ``leaving`` is the only active admin.
    """
    if leaving.role is not Role.ADMIN or not leaving.active:
        return
    if not any(is_active_admin(m) and m.id != leaving.id for m in members):
        raise LastAdminError(leaving.id)


def is_active_admin(member: StaffMember) -> bool:
    """Whether a member of staff is an admin who may sign in."""
    return member.role is Role.ADMIN and member.active
