"""Recording access to patient data in the audit trail, inside the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from needlepoint.domain.records import AuditEvent, StaffMember
from needlepoint.services.ports import Clock, UnitOfWork


class AuthMethod(StrEnum):
    """How the actor of a request proved who they are."""

    SESSION = "session"
    """Their own sign-in, with their password (the web app, or the API with its cookie)."""
    API_TOKEN = "api_token"
    """A script holding a token an admin issued, acting as the member of staff it names."""
    COMMAND_LINE = "command_line"
    """The operator of the machine needlepoint runs on (``needlepoint demo`` and the like)."""


@dataclass(frozen=True, slots=True)
class RequestContext:
    """Who is asking, how they proved it, and the id that ties their request to the audit."""

    actor: StaffMember
    request_id: str
    auth: AuthMethod


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


@dataclass(frozen=True, slots=True)
class Refusal:
    """A refused sign-in or a refused operation (ASVS 16.3.1/16.3.2, scenario AD-2).

    ``operation`` names what was asked without patient data: ``auth.login``, or a route's
    method and template such as ``GET /api/v1/consultations/{consultation_id}``.
    """

    operation: str
    outcome: str
    request_id: str
    actor: StaffMember | None = None


REFUSED_OPERATION = "operation"
"""The resource type of a refusal's audit event."""


def record_refusal(*, refusal: Refusal, uow: UnitOfWork, clock: Clock) -> None:
    """Append one audit event for a refusal, in its own transaction."""
    actor = refusal.actor
    event = AuditEvent(
        at=clock.now(),
        actor_id=None if actor is None else actor.id,
        actor_role="anonymous" if actor is None else actor.role.value,
        action="refused",
        resource_type=REFUSED_OPERATION,
        resource_id=refusal.operation,
        patient_id=None,
        outcome=refusal.outcome,
        request_id=refusal.request_id,
    )
    with uow:
        uow.audit.append(event)
        uow.commit()
