"""The clinic's treated series read in bulk for cohort analytics (ADR 0045).

Three bounded statements: the series with their plan and their consultation's intake (only
the skin type, the treatments asked for and the device, read by JSON path), the sessions started per
series (aggregated in SQL), and the scar scores tied to a series. The data version is a few
counts read from indexes alone, and changes whenever what the analytics read does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Final
from uuid import UUID

from sqlalchemy import ColumnElement, RowMapping, String, func, select, type_coerce

from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.repository import SqlRepository
from needlepoint.domain.cohorts import SCAR_SCALES, Score, SeriesFacts
from needlepoint.domain.treatment import SeriesStatus

_series = t.treatment_series.c
_consultation = t.consultation.c
_session = t.treatment_session.c
_outcome = t.outcome_measurement.c

_SCALES: Final = [s.value for s in SCAR_SCALES]
_SCALE_OF: Final = {s.value: s for s in SCAR_SCALES}


def _key(column: ColumnElement[UUID]) -> ColumnElement[str]:
    """An id as the driver gives it (no UUID object per row): only compared and kept as text."""
    return type_coerce(column, String)


class SqlCohortReads(SqlRepository):
    """The clinic's series, sessions and scar scores, for the analytics area."""

    def data_version(self, clinic_id: UUID) -> str:
        """The clinic's series and sessions counted by status, and its outcomes counted.

        Each count is read from an index alone (``clinic_id, status`` for series and sessions,
        ``clinic_id, patient_id`` for outcomes), so the token costs a few milliseconds at
        10,000 series. Outcomes and consultations are only ever added, a session only moves
        forward (scheduled, started, signed) and a series' plan is replaced by a new series,
        never edited; so any change the analytics read changes one of these counts.
        """
        connection = self._connection()
        parts: list[str] = []
        for table in (t.treatment_series, t.treatment_session):
            query = (
                select(table.c.status, func.count())
                .where(table.c.clinic_id == clinic_id)
                .group_by(table.c.status)
                .order_by(table.c.status)
            )
            parts += [f"{status}={count}" for status, count in connection.execute(query)]
        outcomes = select(func.count()).select_from(t.outcome_measurement)
        parts.append(
            str(connection.execute(outcomes.where(_outcome.clinic_id == clinic_id)).scalar())
        )
        return "|".join(parts)

    def series_facts(self, clinic_id: UUID, *, limit: int) -> Sequence[SeriesFacts]:
        """At most ``limit`` of the clinic's series with a session started, newest first."""
        sessions = self._sessions(clinic_id)
        scores = self._scores(clinic_id)
        query = (
            select(
                _key(_series.id).label("id"),
                _key(_series.patient_id).label("patient_id"),
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

    def _sessions(self, clinic_id: UUID) -> dict[object, tuple[int, date, date]]:
        query = (
            select(
                _key(_session.series_id),
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

    def _scores(self, clinic_id: UUID) -> Mapping[object, list[Score]]:
        query = select(
            _key(_outcome.series_id), _outcome.scale, _outcome.measured_on, _outcome.value
        ).where(
            _outcome.clinic_id == clinic_id,
            _outcome.series_id.is_not(None),
            _outcome.scale.in_(_SCALES),
        )
        scores: defaultdict[object, list[Score]] = defaultdict(list)
        for series_id, scale, measured_on, value in self._connection().execute(query):
            scores[series_id].append(Score(_SCALE_OF[scale], measured_on, Decimal(value)))
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
