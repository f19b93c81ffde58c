"""API tokens, kept under the SHA-256 of their secret."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import RowMapping, insert, select, update

from needlepoint.adapters.db.accounts.members import staff_columns, staff_from_labelled_row
from needlepoint.adapters.db.repository import SqlRepository, revoking
from needlepoint.adapters.db.tables import api_token, staff_member
from needlepoint.domain.records import StaffMember
from needlepoint.services.accounts.ports import ApiToken


class SqlApiTokenRepository(SqlRepository):
    """API tokens (their hashes), read together with their member of staff."""

    def add(self, token: ApiToken) -> None:
        """Store a new token."""
        values = {
            "id": token.id,
            "staff_id": token.staff_id,
            "name": token.name,
            "token_hash": token.token_hash,
            "created_at": token.created_at,
            "revoked_at": token.revoked_at,
            "issued_by": token.issued_by,
            "expires_at": token.expires_at,
            "last_used_at": token.last_used_at,
            "prefix": token.prefix or None,
        }
        self._connection().execute(insert(api_token).values(values))

    def get(self, clinic_id: UUID, token_id: UUID) -> ApiToken | None:
        """A token acting as a member of this clinic, or None (also for another clinic's)."""
        query = (
            select(api_token)
            .join(staff_member, staff_member.c.id == api_token.c.staff_id)
            .where(api_token.c.id == token_id, staff_member.c.clinic_id == clinic_id)
        )
        return self._one(query, _token_from_row)

    def revoke(self, token_id: UUID, at: datetime) -> None:
        """Revoke one token (a no-op if it is revoked already)."""
        self._connection().execute(revoking(api_token, api_token.c.id == token_id, at))

    def touch(self, token_id: UUID, at: datetime) -> None:
        """Record that the token was used at ``at``."""
        self._connection().execute(
            update(api_token).where(api_token.c.id == token_id).values(last_used_at=at)
        )

    def for_clinic(self, clinic_id: UUID, staff_id: UUID | None) -> Sequence[ApiToken]:
        """The tokens acting as members of this clinic (only ``staff_id``'s if given)."""
        query = (
            select(api_token)
            .join(staff_member, staff_member.c.id == api_token.c.staff_id)
            .where(staff_member.c.clinic_id == clinic_id)
            .order_by(api_token.c.created_at.desc(), api_token.c.id)
        )
        if staff_id is not None:
            query = query.where(api_token.c.staff_id == staff_id)
        rows = self._connection().execute(query).mappings()
        return [_token_from_row(row) for row in rows]

    def by_hash(self, token_hash: str) -> tuple[ApiToken, StaffMember] | None:
        """A token and its member of staff, by the hash of its secret."""
        query = (
            select(api_token, *staff_columns())
            .join(staff_member, staff_member.c.id == api_token.c.staff_id)
            .where(api_token.c.token_hash == token_hash)
        )
        row = self._connection().execute(query).mappings().one_or_none()
        return None if row is None else (_token_from_row(row), staff_from_labelled_row(row))

    def revoke_all(self, staff_id: UUID, at: datetime) -> None:
        """Revoke every live token of one member of staff."""
        self._connection().execute(revoking(api_token, api_token.c.staff_id == staff_id, at))


def _token_from_row(row: RowMapping) -> ApiToken:
    return ApiToken(
        id=row["id"],
        staff_id=row["staff_id"],
        name=row["name"],
        token_hash=row["token_hash"],
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
        issued_by=row["issued_by"],
        expires_at=row["expires_at"],
        last_used_at=row["last_used_at"],
        prefix=row["prefix"] or "",
    )
