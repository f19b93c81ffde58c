"""Whether members of staff may sign in."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select, update

from needlepoint.adapters.db.accounts.members import staff_columns, staff_from_labelled_row
from needlepoint.adapters.db.repository import SqlRepository
from needlepoint.adapters.db.tables import staff_member
from needlepoint.domain.records import StaffMember


class SqlStaffStatusRepository(SqlRepository):
    """Whether members of staff may sign in."""

    def get(self, clinic_id: UUID, staff_id: UUID) -> StaffMember | None:
        """A member of staff of this clinic, or None (also for another clinic's)."""
        query = select(*staff_columns()).where(
            staff_member.c.clinic_id == clinic_id, staff_member.c.id == staff_id
        )
        return self._one(query, staff_from_labelled_row)

    def deactivate(self, clinic_id: UUID, staff_id: UUID) -> None:
        """Stop a member of this clinic from signing in."""
        statement = (
            update(staff_member)
            .where(staff_member.c.clinic_id == clinic_id, staff_member.c.id == staff_id)
            .values(active=False)
        )
        self._connection().execute(statement)
