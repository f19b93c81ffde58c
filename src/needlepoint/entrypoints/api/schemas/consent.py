"""Consent (ADR 0029): template versions, a series' consent, signatures, witness, withdrawal."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Final, Literal
from uuid import UUID

from pydantic import BaseModel, Field, StringConstraints

from needlepoint.domain import consent_templates as templates
from needlepoint.domain.consent import (
    MAX_REASON_CHARS,
    ConsentRequest,
    ConsentStanding,
    SignedConsent,
    SignedVia,
)
from needlepoint.domain.consent_templates import (
    ConsentTemplateVersion,
    Procedure,
    TemplateKey,
)
from needlepoint.domain.signatures import (
    DRAWING_PREFIX,
    MAX_DRAWING_BYTES,
    drawing_from_data_url,
)
from needlepoint.domain.vocabulary import Indication
from needlepoint.entrypoints.api.schemas.common import LINES, NOT_BLANK, Name, RequestModel
from needlepoint.services.portal.consents import NewSignature
from needlepoint.services.treatment.consent_templates import NewTemplate, TemplateRevision
from needlepoint.services.treatment.consents import SeriesConsent, WithdrawalRequest

_LINES: Final = LINES
"""Text over several lines: line breaks and tabs, no other control character."""

Title = Annotated[
    str,
    StringConstraints(min_length=1, max_length=templates.MAX_TITLE_CHARS, pattern=NOT_BLANK),
]
Body = Annotated[
    str, StringConstraints(min_length=1, max_length=templates.MAX_BODY_CHARS * 2, pattern=_LINES)
]
"""The body of a form; the domain refuses past ``MAX_BODY_CHARS`` once line breaks are one."""
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
DrawingUrl = Annotated[
    str,
    StringConstraints(
        max_length=len(DRAWING_PREFIX) + (MAX_DRAWING_BYTES * 4) // 3 + 4,
        pattern=r"^(|data:image/png;base64,[A-Za-z0-9+/=]*)$",
    ),
]
"""The drawn signature as the signature pad sends it (a PNG data URL), or "" for none."""
Reason = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_REASON_CHARS, pattern=NOT_BLANK)
]
Status = Literal["draft", "published"]


class ConsentTemplateIn(RequestModel):
    """A template's next version, started as a draft (its first, for a new template)."""

    procedure: Procedure = Procedure.MICRONEEDLING
    indication: Indication | None = Field(
        default=None, description="The indication it is for; null for every indication."
    )
    title: Title
    body: Body

    def to_domain(self) -> NewTemplate:
        """The new draft as the service takes it."""
        return NewTemplate(TemplateKey(self.procedure, self.indication), self.title, self.body)


class ConsentTemplateRevisionIn(RequestModel):
    """An update of a version, with the SHA-256 of the text it was based on.

    A draft is edited; a published version is never changed: the update becomes the next
    version, a draft.
    """

    title: Title
    body: Body
    expected_sha256: Sha256

    def to_domain(self, version_id: UUID) -> TemplateRevision:
        """The update as the service takes it."""
        return TemplateRevision(version_id, self.title, self.body, self.expected_sha256)


class PublishIn(RequestModel):
    """Publishing a draft as read: the SHA-256 of the text the admin read."""

    expected_sha256: Sha256


class ConsentTemplateOut(BaseModel):
    """One version of a consent template; ``sha256`` is that of its canonical text."""

    id: UUID
    procedure: Procedure
    indication: Indication | None
    version: int
    status: Status
    title: str
    body: str
    sha256: str
    created_at: datetime
    created_by: UUID
    published_at: datetime | None
    published_by: UUID | None

    @classmethod
    def from_domain(cls, version: ConsentTemplateVersion) -> ConsentTemplateOut:
        """From the domain version."""
        return cls(
            id=version.id,
            procedure=version.key.procedure,
            indication=version.key.indication,
            version=version.version,
            status="published" if version.is_published else "draft",
            title=version.text.title,
            body=version.text.body,
            sha256=version.sha256,
            created_at=version.created_at,
            created_by=version.created_by,
            published_at=version.published_at,
            published_by=version.published_by,
        )


class ConsentTemplateList(BaseModel):
    """Every version of the clinic's consent templates, by template then newest first."""

    items: list[ConsentTemplateOut]


class ConsentIn(RequestModel):
    """A patient's signature on a clinic tablet: the form as read, their name and drawing."""

    template_id: UUID
    template_sha256: Sha256
    typed_name: Name
    signature: DrawingUrl = ""
    agreed: bool

    def to_domain(self, series_id: UUID) -> NewSignature:
        """The signature as the service takes it (the drawing decoded, not yet checked)."""
        request = ConsentRequest(
            self.template_id,
            self.template_sha256,
            self.typed_name,
            drawing_from_data_url(self.signature),
            self.agreed,
        )
        return NewSignature(series_id, request)


class WithdrawIn(RequestModel):
    """Why the patient withdrew their consent."""

    reason: Reason

    def to_domain(self, consent_id: UUID) -> WithdrawalRequest:
        """The withdrawal as the service takes it."""
        return WithdrawalRequest(consent_id, self.reason)


class ConsentOut(BaseModel):
    """A patient's consent to a series: as signed, witnessed, perhaps withdrawn."""

    id: UUID
    series_id: UUID
    patient_id: UUID
    standing: ConsentStanding
    template_id: UUID
    template_version: int
    template_sha256: str
    typed_name: str
    drawn: bool
    signed_at: datetime
    signed_via: SignedVia
    recorded_by: UUID | None
    witnessed_at: datetime | None
    witnessed_by: UUID | None
    document_id: UUID | None
    withdrawn_at: datetime | None
    withdrawn_by: UUID | None
    withdrawal_reason: str | None

    @classmethod
    def from_domain(cls, consent: SignedConsent) -> ConsentOut:
        """From the domain consent."""
        witness, withdrawal = consent.witness, consent.withdrawal
        return cls(
            id=consent.id,
            series_id=consent.series_id,
            patient_id=consent.patient_id,
            standing=consent.standing,
            template_id=consent.template_id,
            template_version=consent.template_version,
            template_sha256=consent.template_sha256,
            typed_name=consent.signature.typed_name,
            drawn=consent.signature.drawing_jpeg is not None,
            signed_at=consent.signed_at,
            signed_via=consent.signed_via,
            recorded_by=consent.recorded_by,
            witnessed_at=witness.at if witness else None,
            witnessed_by=witness.by if witness else None,
            document_id=consent.document_id,
            withdrawn_at=withdrawal.at if withdrawal else None,
            withdrawn_by=withdrawal.by if withdrawal else None,
            withdrawal_reason=withdrawal.reason if withdrawal else None,
        )


class SeriesConsentOut(BaseModel):
    """A series' consent: the form a signature is made with now, and every consent so far.

    ``current`` decides whether a session may start: it must be ``valid``.
    """

    series_id: UUID
    form: ConsentTemplateOut | None
    current: ConsentOut | None
    consents: list[ConsentOut]

    @classmethod
    def from_domain(cls, found: SeriesConsent) -> SeriesConsentOut:
        """From the service's answer."""
        current = found.current
        return cls(
            series_id=found.series.id,
            form=None if found.form is None else ConsentTemplateOut.from_domain(found.form),
            current=None if current is None else ConsentOut.from_domain(current),
            consents=[ConsentOut.from_domain(c) for c in found.consents],
        )
