"""The interop area's ports: the neutral records an exporter maps, and the exporter itself.

``PatientExport`` and ``ClinicExport`` are plain values (domain records, no FHIR): the
services gather them, the ``FhirExporter`` adapter (``adapters/fhir``) maps them. The Bulk
Data export (issue 15, part 2) builds the same values per clinic and calls the same mapping.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from needlepoint.domain.consent import SignedConsent
from needlepoint.domain.photos import ClinicalPhoto, RednessReading
from needlepoint.domain.records import Clinic, StaffMember
from needlepoint.domain.scheduling import Room
from needlepoint.services.ports import (
    HasClinics,
    HasConsents,
    HasPatients,
    HasPhotos,
    HasRooms,
    HasStaff,
    Transaction,
)
from needlepoint.services.records.facade import PatientProgramme
from needlepoint.services.records.ports import ProgrammeRecord

Json = dict[str, Any]
"""A FHIR resource or Bundle as JSON (``application/fhir+json``), built by the adapter."""


@dataclass(frozen=True, slots=True)
class ClinicExport:
    """A clinic as an exporter sees it: the clinic, its staff and its rooms.

    ``knowledge_versions`` are the versions of the knowledge tables in force (each resource
    states them).
    """

    clinic: Clinic
    staff: tuple[StaffMember, ...]
    rooms: tuple[Room, ...]
    knowledge_versions: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class PatientExport:
    """One patient's whole record for export: the programme and what lives beside it."""

    clinic: ClinicExport
    programme: PatientProgramme
    consents: tuple[SignedConsent, ...] = ()
    photos: tuple[ClinicalPhoto, ...] = ()
    redness: tuple[RednessReading, ...] = ()


class FhirExporter(Protocol):
    """Maps neutral records to validated FHIR R4B JSON (``adapters.fhir.FhirR4BExporter``)."""

    def resource_types(self) -> tuple[str, ...]:
        """The resource types the exporter writes, in dependency order."""
        ...

    def capability_statement(self) -> Json:
        """The server's CapabilityStatement."""
        ...

    def patient_bundle(self, export: PatientExport, *, bundle_type: str) -> Json:
        """Every resource of the patient in one Bundle ("collection" or "searchset")."""
        ...

    def find(self, export: PatientExport, resource_type: str, resource_id: str) -> Json | None:
        """One resource of the patient's record by type and id, or None."""
        ...

    def find_in_clinic(
        self, clinic: ClinicExport, resource_type: str, resource_id: str
    ) -> Json | None:
        """One of the clinic's resources (Organization, Practitioner, Location), or None."""
        ...

    def clinic_types(self) -> tuple[str, ...]:
        """The resource types that belong to the clinic rather than to a patient."""
        ...

    def search_clinic(self, clinic: ClinicExport, resource_type: str) -> Json:
        """A searchset Bundle of the clinic's resources of one type."""
        ...

    def patient_of(self, resource_type: str, resource_id: str) -> UUID | None:
        """The patient whose record holds a resource id, or None when none can."""
        ...

    def operation_outcome(
        self, code: str, diagnostics: str, fields: Sequence[tuple[str, str]] = ()
    ) -> Json:
        """An OperationOutcome: one error issue, then one issue per field.

        ``code`` is from FHIR's issue types; each (field, what is wrong and the fix) becomes an
        ``invalid`` issue with the field as its expression.
        """
        ...

    def search(self, export: PatientExport, resource_type: str) -> Json:
        """A searchset Bundle of the patient's resources of one type."""
        ...


class ClinicRecords(HasClinics, HasStaff, HasRooms, Protocol):
    """A clinic, its staff and its rooms, inside a use case's transaction."""


class ClinicReads(Transaction, ClinicRecords, Protocol):
    """Read a clinic, its staff and its rooms."""


class ExportReads(ClinicReads, ProgrammeRecord, HasPatients, HasConsents, HasPhotos, Protocol):
    """Read one patient's whole record for export (every read audited)."""


class InteropUnitOfWork(ExportReads, Protocol):
    """Everything the interop area's use cases read."""
