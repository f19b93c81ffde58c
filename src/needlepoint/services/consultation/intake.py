"""The consultation file: its schema, validation and conversion to a domain ``Consultation``.

The same format serves the CLI (YAML or JSON files) and, later, the API. Unknown fields are
rejected. Every safety question in the health history must be answered explicitly: an
unanswered question is an incomplete file, never a silent "no". Validation problems come back
as ``InvalidInputError`` whose problems name the field and the fix.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationError,
    field_validator,
)

from needlepoint.domain import consultation as domain
from needlepoint.domain.errors import InvalidInputError
from needlepoint.domain.scales import inputs as scale_inputs
from needlepoint.domain.vocabulary import (
    Device,
    DiabetesControl,
    Indication,
    IsotretinoinStatus,
    ProcedureKind,
    Sex,
    SkinCancerHistory,
    TopicalActive,
    Zone,
    ZoneCondition,
)
from needlepoint.services.problems import problems_from_validation

ShortText = Annotated[str, Field(min_length=1, max_length=200)]
#: No record in a clinic's living practice predates this; earlier dates are typing mistakes.
EARLIEST_DATE = date(1900, 1, 1)
Day = Annotated[date, Field(ge=EARLIEST_DATE, description="YYYY-MM-DD, from 1900-01-01.")]
Count = Annotated[StrictInt, Field(ge=0, le=10_000)]
Answer = Annotated[StrictBool, Field(description="true or false; must be answered.")]


class Closed(BaseModel):
    """Base model: unknown fields are errors, strings are stripped."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True
    )


class ClinicIn(Closed):
    """Where the consultation happened."""

    name: ShortText = Field(description="The clinic's name, as printed on documents.")
    time_zone: ShortText = Field(description="IANA time zone, e.g. Europe/London.")

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError("is not an IANA time zone name such as Europe/London") from error
        return value


class PatientIn(Closed):
    """Who the patient is (clinical facts only; identity lives in the clinic record)."""

    born_on: Day = Field(description="Date of birth, YYYY-MM-DD.")
    sex: Sex
    fitzpatrick: StrictInt = Field(
        ge=1, le=6, description="Fitzpatrick skin type, 1 (I) to 6 (VI)."
    )


class IsotretinoinIn(Closed):
    """Oral isotretinoin exposure."""

    status: IsotretinoinStatus
    stopped_on: Day | None = Field(default=None, description="Date of the last dose.")


class ProcedureIn(Closed):
    """A procedure done before the consultation."""

    kind: ProcedureKind
    performed_on: Day
    zones: tuple[Zone, ...] = Field(min_length=1)


class HistoryIn(Closed):
    """Health history. Every yes/no question must be answered."""

    pregnant: Answer
    breastfeeding: Answer
    isotretinoin: IsotretinoinIn
    anticoagulant: Answer
    antiplatelet: Answer
    bleeding_disorder: Answer
    keloid_history: Answer
    hypertrophic_scar_history: Answer
    cold_sores: Answer
    immunosuppressed: Answer
    diabetes: DiabetesControl
    autoimmune_or_collagen_vascular: Answer
    metal_allergy: Answer
    anaesthetic_allergy: Answer
    skin_cancer: SkinCancerHistory
    pigmentation_after_procedures: Answer
    cardiac_device: Answer
    unwell_or_feverish: Answer
    photosensitising_drugs: tuple[ShortText, ...] = Field(default=(), max_length=20)
    topical_actives: tuple[TopicalActive, ...] = Field(default=(), max_length=20)
    recent_procedures: tuple[ProcedureIn, ...] = Field(default=(), max_length=50)


class TreatmentIn(Closed):
    """One indication and its zones."""

    indication: Indication
    zones: tuple[Zone, ...] = Field(min_length=1, max_length=len(Zone))


class ZoneStateIn(Closed):
    """What the examiner found in one zone."""

    zone: Zone
    conditions: tuple[ZoneCondition, ...] = Field(min_length=1)


class MorphologyIn(Closed):
    """A group of similar scars (Jacob classification inputs)."""

    width_mm: Decimal = Field(gt=0, le=50)
    edges: scale_inputs.ScarEdges
    tapers_to_point: StrictBool
    depth: scale_inputs.ScarDepth
    count: StrictInt = Field(default=1, ge=1, le=10_000)


class QualitativeIn(Closed):
    """Goodman & Baron qualitative criteria."""

    contour_change: Answer
    visible_at_social_distance: Answer
    easily_concealed: Answer
    flattens_on_stretch: Answer


class ScarAssessmentIn(Closed):
    """Scar findings in one zone, as raw inputs for each scale."""

    zone: Zone
    morphology: tuple[MorphologyIn, ...] = Field(default=(), max_length=20)
    qualitative: QualitativeIn | None = None
    quantitative_counts: dict[scale_inputs.GbLesionType, Count] = Field(default_factory=dict)
    keloid_area_cm2: Decimal = Field(default=Decimal(0), ge=0, le=1000)
    ecca_counts: dict[scale_inputs.EccaItem, Count] = Field(default_factory=dict)

    def to_domain(self) -> scale_inputs.ZoneScarAssessment:
        """The domain zone assessment (raises ``InvalidInputError`` for impossible values)."""
        return _assessment(self)


class ConsultationIn(Closed):
    """A consultation file: who, what history, what skin, what is asked for."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
        title="needlepoint consultation",
        defer_build=True,
    )

    consulted_on: Day = Field(description="Day of the consultation, YYYY-MM-DD.")
    clinic: ClinicIn
    patient: PatientIn
    history: HistoryIn
    device: Device
    treatments: tuple[TreatmentIn, ...] = Field(min_length=1, max_length=len(Indication))
    zone_states: tuple[ZoneStateIn, ...] = Field(default=(), max_length=len(Zone))
    scar_assessments: tuple[ScarAssessmentIn, ...] = Field(default=(), max_length=len(Zone))

    def to_domain(self) -> domain.Consultation:
        """The domain consultation (raises ``InvalidInputError`` for impossible values)."""
        return domain.Consultation(
            consulted_on=self.consulted_on,
            patient=domain.Patient(
                born_on=self.patient.born_on,
                sex=self.patient.sex,
                fitzpatrick=self.patient.fitzpatrick,
            ),
            history=_history(self.history),
            requests=tuple(
                domain.TreatmentRequest(indication=t.indication, zones=t.zones)
                for t in self.treatments
            ),
            device=self.device,
            zone_states=tuple(
                domain.ZoneState(zone=s.zone, conditions=frozenset(s.conditions))
                for s in self.zone_states
            ),
            scar_assessments=tuple(_assessment(a) for a in self.scar_assessments),
        )


def _history(history: HistoryIn) -> domain.HealthHistory:
    flags = history.model_dump(
        exclude={"isotretinoin", "recent_procedures", "topical_actives", "photosensitising_drugs"}
    )
    return domain.HealthHistory(
        **flags,
        isotretinoin=domain.Isotretinoin(
            status=history.isotretinoin.status, stopped_on=history.isotretinoin.stopped_on
        ),
        photosensitising_drugs=history.photosensitising_drugs,
        topical_actives=frozenset(history.topical_actives),
        recent_procedures=tuple(
            domain.RecentProcedure(
                kind=p.kind, performed_on=p.performed_on, zones=frozenset(p.zones)
            )
            for p in history.recent_procedures
        ),
    )


def _assessment(assessment: ScarAssessmentIn) -> scale_inputs.ZoneScarAssessment:
    qualitative = None
    if assessment.qualitative is not None:
        qualitative = scale_inputs.GbQualitativeCriteria(**assessment.qualitative.model_dump())
    return scale_inputs.ZoneScarAssessment(
        zone=assessment.zone,
        morphology=tuple(
            scale_inputs.ScarMorphology(**m.model_dump()) for m in assessment.morphology
        ),
        qualitative=qualitative,
        quantitative_counts=dict(assessment.quantitative_counts),
        keloid_area_cm2=assessment.keloid_area_cm2,
        ecca_counts=dict(assessment.ecca_counts),
    )


def parse_consultation(document: Any) -> ConsultationIn:
    """Validate a parsed YAML/JSON document as a consultation file."""
    if not isinstance(document, dict):
        raise InvalidInputError.single(
            "(file)",
            "the file does not contain a mapping of fields.",
            "start from an example in examples/ or `needlepoint schema`.",
        )
    try:
        return ConsultationIn.model_validate(document)
    except ValidationError as error:
        raise InvalidInputError(problems_from_validation(error)) from None


def consultation_schema() -> dict[str, Any]:
    """The JSON Schema of the consultation file."""
    return ConsultationIn.model_json_schema()
