"""Password-reset links, kept under the SHA-256 of their secret."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import RowMapping, insert, select, update

from needlepoint.adapters.db.accounts.members import staff_columns, staff_from_labelled_row
from needlepoint.adapters.db.repository import SqlRepository
from needlepoint.adapters.db.tables import staff_member, staff_reset_link
from needlepoint.domain.records import StaffMember
from needlepoint.services.accounts.ports import ResetLink


class SqlResetLinkRepository(SqlRepository):
    """One-time password-reset links (their hashes), read with their member of staff."""

    def add(self, link: ResetLink) -> None:
        """Store a new link."""
        values = {
            "id": link.id,
            "staff_id": link.staff_id,
            "token_hash": link.token_hash,
            "created_at": link.created_at,
            "expires_at": link.expires_at,
            "used_at": link.used_at,
            "purpose": link.purpose,
        }
        self._connection().execute(insert(staff_reset_link).values(values))

    def by_hash(self, token_hash: str) -> tuple[ResetLink, StaffMember] | None:
        """A link and its member of staff, by the hash of its secret."""
        query = (
            select(staff_reset_link, *staff_columns())
            .join(staff_member, staff_member.c.id == staff_reset_link.c.staff_id)
            .where(staff_reset_link.c.token_hash == token_hash)
        )
        row = self._connection().execute(query).mappings().one_or_none()
        return None if row is None else (_link_from_row(row), staff_from_labelled_row(row))

    def rekey(self, link_id: UUID, token_hash: str, now: datetime) -> bool:
        """Give an unused, unexpired link a new secret (its hash); False if there is none."""
        return self._live_update(link_id, now, token_hash=token_hash)

    def use(self, link_id: UUID, at: datetime) -> bool:
        """Mark an unused, unexpired link used; the UPDATE itself decides between two uses."""
        return self._live_update(link_id, at, used_at=at)

    def expire_unused(self, staff_id: UUID, purpose: str, at: datetime) -> None:
        """End every unused, unexpired link of this purpose of a member (it expires ``at``)."""
        columns = staff_reset_link.c
        statement = (
            update(staff_reset_link)
            .where(
                columns.staff_id == staff_id,
                columns.purpose == purpose,
                columns.used_at.is_(None),
                columns.expires_at > at,
            )
            .values(expires_at=at)
        )
        self._connection().execute(statement)

    def invited(self, clinic_id: UUID) -> set[UUID]:
        """The members of a clinic who were invited and have not yet accepted an invite."""
        links = staff_reset_link.c
        accepted = select(links.staff_id).where(
            links.purpose == "invite", links.used_at.is_not(None)
        )
        query = (
            select(links.staff_id)
            .join(staff_member, staff_member.c.id == links.staff_id)
            .where(
                staff_member.c.clinic_id == clinic_id,
                staff_member.c.active.is_(False),
                links.purpose == "invite",
                links.staff_id.not_in(accepted),
            )
            .distinct()
        )
        return set(self._connection().execute(query).scalars())

    def _live_update(self, link_id: UUID, now: datetime, **values: object) -> bool:
        columns = staff_reset_link.c
        statement = (
            update(staff_reset_link)
            .where(columns.id == link_id, columns.used_at.is_(None), columns.expires_at > now)
            .values(**values)
        )
        return bool(self._connection().execute(statement).rowcount == 1)


def _link_from_row(row: RowMapping) -> ResetLink:
    return ResetLink(
        id=row["id"],
        staff_id=row["staff_id"],
        token_hash=row["token_hash"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        used_at=row["used_at"],
        purpose=row["purpose"],
    )
