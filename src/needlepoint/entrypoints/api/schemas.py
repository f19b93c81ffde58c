"""Request (``…In``) and response (``…Out``) models of the API.

Every request model refuses unknown fields (``extra="forbid"``) and bounds every string and
number; text may not contain control characters (they have no place in a name, and they break
log lines). Lengths follow the database columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Final
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from needlepoint.domain.records import ConsultationRecord, PatientRecord, Role, StaffMember
from needlepoint.domain.vocabulary import Sex
from needlepoint.services import accounts, consultation_records, patients, sessions

_PRINTABLE: Final = r"[^\x00-\x1f\x7f]"
_NOT_BLANK: Final = rf"^{_PRINTABLE}*[^\s\x00-\x1f\x7f]{_PRINTABLE}*$"

Name = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=_NOT_BLANK)]
_EMAIL: Final = r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+$"

Email = Annotated[str, StringConstraints(max_length=320, pattern=_EMAIL)]
Phone = Annotated[str, StringConstraints(min_length=3, max_length=50, pattern=r"^[0-9+()\-. ]+$")]
Password = Annotated[str, StringConstraints(min_length=1, max_length=accounts.MAX_PASSWORD_LENGTH)]
Search = Annotated[str, StringConstraints(max_length=200, pattern=rf"^{_PRINTABLE}*$")]
TokenName = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=_NOT_BLANK)]
Appointment = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=_NOT_BLANK)]
LicenceDepth = Annotated[Decimal, Field(gt=0, max_digits=4, decimal_places=2)]

MAX_OFFSET: Final = 1_000_000
"""Deepest offset a list accepts (a bound on the query, not on the data)."""


class RequestModel(BaseModel):
    """Base of every request body: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldProblemOut(BaseModel):
    """One problem with one field."""

    field: str
    problem: str
    fix: str


class Problem(BaseModel):
    """An error (RFC 9457 problem details) with a stable ``code``."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[FieldProblemOut]


class LoginIn(RequestModel):
    """Sign in with an email and password."""

    email: Annotated[str, StringConstraints(min_length=1, max_length=320)]
    password: Password


class StaffIn(RequestModel):
    """A new member of staff in the admin's own clinic."""

    email: Email
    display_name: Name
    role: Role
    licence_max_depth_mm: LicenceDepth | None = None
    password: Password

    def to_domain(self, clinic_id: UUID) -> accounts.NewStaff:
        """The account to create, in ``clinic_id``."""
        return accounts.NewStaff(
            clinic_id=clinic_id,
            email=self.email,
            display_name=self.display_name,
            role=self.role,
            licence_max_depth_mm=self.licence_max_depth_mm,
            password=self.password,
        )


class StaffOut(BaseModel):
    """A member of staff (never their password or its hash)."""

    id: UUID
    clinic_id: UUID
    email: str
    display_name: str
    role: Role
    licence_max_depth_mm: Decimal | None
    active: bool

    @classmethod
    def from_domain(cls, member: StaffMember) -> StaffOut:
        """From the domain record."""
        return cls(
            id=member.id,
            clinic_id=member.clinic_id,
            email=member.email,
            display_name=member.display_name,
            role=member.role,
            licence_max_depth_mm=member.licence_max_depth_mm,
            active=member.active,
        )


class ApiTokenIn(RequestModel):
    """A new API token for a script; it acts as ``staff_id`` (default: the admin)."""

    name: TokenName
    staff_id: UUID | None = None


class ApiTokenOut(BaseModel):
    """A new API token. ``token`` is shown this once and never again."""

    id: UUID
    name: str
    staff_id: UUID
    created_at: datetime
    token: str

    @classmethod
    def from_domain(cls, issued: sessions.IssuedToken) -> ApiTokenOut:
        """From the issued token."""
        record = issued.record
        return cls(
            id=record.id,
            name=record.name,
            staff_id=record.staff_id,
            created_at=record.created_at,
            token=issued.token,
        )


class PatientIn(RequestModel):
    """A patient to register."""

    given_name: Name
    family_name: Name
    born_on: date
    sex: Sex
    email: Email | None = None
    phone: Phone | None = None

    def to_domain(self) -> patients.NewPatient:
        """The patient to register."""
        return patients.NewPatient(
            given_name=self.given_name,
            family_name=self.family_name,
            born_on=self.born_on,
            sex=self.sex,
            email=self.email,
            phone=self.phone,
        )


class PatientOut(BaseModel):
    """A patient of the caller's clinic."""

    id: UUID
    given_name: str
    family_name: str
    born_on: date
    sex: Sex
    email: str | None
    phone: str | None
    created_at: datetime

    @classmethod
    def from_domain(cls, patient: PatientRecord) -> PatientOut:
        """From the domain record."""
        return cls(
            id=patient.id,
            given_name=patient.given_name,
            family_name=patient.family_name,
            born_on=patient.born_on,
            sex=patient.sex,
            email=patient.email,
            phone=patient.phone,
            created_at=patient.created_at,
        )


class PatientPage(BaseModel):
    """One page of patients; ``next_offset`` is null on the last page."""

    items: list[PatientOut]
    offset: int
    limit: int
    next_offset: int | None

    @classmethod
    def from_domain(cls, found: Sequence[PatientRecord], *, offset: int, limit: int) -> PatientPage:
        """A page from the records found (a full page may have a next one)."""
        return cls(
            items=[PatientOut.from_domain(p) for p in found],
            offset=offset,
            limit=limit,
            next_offset=offset + limit if len(found) == limit else None,
        )


class ConsultationIn(RequestModel):
    """Intake answers for a consultation (the same document as ``needlepoint consult``).

    The clinic and the patient's birth date and sex come from the records.
    """

    document: dict[str, Any]
    appointment: Appointment | None = None
    supersedes: UUID | None = None

    def to_domain(self, patient_id: UUID) -> consultation_records.ConsultationRequest:
        """The consultation to record for ``patient_id``."""
        return consultation_records.ConsultationRequest(
            patient_id=patient_id,
            document=self.document,
            appointment=self.appointment,
            supersedes=self.supersedes,
        )


class ConsultationOut(BaseModel):
    """A consultation: the intake as given and the report exactly as it was produced."""

    id: UUID
    patient_id: UUID
    consulted_on: date
    decision: str
    status: str
    knowledge_versions: dict[str, str]
    intake: dict[str, Any]
    report: dict[str, Any]
    created_at: datetime
    created_by: UUID
    signed_at: datetime | None
    signed_by: UUID | None
    supersedes: UUID | None

    @classmethod
    def from_domain(cls, record: ConsultationRecord) -> ConsultationOut:
        """From the domain record."""
        return cls(
            id=record.id,
            patient_id=record.patient_id,
            consulted_on=record.consulted_on,
            decision=record.decision,
            status=record.status.value,
            knowledge_versions=dict(record.knowledge_versions),
            intake=dict(record.intake),
            report=dict(record.report),
            created_at=record.created_at,
            created_by=record.created_by,
            signed_at=record.signed_at,
            signed_by=record.signed_by,
            supersedes=record.supersedes,
        )
