"""Chart versions: only ever added; signing sets the signature of an unsigned version."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final
from uuid import UUID

from sqlalchemy import bindparam, insert, select, update

from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.repository import SqlRepository, insert_or_conflict
from needlepoint.adapters.db.shared.patients import patient_from_row
from needlepoint.adapters.db.treatment import rows
from needlepoint.domain.records import AlreadySignedError, PatientRecord
from needlepoint.domain.treatment import ChartVersion, VersionConflictError


class SqlChartRepository(SqlRepository):
    """Chart versions: only ever added; signing sets the signature of an unsigned version."""

    def add(self, version: ChartVersion) -> None:
        """Store a new version; ``VersionConflictError`` if another writer took its number."""
        columns = t.chart_version.c
        insert_or_conflict(
            self._connection(),
            _INSERT_CHART,
            rows.chart_version_values(version),
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
            rows.chart_version_from_row,
            {"clinic_id": clinic_id, "session_id": session_id},
        )

    def history(self, clinic_id: UUID, session_id: UUID) -> Sequence[ChartVersion]:
        """Every version of a session's chart, oldest first."""
        return self._all(
            _CHART_HISTORY,
            rows.chart_version_from_row,
            {"clinic_id": clinic_id, "session_id": session_id},
        )

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

    def patients_with_lot(self, clinic_id: UUID, lot: str) -> Sequence[PatientRecord]:
        """Every patient of this clinic charted with a cartridge lot, by name."""
        columns = t.chart_version.c
        charted = select(columns.patient_id).where(
            columns.clinic_id == clinic_id, columns.cartridge_lot == lot
        )
        patients = t.patient.c
        query = (
            select(t.patient)
            .where(patients.clinic_id == clinic_id, patients.id.in_(charted))
            .order_by(patients.family_name, patients.given_name, patients.id)
        )
        return self._all(query, patient_from_row)


# Built once with bound parameters: building a statement costs more than running it
# (~150 µs against ~80 µs on SQLite), and these run on the hot paths.
_CHART_VERSIONS: Final = select(t.chart_version).where(
    t.chart_version.c.clinic_id == bindparam("clinic_id"),
    t.chart_version.c.session_id == bindparam("session_id"),
)

_CHART_HISTORY: Final = _CHART_VERSIONS.order_by(t.chart_version.c.version)

_LATEST_CHART: Final = _CHART_VERSIONS.order_by(t.chart_version.c.version.desc()).limit(1)

_INSERT_CHART: Final = insert(t.chart_version)
