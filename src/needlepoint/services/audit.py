"""Recording access to patient data in the audit trail, inside the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from needlepoint.domain.records import AuditEvent, StaffMember
from needlepoint.services.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class RequestContext:
    """Who is asking, and the id that ties their request to log lines and audit events."""

    actor: StaffMember
    request_id: str


@dataclass(frozen=True, slots=True)
class Access:
    """One operation on patient data: what was done, to which record, of which patient."""

    action: str
    resource_type: str
    resource_id: str
    patient_id: UUID | None
    outcome: str = "success"


def record(uow: UnitOfWork, context: RequestContext, access: Access, *, at: datetime) -> None:
    """Append one audit event in the current unit of work (it commits with the change)."""
    uow.audit.append(
        AuditEvent(
            at=at,
            actor_id=context.actor.id,
            actor_role=context.actor.role.value,
            action=access.action,
            resource_type=access.resource_type,
            resource_id=access.resource_id,
            patient_id=access.patient_id,
            outcome=access.outcome,
            request_id=context.request_id,
        )
    )
