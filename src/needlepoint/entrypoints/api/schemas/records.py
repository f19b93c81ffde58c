"""Records: patients, outcome measurements, care documents and scar assessments."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Final, Self
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, Field, JsonValue, WithJsonSchema

from needlepoint.domain import patient_search, units
from needlepoint.domain.assessments import ScarAssessmentRecord
from needlepoint.domain.outcomes import (
    CareDocument,
    CareDocumentKind,
    OutcomeMeasurement,
    OutcomeScale,
)
from needlepoint.domain.patient_changes import FieldChange, PatientChange, PatientDetails
from needlepoint.domain.records import PatientRecord
from needlepoint.domain.vocabulary import Sex, Zone
from needlepoint.entrypoints.api.schemas.common import (
    DEFAULT_PAGE_SIZE,
    TWO_PLACES,
    Cursor,
    DecimalRule,
    Email,
    FromRecord,
    IsoDate,
    Limit,
    Name,
    Offset,
    Page,
    Phone,
    Reason,
    RequestModel,
    Search,
    Version,
)
from needlepoint.services.consultation.intake import ScarAssessmentIn
from needlepoint.services.records import assessments, outcomes, patient_edits, patients

OUTCOME_VALUE: Final = DecimalRule(
    units.SCORE, rf"^-?(?:1000(?:\.0{{1,2}})?|(?:0|[1-9][0-9]{{0,2}}){TWO_PLACES})$"
)
"""An outcome score: -1000 to 1000, in hundredths (each scale's own range is the domain's)."""
OutcomeValue = Annotated[
    Decimal,
    BeforeValidator(OUTCOME_VALUE.check),
    WithJsonSchema(OUTCOME_VALUE.json_schema(), mode="validation"),
]


_DEPRECATED: Final[dict[str, JsonValue]] = {"deprecated": True}
_OFFSET_GOES: Final = (
    "Deprecated (goes in the next release): patients to skip. Deep offsets read every skipped"
    " row; page with cursor instead."
)
_AFTER_GOES: Final = (
    "Deprecated (goes in the next release): the id of the last patient of the page before."
    " Page with cursor instead."
)


class PatientQuery(RequestModel):
    """Which page of patients, optionally found by a search.

    ``search``: the words of a name in any order (``Okafor Amira``), an email address, or a
    date of birth (``YYYY-MM-DD``, or as the pages show it: ``22 Apr 1997``). ``cursor``: the
    ``next_cursor`` of the page before, to page by keyset (as fast at the ten-thousandth page as
    at the first). ``offset`` and ``after`` are deprecated: they go in the next release.
    """

    search: Search | None = None
    cursor: Cursor | None = None
    offset: Annotated[Offset, Field(description=_OFFSET_GOES, json_schema_extra=_DEPRECATED)] = 0
    limit: Limit = DEFAULT_PAGE_SIZE
    after: Annotated[UUID | None, Field(description=_AFTER_GOES, json_schema_extra=_DEPRECATED)] = (
        None
    )


class PatientIn(RequestModel):
    """A patient to register."""

    given_name: Name
    family_name: Name
    born_on: IsoDate
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


class PatientEditIn(PatientIn):
    """A patient's details as edited, and the ``version`` of the patient the edit was based on.

    Every detail is given (a missing email or phone clears it); a stale ``expected_version`` is
    409 ``version-conflict``.
    """

    expected_version: Version

    def to_edit(self, patient_id: UUID) -> patient_edits.PatientEdit:
        """The edit of ``patient_id``."""
        details = PatientDetails(
            given_name=self.given_name,
            family_name=self.family_name,
            born_on=self.born_on,
            sex=self.sex,
            email=self.email,
            phone=self.phone,
        )
        return patient_edits.PatientEdit(patient_id, self.expected_version, details)


class PatientOut(FromRecord[PatientRecord]):
    """A patient of the caller's clinic; ``version`` counts the saved edits of the details."""

    id: UUID
    given_name: str
    family_name: str
    born_on: date
    sex: Sex
    email: str | None
    phone: str | None
    created_at: datetime
    version: int


class FieldChangeOut(FromRecord[FieldChange]):
    """One detail an edit changed: its value before and after, as text (null: none)."""

    field: str
    old: str | None
    new: str | None


class PatientChangeOut(FromRecord[PatientChange]):
    """One edit of a patient's details: the version it made, who made it and when, and what."""

    version: int
    changed_at: datetime
    changed_by: UUID
    changed_by_name: str
    changes: list[FieldChangeOut]


class PatientChangeList(BaseModel):
    """The recent edits of a patient's details, newest first."""

    items: list[PatientChangeOut]


class PatientPage(Page[PatientOut]):
    """One page of patients; ``next_cursor`` is null on the last page.

    So are the deprecated ``next_offset`` and ``next_after``. Ask for the next page with
    ``cursor=next_cursor``: no patient is listed twice or skipped while patients are added.
    ``offset=next_offset`` and ``after=next_after`` still work for this release.
    """

    next_after: UUID | None = None
    next_cursor: str | None = None

    @classmethod
    def found(cls, items: Sequence[PatientOut], query: PatientQuery) -> Self:
        """The page of ``items`` found for ``query``, with where the next one starts."""
        page = cls.of(items, query)
        if len(items) != query.limit or not items:
            return page
        last = items[-1]
        key = patient_search.PatientKey(last.family_name, last.given_name, last.id)
        return page.model_copy(
            update={"next_after": last.id, "next_cursor": patient_search.cursor_of(key)}
        )


# --- Outcomes and care documents -----------------------------------------------------------


class OutcomeIn(RequestModel):
    """One score on one scale on one day, optionally for a series of the same patient."""

    scale: OutcomeScale
    value: OutcomeValue
    measured_on: date
    series_id: UUID | None = None
    note: Reason | None = None

    def to_domain(self, patient_id: UUID) -> outcomes.NewOutcome:
        """The measurement to record for ``patient_id``."""
        return outcomes.NewOutcome(
            patient_id=patient_id,
            scale=self.scale,
            value=self.value,
            measured_on=self.measured_on,
            series_id=self.series_id,
            note=self.note,
        )


class OutcomeOut(FromRecord[OutcomeMeasurement]):
    """An outcome measurement."""

    id: UUID
    patient_id: UUID
    series_id: UUID | None
    measured_on: date
    scale: OutcomeScale
    value: Decimal
    note: str | None
    recorded_at: datetime
    recorded_by: UUID


class OutcomePage(Page[OutcomeOut]):
    """One page of a patient's measurements, oldest first; ``next_offset`` null on the last."""


class CareDocumentIn(RequestModel):
    """A care document (pre-care or aftercare) as given to the patient of a series."""

    kind: CareDocumentKind
    content: dict[str, Any]

    def to_domain(self, series_id: UUID) -> outcomes.NewCareDocument:
        """The document to keep for ``series_id``."""
        return outcomes.NewCareDocument(series_id, self.kind, self.content)


class CareDocumentOut(FromRecord[CareDocument]):
    """A care document as it was given."""

    id: UUID
    patient_id: UUID
    series_id: UUID
    kind: CareDocumentKind
    issued_at: datetime
    issued_by: UUID
    content: dict[str, Any]


class CareDocumentPage(Page[CareDocumentOut]):
    """One page of a patient's care documents, newest first; ``next_offset`` null on the last."""


# --- Scar assessments ----------------------------------------------------------------------


class AssessmentIn(RequestModel):
    """A scar assessment: the raw inputs of every scale, per zone (each zone at most once)."""

    assessed_on: IsoDate
    zones: list[ScarAssessmentIn] = Field(min_length=1, max_length=len(Zone))

    def to_domain(self, patient_id: UUID) -> assessments.NewAssessment:
        """The assessment to record for ``patient_id`` (validated again by the service)."""
        return assessments.NewAssessment(
            patient_id=patient_id,
            assessed_on=self.assessed_on,
            zones=[zone.model_dump(mode="json") for zone in self.zones],
        )


class GradeOut(BaseModel):
    """A Goodman & Baron qualitative grade, with how it was reached."""

    grade: int
    level: str
    explanation: str
    sources: list[str]
    unverified: bool


class ScoreOut(BaseModel):
    """A total out of a maximum (Goodman & Baron quantitative, ECCA), with how it was reached."""

    total: int
    max_total: int
    explanation: str
    sources: list[str]
    unverified: bool


class JacobOut(BaseModel):
    """The Jacob type of one group of similar scars."""

    type: str
    boxcar_depth: str | None
    width_mm: str
    count: int
    explanation: str
    sources: list[str]


class ZoneGradingOut(BaseModel):
    """The grades of one zone; a scale without inputs in the zone is null."""

    zone: Zone
    jacob: list[JacobOut]
    gb_qualitative: GradeOut | None
    gb_quantitative: ScoreOut | None
    ecca: ScoreOut | None


class OverallGradingOut(BaseModel):
    """The grades of the face as a whole (counts summed across zones, the worst grade)."""

    gb_qualitative: GradeOut | None
    gb_quantitative: ScoreOut | None
    ecca: ScoreOut | None
    jacob_dominant_type: str | None
    jacob_counts: dict[str, int]


class GradingOut(BaseModel):
    """The grading of an assessment, with the ``scales.yaml`` version used."""

    scales_version: str
    overall: OverallGradingOut
    zones: list[ZoneGradingOut]


class AssessmentOut(BaseModel):
    """A scar assessment: the inputs as recorded and their grading as computed then."""

    id: UUID
    patient_id: UUID
    assessed_on: date
    assessed_by: UUID
    zones: list[ScarAssessmentIn]
    grading: GradingOut
    created_at: datetime

    @classmethod
    def from_domain(cls, assessment: ScarAssessmentRecord) -> AssessmentOut:
        """From the domain record."""
        return cls(
            id=assessment.id,
            patient_id=assessment.patient_id,
            assessed_on=assessment.assessed_on,
            assessed_by=assessment.assessed_by,
            zones=[ScarAssessmentIn.model_validate(zone) for zone in assessment.zones],
            grading=GradingOut.model_validate(assessment.grading),
            created_at=assessment.created_at,
        )


class AssessmentPage(Page[AssessmentOut]):
    """One page of a patient's assessments, oldest first; ``next_offset`` null on the last."""
