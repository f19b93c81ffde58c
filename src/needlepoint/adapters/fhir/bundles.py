"""Bundles and the CapabilityStatement, and ``FhirR4BExporter`` (the services' ``FhirExporter``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final
from uuid import UUID, uuid4

from fhir.resources.R4B.bundle import Bundle, BundleEntry, BundleEntrySearch
from fhir.resources.R4B.capabilitystatement import (
    CapabilityStatement,
    CapabilityStatementRest,
    CapabilityStatementRestResource,
    CapabilityStatementRestResourceInteraction,
    CapabilityStatementRestResourceOperation,
    CapabilityStatementRestResourceSearchParam,
    CapabilityStatementRestSecurity,
    CapabilityStatementSoftware,
)
from fhir.resources.R4B.domainresource import DomainResource
from fhir.resources.R4B.operationoutcome import OperationOutcome, OperationOutcomeIssue
from fhir.resources.R4B.resource import Resource

from needlepoint import __version__
from needlepoint.adapters.fhir.codes import meta, needlepoint_code_system, patient_of
from needlepoint.adapters.fhir.mapping import (
    CLINIC_TYPES,
    RESOURCE_TYPES,
    clinic_resources,
    patient_resources,
)
from needlepoint.services.interop.ports import ClinicExport, Json, PatientExport

FHIR_VERSION: Final = "4.3.0"
"""FHIR R4B."""
BUNDLE_TYPES: Final = frozenset({"collection", "searchset"})


def export_resources(export: PatientExport) -> list[DomainResource]:
    """The clinic's and the patient's resources, in dependency order."""
    return [*clinic_resources(export.clinic), *patient_resources(export)]


def patient_bundle(
    export: PatientExport, *, bundle_type: str = "searchset", now: datetime | None = None
) -> Bundle:
    """The patient's record (``$everything``) as one Bundle; every reference resolves inside it."""
    return bundle(export_resources(export), export.clinic.knowledge_versions, bundle_type, now)


def bundle(
    resources: Iterable[DomainResource],
    versions: Mapping[str, str],
    bundle_type: str,
    now: datetime | None = None,
) -> Bundle:
    """A Bundle of ``resources`` (full URLs relative to the server base) stating the versions."""
    if bundle_type not in BUNDLE_TYPES:
        msg = f"bundle type {bundle_type!r} is not one of {sorted(BUNDLE_TYPES)}"
        raise ValueError(msg)
    entries = [
        BundleEntry(
            fullUrl=f"urn:uuid:{resource.id}" if _is_uuid(resource.id) else None,
            resource=resource,
            search=BundleEntrySearch(mode="match") if bundle_type == "searchset" else None,
        )
        for resource in resources
    ]
    return Bundle(
        id=str(uuid4()),
        meta=meta(versions),
        type=bundle_type,
        timestamp=now or datetime.now(UTC),
        total=len(entries) if bundle_type == "searchset" else None,
        entry=entries or None,
    )


def _is_uuid(value: str | None) -> bool:
    return value is not None and len(value) == 36  # noqa: PLR2004 - a UUID's text


def capability_statement(now: datetime | None = None) -> CapabilityStatement:
    """What the read API serves: read and search by patient for each type, and $everything."""
    resources = [
        CapabilityStatementRestResource(
            type=kind,
            interaction=[
                CapabilityStatementRestResourceInteraction(code="read"),
                CapabilityStatementRestResourceInteraction(code="search-type"),
            ],
            searchParam=[
                CapabilityStatementRestResourceSearchParam(
                    name="patient" if kind != "Patient" else "_id",
                    type="reference" if kind != "Patient" else "token",
                )
            ]
            if kind not in CLINIC_TYPES
            else None,
            operation=[
                CapabilityStatementRestResourceOperation(
                    name="everything",
                    definition="http://hl7.org/fhir/OperationDefinition/Patient-everything",
                )
            ]
            if kind == "Patient"
            else None,
        )
        for kind in RESOURCE_TYPES
    ]
    return CapabilityStatement(
        status="active",
        date=now or datetime.now(UTC),
        kind="instance",
        publisher="needlepoint",
        software=CapabilityStatementSoftware(name="needlepoint", version=__version__),
        fhirVersion=FHIR_VERSION,
        format=["application/fhir+json"],
        rest=[
            CapabilityStatementRest(
                mode="server",
                documentation="Read-only; one clinic's records, as the API's permissions allow.",
                security=CapabilityStatementRestSecurity(
                    description="The needlepoint API's sign-in session or bearer token."
                ),
                resource=resources,
            )
        ],
    )


def dumped(resource: Resource) -> Json:
    """A resource as FHIR JSON (no empty elements)."""
    data: dict[str, Any] = resource.model_dump(mode="json", exclude_none=True, by_alias=True)
    return data


class FhirR4BExporter:
    """The ``FhirExporter`` port on ``fhir.resources.R4B``."""

    def resource_types(self) -> tuple[str, ...]:
        """The resource types the exporter writes, in dependency order."""
        return RESOURCE_TYPES

    def capability_statement(self) -> Json:
        """The server's CapabilityStatement."""
        return dumped(capability_statement())

    def code_system(self) -> Json:
        """Needlepoint's CodeSystem."""
        return dumped(needlepoint_code_system())

    def patient_bundle(self, export: PatientExport, *, bundle_type: str) -> Json:
        """Every resource of the patient in one Bundle."""
        return dumped(patient_bundle(export, bundle_type=bundle_type))

    def find(self, export: PatientExport, resource_type: str, resource_id: str) -> Json | None:
        """One resource of the patient's record by type and id, or None."""
        for resource in export_resources(export):
            if resource.get_resource_type() == resource_type and resource.id == resource_id:
                return dumped(resource)
        return None

    def find_in_clinic(
        self, clinic: ClinicExport, resource_type: str, resource_id: str
    ) -> Json | None:
        """One of the clinic's resources (Organization, Practitioner, Location), or None."""
        for resource in clinic_resources(clinic):
            if resource.get_resource_type() == resource_type and resource.id == resource_id:
                return dumped(resource)
        return None

    def clinic_types(self) -> tuple[str, ...]:
        """The resource types that belong to the clinic rather than to a patient."""
        return CLINIC_TYPES

    def search_clinic(self, clinic: ClinicExport, resource_type: str) -> Json:
        """A searchset Bundle of the clinic's resources of one type."""
        found = [r for r in clinic_resources(clinic) if r.get_resource_type() == resource_type]
        return dumped(bundle(found, clinic.knowledge_versions, "searchset"))

    def patient_of(self, resource_type: str, resource_id: str) -> UUID | None:
        """The patient whose record holds a resource id (a Patient's id is its own)."""
        if resource_type == "Patient":
            try:
                return UUID(resource_id)
            except ValueError:
                return None
        return patient_of(resource_id)

    def operation_outcome(
        self, code: str, diagnostics: str, fields: Sequence[tuple[str, str]] = ()
    ) -> Json:
        """An OperationOutcome: the error, then one issue per field naming it."""
        issues = [OperationOutcomeIssue(severity="error", code=code, diagnostics=diagnostics)]
        issues.extend(
            OperationOutcomeIssue(
                severity="error", code="invalid", diagnostics=said, expression=[field]
            )
            for field, said in fields
        )
        return dumped(OperationOutcome(issue=issues))

    def search(self, export: PatientExport, resource_type: str) -> Json:
        """A searchset Bundle of the patient's resources of one type."""
        found = [r for r in patient_resources(export) if r.get_resource_type() == resource_type]
        return dumped(bundle(found, export.clinic.knowledge_versions, "searchset"))
