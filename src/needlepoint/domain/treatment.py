"""Treatment series, their sessions and the versioned chart of each session.

A series starts from the plan the engine proposed in a signed consultation; the plan agreed
and its deviations from the proposal are in ``series_plan``.

A session is started after the day's re-screen; the zones excluded that day are recorded on the
session and cannot be charted. Its chart is a list of versions: an amendment is version n + 1
and never overwrites version n, and a signed version is never changed again.

Records are frozen values; state changes return new values. The version number of a series
(and the chart version of a session) is what optimistic concurrency compares: a write based
on a stale version raises ``VersionConflictError``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from needlepoint.domain.charting import SessionChart, ZoneTreatment
from needlepoint.domain.errors import (
    ConflictError,
    DomainError,
    FieldProblem,
    InputCode,
    InvalidInputError,
)
from needlepoint.domain.errors import InvalidTransitionError as InvalidTransitionError  # noqa: PLC0414 - kept here too
from needlepoint.domain.records import AlreadySignedError
from needlepoint.domain.series_plan import Deviation, SeriesPlan
from needlepoint.domain.vocabulary import Zone


class SeriesStatus(StrEnum):
    """Where a treatment series stands."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class SessionStatus(StrEnum):
    """Where one session stands: booked, started after the re-screen, or its chart signed."""

    SCHEDULED = "scheduled"
    STARTED = "started"
    SIGNED = "signed"


class VersionConflictError(ConflictError):
    """Someone else wrote first: the record is no longer at the version the change was based on.

    Nothing was overwritten; read the record again and re-apply the change.
    """

    code = "version-conflict"

    def __init__(self, kind: str, record_id: UUID, expected: int, current: int | None) -> None:
        now = "unknown" if current is None else str(current)
        super().__init__(
            f"{kind} {record_id} changed: the change was based on version {expected}, "
            f"the record is now at version {now}. Reload it and apply the change again."
        )
        self.kind = kind
        self.record_id = record_id
        self.expected = expected
        self.current = current


class LicenceRequiredError(DomainError):
    """Charting a needle depth needs a clinician whose licence states a maximum depth."""

    code = "licence-required"

    def __init__(self, actor_id: UUID) -> None:
        super().__init__(
            f"staff member {actor_id} has no licensed needle depth; a clinician must chart "
            "the depths delivered."
        )
        self.actor_id = actor_id


class SeriesExistsError(ConflictError):
    """The consultation already has an active series: saving its plan again changes nothing.

    ``series_id`` is the active series; cancel it (with a reason) to agree a different plan.
    """

    code = "series-exists"

    def __init__(self, consultation_id: UUID, series_id: UUID | None) -> None:
        which = f" ({series_id})" if series_id else ""
        super().__init__(
            f"consultation {consultation_id} already has an active series{which}; open it, or "
            "cancel it with a reason before agreeing a different plan"
        )
        self.consultation_id = consultation_id
        self.series_id = series_id


class SeriesOverlapError(ConflictError):
    """The patient has an active series on some of the same zones.

    A new series supersedes it only with a reason (the old one is cancelled, never deleted).
    """

    code = "series-overlap"

    def __init__(self, active: TreatmentSeries, zones: frozenset[Zone]) -> None:
        names = ", ".join(sorted(z.value for z in zones))
        super().__init__(
            f"series {active.id} is active on {names}; to replace it, supersede it with a "
            "reason (it is cancelled, not deleted)"
        )
        self.active = active
        self.zones = zones


@dataclass(frozen=True, slots=True)
class Cancellation:
    """Who stopped a series, when and why, and the series that replaced it, if any."""

    at: datetime
    by: UUID
    reason: str
    superseded_by: UUID | None = None


ACTIVE_SERIES: frozenset[SeriesStatus] = frozenset({SeriesStatus.PLANNED, SeriesStatus.IN_PROGRESS})
"""A series still to be held: it occupies its zones, so another on them must supersede it."""


@dataclass(frozen=True, slots=True)
class TreatmentSeries:
    """A planned course of sessions for one patient, from one signed consultation.

    ``proposal`` is the engine's plan and series exactly as the consultation report gave them;
    ``plan`` is what the clinician agreed; ``deviations`` say where and why they differ.
    """

    id: UUID
    clinic_id: UUID
    patient_id: UUID
    consultation_id: UUID
    proposal: Mapping[str, Any]
    plan: SeriesPlan
    deviations: tuple[Deviation, ...]
    status: SeriesStatus
    created_at: datetime
    created_by: UUID
    version: int = 1
    cancellation: Cancellation | None = None

    @property
    def is_active(self) -> bool:
        """Whether the series still has sessions to hold (planned or in progress)."""
        return self.status in ACTIVE_SERIES

    def overlaps(self, zones: frozenset[Zone]) -> frozenset[Zone]:
        """The zones of this series' plan that are also in ``zones``."""
        return self.plan.zone_names & zones

    def started(self) -> TreatmentSeries:
        """The series once a session has started (unchanged if already in progress)."""
        if self.status is SeriesStatus.IN_PROGRESS:
            return self
        self._require({SeriesStatus.PLANNED}, "start a session of")
        return self._moved(SeriesStatus.IN_PROGRESS)

    def completed(self) -> TreatmentSeries:
        """The series once its last planned session is signed."""
        self._require({SeriesStatus.IN_PROGRESS}, "complete")
        return self._moved(SeriesStatus.COMPLETED)

    def cancelled(self, cancellation: Cancellation) -> TreatmentSeries:
        """The series stopped before its end; the reason is kept (a series is never deleted).

        Raises:
            InvalidInputError: The reason is blank (field ``reason``).
            InvalidTransitionError: The series is completed or cancelled already.
        """
        if not cancellation.reason.strip():
            raise InvalidInputError.single(
                "reason",
                "is blank: a series is cancelled only with a reason.",
                "say why the series stops (e.g. the patient moved away).",
                InputCode.REASON_REQUIRED,
            )
        self._require(set(ACTIVE_SERIES), "cancel")
        stopped = replace(cancellation, reason=cancellation.reason.strip())
        return replace(self._moved(SeriesStatus.CANCELLED), cancellation=stopped)

    def _moved(self, status: SeriesStatus) -> TreatmentSeries:
        return replace(self, status=status, version=self.version + 1)

    def _require(self, allowed: set[SeriesStatus], action: str) -> None:
        if self.status not in allowed:
            raise InvalidTransitionError(
                f"cannot {action} series {self.id}: it is {self.status.value.replace('_', ' ')}"
            )


@dataclass(frozen=True, slots=True)
class TreatmentSession:
    """One visit of a series, numbered from 1.

    ``rescreen`` holds the day-of answers and what the screening found on them;
    ``excluded_zones`` are the planned zones that screening excluded that day.
    """

    id: UUID
    series_id: UUID
    clinic_id: UUID
    patient_id: UUID
    number: int
    status: SessionStatus
    started_at: datetime | None = None
    started_by: UUID | None = None
    rescreen: Mapping[str, Any] | None = None
    excluded_zones: tuple[Zone, ...] = ()

    def treatable_zones(self, plan: SeriesPlan) -> frozenset[Zone]:
        """The planned zones that may be charted in this session."""
        return plan.zone_names - set(self.excluded_zones)

    def signed(self) -> TreatmentSession:
        """The session once its newest chart version is signed."""
        if self.status is SessionStatus.SCHEDULED:
            raise InvalidTransitionError(f"session {self.id} has not started; nothing to sign")
        return replace(self, status=SessionStatus.SIGNED)

    def reopened(self) -> TreatmentSession:
        """The session while an amendment of its signed chart awaits signature."""
        return replace(self, status=SessionStatus.STARTED)


@dataclass(frozen=True, slots=True)
class ChartVersion:
    """One version of a session's chart. Version n + 1 amends version n; none is overwritten."""

    id: UUID
    session_id: UUID
    clinic_id: UUID
    patient_id: UUID
    version: int
    chart: SessionChart
    rescreen: Mapping[str, Any]
    notes: str
    created_at: datetime
    created_by: UUID
    signed_at: datetime | None = None
    signed_by: UUID | None = None

    @property
    def is_signed(self) -> bool:
        """Whether a clinician has signed this version."""
        return self.signed_at is not None

    def sign(self, *, by: UUID, at: datetime) -> ChartVersion:
        """The signed version (a signed version cannot be signed again)."""
        if self.is_signed:
            raise AlreadySignedError("chart version", self.id)
        return replace(self, signed_at=at, signed_by=by)


def next_chart_version(
    latest: ChartVersion | None, *, session_id: UUID, expected_version: int
) -> int:
    """The number the next version of a session's chart gets, if the writer saw the newest.

    ``expected_version`` is the version the writer based the change on (0 for a first chart).

    Raises:
        VersionConflictError: The chart is at another version.
    """
    current = 0 if latest is None else latest.version
    if expected_version != current:
        raise VersionConflictError("chart of session", session_id, expected_version, current)
    return current + 1


# --- checking a chart against the series ---------------------------------------------------


def chart_problems(chart: SessionChart, plan: SeriesPlan) -> tuple[FieldProblem, ...]:
    """What is impossible in a chart for this plan (the limits are in ``charting``).

    Each zone appears once, is planned, has positive depths and at least one pass, and its
    planned depth is within the series plan. Fields are named relative to the chart.
    """
    problems: list[FieldProblem] = []
    seen: set[Zone] = set()
    for treated in chart.zones:
        problems.extend(_treated_zone_problems(treated, plan, seen))
        seen.add(treated.zone)
    return tuple(problems)


def _treated_zone_problems(
    treated: ZoneTreatment, plan: SeriesPlan, seen: set[Zone]
) -> Iterator[FieldProblem]:
    path = f"zones[{treated.zone}]"
    if treated.zone in seen:
        yield FieldProblem(
            path, "appears more than once.", "chart each zone once.", InputCode.REPEATED
        )
    for name, depth_mm in (
        ("planned_depth_mm", treated.planned_depth_mm),
        ("delivered_depth_mm", treated.delivered_depth_mm),
    ):
        if depth_mm <= 0:
            yield FieldProblem(
                f"{path}.{name}",
                "is not above 0 mm.",
                "chart the depth in mm, e.g. 1.25.",
                InputCode.OUT_OF_RANGE,
            )
    if treated.passes < 1:
        yield FieldProblem(
            f"{path}.passes",
            "is less than 1.",
            "chart the passes made (1 or more).",
            InputCode.OUT_OF_RANGE,
        )
    planned = plan.zone(treated.zone)
    if planned is None:
        yield FieldProblem(
            path,
            "is not in this series' plan.",
            "chart only the zones the plan treats.",
            InputCode.NOT_PLANNED,
        )
    elif treated.planned_depth_mm > planned.depth_max_mm:
        yield FieldProblem(
            f"{path}.planned_depth_mm",
            f"{treated.planned_depth_mm} mm is deeper than the plan's {planned.depth_max_mm} mm.",
            "chart the planned depth from the series plan; a deeper delivered depth needs a "
            "reason.",
            InputCode.OUT_OF_RANGE,
        )
