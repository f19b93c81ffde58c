"""A clinic's records as FHIR resources for a bulk export: the clinic's, then each patient's.

The same neutral values as one patient's export (``export.patient_export``) and the same
mapping, read without a per-patient audit (the job is audited once, and each download):
patients by keyset pages of ``PAGE`` (ADR 0034), each page in one short read transaction and
a few set-based queries (``page_records``: one per table, not a dozen per patient), so memory
stays flat however large the clinic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Final
from uuid import UUID

from needlepoint.services.interop.bulk_ports import BulkReads, FhirBulkMapper, PatientRows
from needlepoint.services.interop.ports import ClinicExport, ClinicRecords, PatientExport
from needlepoint.services.records.facade import gather_programme

PAGE: Final = 200
"""Patients read per transaction."""


@dataclass(frozen=True, slots=True)
class ClinicWalk:
    """Where a bulk export reads the clinic, and how it maps it."""

    reads: Callable[[], BulkReads]
    mapper: FhirBulkMapper
    knowledge_versions: Mapping[str, str]

    def resource_types(self) -> tuple[str, ...]:
        """Every resource type, in the manifest's order."""
        return tuple(self.mapper.resource_types())

    def patient_count(self, clinic_id: UUID) -> int:
        """How many patients the clinic has (a progress bar's total)."""
        uow = self.reads()
        with uow:
            return uow.bulk_jobs.patient_count(clinic_id)

    def resources(self, clinic_id: UUID) -> Iterator[tuple[str, str]]:
        """Each resource of the clinic once: its type and its JSON on one line."""
        uow = self.reads()
        with uow:
            clinic = clinic_export(uow, clinic_id, self.knowledge_versions)
        yield from self.mapper.clinic_lines(clinic)
        for export in _patients(self.reads, clinic):
            yield from self.mapper.patient_lines(export)


def clinic_export(uow: ClinicRecords, clinic_id: UUID, versions: Mapping[str, str]) -> ClinicExport:
    """The clinic with its staff and rooms."""
    clinic = uow.clinics.get(clinic_id)
    if clinic is None:  # the job's clinic was checked when it was asked for
        msg = f"the clinic {clinic_id} is missing"
        raise LookupError(msg)
    staff = tuple(uow.staff.for_clinic(clinic_id))
    rooms = tuple(uow.rooms.for_clinic(clinic_id))
    return ClinicExport(clinic, staff, rooms, dict(versions))


def _patients(reads: Callable[[], BulkReads], clinic: ClinicExport) -> Iterator[PatientExport]:
    after: UUID | None = None
    while True:
        uow = reads()
        with uow:
            ids = uow.bulk_jobs.patient_ids(clinic.clinic.id, after=after, limit=PAGE)
            records = uow.bulk_jobs.page_records(clinic.clinic.id, ids)
            page = [_patient_export(records, clinic, patient_id) for patient_id in ids]
        yield from (export for export in page if export is not None)
        if len(ids) < PAGE:
            return
        after = ids[-1]


def _patient_export(
    uow: PatientRows, clinic: ClinicExport, patient_id: UUID
) -> PatientExport | None:
    clinic_id = clinic.clinic.id
    patient = uow.patients.get(clinic_id, patient_id)
    if patient is None:  # erased between the page and now
        return None
    programme = gather_programme(uow, clinic_id, patient)
    consents = tuple(
        consent
        for course in programme.series
        for consent in uow.consents.for_series(clinic_id, course.series.id)
    )
    photos = tuple(uow.photos.for_patient(clinic_id, patient_id))
    redness = tuple(uow.photos.readings_for_patient(clinic_id, patient_id))
    return PatientExport(clinic, programme, consents, photos, redness)
