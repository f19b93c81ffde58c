"""Members of staff; the password hash is kept beside the record."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping, insert, select

from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.repository import SqlRepository
from needlepoint.domain.records import Role, StaffMember


class SqlStaffRepository(SqlRepository):
    """Staff accounts; the password hash is kept beside the record."""

    def add(self, member: StaffMember, *, password_hash: str) -> None:
        """Store a new member of staff with their password hash."""
        values = {**_staff_values(member), "password_hash": password_hash}
        self._connection().execute(insert(t.staff_member).values(values))

    def get(self, clinic_id: UUID, member_id: UUID) -> StaffMember | None:
        """A member of staff of this clinic, or None (also for another clinic's)."""
        query = select(t.staff_member).where(
            t.staff_member.c.clinic_id == clinic_id, t.staff_member.c.id == member_id
        )
        return self._one(query, staff_from_row)

    def for_clinic(self, clinic_id: UUID) -> Sequence[StaffMember]:
        """Every member of staff of the clinic, by name."""
        columns = t.staff_member.c
        query = (
            select(t.staff_member)
            .where(columns.clinic_id == clinic_id)
            .order_by(columns.display_name, columns.id)
        )
        return self._all(query, staff_from_row)

    def by_email(self, email: str) -> tuple[StaffMember, str] | None:
        """A member of staff and their password hash, by exact sign-in email (any clinic)."""
        query = select(t.staff_member).where(t.staff_member.c.email == email)
        row = self._connection().execute(query).mappings().one_or_none()
        return None if row is None else (staff_from_row(row), row["password_hash"])


def _staff_values(member: StaffMember) -> dict[str, Any]:
    return {
        "id": member.id,
        "clinic_id": member.clinic_id,
        "email": member.email,
        "display_name": member.display_name,
        "role": member.role.value,
        "licence_max_depth_mm": member.licence_max_depth_mm,
        "active": member.active,
    }


def staff_from_row(row: RowMapping) -> StaffMember:
    """A member of staff from their row (without the password hash)."""
    return StaffMember(
        id=row["id"],
        clinic_id=row["clinic_id"],
        email=row["email"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        licence_max_depth_mm=row["licence_max_depth_mm"],
        active=row["active"],
    )
