"""Treatment: series and their plans, sessions, charts and their versions, lot recalls."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Final, Self
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field, StringConstraints

from needlepoint.domain import charting, series_plan
from needlepoint.domain.planning import Endpoint
from needlepoint.domain.recalls import LotRecall, RecallEntry
from needlepoint.domain.treatment import (
    Cancellation,
    ChartVersion,
    TreatmentSeries,
    TreatmentSession,
)
from needlepoint.domain.vocabulary import Device, Zone
from needlepoint.entrypoints.api.schemas.common import (
    MAX_LIST,
    MAX_ZONES,
    NOT_BLANK,
    DepthMm,
    FromRecord,
    Page,
    Reason,
    RequestModel,
    ShortText,
    Version,
)
from needlepoint.entrypoints.api.schemas.records import PatientOut
from needlepoint.services.treatment import charts
from needlepoint.services.treatment import series as treatment

PlanPath = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NOT_BLANK)]
Lot = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=NOT_BLANK)]


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


class DeviationOut(FromRecord[series_plan.Deviation]):
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
            deviations=[DeviationOut.from_domain(d) for d in series.deviations],
            proposal=dict(series.proposal),
            created_at=series.created_at,
            created_by=series.created_by,
            cancellation=CancellationOut.from_domain(series.cancellation)
            if series.cancellation
            else None,
        )


class CancellationOut(FromRecord[Cancellation]):
    """Who cancelled a series, when and why, and the series that replaced it, if any."""

    at: datetime
    by: UUID
    reason: str
    superseded_by: UUID | None


class SeriesPage(Page[SeriesOut]):
    """One page of a patient's series, newest first; ``next_offset`` is null on the last page."""


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


class SessionOut(FromRecord[TreatmentSession]):
    """One session of a series (the day's health answers are in the chart, for clinicians)."""

    id: UUID
    series_id: UUID
    patient_id: UUID
    number: int
    status: str
    started_at: datetime | None
    started_by: UUID | None
    excluded_zones: list[Zone]


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
        return cls.model_validate(chart, from_attributes=True)


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


MAX_LOT_CHARS: Final = 100
"""A cartridge lot number's longest text (the column's length)."""


class RecallQuery(RequestModel):
    """Which cartridge lot to recall (the web page's query; the API takes it in its path)."""

    lot: Annotated[
        str, StringConstraints(min_length=1, max_length=MAX_LOT_CHARS, pattern=NOT_BLANK)
    ]


class RecallTreatmentOut(BaseModel):
    """One session treated with the lot: the patient, the day, the zones, the clinician.

    ``treated_on`` is the day the session started, in the clinic's zone; ``zones`` and
    ``clinician`` are those of its newest chart version naming the lot.
    """

    patient: PatientOut
    session_id: UUID
    session_number: int
    treated_on: date | None
    zones: list[Zone]
    clinician: str
    chart_version: int

    @classmethod
    def from_domain(cls, entry: RecallEntry) -> Self:
        """From the domain's recall entry."""
        return cls(
            patient=PatientOut.from_domain(entry.patient),
            session_id=entry.session_id,
            session_number=entry.session_number,
            treated_on=entry.treated_on,
            zones=list(entry.zones),
            clinician=entry.clinician,
            chart_version=entry.chart_version,
        )


class RecallOut(BaseModel):
    """Every patient of the clinic treated with a cartridge lot, by name, and every session."""

    items: list[PatientOut]
    treatments: list[RecallTreatmentOut]

    @classmethod
    def from_domain(cls, recall: LotRecall) -> Self:
        """From the domain's lot recall."""
        return cls(
            items=[PatientOut.from_domain(p) for p in recall.patients],
            treatments=[RecallTreatmentOut.from_domain(e) for e in recall.treatments],
        )
