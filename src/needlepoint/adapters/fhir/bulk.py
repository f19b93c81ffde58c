"""The FHIR mapping for a bulk export: each resource of a clinic as one JSON object.

The same mapping as one patient's export (``mapping.clinic_resources``,
``mapping.patient_resources``), handed on resource by resource rather than in a Bundle.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from needlepoint.adapters.fhir.bundles import dumped
from needlepoint.adapters.fhir.mapping import RESOURCE_TYPES, clinic_resources, patient_resources
from needlepoint.services.interop.ports import ClinicExport, Json, PatientExport


class FhirR4BBulkMapper:
    """``FhirBulkMapper`` on ``fhir.resources.R4B`` (every resource validated as it is built)."""

    def resource_types(self) -> Sequence[str]:
        """Every resource type, in dependency order."""
        return RESOURCE_TYPES

    def clinic_resources(self, clinic: ClinicExport) -> Iterator[Json]:
        """The clinic's Organization, its staff and its rooms."""
        for resource in clinic_resources(clinic):
            yield dumped(resource)

    def patient_resources(self, export: PatientExport) -> Iterator[Json]:
        """Every resource of one patient's record."""
        for resource in patient_resources(export):
            yield dumped(resource)
