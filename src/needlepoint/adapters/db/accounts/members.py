"""A member of staff read beside a session or token, under ``member_<column>`` labels."""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import RowMapping

from needlepoint.adapters.db.labelled import keys, labelled, unprefixed
from needlepoint.adapters.db.shared.staff import staff_from_row
from needlepoint.adapters.db.tables import staff_member
from needlepoint.domain.records import StaffMember

_MEMBER: Final = keys(
    staff_member,
    "member_",
    ("id", "clinic_id", "email", "display_name", "role", "licence_max_depth_mm", "active"),
)
"""Every column a ``StaffMember`` is read from (never the password hash)."""


def staff_columns() -> tuple[Any, ...]:
    """The member of staff's columns, labelled ``member_<column>``."""
    return labelled(staff_member, _MEMBER)


def staff_from_labelled_row(row: RowMapping) -> StaffMember:
    """A member of staff from the labelled columns of a joined row."""
    return staff_from_row(unprefixed(row, _MEMBER))
