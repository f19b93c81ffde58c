"""Chart versions: only ever added; signing sets the signature of an unsigned version."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final
from uuid import UUID

from sqlalchemy import RowMapping, and_, bindparam, insert, select, update

from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.labelled import keys, labelled, unprefixed
from needlepoint.adapters.db.repository import SqlRepository, insert_or_conflict
from needlepoint.adapters.db.shared.patients import patient_from_row
from needlepoint.adapters.db.treatment import rows
from needlepoint.domain.recalls import LotUse
from needlepoint.domain.records import AlreadySignedError
from needlepoint.domain.treatment import ChartVersion, VersionConflictError
from needlepoint.domain.vocabulary import Zone


class SqlChartRepository(SqlRepository):
    """Chart versions: only ever added; signing sets the signature of an unsigned version."""

    def add(self, version: ChartVersion) -> None:
        """Store a new version; ``VersionConflictError`` if another writer took its number."""
        columns = t.chart_version.c
        connection = self._connection()
        insert_or_conflict(
            connection,
            _INSERT_CHART,
            rows.chart_version_values(connection, version),
            lambda: select(columns.id).where(
                columns.session_id == version.session_id, columns.version == version.version
            ),
            VersionConflictError(
                "chart of session", version.session_id, version.version - 1, version.version
            ),
        )

    def latest(self, clinic_id: UUID, session_id: UUID) -> ChartVersion | None:
        """The newest version of a session's chart, or None if it has none."""
        return self._one(
            _LATEST_CHART,
            self._version_from_row,
            {"clinic_id": clinic_id, "session_id": session_id},
        )

    def history(self, clinic_id: UUID, session_id: UUID) -> Sequence[ChartVersion]:
        """Every version of a session's chart, oldest first."""
        return self._all(
            _CHART_HISTORY,
            self._version_from_row,
            {"clinic_id": clinic_id, "session_id": session_id},
        )

    def _version_from_row(self, row: RowMapping) -> ChartVersion:
        return rows.chart_version_from_row(self._connection(), row)

    def save_signature(self, version: ChartVersion) -> None:
        """Record the signature of an unsigned version; ``AlreadySignedError`` if signed."""
        if not version.is_signed:
            raise ValueError("save_signature needs the signed version (see ChartVersion.sign)")
        columns = t.chart_version.c
        statement = (
            update(t.chart_version)
            .where(
                columns.id == version.id,
                columns.clinic_id == version.clinic_id,
                columns.signed_at.is_(None),
            )
            .values(signed_at=version.signed_at, signed_by=version.signed_by)
        )
        if self._connection().execute(statement).rowcount == 0:
            raise AlreadySignedError("chart version", version.id)

    def lot_uses(self, clinic_id: UUID, lot: str) -> Sequence[LotUse]:
        """Every chart version of this clinic naming a lot (the indexed ``cartridge_lot``)."""
        found = self._connection().execute(_LOT_USES, {"clinic_id": clinic_id, "lot": lot})
        return [_lot_use(row) for row in found.mappings()]


def _lot_use(row: RowMapping) -> LotUse:
    zones = tuple(Zone(z["zone"]) for z in row["cv_chart"].get("zones", ()))
    return LotUse(
        patient=patient_from_row(unprefixed(row, _PATIENT)),
        session_id=row["session_id"],
        session_number=row["session_number"],
        started_at=row["started_at"],
        chart_version=row["cv_version"],
        zones=zones,
        charted_by=row["charted_by"],
        charted_by_name=row["charted_by_name"],
    )


# Built once with bound parameters: building a statement costs more than running it
# (~150 µs against ~80 µs on SQLite), and these run on the hot paths.
_CHART_VERSIONS: Final = select(t.chart_version).where(
    t.chart_version.c.clinic_id == bindparam("clinic_id"),
    t.chart_version.c.session_id == bindparam("session_id"),
)

_CHART_HISTORY: Final = _CHART_VERSIONS.order_by(t.chart_version.c.version)

_LATEST_CHART: Final = _CHART_VERSIONS.order_by(t.chart_version.c.version.desc()).limit(1)

_INSERT_CHART: Final = insert(t.chart_version)

_PATIENT: Final = keys(t.patient, "pt_")
_version, _session, _staff = t.chart_version.c, t.treatment_session.c, t.staff_member.c
_LOT_USES: Final = (
    select(
        *labelled(t.patient, _PATIENT),
        _session.id.label("session_id"),
        _session.number.label("session_number"),
        _session.started_at.label("started_at"),
        _version.version.label("cv_version"),
        _version.chart.label("cv_chart"),
        _version.created_by.label("charted_by"),
        _staff.display_name.label("charted_by_name"),
    )
    .select_from(
        t.chart_version.join(t.treatment_session, _session.id == _version.session_id)
        .join(
            t.patient,
            and_(
                t.patient.c.id == _version.patient_id, t.patient.c.clinic_id == _version.clinic_id
            ),
        )
        .join(t.staff_member, _staff.id == _version.created_by)
    )
    .where(_version.clinic_id == bindparam("clinic_id"), _version.cartridge_lot == bindparam("lot"))
)
"""A lot's chart versions with their sessions, patients and charting clinicians."""
