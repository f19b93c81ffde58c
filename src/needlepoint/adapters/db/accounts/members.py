"""A member of staff read beside a session or token, under labelled columns."""

from __future__ import annotations

from typing import Any

from sqlalchemy import RowMapping

from needlepoint.adapters.db.tables import staff_member
from needlepoint.domain.records import Role, StaffMember


def staff_columns() -> tuple[Any, ...]:
    """The member of staff's columns, labelled ``member_<column>``."""
    columns = staff_member.c
    return (
        columns.id.label("member_id"),
        columns.clinic_id.label("member_clinic_id"),
        columns.email.label("member_email"),
        columns.display_name.label("member_display_name"),
        columns.role.label("member_role"),
        columns.licence_max_depth_mm.label("member_licence_max_depth_mm"),
        columns.active.label("member_active"),
    )


def staff_from_labelled_row(row: RowMapping) -> StaffMember:
    """A member of staff from the labelled columns of a joined row."""
    return StaffMember(
        id=row["member_id"],
        clinic_id=row["member_clinic_id"],
        email=row["member_email"],
        display_name=row["member_display_name"],
        role=Role(row["member_role"]),
        licence_max_depth_mm=row["member_licence_max_depth_mm"],
        active=row["member_active"],
    )
