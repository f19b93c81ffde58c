"""Recording operations in the audit trail, inside the caller's transaction.

Reads and writes of patient data, account events and refusals each append one event. An event
names who acted (a member of staff, or the machine's ``operator``), what they did, to which
record and how it went; never an email, a password, a token, or patient data beyond the
patient's id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final, Protocol
from uuid import UUID

from needlepoint.domain.records import AuditEvent, StaffMember
from needlepoint.services.ports import AuditLog, Clock, Transaction


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
class OperatorContext:
    """The operator of the machine needlepoint runs on, acting without a staff account.

    Only the command line acts so: ``needlepoint user add`` creates the very first admin, before
    there is anyone to sign in as. Its audit events name no actor id and the role ``operator``.
    """

    request_id: str


OPERATOR_ROLE: Final = "operator"
"""The ``actor_role`` of an audit event recorded for the machine's operator."""

Acting = RequestContext | OperatorContext
"""Whoever a use case acts for: a member of staff, or the machine's operator."""


class Audited(Protocol):
    """A unit of work with the audit trail inside its transaction."""

    @property
    def audit(self) -> AuditLog:
        """The audit trail, appended to in this unit of work's transaction."""
        ...


class AuditedTransaction(Transaction, Audited, Protocol):
    """A transaction with the audit trail in it."""


@dataclass(frozen=True, slots=True)
class Access:
    """One operation: what was done, to which record, and of which patient (if any)."""

    action: str
    resource_type: str
    resource_id: str
    patient_id: UUID | None
    outcome: str = "success"
    severity: str = "normal"
    """``high`` for a read under break-glass access (ADR 0038)."""
    break_glass_id: UUID | None = None


def record(uow: Audited, context: Acting, access: Access, *, at: datetime) -> None:
    """Append one audit event in the current unit of work (it commits with the change)."""
    actor = None if isinstance(context, OperatorContext) else context.actor
    uow.audit.append(
        AuditEvent(
            at=at,
            actor_id=None if actor is None else actor.id,
            actor_role=OPERATOR_ROLE if actor is None else actor.role.value,
            action=access.action,
            resource_type=access.resource_type,
            resource_id=access.resource_id,
            patient_id=access.patient_id,
            outcome=access.outcome,
            request_id=context.request_id,
            severity=access.severity,
            break_glass_id=access.break_glass_id,
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


def record_refusal(*, refusal: Refusal, uow: AuditedTransaction, clock: Clock) -> None:
    """Append one audit event for a refusal, in its own transaction."""
    with uow:
        record_refused(uow, refusal, at=clock.now())
        uow.commit()


def record_refused(uow: Audited, refusal: Refusal, *, at: datetime) -> None:
    """Append one audit event for a refusal in the current unit of work."""
    actor = refusal.actor
    event = AuditEvent(
        at=at,
        actor_id=None if actor is None else actor.id,
        actor_role="anonymous" if actor is None else actor.role.value,
        action="refused",
        resource_type=REFUSED_OPERATION,
        resource_id=refusal.operation,
        patient_id=None,
        outcome=refusal.outcome,
        request_id=refusal.request_id,
    )
    uow.audit.append(event)
