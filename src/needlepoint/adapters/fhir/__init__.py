"""FHIR R4B: needlepoint's records as ``fhir.resources.R4B`` resources (issue 15).

Public for the exports: ``clinic_resources``, ``patient_resources`` (validated resources in
dependency order), ``patient_bundle`` and ``FhirR4BExporter`` (the ``FhirExporter`` port).
"""

from needlepoint.adapters.fhir.bundles import FhirR4BExporter, bundle, patient_bundle
from needlepoint.adapters.fhir.codes import needlepoint_code_system
from needlepoint.adapters.fhir.mapping import RESOURCE_TYPES, clinic_resources, patient_resources

__all__ = [
    "RESOURCE_TYPES",
    "FhirR4BExporter",
    "bundle",
    "clinic_resources",
    "needlepoint_code_system",
    "patient_bundle",
    "patient_resources",
]
