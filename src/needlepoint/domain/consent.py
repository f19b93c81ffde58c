"""A patient's consent to a treatment series, its witness, its withdrawal, and the gate.

The patient signs once per series, in the portal or on a clinic tablet, the published version
of the consent template that applies to the series (``consent_templates.template_for``). The
record keeps the typed name (always), the drawing (when the patient could draw it), the time,
where it was signed, and the template version with its SHA-256 as the patient read it. A
clinician then confirms in person that they witnessed it; the signed form is kept as a PDF
from that moment. A withdrawal (who, when, why) ends the consent; the patient may sign again
later, which is a new consent (ADR 0029).

The gate (``require_consent``) is asked before every session starts: the series' newest
consent must be witnessed, not withdrawn, and made with a published version whose text still
hashes to what the patient signed. Each refusal has its own stable code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Final
from uuid import UUID

from needlepoint.domain.consent_templates import (
    ConsentTemplateVersion,
    TemplateAlteredError,
    TemplateChangedError,
    template_for,
)
from needlepoint.domain.errors import (
    ConflictError,
    FieldProblem,
    InputCode,
    InvalidInputError,
    InvalidTransitionError,
)
from needlepoint.domain.text import text_problem
from needlepoint.domain.treatment import TreatmentSeries
from needlepoint.domain.vocabulary import Indication

MAX_NAME_CHARS: Final = 200
"""The longest typed name (as a patient's name in the records)."""

MAX_REASON_CHARS: Final = 2000
"""The longest reason for a withdrawal."""


class SignedVia(StrEnum):
    """Where the patient signed."""

    PORTAL = "portal"
    """In the patient portal, signed in as themselves."""
    CLINIC = "clinic"
    """On a clinic tablet a member of staff handed them."""


class ConsentStanding(StrEnum):
    """Where a consent stands."""

    AWAITING_WITNESS = "awaiting_witness"
    VALID = "valid"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class Signature:
    """What the patient gave: their typed name, and their drawing if they drew one.

    ``drawing_jpeg`` is the drawing as the server re-encoded it (never the upload itself).
    """

    typed_name: str
    drawing_jpeg: bytes | None


@dataclass(frozen=True, slots=True)
class Witness:
    """The clinician who confirmed in person that the patient signed, and when."""

    by: UUID
    at: datetime


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """Who withdrew the consent, when and why; ``by`` None is the patient in the portal."""

    at: datetime
    reason: str
    by: UUID | None


@dataclass(frozen=True, slots=True)
class SignedConsent:
    """A patient's consent to one series, as signed with one template version."""

    id: UUID
    clinic_id: UUID
    patient_id: UUID
    series_id: UUID
    template_id: UUID
    template_version: int
    template_sha256: str
    signature: Signature
    signed_at: datetime
    signed_via: SignedVia
    recorded_by: UUID | None
    """The member of staff who handed over the tablet (None in the portal)."""
    witness: Witness | None = None
    withdrawal: Withdrawal | None = None
    document_id: UUID | None = None
    """The signed form as a PDF, kept once the consent is witnessed."""

    @property
    def standing(self) -> ConsentStanding:
        """Whether the consent awaits its witness, holds, or was withdrawn."""
        if self.withdrawal is not None:
            return ConsentStanding.WITHDRAWN
        if self.witness is None:
            return ConsentStanding.AWAITING_WITNESS
        return ConsentStanding.VALID

    def witnessed(self, witness: Witness) -> SignedConsent:
        """The consent once a clinician confirms they witnessed it.

        Raises:
            InvalidTransitionError: It is withdrawn, or witnessed already.
        """
        if self.standing is not ConsentStanding.AWAITING_WITNESS:
            said = self.standing.value.replace("_", " ")
            raise InvalidTransitionError(f"consent {self.id} is {said}: it cannot be witnessed")
        return replace(self, witness=witness)

    def with_document(self, document_id: UUID) -> SignedConsent:
        """The consent with its signed PDF."""
        return replace(self, document_id=document_id)

    def withdrawn(self, withdrawal: Withdrawal) -> SignedConsent:
        """The consent once withdrawn: no session of its series starts after this.

        Raises:
            InvalidInputError: The reason is blank, too long or has control characters.
            InvalidTransitionError: It is withdrawn already.
        """
        if self.withdrawal is not None:
            raise InvalidTransitionError(f"consent {self.id} is withdrawn already")
        reason = checked_text("reason", withdrawal.reason, MAX_REASON_CHARS)
        return replace(self, withdrawal=replace(withdrawal, reason=reason))


@dataclass(frozen=True, slots=True)
class ConsentRequest:
    """A signature as given: the version read (and its hash), the name, the drawing, agreement."""

    template_id: UUID
    template_sha256: str
    typed_name: str
    drawing_png: bytes | None
    agreed: bool


@dataclass(frozen=True, slots=True)
class Signing:
    """How a signature is taken: the new consent, its drawing, when, where and handed by whom.

    ``recorded_by`` is the member of staff who handed over the tablet (None in the portal).
    """

    consent_id: UUID
    drawing_jpeg: bytes | None
    at: datetime
    via: SignedVia
    recorded_by: UUID | None


class ConsentFormMissingError(ConflictError):
    """No published consent form applies to the series: an admin must publish one first."""

    code = "consent-form-missing"

    def __init__(self, series_id: UUID) -> None:
        super().__init__(
            f"no published consent form applies to series {series_id}; an admin publishes one "
            "for microneedling (Settings, Consent forms) before patients can sign"
        )
        self.series_id = series_id


def series_indications(series: TreatmentSeries) -> frozenset[Indication]:
    """The indications a series treats: those its proposal gives for the zones of its plan."""
    zones = (series.proposal.get("plan") or {}).get("zones") or ()
    known = {i.value for i in Indication}
    return frozenset(
        Indication(z["indication"])
        for z in zones
        if z.get("zone") in series.plan.zone_names and z.get("indication") in known
    )


def consent_for_series(
    series: TreatmentSeries,
    request: ConsentRequest,
    *,
    forms: Iterable[ConsentTemplateVersion],
    signed: Iterable[SignedConsent],
    signing: Signing,
) -> SignedConsent:
    """The consent a patient signs for a series, with the published form that applies to it.

    ``forms`` are the clinic's published versions; ``signed`` the series' consents so far.

    Raises:
        InvalidTransitionError: The series is cancelled or completed.
        ConsentExistsError: The series has a consent that is not withdrawn.
        ConsentFormMissingError: No published form applies to the series.
        InvalidInputError, TemplateChangedError, TemplateAlteredError: see ``signed_consent``.
    """
    if not series.is_active:
        said = series.status.value.replace("_", " ")
        raise InvalidTransitionError(
            f"series {series.id} is {said}: there is nothing to consent to"
        )
    live = current_consent(signed)
    if live is not None and live.standing is not ConsentStanding.WITHDRAWN:
        raise ConsentExistsError(live.id)
    form = template_for(series_indications(series), forms)
    if form is None:
        raise ConsentFormMissingError(series.id)
    return signed_consent(request, form, series, signing)


def signed_consent(
    request: ConsentRequest,
    template: ConsentTemplateVersion,
    series: TreatmentSeries,
    signing: Signing,
) -> SignedConsent:
    """The consent as signed with ``template`` for ``series``.

    Raises:
        InvalidInputError: No agreement, or the typed name is blank, too long or unprintable.
        TemplateChangedError: The patient read another version, or other text, than the one
            that applies now (``consent-template-changed``).
        TemplateAlteredError: The version's text no longer matches its recorded hash.
    """
    problems = list(_signature_problems(request))
    if problems:
        raise InvalidInputError(problems)
    template.verified()
    if (request.template_id, request.template_sha256) != (template.id, template.sha256):
        raise TemplateChangedError("the consent form")
    return SignedConsent(
        id=signing.consent_id,
        clinic_id=series.clinic_id,
        patient_id=series.patient_id,
        series_id=series.id,
        template_id=template.id,
        template_version=template.version,
        template_sha256=template.sha256,
        signature=Signature(" ".join(request.typed_name.split()), signing.drawing_jpeg),
        signed_at=signing.at,
        signed_via=signing.via,
        recorded_by=signing.recorded_by,
    )


def _signature_problems(request: ConsentRequest) -> Iterable[FieldProblem]:
    if not request.agreed:
        yield FieldProblem(
            "agreed",
            "is not ticked.",
            "tick it to say you have read the form and agree to the treatment.",
            InputCode.REQUIRED,
        )
    try:
        checked_text("typed_name", request.typed_name, MAX_NAME_CHARS)
    except InvalidInputError as error:
        yield from error.problems


def checked_text(field: str, text: str, limit: int) -> str:
    """Free text trimmed, or ``InvalidInputError`` if blank, over ``limit`` or unprintable."""
    trimmed = text.strip()
    unprintable = text_problem(field, text)
    if unprintable is not None:
        raise InvalidInputError([unprintable])
    if not trimmed:
        problem = ("is blank.", "type it.", InputCode.REQUIRED)
    elif len(trimmed) > limit:
        problem = (
            f"is {len(trimmed)} characters long.",
            f"shorten it to {limit} characters or fewer.",
            InputCode.TOO_LONG,
        )
    else:
        return trimmed
    raise InvalidInputError([FieldProblem(field, *problem)])


# --- the gate ------------------------------------------------------------------------------


class ConsentRequiredError(ConflictError):
    """A session cannot start: the series has no consent that holds.

    ``series_id`` is the series; the message says why and what to do.
    """

    code = "consent-required"

    def __init__(self, series_id: UUID, why: str) -> None:
        super().__init__(f"cannot start a session of series {series_id}: {why}")
        self.series_id = series_id
        self.why = why


class ConsentUnwitnessedError(ConsentRequiredError):
    """The patient signed, but no clinician has confirmed witnessing it yet."""

    code = "consent-unwitnessed"


class ConsentWithdrawnError(ConsentRequiredError):
    """The patient's consent to this series was withdrawn."""

    code = "consent-withdrawn"


class ConsentExistsError(ConflictError):
    """The series has a consent that is not withdrawn: a second one is not signed."""

    code = "consent-exists"

    def __init__(self, consent_id: UUID) -> None:
        super().__init__(
            f"this series already has a consent ({consent_id}); it must be withdrawn before "
            "the patient signs again"
        )
        self.consent_id = consent_id


def current_consent(consents: Iterable[SignedConsent]) -> SignedConsent | None:
    """The consent that decides for a series, or None if it has none.

    That is the one not withdrawn (a series has at most one: a new consent is signed only
    once the last is withdrawn), else the newest withdrawn one. Two consents signed in the
    same instant are told apart by this rule, not by the clock.
    """
    every = list(consents)
    live = [c for c in every if c.withdrawal is None]
    return max(live or every, key=lambda c: (c.signed_at, str(c.id)), default=None)


def require_consent(
    series_id: UUID,
    consents: Iterable[SignedConsent],
    templates: Iterable[ConsentTemplateVersion],
) -> SignedConsent:
    """The consent that lets a session of the series start, or the refusal saying why.

    ``consents`` are the series'; ``templates`` the versions they name.

    Raises:
        ConsentRequiredError: None signed, or its version is missing or altered.
        ConsentUnwitnessedError: Signed, not yet witnessed.
        ConsentWithdrawnError: Withdrawn.
    """
    consent = current_consent(consents)
    if consent is None:
        raise ConsentRequiredError(
            series_id, "the patient has not signed the consent form; ask them to sign it first"
        )
    if consent.standing is ConsentStanding.WITHDRAWN:
        raise ConsentWithdrawnError(
            series_id, "the patient withdrew their consent; no further session may start"
        )
    if consent.standing is ConsentStanding.AWAITING_WITNESS:
        raise ConsentUnwitnessedError(
            series_id, "a clinician must confirm they witnessed the patient's consent first"
        )
    template = next((t for t in templates if t.id == consent.template_id), None)
    try:
        if template is None or template.verified().sha256 != consent.template_sha256:
            raise TemplateAlteredError(consent.template_id)
    except TemplateAlteredError:
        raise ConsentRequiredError(
            series_id,
            "the consent form the patient signed no longer matches its SHA-256; the patient "
            "must sign the current form again",
        ) from None
    return consent
