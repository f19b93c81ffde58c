"""The interop area's facade: a patient's record, or one resource of it, as FHIR R4B JSON.

Entry points (``/fhir/R4B`` in the API, the web page's export button) call these. A resource
that is unknown, of an unsupported type, or another clinic's raises ``FhirNotFoundError``,
whose message names only the type and id asked for: the three read alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from uuid import UUID

from needlepoint.domain.errors import NotFoundError
from needlepoint.services import audit as audit_service
from needlepoint.services.access import PatientNotFoundError
from needlepoint.services.interop import export
from needlepoint.services.interop.ports import (
    ClinicExport,
    FhirExporter,
    InteropUnitOfWork,
    Json,
    PatientExport,
)
from needlepoint.services.ports import Clock

__all__ = ["FhirNotFoundError", "Interop"]


class FhirNotFoundError(NotFoundError):
    """No such resource in the actor's clinic (unknown, unsupported or another clinic's)."""

    code = "fhir-not-found"

    def __init__(self, resource_type: str, resource_id: str) -> None:
        super().__init__(f"{resource_type}/{resource_id} is not known to this server")
        self.resource_type = resource_type
        self.resource_id = resource_id


@dataclass(frozen=True, slots=True)
class Interop:
    """A patient's record as FHIR R4B: $everything, read by id, search by patient."""

    unit_of_work: Callable[[], InteropUnitOfWork]
    clock: Clock
    exporter: FhirExporter
    knowledge_versions: Mapping[str, str]

    def capability_statement(self) -> Json:
        """What the FHIR API serves (no patient data; anyone signed in may read it)."""
        return self.exporter.capability_statement()

    def operation_outcome(
        self, code: str, diagnostics: str, fields: Sequence[tuple[str, str]] = ()
    ) -> Json:
        """An error as an OperationOutcome (each field's problem an issue of its own)."""
        return self.exporter.operation_outcome(code, diagnostics, fields)

    def resource_types(self) -> tuple[str, ...]:
        """The resource types served."""
        return self.exporter.resource_types()

    def is_clinic_type(self, resource_type: str) -> bool:
        """Whether the type belongs to the clinic (Organization…) rather than to a patient."""
        return resource_type in self.exporter.clinic_types()

    def everything(
        self, patient_id: UUID, *, context: audit_service.RequestContext, bundle_type: str
    ) -> Json:
        """Every resource of a patient (``Patient/{id}/$everything``) in one Bundle."""
        purpose = audit_service.Access("fhir.everything", "patient", str(patient_id), patient_id)
        found = self._patient(patient_id, "Patient", str(patient_id), purpose, context)
        return self.exporter.patient_bundle(found, bundle_type=bundle_type)

    def read(
        self, resource_type: str, resource_id: str, *, context: audit_service.RequestContext
    ) -> Json:
        """One resource by type and id (``GET /fhir/R4B/{type}/{id}``)."""
        self._require_type(resource_type, resource_id)
        if resource_type in self.exporter.clinic_types():
            found = self.exporter.find_in_clinic(self._clinic(context), resource_type, resource_id)
        else:
            patient_id = self.exporter.patient_of(resource_type, resource_id)
            if patient_id is None:
                raise FhirNotFoundError(resource_type, resource_id)
            purpose = audit_service.Access("fhir.read", resource_type, resource_id, patient_id)
            record = self._patient(patient_id, resource_type, resource_id, purpose, context)
            found = self.exporter.find(record, resource_type, resource_id)
        if found is None:
            raise FhirNotFoundError(resource_type, resource_id)
        return found

    def search(
        self,
        resource_type: str,
        patient_id: UUID | None,
        *,
        context: audit_service.RequestContext,
    ) -> Json:
        """A searchset of one type: a patient's (``?patient=``), or the clinic's own types."""
        self._require_type(resource_type, "")
        if resource_type in self.exporter.clinic_types():
            return self.exporter.search_clinic(self._clinic(context), resource_type)
        if patient_id is None:
            raise FhirNotFoundError(resource_type, "?patient=")
        purpose = audit_service.Access("fhir.search", resource_type, "*", patient_id)
        record = self._patient(patient_id, "Patient", str(patient_id), purpose, context)
        return self.exporter.search(record, resource_type)

    def _require_type(self, resource_type: str, resource_id: str) -> None:
        if resource_type not in self.exporter.resource_types():
            raise FhirNotFoundError(resource_type, resource_id)

    def _patient(
        self,
        patient_id: UUID,
        resource_type: str,
        resource_id: str,
        purpose: audit_service.Access,
        context: audit_service.RequestContext,
    ) -> PatientExport:
        try:
            return export.patient_export(
                patient_id=patient_id,
                purpose=purpose,
                context=context,
                uow=self.unit_of_work(),
                clock=self.clock,
                knowledge_versions=self.knowledge_versions,
            )
        except PatientNotFoundError as missing:
            raise FhirNotFoundError(resource_type, resource_id) from missing

    def _clinic(self, context: audit_service.RequestContext) -> ClinicExport:
        return export.clinic_export(
            context=context, uow=self.unit_of_work(), knowledge_versions=self.knowledge_versions
        )
