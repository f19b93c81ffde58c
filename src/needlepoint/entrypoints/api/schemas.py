"""Request (``…In``) and response (``…Out``) models of the API.

Every request model refuses unknown fields (``extra="forbid"``) and bounds every string and
number; text may not contain control characters (they have no place in a name, and they break
log lines). Lengths follow the database columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Final
from uuid import UUID

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from needlepoint.domain import charting, contact, series_plan, units
from needlepoint.domain.assessments import ScarAssessmentRecord
from needlepoint.domain.clearances import Clearance, NewClearance
from needlepoint.domain.errors import InputCode
from needlepoint.domain.outcomes import (
    CareDocument,
    CareDocumentKind,
    OutcomeMeasurement,
    OutcomeScale,
)
from needlepoint.domain.planning import Endpoint
from needlepoint.domain.records import ConsultationRecord, PatientRecord, Role, StaffMember
from needlepoint.domain.treatment import (
    Cancellation,
    ChartVersion,
    TreatmentSeries,
    TreatmentSession,
)
from needlepoint.domain.units import DecimalFormat
from needlepoint.domain.vocabulary import Device, Sex, Zone
from needlepoint.services.accounts import sign_in as sessions
from needlepoint.services.accounts import staff as accounts
from needlepoint.services.consultation import consultations as consultation_records
from needlepoint.services.consultation.intake import ScarAssessmentIn
from needlepoint.services.records import assessments, outcomes, patients
from needlepoint.services.treatment import charts
from needlepoint.services.treatment import series as treatment

_PRINTABLE: Final = r"[^\x00-\x1f\x7f]"
_NOT_BLANK: Final = rf"^{_PRINTABLE}*[^\s\x00-\x1f\x7f]{_PRINTABLE}*$"


def _iso_date_text(value: object) -> object:
    """Dates come as YYYY-MM-DD text: a bare number is not silently read as a Unix time."""
    if isinstance(value, int | float):
        raise PydanticCustomError(
            "date_parsing",
            "is not a date",
            {"fix": "write the date as YYYY-MM-DD", "code": InputCode.NOT_A_DATE},
        )
    return value


Name = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=_NOT_BLANK)]
Email = Annotated[str, StringConstraints(max_length=321, pattern=contact.EMAIL)]
Phone = Annotated[str, StringConstraints(max_length=50, pattern=contact.PHONE)]
Password = Annotated[str, StringConstraints(min_length=1, max_length=accounts.MAX_PASSWORD_LENGTH)]
NewPassword = Annotated[
    str,
    StringConstraints(
        min_length=accounts.MIN_PASSWORD_LENGTH, max_length=accounts.MAX_PASSWORD_LENGTH
    ),
]
IsoDate = Annotated[
    date, BeforeValidator(_iso_date_text), WithJsonSchema({"type": "string", "format": "date"})
]
Search = Annotated[str, StringConstraints(max_length=200, pattern=rf"^{_PRINTABLE}*$")]
TokenName = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=_NOT_BLANK)]
Appointment = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=_NOT_BLANK)]
NOT_BLANK: Final = _NOT_BLANK
"""A pattern: printable text that is not blank."""


@dataclass(frozen=True, slots=True)
class DecimalRule:
    """What a Decimal field accepts: the domain's ``DecimalFormat``, documented exactly.

    Pydantic alone would read any text ``Decimal()`` reads (``" 1.5"``, ``"1e1"``, ``"1_0"``)
    and document the field as ``number | string`` with the string unconstrained. Here the value
    is checked by the same ``DecimalFormat`` the web forms use (so both refuse with the same
    code), and ``text`` is the pattern the document gives for the text form.
    """

    format: DecimalFormat
    text: str
    """An ECMA-262 pattern (anchored) for the text form: digits, no exponent, no padding."""

    def check(self, value: object) -> object:
        """Let a well-formed value through to pydantic's own Decimal validation."""
        if self.format.value_of(value) is None:
            raise PydanticCustomError(
                "decimal_rule",
                "{problem}",
                {
                    "problem": self.format.problem.removesuffix("."),
                    "fix": self.format.fix,
                    "code": self.format.code,
                },
            )
        return value

    def json_schema(self) -> dict[str, Any]:
        """The field as the API document gives it (request side)."""
        rule = self.format
        number: dict[str, Any] = {"type": "number", "maximum": float(rule.high)}
        number["exclusiveMinimum" if rule.low_excluded else "minimum"] = float(rule.low)
        number["multipleOf"] = float(Decimal(1).scaleb(-rule.places))
        return {"anyOf": [number, {"type": "string", "pattern": self.text}]}


_TWO_PLACES: Final = r"(?:\.[0-9]{1,2})?"
_DEPTH_TEXT: Final = rf"^(?:[1-9][0-9]?{_TWO_PLACES}|0\.(?:[1-9][0-9]?|0[1-9]))$"
LICENCE_DEPTH: Final = DecimalRule(units.DEPTH_MM, _DEPTH_TEXT)
"""A licence's deepest depth in millimetres: above 0, under 100, in hundredths."""
LicenceDepth = Annotated[
    Decimal,
    BeforeValidator(LICENCE_DEPTH.check),
    WithJsonSchema(LICENCE_DEPTH.json_schema(), mode="validation"),
]

MAX_OFFSET: Final = 1_000_000
"""Deepest offset a list accepts (a bound on the query, not on the data)."""


class RequestModel(BaseModel):
    """Base of every request body: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldProblemOut(BaseModel):
    """One problem with one field, and its stable code (the same on the API and the web)."""

    field: str
    problem: str
    fix: str
    code: str


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


class ApiTokenOut(BaseModel):
    """A new API token. ``token`` is shown this once and never again."""

    id: UUID
    name: str
    staff_id: UUID
    issued_by: UUID | None
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
            issued_by=record.issued_by,
            created_at=record.created_at,
            token=issued.token,
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


# --- Clearances -----------------------------------------------------------------------------

RuleIdText = Annotated[str, StringConstraints(min_length=1, max_length=80, pattern=r"^[a-z0-9-]+$")]


class ClearanceIn(RequestModel):
    """Clear one finding of the consultation that needs clearance: which, why, until when."""

    rule_id: RuleIdText
    reason: Annotated[str, StringConstraints(max_length=2000, pattern=rf"^{_PRINTABLE}*$")]
    valid_until: IsoDate

    def to_domain(self, consultation_id: UUID) -> NewClearance:
        """The clearance as the service takes it."""
        return NewClearance(consultation_id, self.rule_id, self.reason, self.valid_until)


class ClearanceOut(BaseModel):
    """A recorded clearance: the finding cleared, why, who, when, and the last day it holds."""

    id: UUID
    patient_id: UUID
    consultation_id: UUID
    rule_id: str
    zones: list[Zone]
    reason: str
    cleared_by: UUID
    cleared_at: datetime
    valid_until: date

    @classmethod
    def from_domain(cls, clearance: Clearance) -> ClearanceOut:
        """From the domain record."""
        return cls(
            id=clearance.id,
            patient_id=clearance.patient_id,
            consultation_id=clearance.consultation_id,
            rule_id=clearance.rule_id,
            zones=list(clearance.zones),
            reason=clearance.reason,
            cleared_by=clearance.cleared_by,
            cleared_at=clearance.cleared_at,
            valid_until=clearance.valid_until,
        )


class ClearanceList(BaseModel):
    """A patient's clearances, newest first."""

    items: list[ClearanceOut]


# --- Treatment: series, sessions, charts, recalls, outcomes, care documents ----------------

Reason = Annotated[str, StringConstraints(max_length=2000, pattern=rf"^{_PRINTABLE}*$")]
"""A clinician's reason or note (blank where the domain says blank means none)."""
PlanPath = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=_NOT_BLANK)]
Lot = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=_NOT_BLANK)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=_NOT_BLANK)]
DEPTH: Final = DecimalRule(units.DEPTH_MM, _DEPTH_TEXT)
"""A needling depth in millimetres as written: above 0, in hundredths (the caps are limits)."""
DepthMm = Annotated[
    Decimal,
    BeforeValidator(DEPTH.check),
    WithJsonSchema(DEPTH.json_schema(), mode="validation"),
]
OUTCOME_VALUE: Final = DecimalRule(
    units.SCORE, rf"^-?(?:1000(?:\.0{{1,2}})?|(?:0|[1-9][0-9]{{0,2}}){_TWO_PLACES})$"
)
"""An outcome score: -1000 to 1000, in hundredths (each scale's own range is the domain's)."""
OutcomeValue = Annotated[
    Decimal,
    BeforeValidator(OUTCOME_VALUE.check),
    WithJsonSchema(OUTCOME_VALUE.json_schema(), mode="validation"),
]
Version = Annotated[int, Field(ge=0, le=MAX_OFFSET)]
MAX_ZONES: Final = 20
MAX_LIST: Final = 50


def _next_offset(found: Sequence[Any], *, offset: int, limit: int) -> int | None:
    return offset + limit if len(found) == limit else None


class DepthRange(RequestModel):
    """A depth range in millimetres (device setting)."""

    min: DepthMm
    max: DepthMm


class PlannedZoneBody(RequestModel):
    """The agreed depth range for one zone."""

    zone: Zone
    depth_mm: DepthRange


class SeriesPlanBody(RequestModel):
    """A series plan: depths per zone, the number of sessions and the interval in days."""

    zones: Annotated[list[PlannedZoneBody], Field(max_length=MAX_ZONES)]
    sessions: Annotated[int, Field(ge=0, le=100)]
    interval_days: Annotated[int, Field(ge=0, le=3650)]

    def to_domain(self) -> series_plan.SeriesPlan:
        """The plan as the domain holds it."""
        return series_plan.SeriesPlan(
            zones=tuple(
                series_plan.PlannedZone(z.zone, z.depth_mm.min, z.depth_mm.max) for z in self.zones
            ),
            sessions=self.sessions,
            interval_days=self.interval_days,
        )

    @classmethod
    def from_domain(cls, plan: series_plan.SeriesPlan) -> SeriesPlanBody:
        """From the domain plan."""
        return cls(
            zones=[
                PlannedZoneBody(
                    zone=z.zone, depth_mm=DepthRange(min=z.depth_min_mm, max=z.depth_max_mm)
                )
                for z in plan.zones
            ],
            sessions=plan.sessions,
            interval_days=plan.interval_days,
        )


class SeriesIn(RequestModel):
    """Agree a series: the proposal as it stands, or a changed ``plan`` with a reason per change.

    ``reasons`` maps each changed path (``plan.zones[cheeks].depth_mm.max``, ``plan.sessions``)
    to the clinician's reason.
    """

    plan: SeriesPlanBody | None = None
    reasons: Annotated[dict[PlanPath, Reason], Field(max_length=MAX_LIST)] = {}
    supersede_reason: Reason = ""
    """Why this series replaces the patient's active series on the same zones (which is
    cancelled, not deleted); without it such a save is refused with ``series-overlap``."""

    def to_domain(self, consultation_id: UUID) -> treatment.NewSeries:
        """The series to create from ``consultation_id``."""
        plan = self.plan.to_domain() if self.plan is not None else None
        return treatment.NewSeries(
            consultation_id, plan, dict(self.reasons), supersede_reason=self.supersede_reason
        )


class DeviationOut(BaseModel):
    """Where the agreed plan differs from the engine's proposal, and why."""

    path: str
    proposed: str
    chosen: str
    reason: str
    by: UUID
    at: datetime
    rule_id: str
    """The soft limit this change passes (``sessions-beyond-range``…), or empty."""


class SeriesOut(BaseModel):
    """A treatment series: the engine's proposal, the agreed plan and its deviations."""

    id: UUID
    patient_id: UUID
    consultation_id: UUID
    status: str
    version: int
    plan: SeriesPlanBody
    deviations: list[DeviationOut]
    proposal: dict[str, Any]
    created_at: datetime
    created_by: UUID
    cancellation: CancellationOut | None = None

    @classmethod
    def from_domain(cls, series: TreatmentSeries) -> SeriesOut:
        """From the domain record."""
        return cls(
            id=series.id,
            patient_id=series.patient_id,
            consultation_id=series.consultation_id,
            status=series.status.value,
            version=series.version,
            plan=SeriesPlanBody.from_domain(series.plan),
            deviations=[
                DeviationOut(
                    path=d.path,
                    proposed=d.proposed,
                    chosen=d.chosen,
                    reason=d.reason,
                    by=d.by,
                    at=d.at,
                    rule_id=d.rule_id,
                )
                for d in series.deviations
            ],
            proposal=dict(series.proposal),
            created_at=series.created_at,
            created_by=series.created_by,
            cancellation=CancellationOut.from_domain(series.cancellation)
            if series.cancellation
            else None,
        )


class CancellationOut(BaseModel):
    """Who cancelled a series, when and why, and the series that replaced it, if any."""

    at: datetime
    by: UUID
    reason: str
    superseded_by: UUID | None

    @classmethod
    def from_domain(cls, cancellation: Cancellation) -> CancellationOut:
        """From the domain value."""
        return cls(
            at=cancellation.at,
            by=cancellation.by,
            reason=cancellation.reason,
            superseded_by=cancellation.superseded_by,
        )


class SeriesPage(BaseModel):
    """One page of a patient's series, newest first; ``next_offset`` is null on the last page."""

    items: list[SeriesOut]
    offset: int
    limit: int
    next_offset: int | None

    @classmethod
    def from_domain(
        cls, found: Sequence[TreatmentSeries], *, offset: int, limit: int
    ) -> SeriesPage:
        """A page from the records found."""
        return cls(
            items=[SeriesOut.from_domain(s) for s in found],
            offset=offset,
            limit=limit,
            next_offset=_next_offset(found, offset=offset, limit=limit),
        )


class CancelSeriesIn(RequestModel):
    """Cancel a series that is still at ``expected_version`` (the version last read), and why."""

    expected_version: Version
    reason: Reason

    def to_domain(self, series_id: UUID) -> treatment.SeriesCancellation:
        """The cancellation as the service takes it."""
        return treatment.SeriesCancellation(series_id, self.expected_version, self.reason)


class SessionStartIn(RequestModel):
    """The day-of re-screen: health-history answers that changed and today's zone states.

    ``rescreen`` may hold ``history`` (answers laid over the consultation's) and
    ``zone_states`` (today's whole list of zone findings); both are validated as at intake.
    """

    rescreen: dict[str, Any] = {}


class SessionOut(BaseModel):
    """One session of a series (the day's health answers are in the chart, for clinicians)."""

    id: UUID
    series_id: UUID
    patient_id: UUID
    number: int
    status: str
    started_at: datetime | None
    started_by: UUID | None
    excluded_zones: list[Zone]

    @classmethod
    def from_domain(cls, session: TreatmentSession) -> SessionOut:
        """From the domain record."""
        return cls(
            id=session.id,
            series_id=session.series_id,
            patient_id=session.patient_id,
            number=session.number,
            status=session.status.value,
            started_at=session.started_at,
            started_by=session.started_by,
            excluded_zones=list(session.excluded_zones),
        )


class StartedSessionOut(SessionOut):
    """A session just started, with what the day-of re-screen found."""

    rescreen: dict[str, Any]

    @classmethod
    def from_started(cls, session: TreatmentSession) -> StartedSessionOut:
        """From the session the re-screen started."""
        listed = SessionOut.from_domain(session)
        return cls(**listed.model_dump(), rescreen=dict(session.rescreen or {}))


class SessionList(BaseModel):
    """Every session of a series, by number."""

    items: list[SessionOut]


class CartridgeBody(RequestModel):
    """The single-use needle cartridge: lot number and expiry date."""

    lot: Lot
    expires_on: date


class NumbingBody(RequestModel):
    """Topical anaesthetic: product and when it went on and came off."""

    product: ShortText
    applied_at: AwareDatetime
    removed_at: AwareDatetime | None = None


class ZoneTreatmentBody(RequestModel):
    """What was done in one zone: planned and delivered depth, passes."""

    zone: Zone
    planned_depth_mm: DepthMm
    delivered_depth_mm: DepthMm
    passes: Annotated[int, Field(ge=0, le=50)]


class OverrideBody(RequestModel):
    """The reason for passing a soft limit in one zone or for one product.

    Deeper than the plan in a ``zone``, or an unsafe ``product`` (as written in
    ``products_applied``). Hard limits (caps, the licence) have no override.
    """

    kind: charting.OverrideKind
    reason: Reason
    zone: Zone | None = None
    product: ShortText | None = None

    def to_domain(self) -> charting.Override:
        """The override as the domain holds it."""
        return charting.Override(self.kind, self.reason, zone=self.zone, product=self.product)


class OverrideOut(BaseModel):
    """A recorded override: the soft limit (or topicals row) it passed, the reason, who."""

    kind: charting.OverrideKind
    reason: str
    zone: Zone | None
    product: str | None
    rule_id: str
    by: UUID | None

    @classmethod
    def from_domain(cls, override: charting.Override) -> OverrideOut:
        """From the domain override."""
        return cls(
            kind=override.kind,
            reason=override.reason,
            zone=override.zone,
            product=override.product,
            rule_id=charting.rule_of(override),
            by=override.by,
        )


class ChartBody(RequestModel):
    """Everything charted for one session."""

    device: Device
    cartridge: CartridgeBody
    numbing: NumbingBody | None = None
    zones: Annotated[list[ZoneTreatmentBody], Field(max_length=MAX_ZONES)]
    endpoint_reached: Endpoint | None = None
    products_applied: Annotated[list[ShortText], Field(max_length=MAX_LIST)] = []
    adverse_events: Annotated[list[ShortText], Field(max_length=MAX_LIST)] = []
    overrides: Annotated[list[OverrideBody], Field(max_length=MAX_LIST)] = []

    def to_domain(self) -> charting.SessionChart:
        """The chart as the domain holds it."""
        numbing = self.numbing
        return charting.SessionChart(
            device=self.device,
            cartridge=charting.Cartridge(self.cartridge.lot, self.cartridge.expires_on),
            numbing=charting.Numbing(numbing.product, numbing.applied_at, numbing.removed_at)
            if numbing
            else None,
            zones=tuple(
                charting.ZoneTreatment(z.zone, z.planned_depth_mm, z.delivered_depth_mm, z.passes)
                for z in self.zones
            ),
            endpoint_reached=self.endpoint_reached,
            products_applied=tuple(self.products_applied),
            adverse_events=tuple(self.adverse_events),
            overrides=tuple(o.to_domain() for o in self.overrides),
        )

    @classmethod
    def from_domain(cls, chart: charting.SessionChart) -> ChartBody:
        """From the domain chart."""
        numbing = chart.numbing
        return cls(
            device=chart.device,
            cartridge=CartridgeBody(lot=chart.cartridge.lot, expires_on=chart.cartridge.expires_on),
            numbing=NumbingBody(
                product=numbing.product,
                applied_at=numbing.applied_at,
                removed_at=numbing.removed_at,
            )
            if numbing
            else None,
            zones=[
                ZoneTreatmentBody(
                    zone=z.zone,
                    planned_depth_mm=z.planned_depth_mm,
                    delivered_depth_mm=z.delivered_depth_mm,
                    passes=z.passes,
                )
                for z in chart.zones
            ],
            endpoint_reached=chart.endpoint_reached,
            products_applied=list(chart.products_applied),
            adverse_events=list(chart.adverse_events),
            overrides=[
                OverrideBody(kind=o.kind, reason=o.reason, zone=o.zone, product=o.product)
                for o in chart.overrides
            ],
        )


class ChartIn(RequestModel):
    """A chart (or an amendment) based on ``expected_version``: 0 for the first chart."""

    expected_version: Version
    chart: ChartBody
    notes: Reason = ""

    def to_domain(self, session_id: UUID) -> charts.ChartEntry:
        """The chart entry for ``session_id``."""
        return charts.ChartEntry(
            session_id, self.chart.to_domain(), self.expected_version, self.notes
        )


class ChartVersionOut(BaseModel):
    """One version of a session's chart, with the day-of re-screen it was charted after."""

    id: UUID
    session_id: UUID
    patient_id: UUID
    version: int
    chart: ChartBody
    overrides: list[OverrideOut]
    """The soft limits this version passes, each with its rule id, reason and who gave it."""
    rescreen: dict[str, Any]
    notes: str
    created_at: datetime
    created_by: UUID
    signed_at: datetime | None
    signed_by: UUID | None

    @classmethod
    def from_domain(cls, version: ChartVersion) -> ChartVersionOut:
        """From the domain record."""
        return cls(
            id=version.id,
            session_id=version.session_id,
            patient_id=version.patient_id,
            version=version.version,
            chart=ChartBody.from_domain(version.chart),
            overrides=[OverrideOut.from_domain(o) for o in version.chart.overrides],
            rescreen=dict(version.rescreen),
            notes=version.notes,
            created_at=version.created_at,
            created_by=version.created_by,
            signed_at=version.signed_at,
            signed_by=version.signed_by,
        )


class ChartHistory(BaseModel):
    """Every version of a session's chart, oldest first."""

    items: list[ChartVersionOut]


class RecallOut(BaseModel):
    """Every patient of the clinic treated with a cartridge lot, by name."""

    items: list[PatientOut]


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


class OutcomeOut(BaseModel):
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

    @classmethod
    def from_domain(cls, measurement: OutcomeMeasurement) -> OutcomeOut:
        """From the domain record."""
        return cls(
            id=measurement.id,
            patient_id=measurement.patient_id,
            series_id=measurement.series_id,
            measured_on=measurement.measured_on,
            scale=measurement.scale,
            value=measurement.value,
            note=measurement.note,
            recorded_at=measurement.recorded_at,
            recorded_by=measurement.recorded_by,
        )


class OutcomePage(BaseModel):
    """One page of a patient's measurements, oldest first; ``next_offset`` null on the last."""

    items: list[OutcomeOut]
    offset: int
    limit: int
    next_offset: int | None

    @classmethod
    def from_domain(
        cls, found: Sequence[OutcomeMeasurement], *, offset: int, limit: int
    ) -> OutcomePage:
        """A page from the records found."""
        return cls(
            items=[OutcomeOut.from_domain(m) for m in found],
            offset=offset,
            limit=limit,
            next_offset=_next_offset(found, offset=offset, limit=limit),
        )


class CareDocumentIn(RequestModel):
    """A care document (pre-care or aftercare) as given to the patient of a series."""

    kind: CareDocumentKind
    content: dict[str, Any]

    def to_domain(self, series_id: UUID) -> outcomes.NewCareDocument:
        """The document to keep for ``series_id``."""
        return outcomes.NewCareDocument(series_id, self.kind, self.content)


class CareDocumentOut(BaseModel):
    """A care document as it was given."""

    id: UUID
    patient_id: UUID
    series_id: UUID
    kind: CareDocumentKind
    issued_at: datetime
    issued_by: UUID
    content: dict[str, Any]

    @classmethod
    def from_domain(cls, document: CareDocument) -> CareDocumentOut:
        """From the domain record."""
        return cls(
            id=document.id,
            patient_id=document.patient_id,
            series_id=document.series_id,
            kind=document.kind,
            issued_at=document.issued_at,
            issued_by=document.issued_by,
            content=dict(document.content),
        )


class CareDocumentPage(BaseModel):
    """One page of a patient's care documents, newest first; ``next_offset`` null on the last."""

    items: list[CareDocumentOut]
    offset: int
    limit: int
    next_offset: int | None

    @classmethod
    def from_domain(
        cls, found: Sequence[CareDocument], *, offset: int, limit: int
    ) -> CareDocumentPage:
        """A page from the records found."""
        return cls(
            items=[CareDocumentOut.from_domain(d) for d in found],
            offset=offset,
            limit=limit,
            next_offset=_next_offset(found, offset=offset, limit=limit),
        )


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


class AssessmentPage(BaseModel):
    """One page of a patient's assessments, oldest first; ``next_offset`` null on the last."""

    items: list[AssessmentOut]
    offset: int
    limit: int
    next_offset: int | None

    @classmethod
    def from_domain(
        cls, found: Sequence[ScarAssessmentRecord], *, offset: int, limit: int
    ) -> AssessmentPage:
        """A page from the records found."""
        return cls(
            items=[AssessmentOut.from_domain(a) for a in found],
            offset=offset,
            limit=limit,
            next_offset=_next_offset(found, offset=offset, limit=limit),
        )
