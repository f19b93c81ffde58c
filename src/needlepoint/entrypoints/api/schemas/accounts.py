"""Accounts: signing in, members of staff, API tokens and the clinic's contact details."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Self
from uuid import UUID

from pydantic import BaseModel, Field, StringConstraints

from needlepoint.domain import contact
from needlepoint.domain.records import Clinic, Role, StaffMember, StaffStatus, staff_status
from needlepoint.entrypoints.api.schemas.common import (
    NOT_BLANK,
    PRINTABLE,
    DepthMm,
    Email,
    FromRecord,
    Name,
    Phone,
    RequestModel,
)
from needlepoint.services.accounts import api_tokens, invites, password_policy, staff_admin
from needlepoint.services.accounts import sign_in as sessions
from needlepoint.services.accounts import staff as accounts
from needlepoint.services.accounts.ports import ApiToken

Password = Annotated[
    str, StringConstraints(min_length=1, max_length=password_policy.MAX_PASSWORD_LENGTH)
]
NewPassword = Annotated[
    str,
    StringConstraints(
        min_length=password_policy.MIN_PASSWORD_LENGTH,
        max_length=password_policy.MAX_PASSWORD_LENGTH,
    ),
]
TokenName = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=NOT_BLANK)]
LicenceDepth = DepthMm
"""A licence's deepest depth in millimetres: above 0, under 100, in hundredths."""


class LoginIn(RequestModel):
    """Sign in with an email and password."""

    email: Annotated[str, StringConstraints(min_length=1, max_length=320, pattern=PRINTABLE)]
    password: Password


class ResetLinkAskIn(RequestModel):
    """Ask for a password reset link for a sign-in email."""

    email: Annotated[str, StringConstraints(min_length=1, max_length=320, pattern=PRINTABLE)]


class PasswordResetAskedOut(BaseModel):
    """The same answer whether or not the email is known."""

    detail: str = Field(
        description="Always the same sentence: the email gets a link if it has an account."
    )


class PasswordResetConfirmIn(RequestModel):
    """A reset link's token (the last part of the link) and the new password."""

    token: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    password: NewPassword


class StaffIn(RequestModel):
    """A new member of staff in the admin's own clinic."""

    email: Email
    display_name: Name
    role: Role
    licence_max_depth_mm: LicenceDepth | None = None
    password: NewPassword

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


class InviteIn(RequestModel):
    """Who to invite to the admin's own clinic; they choose their password by the emailed link."""

    email: Email
    display_name: Name
    role: Role
    licence_max_depth_mm: LicenceDepth | None = None

    def to_domain(self) -> invites.NewInvite:
        """The invite to send."""
        return invites.NewInvite(
            email=self.email,
            display_name=self.display_name,
            role=self.role,
            licence_max_depth_mm=self.licence_max_depth_mm,
        )


class StaffOut(FromRecord[StaffMember]):
    """A member of staff (never their password or its hash)."""

    id: UUID
    clinic_id: UUID
    email: str
    display_name: str
    role: Role
    licence_max_depth_mm: Decimal | None
    active: bool
    status: Annotated[
        StaffStatus,
        Field(
            description="active: may sign in; invited: waiting to choose a password with "
            "their invite link; deactivated: stopped by an admin"
        ),
    ] = "active"

    @classmethod
    def from_domain(cls, record: StaffMember, *, invited: bool = False) -> Self:
        """From the domain record; ``invited``: the member is still waiting on their invite."""
        status = staff_status(record, invited=invited)
        return super().from_domain(record).model_copy(update={"status": status})


class StaffListOut(BaseModel):
    """Every member of staff of the admin's clinic, active or not, by name."""

    items: list[StaffOut]


class PasswordResetIn(RequestModel):
    """A temporary password for a member of staff, told to them in person."""

    password: NewPassword

    def to_domain(self, staff_id: UUID) -> staff_admin.PasswordReset:
        """The reset of ``staff_id``'s password."""
        return staff_admin.PasswordReset(staff_id, self.password)


class LicenceIn(RequestModel):
    """The deepest needle setting a clinician's licence allows, in mm (null: does not needle)."""

    licence_max_depth_mm: LicenceDepth | None = None


class SignedInOut(StaffOut):
    """The signed-in member of staff, and the CSRF token of their session's cookie."""

    csrf_token: str | None = Field(
        description=(
            "Send it as the X-CSRF-Token header with every POST, PUT, PATCH or DELETE made "
            "with the session cookie; without it (or a same-origin Origin header) such a "
            "request is refused with 403 csrf-refused. Null when signed in with an API token, "
            "which needs none."
        )
    )

    @classmethod
    def signed_in(cls, member: StaffMember, csrf_token: str | None) -> SignedInOut:
        """From the domain record and the session's CSRF token."""
        return cls(**StaffOut.from_domain(member).model_dump(), csrf_token=csrf_token)


class ApiTokenIn(RequestModel):
    """A new API token for a script; it acts as ``staff_id`` (default: the admin)."""

    name: TokenName
    staff_id: UUID | None = None
    expires_in_days: int | None = Field(
        None,
        ge=1,
        le=api_tokens.MAX_LIFETIME_DAYS,
        description="How many days the token works (1 to 365); left out: the clinic's "
        "default (90 unless configured).",
    )


class ApiTokenSummaryOut(BaseModel):
    """An API token as listed: never its secret, only its first characters."""

    id: UUID
    name: str
    prefix: str = Field(description="The token's first characters, to tell tokens apart.")
    staff_id: UUID
    issued_by: UUID | None
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None = Field(description="Last use, to the minute; null if never.")
    revoked_at: datetime | None

    @classmethod
    def from_domain(cls, record: ApiToken) -> ApiTokenSummaryOut:
        """From the stored token."""
        return cls(
            id=record.id,
            name=record.name,
            prefix=record.prefix or sessions.API_TOKEN_PREFIX,
            staff_id=record.staff_id,
            issued_by=record.issued_by,
            created_at=record.created_at,
            expires_at=record.expires_at,
            last_used_at=record.last_used_at,
            revoked_at=record.revoked_at,
        )


class ApiTokenListOut(BaseModel):
    """API tokens, newest first."""

    tokens: list[ApiTokenSummaryOut]

    @classmethod
    def from_domain(cls, records: Sequence[ApiToken]) -> ApiTokenListOut:
        """From the stored tokens."""
        return cls(tokens=[ApiTokenSummaryOut.from_domain(r) for r in records])


class ApiTokenOut(BaseModel):
    """A new API token. ``token`` is shown this once and never again."""

    id: UUID
    name: str
    staff_id: UUID
    issued_by: UUID | None
    created_at: datetime
    expires_at: datetime | None
    token: str

    @classmethod
    def from_domain(cls, issued: sessions.IssuedToken) -> ApiTokenOut:
        """From the issued token."""
        record = issued.record
        return cls(
            id=record.id,
            name=record.name,
            staff_id=record.staff_id,
            issued_by=record.issued_by,
            created_at=record.created_at,
            expires_at=record.expires_at,
            token=issued.token,
        )


Address = Annotated[str, StringConstraints(max_length=contact.MAX_ADDRESS_CHARS, pattern=PRINTABLE)]
PhoneHours = Annotated[
    str, StringConstraints(max_length=contact.MAX_PHONE_HOURS_CHARS, pattern=PRINTABLE)
]


class ClinicContactIn(RequestModel):
    """How patients reach the clinic: the number they call, its address, when it answers."""

    phone: Phone
    address: Address = ""
    phone_hours: PhoneHours = ""

    def to_domain(self) -> contact.ClinicContact:
        """The contact details (a blank phone number raises, naming ``phone``)."""
        return contact.ClinicContact(self.phone, self.address, self.phone_hours)


class ClinicContactOut(BaseModel):
    """How patients reach the clinic; ``phone_uri`` is the number as a ``tel:`` link."""

    phone: str
    phone_uri: str
    address: str
    phone_hours: str


class ClinicOut(BaseModel):
    """The caller's clinic; ``contact`` is null until an admin sets the phone number."""

    id: UUID
    name: str
    time_zone: str
    contact: ClinicContactOut | None

    @classmethod
    def from_domain(cls, clinic: Clinic) -> ClinicOut:
        """From the clinic record."""
        given = clinic.contact
        shown = None
        if given is not None:
            shown = ClinicContactOut(
                phone=given.phone,
                phone_uri=given.phone_uri,
                address=given.address,
                phone_hours=given.phone_hours,
            )
        return cls(id=clinic.id, name=clinic.name, time_zone=clinic.time_zone, contact=shown)


TwoStepCode = Annotated[str, StringConstraints(max_length=20, pattern=r"^[0-9 ]*$")]
RecoveryCode = Annotated[str, StringConstraints(max_length=40, pattern=r"^[A-Za-z2-7 \-]*$")]


class SecondStepIn(RequestModel):
    """The second step of a sign-in: the pending sign-in, and a code or a recovery code."""

    challenge: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    code: TwoStepCode = Field("", description="The 6-digit code the authenticator app shows.")
    recovery_code: RecoveryCode = Field(
        "", description="One of the recovery codes, instead of a code (each works once)."
    )


class SecondStepOut(SignedInOut):
    """A finished two-step sign-in; after an enrolment, the recovery codes (shown only here)."""

    recovery_codes: list[str] = Field(
        description="Ten single-use recovery codes after setting up an app, else empty."
    )


class ReauthIn(RequestModel):
    """The signed-in member's password, typed again before a sensitive change."""

    password: Password


class PasswordChangeIn(RequestModel):
    """The signed-in member's current password and the new one."""

    current_password: Password
    new_password: NewPassword


class EmailChangeIn(RequestModel):
    """The signed-in member's new sign-in email."""

    email: Email


class TwoStepConfirmIn(RequestModel):
    """The first code of the app just set up."""

    code: TwoStepCode


class EnrolmentOut(BaseModel):
    """A new authenticator to add to an app; turned on by its first code."""

    secret: str = Field(description="The base32 secret (160 bits).")
    manual_key: str = Field(description="The secret in groups of four, to type into an app.")
    otpauth_uri: str = Field(description="The otpauth:// address a QR code holds.")


class RecoveryCodesOut(BaseModel):
    """Single-use recovery codes, shown once; only their hashes are kept."""

    recovery_codes: list[str]


class TwoStepOut(BaseModel):
    """Whether the signed-in member signs in with a code, must, and recovery codes left."""

    enrolled: bool
    required: bool
    recovery_codes_left: int


class ClinicTwoStepIn(RequestModel):
    """Whether every member of the clinic must sign in with a code."""

    required: bool


class ClinicTwoStepOut(BaseModel):
    """Whether every member of the clinic must sign in with a code (admins always must)."""

    required: bool
