"""The clinic's treated series read in bulk for cohort analytics (ADR 0045).

Three bounded statements: the series with their plan and their consultation's intake (only
the skin type, the treatments asked for and the device, read by JSON path), the sessions started per
series (aggregated in SQL), and the scar scores tied to a series. The data version is one
row of aggregates that changes whenever any of them does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Final
from uuid import UUID

from sqlalchemy import RowMapping, func, select

from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.repository import SqlRepository
from needlepoint.domain.cohorts import SCAR_SCALES, Score, SeriesFacts
from needlepoint.domain.outcomes import OutcomeScale
from needlepoint.domain.treatment import SeriesStatus

_series = t.treatment_series.c
_consultation = t.consultation.c
_session = t.treatment_session.c
_outcome = t.outcome_measurement.c

_SCALES: Final = [s.value for s in SCAR_SCALES]


class SqlCohortReads(SqlRepository):
    """The clinic's series, sessions and scar scores, for the analytics area."""

    def data_version(self, clinic_id: UUID) -> str:
        """Counts, latest times and version sums of the clinic's series, sessions and outcomes."""
        series = select(
            func.count(), func.max(_series.created_at), func.coalesce(func.sum(_series.version), 0)
        ).where(_series.clinic_id == clinic_id)
        sessions = select(func.count(_session.started_at), func.max(_session.started_at)).where(
            _session.clinic_id == clinic_id
        )
        outcomes = select(func.count(), func.max(_outcome.recorded_at)).where(
            _outcome.clinic_id == clinic_id
        )
        connection = self._connection()
        parts = [*connection.execute(series).one(), *connection.execute(sessions).one()]
        parts += [*connection.execute(outcomes).one()]
        return "|".join(_text(p) for p in parts)

    def series_facts(self, clinic_id: UUID, *, limit: int) -> Sequence[SeriesFacts]:
        """At most ``limit`` of the clinic's series with a session started, newest first."""
        sessions = self._sessions(clinic_id)
        scores = self._scores(clinic_id)
        query = (
            select(
                _series.id,
                _series.patient_id,
                _series.plan,
                _consultation.intake["patient"]["fitzpatrick"].as_integer().label("fitzpatrick"),
                _consultation.intake["treatments"].label("requests"),
                _consultation.intake["device"].as_string().label("device"),
            )
            .join(t.consultation, _consultation.id == _series.consultation_id)
            .where(
                _series.clinic_id == clinic_id,
                _series.status != SeriesStatus.CANCELLED.value,
            )
            .order_by(_series.created_at.desc(), _series.id)
            .limit(limit)
        )
        found: list[SeriesFacts] = []
        for row in self._connection().execute(query).mappings():
            held = sessions.get(row["id"])
            if held is None:
                continue
            found.append(_facts(row, held, scores.get(row["id"], ())))
        return found

    def _sessions(self, clinic_id: UUID) -> dict[UUID, tuple[int, date, date]]:
        query = (
            select(
                _session.series_id,
                func.count(_session.started_at),
                func.min(_session.started_at),
                func.max(_session.started_at),
            )
            .where(_session.clinic_id == clinic_id, _session.started_at.is_not(None))
            .group_by(_session.series_id)
        )
        return {
            series_id: (count, _day(first), _day(last))
            for series_id, count, first, last in self._connection().execute(query)
        }

    def _scores(self, clinic_id: UUID) -> Mapping[UUID, list[Score]]:
        query = select(
            _outcome.series_id, _outcome.scale, _outcome.measured_on, _outcome.value
        ).where(
            _outcome.clinic_id == clinic_id,
            _outcome.series_id.is_not(None),
            _outcome.scale.in_(_SCALES),
        )
        scores: defaultdict[UUID, list[Score]] = defaultdict(list)
        for series_id, scale, measured_on, value in self._connection().execute(query):
            scores[series_id].append(Score(OutcomeScale(scale), measured_on, Decimal(value)))
        return scores


def _facts(row: RowMapping, held: tuple[int, date, date], scores: Sequence[Score]) -> SeriesFacts:
    plan = row["plan"]
    requests = row["requests"] or []
    zones = tuple(z["zone"] for z in plan["zones"])
    depths = [Decimal(z["depth_mm"]["max"]) for z in plan["zones"]]
    return SeriesFacts(
        series_id=str(row["id"]),
        patient_id=str(row["patient_id"]),
        indications=tuple(r["indication"] for r in requests),
        fitzpatrick=int(row["fitzpatrick"] or 0),
        device=str(row["device"] or ""),
        zones=zones,
        max_depth_mm=max(depths, default=Decimal(0)),
        interval_days=int(plan["interval_days"]),
        sessions_done=held[0],
        first_session_on=held[1],
        last_session_on=held[2],
        scores=tuple(scores),
    )


def _day(moment: datetime | str) -> date:
    if isinstance(moment, str):  # SQLite's aggregate returns the stored text
        return datetime.fromisoformat(moment).date()
    return moment.date()


def _text(part: object) -> str:
    return "" if part is None else str(part)
