"""Break-glass grants, and the audit trail read back for a clinic's admin (ADR 0038)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping, insert, or_, select

from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.repository import SqlRepository
from needlepoint.adapters.db.shared.audit import event_from_row
from needlepoint.domain.audit_view import AuditEntry, AuditFilter
from needlepoint.domain.break_glass import BreakGlassGrant


class SqlBreakGlassRepository(SqlRepository):
    """Break-glass grants, only ever added."""

    def add(self, grant: BreakGlassGrant) -> None:
        """Store a new grant."""
        values = {
            "id": grant.id,
            "clinic_id": grant.clinic_id,
            "actor_id": grant.actor_id,
            "patient_id": grant.patient_id,
            "reason": grant.reason,
            "granted_at": grant.granted_at,
            "expires_at": grant.expires_at,
        }
        self._connection().execute(insert(t.break_glass_grant), values)

    def get(self, clinic_id: UUID, grant_id: UUID) -> BreakGlassGrant | None:
        """One grant of the clinic, or None."""
        c = t.break_glass_grant.c
        query = select(t.break_glass_grant).where(c.clinic_id == clinic_id, c.id == grant_id)
        row = self._connection().execute(query).mappings().one_or_none()
        return None if row is None else _grant_of(row)

    def for_clinic(self, clinic_id: UUID, *, limit: int) -> Sequence[BreakGlassGrant]:
        """The clinic's newest ``limit`` grants, newest first."""
        c = t.break_glass_grant.c
        query = (
            select(t.break_glass_grant)
            .where(c.clinic_id == clinic_id)
            .order_by(c.granted_at.desc(), c.id)
            .limit(limit)
        )
        return [_grant_of(row) for row in self._connection().execute(query).mappings()]


def _grant_of(row: RowMapping) -> BreakGlassGrant:
    return BreakGlassGrant(
        id=row["id"],
        clinic_id=row["clinic_id"],
        actor_id=row["actor_id"],
        patient_id=row["patient_id"],
        reason=row["reason"],
        granted_at=row["granted_at"],
        expires_at=row["expires_at"],
    )


class SqlAuditTrailReads(SqlRepository):
    """Pages of a clinic's audit events, newest first, by keyset on ``seq``."""

    def page(
        self, clinic_id: UUID, wanted: AuditFilter, *, before_seq: int | None, limit: int
    ) -> Sequence[AuditEntry]:
        """Up to ``limit`` events, newest first, numbered below ``before_seq`` (if given)."""
        c = t.audit_event.c
        staff = select(t.staff_member.c.id).where(t.staff_member.c.clinic_id == clinic_id)
        patients = select(t.patient.c.id).where(t.patient.c.clinic_id == clinic_id)
        conditions: list[Any] = [
            or_(c.actor_id.in_(staff.scalar_subquery()), c.patient_id.in_(patients)),
            c.at >= wanted.from_at,
            c.at < wanted.to_at,
        ]
        if before_seq is not None:
            conditions.append(c.seq < before_seq)
        if wanted.actor_id is not None:
            conditions.append(c.actor_id == wanted.actor_id)
        if wanted.patient_id is not None:
            conditions.append(c.patient_id == wanted.patient_id)
        if wanted.action is not None:
            conditions.append(c.action == wanted.action)
        query = select(t.audit_event).where(*conditions).order_by(c.seq.desc()).limit(limit)
        rows = self._connection().execute(query).mappings()
        return [AuditEntry(row["seq"], event_from_row(row)) for row in rows]
