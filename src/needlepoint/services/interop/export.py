"""Gather a patient's whole record (or the clinic's) as neutral values for an exporter.

The programme comes from the records area (``read_programme``, which audits each kind of
record it reads); consents and clinical photos are read here and audited the same way. The
exporter (``ports.FhirExporter``) maps the values; nothing here knows FHIR.
"""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from needlepoint.services import audit, permissions
from needlepoint.services.access import listed_patient
from needlepoint.services.interop.ports import (
    ClinicExport,
    ClinicReads,
    ClinicRecords,
    ExportReads,
    PatientExport,
)
from needlepoint.services.permissions import Action
from needlepoint.services.ports import Clock
from needlepoint.services.records.facade import read_programme

EXPORT_READS = (
    ("consent.list", "consent"),
    ("photo.list", "clinical_photo"),
    ("redness.list", "redness_reading"),
)
"""(audit action, resource type) of each kind of record read beside the programme."""


def patient_export(
    *,
    patient_id: UUID,
    purpose: audit.Access,
    context: audit.RequestContext,
    uow: ExportReads,
    clock: Clock,
    knowledge_versions: Mapping[str, str],
) -> PatientExport:
    """One patient's whole record for export; ``purpose`` (fhir.read…) is audited with it.

    Raises ``PatientNotFoundError`` for an unknown patient or another clinic's, alike.
    """
    permissions.require(context, Action.FHIR_READ)
    clinic_id = context.actor.clinic_id
    with uow:
        patient = listed_patient(uow, context, patient_id, purpose.action, clock)
        programme = read_programme(uow, context, clock, patient)
        consents = tuple(
            consent
            for course in programme.series
            for consent in uow.consents.for_series(clinic_id, course.series.id)
        )
        photos = tuple(uow.photos.for_patient(clinic_id, patient.id))
        redness = tuple(uow.photos.readings_for_patient(clinic_id, patient.id))
        clinic = _clinic(uow, clinic_id, knowledge_versions)
        at = clock.now()
        for action, resource_type in EXPORT_READS:
            audit.record(uow, context, audit.Access(action, resource_type, "*", patient.id), at=at)
        audit.record(uow, context, purpose, at=at)
        uow.commit()
    return PatientExport(clinic, programme, consents, photos, redness)


def clinic_export(
    *,
    context: audit.RequestContext,
    uow: ClinicReads,
    knowledge_versions: Mapping[str, str],
) -> ClinicExport:
    """The actor's clinic with its staff and rooms (no patient data)."""
    permissions.require(context, Action.FHIR_READ)
    with uow:
        found = _clinic(uow, context.actor.clinic_id, knowledge_versions)
        uow.commit()
    return found


def _clinic(uow: ClinicRecords, clinic_id: UUID, versions: Mapping[str, str]) -> ClinicExport:
    clinic = uow.clinics.get(clinic_id)
    if clinic is None:  # the actor's own clinic always exists
        msg = f"the actor's clinic {clinic_id} is missing"
        raise LookupError(msg)
    staff = tuple(uow.staff.for_clinic(clinic_id))
    rooms = tuple(uow.rooms.for_clinic(clinic_id))
    return ClinicExport(clinic, staff, rooms, dict(versions))
