"""Clinical photos, their redness readings and the copies made from them.

A photo's bytes are read only by ``stored``; every other read leaves the ``data`` column out,
so a list of photos never loads their pixels. Reads for one patient name (clinic_id,
patient_id) in the query itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Final
from uuid import UUID

from sqlalchemy import RowMapping, Select, insert, select, update

from needlepoint.adapters.db import tables as t
from needlepoint.adapters.db.repository import SqlRepository, upsert
from needlepoint.domain.photo_geometry import Landmarks, Point, Region
from needlepoint.domain.photos import (
    ClinicalPhoto,
    Derivative,
    PhotoView,
    RednessReading,
    StoredPhoto,
)
from needlepoint.domain.vocabulary import Zone

_PHOTO: Final = t.clinical_photo.c
_READING: Final = t.redness_reading.c
_DERIVATIVE: Final = t.photo_derivative.c
_DESCRIBED: Final = tuple(column for column in t.clinical_photo.c if column.name != "data")
"""Every column of a photo but its bytes."""


class SqlPhotoRepository(SqlRepository):
    """Clinical photos, redness readings and kept derivatives."""

    def add(self, photo: ClinicalPhoto, data: bytes) -> None:
        """Store a new photo with its bytes."""
        values = _photo_values(photo) | {"data": data}
        self._connection().execute(insert(t.clinical_photo).values(values))

    def get(
        self, clinic_id: UUID, photo_id: UUID, *, patient_id: UUID | None = None
    ) -> ClinicalPhoto | None:
        """A photo of this clinic (and of this patient, if named), without its bytes."""
        query = _scoped(select(*_DESCRIBED), clinic_id, photo_id, patient_id)
        return self._one(query, _photo_from_row)

    def stored(
        self, clinic_id: UUID, photo_id: UUID, *, patient_id: UUID | None = None
    ) -> StoredPhoto | None:
        """A photo of this clinic (and of this patient, if named), with its bytes as stored."""
        query = _scoped(select(t.clinical_photo), clinic_id, photo_id, patient_id)
        return self._one(query, lambda row: StoredPhoto(_photo_from_row(row), bytes(row["data"])))

    def for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[ClinicalPhoto]:
        """A patient's photos, oldest first, without their bytes."""
        query = (
            select(*_DESCRIBED)
            .where(_PHOTO.clinic_id == clinic_id, _PHOTO.patient_id == patient_id)
            .order_by(_PHOTO.taken_on, _PHOTO.created_at, _PHOTO.id)
        )
        return self._all(query, _photo_from_row)

    def save_landmarks(self, photo: ClinicalPhoto) -> None:
        """Store a photo's landmarks."""
        statement = (
            update(t.clinical_photo)
            .where(_PHOTO.clinic_id == photo.clinic_id, _PHOTO.id == photo.id)
            .values(landmarks=_landmarks_json(photo.landmarks))
        )
        self._connection().execute(statement)

    def add_reading(self, reading: RednessReading) -> None:
        """Store a redness reading."""
        values = {
            "id": reading.id,
            "clinic_id": reading.clinic_id,
            "patient_id": reading.patient_id,
            "photo_id": reading.photo_id,
            "region": [[p.x_px, p.y_px] for p in reading.region.vertices],
            "a_star": reading.a_star,
            "recorded_at": reading.recorded_at,
            "recorded_by": reading.recorded_by,
        }
        self._connection().execute(insert(t.redness_reading).values(values))

    def readings_for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[RednessReading]:
        """A patient's readings with their photo's day, view and session, oldest first."""
        query = (
            select(
                t.redness_reading,
                _PHOTO.session_id,
                _PHOTO.taken_on,
                _PHOTO.view,
                _PHOTO.zone,
            )
            .join(t.clinical_photo, _PHOTO.id == _READING.photo_id)
            .where(_READING.clinic_id == clinic_id, _READING.patient_id == patient_id)
            .order_by(_PHOTO.taken_on, _READING.recorded_at, _READING.id)
        )
        return self._all(query, _reading_from_row)

    def derivative(self, clinic_id: UUID, key: str) -> Derivative | None:
        """A copy kept under ``key`` for this clinic."""
        query = select(_DERIVATIVE.key, _DERIVATIVE.data, _DERIVATIVE.sha256).where(
            _DERIVATIVE.clinic_id == clinic_id, _DERIVATIVE.key == key
        )
        return self._one(
            query, lambda row: Derivative(row["key"], bytes(row["data"]), row["sha256"])
        )

    def keep_derivative(
        self, derivative: Derivative, *, photo: ClinicalPhoto, at: datetime
    ) -> None:
        """Keep a copy; one already kept under its key (two readers at once) is replaced."""
        connection = self._connection()
        values = {
            "key": derivative.key,
            "clinic_id": photo.clinic_id,
            "photo_id": photo.id,
            "data": derivative.data,
            "sha256": derivative.sha256,
            "created_at": at,
        }
        statement = upsert(connection, t.photo_derivative).values(values)
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=[_DERIVATIVE.key],
                set_={"data": derivative.data, "sha256": derivative.sha256, "created_at": at},
            )
        )


def _scoped(
    query: Select[Any], clinic_id: UUID, photo_id: UUID, patient_id: UUID | None
) -> Select[Any]:
    query = query.where(_PHOTO.clinic_id == clinic_id, _PHOTO.id == photo_id)
    return query if patient_id is None else query.where(_PHOTO.patient_id == patient_id)


def _photo_values(photo: ClinicalPhoto) -> dict[str, Any]:
    return {
        "id": photo.id,
        "clinic_id": photo.clinic_id,
        "patient_id": photo.patient_id,
        "session_id": photo.session_id,
        "view": photo.view.value,
        "zone": None if photo.zone is None else photo.zone.value,
        "taken_on": photo.taken_on,
        "width_px": photo.width_px,
        "height_px": photo.height_px,
        "size_bytes": photo.size_bytes,
        "content_type": photo.content_type,
        "sha256": photo.sha256,
        "landmarks": _landmarks_json(photo.landmarks),
        "created_at": photo.created_at,
        "created_by": photo.created_by,
    }


def _landmarks_json(landmarks: Landmarks | None) -> dict[str, Any] | None:
    if landmarks is None:
        return None
    return {
        "first": {"x_px": landmarks.first.x_px, "y_px": landmarks.first.y_px},
        "second": {"x_px": landmarks.second.x_px, "y_px": landmarks.second.y_px},
    }


def _landmarks_from_json(stored: dict[str, Any] | None) -> Landmarks | None:
    if stored is None:
        return None
    first, second = stored["first"], stored["second"]
    return Landmarks(
        Point(float(first["x_px"]), float(first["y_px"])),
        Point(float(second["x_px"]), float(second["y_px"])),
    )


def _photo_from_row(row: RowMapping) -> ClinicalPhoto:
    return ClinicalPhoto(
        id=row["id"],
        clinic_id=row["clinic_id"],
        patient_id=row["patient_id"],
        session_id=row["session_id"],
        view=PhotoView(row["view"]),
        zone=None if row["zone"] is None else Zone(row["zone"]),
        taken_on=row["taken_on"],
        width_px=row["width_px"],
        height_px=row["height_px"],
        size_bytes=row["size_bytes"],
        sha256=row["sha256"],
        created_at=row["created_at"],
        created_by=row["created_by"],
        landmarks=_landmarks_from_json(row["landmarks"]),
        content_type=row["content_type"],
    )


def _reading_from_row(row: RowMapping) -> RednessReading:
    return RednessReading(
        id=row["id"],
        clinic_id=row["clinic_id"],
        patient_id=row["patient_id"],
        photo_id=row["photo_id"],
        session_id=row["session_id"],
        taken_on=row["taken_on"],
        view=PhotoView(row["view"]),
        zone=None if row["zone"] is None else Zone(row["zone"]),
        region=Region(tuple(Point(float(x), float(y)) for x, y in row["region"])),
        a_star=Decimal(row["a_star"]),
        recorded_at=row["recorded_at"],
        recorded_by=row["recorded_by"],
    )
