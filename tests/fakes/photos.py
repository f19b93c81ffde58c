"""Fake of the treatment area's photo repository (``services/treatment/ports.PhotoRepository``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from uuid import UUID

from fakes.database import FakeDatabase
from needlepoint.domain.photos import ClinicalPhoto, Derivative, RednessReading, StoredPhoto


class FakePhotos:
    def __init__(self, database: FakeDatabase) -> None:
        self.rows = database.clinical_photos
        self.readings = database.redness_readings
        self.derivatives = database.photo_derivatives

    def add(self, photo: ClinicalPhoto, data: bytes) -> None:
        self.rows[photo.id] = StoredPhoto(photo, data)

    def get(
        self, clinic_id: UUID, photo_id: UUID, *, patient_id: UUID | None = None
    ) -> ClinicalPhoto | None:
        found = self.stored(clinic_id, photo_id, patient_id=patient_id)
        return None if found is None else found.photo

    def stored(
        self, clinic_id: UUID, photo_id: UUID, *, patient_id: UUID | None = None
    ) -> StoredPhoto | None:
        found = self.rows.get(photo_id)
        if found is None or found.photo.clinic_id != clinic_id:
            return None
        if patient_id is not None and found.photo.patient_id != patient_id:
            return None
        return found

    def for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[ClinicalPhoto]:
        found = [
            s.photo
            for s in self.rows.values()
            if (s.photo.clinic_id, s.photo.patient_id) == (clinic_id, patient_id)
        ]
        return sorted(found, key=lambda p: p.order_key)

    def save_landmarks(self, photo: ClinicalPhoto) -> None:
        stored = self.rows[photo.id]
        self.rows[photo.id] = replace(
            stored, photo=replace(stored.photo, landmarks=photo.landmarks)
        )

    def add_reading(self, reading: RednessReading) -> None:
        assert reading.photo_id in self.rows, "a reading's photo is kept by a foreign key"
        self.readings[reading.id] = reading

    def readings_for_patient(self, clinic_id: UUID, patient_id: UUID) -> Sequence[RednessReading]:
        found = [
            r
            for r in self.readings.values()
            if (r.clinic_id, r.patient_id) == (clinic_id, patient_id)
        ]
        return sorted(found, key=lambda r: (r.taken_on, r.recorded_at, str(r.id)))

    def derivative(self, clinic_id: UUID, key: str) -> Derivative | None:
        found = self.derivatives.get(key)
        return found[1] if found is not None and found[0] == clinic_id else None

    def keep_derivative(
        self,
        derivative: Derivative,
        *,
        photo: ClinicalPhoto,
        at: datetime,  # noqa: ARG002 - the table keeps it; nothing here reads it
    ) -> None:
        self.derivatives[derivative.key] = (photo.clinic_id, derivative)
