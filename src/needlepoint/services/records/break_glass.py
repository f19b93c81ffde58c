"""Break-glass access (ADR 0038, scenario AC-6) and the audit trail read back (AC-5).

A member of staff whose role may not read clinical records (front desk) opens one patient's
clinical record in an emergency: they give a reason, and get a grant that lapses at most
``MAX_TTL_MINUTES`` later. Every read under it is audited with severity ``high`` and the
grant's id; after it lapses the read is refused as any other (``permission-denied``), and the
refusal is audited too. Admins see the grants and the audit trail, and export it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from uuid import UUID, uuid4

from needlepoint.domain import break_glass
from needlepoint.domain.audit_view import AuditEntry, AuditFilter, checked_filter, checked_limit
from needlepoint.domain.break_glass import BreakGlassGrant
from needlepoint.domain.errors import NotFoundError
from needlepoint.services import audit, permissions
from needlepoint.services.access import listed_patient
from needlepoint.services.permissions import Action, PermissionDeniedError
from needlepoint.services.ports import Clock
from needlepoint.services.records.ports import (
    AuditTrailRead,
    AuditTrailView,
    BreakGlassGrants,
    BreakGlassOpening,
    BreakGlassUse,
)
from needlepoint.services.records.programme import PatientProgramme, read_programme

GRANT = "break_glass_grant"
"""The resource type of a grant's audit events."""

EXPORT_BATCH = 500
"""Events read per transaction while an export streams."""

MAX_GRANTS_LISTED = 200


class BreakGlassNotFoundError(NotFoundError):
    """No such break-glass grant of this member of staff in this clinic."""

    code = "break-glass-not-found"


@dataclass(frozen=True, slots=True)
class BrokenGlassRead:
    """A patient's programme read under a grant, and the grant."""

    grant: BreakGlassGrant
    programme: PatientProgramme


def open_break_glass(
    *,
    patient_id: UUID,
    reason: str | None,
    context: audit.RequestContext,
    uow: BreakGlassOpening,
    clock: Clock,
    ttl_minutes: int,
) -> BreakGlassGrant:
    """Grant the actor emergency access to one patient's record (audited, severity high).

    Raises:
        InvalidInputError: No reason, or one too short or too long (field ``reason``).
        PatientNotFoundError: No such patient in the actor's clinic.
    """
    permissions.require(context, Action.BREAK_GLASS)
    actor = context.actor
    with uow:
        patient = listed_patient(uow, context, patient_id, "break_glass.open", clock)
        grant = break_glass.grant(
            grant_id=uuid4(),
            actor=actor,
            patient_id=patient.id,
            reason=reason,
            at=clock.now(),
            ttl_minutes=ttl_minutes,
        )
        uow.break_glass.add(grant)
        access = audit.Access(
            "break_glass.open",
            GRANT,
            str(grant.id),
            patient.id,
            severity=break_glass.HIGH,
            break_glass_id=grant.id,
        )
        audit.record(uow, context, access, at=grant.granted_at)
        uow.commit()
    return grant


def read_under_break_glass(
    *, grant_id: UUID, context: audit.RequestContext, uow: BreakGlassUse, clock: Clock
) -> BrokenGlassRead:
    """The patient's whole programme under the actor's live grant; every read severity high.

    Raises:
        BreakGlassNotFoundError: No such grant of the actor's in their clinic (audited).
        PermissionDeniedError: The grant has lapsed: the ordinary refusal (audited).
    """
    permissions.require(context, Action.BREAK_GLASS)
    actor = context.actor
    with uow:
        now = clock.now()
        grant = uow.break_glass.get(actor.clinic_id, grant_id)
        if grant is None or grant.actor_id != actor.id:
            missing = audit.Access("break_glass.read", GRANT, str(grant_id), None, "not_found")
            audit.record(uow, context, missing, at=now)
            uow.commit()
            raise BreakGlassNotFoundError(f"no break-glass access {grant_id} of yours")
        if not grant.is_active(now):
            lapsed = audit.Access(
                "break_glass.read",
                GRANT,
                str(grant.id),
                grant.patient_id,
                "denied",
                severity=break_glass.HIGH,
                break_glass_id=grant.id,
            )
            audit.record(uow, context, lapsed, at=now)
            uow.commit()
            role = actor.role.value.replace("_", " ")
            raise PermissionDeniedError(
                f"a {role} may not read clinical records: the emergency access ended at "
                f"{grant.expires_at:%H:%M} UTC; break the glass again with a new reason if the "
                "emergency goes on"
            )
        patient = listed_patient(uow, context, grant.patient_id, "patient.read", clock)
        programme = read_programme(uow, context, clock, patient, break_glass_id=grant.id)
        uow.commit()
    return BrokenGlassRead(grant, programme)


def list_grants(
    *, context: audit.RequestContext, uow: BreakGlassGrants, clock: Clock
) -> Sequence[BreakGlassGrant]:
    """The clinic's newest break-glass grants, newest first (admins; audited)."""
    permissions.require(context, Action.AUDIT_READ)
    with uow:
        grants = uow.break_glass.for_clinic(context.actor.clinic_id, limit=MAX_GRANTS_LISTED)
        access = audit.Access("break_glass.list", GRANT, "*", None)
        audit.record(uow, context, access, at=clock.now())
        uow.commit()
    return grants


def audit_page(
    *,
    wanted: AuditFilter,
    before_seq: int | None,
    limit: int,
    context: audit.RequestContext,
    uow: AuditTrailRead,
    clock: Clock,
) -> Sequence[AuditEntry]:
    """A page of the clinic's audit events, newest first, below ``before_seq`` (admins).

    Raises:
        InvalidInputError: A reversed or too long range (``to``, ``from``), a bad ``limit``.
    """
    permissions.require(context, Action.AUDIT_READ)
    wanted = checked_filter(wanted)
    limit = checked_limit(limit)
    with uow:
        clinic_id = context.actor.clinic_id
        entries = uow.audit_trail.page(clinic_id, wanted, before_seq=before_seq, limit=limit)
        access = audit.Access("audit.read", "audit_event", "*", wanted.patient_id)
        audit.record(uow, context, access, at=clock.now())
        uow.commit()
    return entries


def audit_export(
    *,
    wanted: AuditFilter,
    context: audit.RequestContext,
    unit_of_work: Callable[[], AuditTrailView],
    clock: Clock,
) -> Iterator[AuditEntry]:
    """Every event of the range, newest first, in batches (admins; the export is audited).

    Checks and audits now, before the first event is read: a refused or bad request fails
    here, not half way through a download. The events are then read ``EXPORT_BATCH`` at a
    time, each batch in its own short transaction.
    """
    permissions.require(context, Action.AUDIT_EXPORT)
    wanted = checked_filter(wanted)
    uow = unit_of_work()
    with uow:
        access = audit.Access("audit.export", "audit_event", "*", wanted.patient_id)
        audit.record(uow, context, access, at=clock.now())
        uow.commit()
    return _batches(wanted, context.actor.clinic_id, unit_of_work)


def _batches(
    wanted: AuditFilter, clinic_id: UUID, unit_of_work: Callable[[], AuditTrailView]
) -> Iterator[AuditEntry]:
    before: int | None = None
    while True:
        uow = unit_of_work()
        with uow:
            batch = uow.audit_trail.page(clinic_id, wanted, before_seq=before, limit=EXPORT_BATCH)
        yield from batch
        if len(batch) < EXPORT_BATCH:
            return
        before = batch[-1].seq
