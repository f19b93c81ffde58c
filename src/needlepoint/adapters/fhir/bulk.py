"""The FHIR mapping for a bulk export: each resource of a clinic as one line of JSON.

The same mapping as one patient's export (``mapping.clinic_resources``,
``mapping.patient_resources``), handed on resource by resource rather than in a Bundle, each
serialised straight to compact JSON by ``ndjson.ndjson_line``: byte for byte what
``model_dump_json`` writes (the same JSON as ``bundles.dumped``), a dozen times faster.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from fhir.resources.R4B.domainresource import DomainResource

from needlepoint.adapters.fhir.mapping import RESOURCE_TYPES, clinic_resources, patient_resources
from needlepoint.adapters.fhir.ndjson import ndjson_line
from needlepoint.services.interop.ports import ClinicExport, PatientExport


class FhirR4BBulkMapper:
    """``FhirBulkMapper`` on ``fhir.resources.R4B`` (every resource validated as it is built)."""

    def resource_types(self) -> Sequence[str]:
        """Every resource type, in dependency order."""
        return RESOURCE_TYPES

    def clinic_lines(self, clinic: ClinicExport) -> Iterator[tuple[str, str]]:
        """The clinic's Organization, its staff and its rooms."""
        return _lines(clinic_resources(clinic))

    def patient_lines(self, export: PatientExport) -> Iterator[tuple[str, str]]:
        """Every resource of one patient's record."""
        return _lines(patient_resources(export))


def _lines(resources: Iterable[DomainResource]) -> Iterator[tuple[str, str]]:
    for resource in resources:
        yield resource.get_resource_type(), ndjson_line(resource)
