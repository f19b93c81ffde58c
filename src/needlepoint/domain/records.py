"""Clinic records: the clinic, its staff, patients and signed consultations.

Records are frozen values. State changes return new values (``sign`` returns a signed copy);
persistence is the repositories' business. A signed consultation never changes: a re-screen
creates a new consultation that names the one it supersedes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal
from uuid import UUID

from needlepoint.domain.contact import ClinicContact
from needlepoint.domain.errors import ConflictError
from needlepoint.domain.vocabulary import Sex


class Role(StrEnum):
    """What a member of staff may do; permissions hang off this (one table, in the API)."""

    ADMIN = "admin"
    CLINICIAN = "clinician"
    FRONT_DESK = "front_desk"


@dataclass(frozen=True, slots=True)
class Clinic:
    """A clinic: the boundary no record crosses.

    ``contact`` is how its patients reach it (None until an admin gives the phone number).
    """

    id: UUID
    name: str
    time_zone: str
    contact: ClinicContact | None = None


@dataclass(frozen=True, slots=True)
class StaffMember:
    """A person who signs in. Clinicians carry the deepest setting their licence allows."""

    id: UUID
    clinic_id: UUID
    email: str
    display_name: str
    role: Role
    licence_max_depth_mm: Decimal | None
    active: bool = True


StaffStatus = Literal["active", "invited", "deactivated"]
"""Whether a member may sign in: ``active``; ``invited``: waiting to choose a password with
their invite link; ``deactivated``: stopped by an admin."""


def staff_status(member: StaffMember, *, invited: bool) -> StaffStatus:
    """The member's status; ``invited``: a link of theirs is still waiting to be accepted."""
    if member.active:
        return "active"
    return "invited" if invited else "deactivated"


@dataclass(frozen=True, slots=True)
class PatientRecord:
    """A patient's identity in one clinic (clinical facts live in consultations).

    ``version`` counts the saved edits of these details, from 1 (``domain.patient_changes``).
    """

    id: UUID
    clinic_id: UUID
    given_name: str
    family_name: str
    born_on: date
    sex: Sex
    email: str | None
    phone: str | None
    created_at: datetime
    version: int = 1


class ConsultationStatus(StrEnum):
    """A consultation is a draft until a clinician signs it; then it never changes."""

    DRAFT = "draft"
    SIGNED = "signed"


class AlreadySignedError(ConflictError):
    """A signed record cannot be changed; amend by creating a new version."""

    code = "already-signed"

    def __init__(self, kind: str, record_id: UUID) -> None:
        super().__init__(f"{kind} {record_id} is signed and cannot be changed")
        self.record_id = record_id


@dataclass(frozen=True, slots=True)
class ConsultationRecord:
    """A consultation as recorded: the intake answers and the engine's report as it was.

    ``report`` is the full report (decision, findings, plan, versions) produced when the
    consultation was recorded, kept verbatim so that any later question "why did the system
    say this?" is answered by what it said then.
    """

    id: UUID
    clinic_id: UUID
    patient_id: UUID
    consulted_on: date
    intake: Mapping[str, Any]
    report: Mapping[str, Any]
    decision: str
    knowledge_versions: Mapping[str, str]
    status: ConsultationStatus
    created_at: datetime
    created_by: UUID
    signed_at: datetime | None = None
    signed_by: UUID | None = None
    supersedes: UUID | None = None

    def sign(self, *, by: UUID, at: datetime) -> ConsultationRecord:
        """The signed consultation (a signed one cannot be signed again)."""
        if self.status is ConsultationStatus.SIGNED:
            raise AlreadySignedError("consultation", self.id)
        return replace(self, status=ConsultationStatus.SIGNED, signed_at=at, signed_by=by)


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One access to patient data: who, in what role, did what to which record, and how it went."""

    at: datetime
    actor_id: UUID | None
    actor_role: str
    action: str
    resource_type: str
    resource_id: str
    patient_id: UUID | None
    outcome: str
    request_id: str
    severity: str = "normal"
    """``normal``, or ``high`` for a read under break-glass access (ADR 0038)."""
    break_glass_id: UUID | None = None
    """The break-glass grant the access was made under, if any (ADR 0038)."""
