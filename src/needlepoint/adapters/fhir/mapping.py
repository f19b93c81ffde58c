"""needlepoint's records as FHIR R4B resources, built with ``fhir.resources.R4B`` models.

``clinic_resources`` maps a clinic (Organization, Practitioner, Location); ``patient_resources``
maps one patient's record (Patient, Condition, MedicationStatement, CarePlan, Appointment,
Procedure, AdverseEvent, Observation, Consent, DocumentReference, Media). Both yield validated
resources in dependency order (a resource comes after every resource it refers to). The Bulk
Data export calls them per clinic; ``docs/fhir.md`` is the mapping table.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any, Final
from uuid import UUID

from fhir.resources.R4B.address import Address
from fhir.resources.R4B.adverseevent import AdverseEvent, AdverseEventSuspectEntity
from fhir.resources.R4B.annotation import Annotation
from fhir.resources.R4B.appointment import Appointment, AppointmentParticipant
from fhir.resources.R4B.attachment import Attachment
from fhir.resources.R4B.careplan import CarePlan, CarePlanActivity, CarePlanActivityDetail
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.consent import Consent, ConsentProvision, ConsentVerification
from fhir.resources.R4B.contactpoint import ContactPoint
from fhir.resources.R4B.documentreference import DocumentReference, DocumentReferenceContent
from fhir.resources.R4B.domainresource import DomainResource
from fhir.resources.R4B.extension import Extension
from fhir.resources.R4B.humanname import HumanName
from fhir.resources.R4B.identifier import Identifier
from fhir.resources.R4B.location import Location
from fhir.resources.R4B.media import Media
from fhir.resources.R4B.medicationstatement import MedicationStatement
from fhir.resources.R4B.observation import Observation, ObservationComponent
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.period import Period
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.procedure import Procedure, ProcedurePerformer
from fhir.resources.R4B.range import Range
from fhir.resources.R4B.reference import Reference
from fhir.resources.R4B.timing import Timing, TimingRepeat

from needlepoint.adapters.fhir.codes import (
    ATC,
    ID_SYSTEM,
    LOINC,
    Concept,
    coding,
    compartment_id,
    concept,
    extension,
    instant,
    meta,
    millimetres,
    reference,
    score,
    standard,
)
from needlepoint.domain.assessments import ScarAssessmentRecord
from needlepoint.domain.consent import SignedConsent
from needlepoint.domain.outcomes import CareDocument, OutcomeMeasurement, OutcomeScale
from needlepoint.domain.photos import ClinicalPhoto, RednessReading
from needlepoint.domain.records import Clinic, ConsultationRecord, PatientRecord, StaffMember
from needlepoint.domain.scheduling import Room
from needlepoint.domain.scheduling.appointments import Appointment as Booked
from needlepoint.domain.scheduling.appointments import AppointmentStatus
from needlepoint.domain.treatment import (
    ChartVersion,
    SeriesStatus,
    SessionStatus,
    TreatmentSeries,
    TreatmentSession,
)
from needlepoint.services.interop.ports import ClinicExport, PatientExport
from needlepoint.services.records.facade import ClinicalRecord

Versions = Mapping[str, str]

RESOURCE_TYPES: Final = (
    "Organization",
    "Practitioner",
    "Location",
    "Patient",
    "Condition",
    "MedicationStatement",
    "CarePlan",
    "Appointment",
    "Procedure",
    "AdverseEvent",
    "Observation",
    "Consent",
    "DocumentReference",
    "Media",
)
"""Every resource type the export writes, in dependency order."""
CLINIC_TYPES: Final = ("Organization", "Practitioner", "Location")
"""The types that belong to the clinic, not to one patient's compartment."""

HL7: Final = "http://terminology.hl7.org/CodeSystem"
SERIES_STATUS: Final = {
    SeriesStatus.PLANNED: "active",
    SeriesStatus.IN_PROGRESS: "active",
    SeriesStatus.COMPLETED: "completed",
    SeriesStatus.CANCELLED: "revoked",
}
SESSION_STATUS: Final = {
    SessionStatus.SCHEDULED: "preparation",
    SessionStatus.STARTED: "in-progress",
    SessionStatus.SIGNED: "completed",
}
APPOINTMENT_STATUS: Final = {
    AppointmentStatus.BOOKED: "booked",
    AppointmentStatus.ATTENDED: "fulfilled",
    AppointmentStatus.NO_SHOW: "noshow",
    AppointmentStatus.CANCELLED: "cancelled",
}
SCALE_UNIT: Final = {
    OutcomeScale.GB_QUALITATIVE: "{grade}",
    OutcomeScale.GB_QUANTITATIVE: "{score}",
    OutcomeScale.ECCA: "{score}",
    OutcomeScale.GAIS: "{score}",
    OutcomeScale.SATISFACTION: "{score}",
}
PATIENT_REPORTED: Final = frozenset({OutcomeScale.SATISFACTION})


def own(resource_type: str, patient_id: UUID, record_id: UUID | None) -> Reference:
    """A reference to a resource in the patient's compartment."""
    if record_id is None:
        msg = f"a {resource_type} reference needs a record id"
        raise ValueError(msg)
    return Reference(reference=f"{resource_type}/{compartment_id(patient_id, record_id)}")


# the clinic ------------------------------------------------------------------------------


def clinic_resources(clinic: ClinicExport) -> Iterator[DomainResource]:
    """The clinic's Organization, its staff (Practitioner) and rooms (Location), in that order."""
    versions = clinic.knowledge_versions
    yield organization(clinic.clinic, versions)
    for member in clinic.staff:
        yield practitioner(member, versions)
    for room in clinic.rooms:
        yield location(room, versions)


def organization(clinic: Clinic, versions: Versions) -> Organization:
    """The clinic: name, phone, address and hours."""
    contact = clinic.contact
    return Organization(
        id=str(clinic.id),
        meta=meta(versions),
        active=True,
        name=clinic.name,
        telecom=[ContactPoint(system="phone", value=contact.phone)] if contact else None,
        address=[Address(text=contact.address)] if contact and contact.address else None,
        extension=[extension("time-zone", valueCode=clinic.time_zone)]
        + (
            [extension("phone-hours", valueString=contact.phone_hours)]
            if contact and contact.phone_hours
            else []
        ),
    )


def practitioner(member: StaffMember, versions: Versions) -> Practitioner:
    """A member of staff: name, email, role and licensed needle depth."""
    licence = (
        [extension("licensed-max-depth", valueQuantity=millimetres(member.licence_max_depth_mm))]
        if member.licence_max_depth_mm is not None
        else []
    )
    return Practitioner(
        id=str(member.id),
        meta=meta(versions),
        active=member.active,
        name=[HumanName(text=member.display_name)],
        telecom=[ContactPoint(system="email", value=member.email)],
        extension=[extension("staff-role", valueCode=member.role.value), *licence],
    )


def location(room: Room, versions: Versions) -> Location:
    """A treatment room of the clinic."""
    return Location(
        id=str(room.id),
        meta=meta(versions),
        status="active" if room.active else "inactive",
        name=room.name,
        mode="instance",
        managingOrganization=reference("Organization", room.clinic_id),
    )


# the patient -----------------------------------------------------------------------------


def patient_resources(export: PatientExport) -> Iterator[DomainResource]:
    """Every resource of one patient's record, in dependency order (not the clinic's)."""
    versions = export.clinic.knowledge_versions
    programme = export.programme
    clinical = programme.clinical or EMPTY_RECORD
    sessions = [s for course in programme.series for s in course.sessions]
    started = {s.id for s in sessions if s.started_at is not None}
    yield patient(programme.patient, versions)
    for record in clinical.consultations:
        yield from conditions(record)
        yield from medication_statements(record)
    yield from (care_plan(course.series, versions) for course in programme.series)
    yield from (appointment(booked, started, versions) for booked in programme.appointments)
    yield from _sessions(sessions, started, clinical.charts, versions)
    yield from _measurements(clinical, versions)
    yield from _documents(export, clinical, versions)
    yield from (media(photo, started, versions) for photo in export.photos)
    yield from (redness_observation(r, started, versions) for r in export.redness)


EMPTY_RECORD: Final = ClinicalRecord((), {}, (), (), ())
"""The clinical record of a schedule-only programme: nothing clinical to map."""


def _sessions(
    sessions: list[TreatmentSession],
    started: set[UUID],
    charts: Mapping[UUID, ChartVersion],
    versions: Versions,
) -> Iterator[DomainResource]:
    for session in sessions:
        if session.id not in started:
            continue
        chart = charts.get(session.id)
        yield procedure(session, chart, versions)
        if chart is not None:
            yield from adverse_events(session, chart, versions)


def _measurements(clinical: ClinicalRecord, versions: Versions) -> Iterator[Observation]:
    for assessment in clinical.assessments:
        yield from assessment_observations(assessment, versions)
    for measured in clinical.outcomes:
        yield outcome_observation(measured, versions)


def _documents(
    export: PatientExport, clinical: ClinicalRecord, versions: Versions
) -> Iterator[DomainResource]:
    for consent in export.consents:
        yield consent_resource(consent, versions)
        if consent.document_id is not None:
            yield consent_document(consent, consent.document_id, versions)
    for document in clinical.care_documents:
        yield care_document(document, versions)


def patient(record: PatientRecord, versions: Versions) -> Patient:
    """The patient's identity in the clinic."""
    telecom = [
        ContactPoint(system=system, value=value)
        for system, value in (("email", record.email), ("phone", record.phone))
        if value
    ]
    return Patient(
        id=str(record.id),
        meta=meta(versions, version_id=record.version),
        identifier=[Identifier(system=f"{ID_SYSTEM}/patient", value=str(record.id))],
        active=True,
        name=[HumanName(family=record.family_name, given=[record.given_name])],
        telecom=telecom or None,
        gender=record.sex.value,
        birthDate=record.born_on,
        managingOrganization=reference("Organization", record.clinic_id),
    )


def conditions(record: ConsultationRecord) -> Iterator[Condition]:
    """One Condition per indication the consultation recorded, on all its zones."""
    zones_by_indication: dict[str, list[str]] = {}
    for treatment in record.intake.get("treatments", ()):
        zones = zones_by_indication.setdefault(str(treatment["indication"]), [])
        zones.extend(str(z) for z in treatment.get("zones", ()) if str(z) not in zones)
    signed = record.status.value == "signed"
    for indication, zones in zones_by_indication.items():
        yield Condition(
            id=compartment_id(record.patient_id, record.id, f"condition/{indication}"),
            meta=meta(record.knowledge_versions),
            identifier=[Identifier(system=f"{ID_SYSTEM}/consultation", value=str(record.id))],
            clinicalStatus=standard(f"{HL7}/condition-clinical", "active", "Active"),
            verificationStatus=standard(
                f"{HL7}/condition-ver-status",
                "confirmed" if signed else "provisional",
                "Confirmed" if signed else "Provisional",
            ),
            category=[
                standard(f"{HL7}/condition-category", "problem-list-item", "Problem List Item")
            ],
            code=concept("indication", indication),
            bodySite=[concept("zone", z) for z in zones] or None,
            subject=reference("Patient", record.patient_id),
            recordedDate=instant(record.created_at),
            recorder=reference("Practitioner", record.created_by),
            asserter=reference("Practitioner", record.signed_by) if record.signed_by else None,
            extension=[extension("decision", valueCode=record.decision)],
        )


def medication_statements(record: ConsultationRecord) -> Iterator[MedicationStatement]:
    """Isotretinoin, anticoagulants, antiplatelets and photosensitising drugs from the history."""
    history: Mapping[str, Any] = record.intake.get("history", {})
    isotretinoin: Mapping[str, Any] = history.get("isotretinoin") or {}
    if isotretinoin:
        status = str(isotretinoin.get("status"))
        stopped = isotretinoin.get("stopped_on")
        yield _statement(
            record,
            Concept.ISOTRETINOIN,
            {"current": "active", "stopped": "completed"}.get(status, "not-taken"),
            medication=CodeableConcept(
                coding=[
                    Coding(system=ATC, code="D10BA01", display="isotretinoin"),
                    coding("concept", Concept.ISOTRETINOIN),
                ],
                text="oral isotretinoin",
            ),
            stopped_on=str(stopped) if stopped else None,
        )
    for drug in (Concept.ANTICOAGULANT, Concept.ANTIPLATELET):
        if drug.value in history:
            taking = bool(history[drug.value])
            yield _statement(record, drug, "active" if taking else "not-taken")
    for index, name in enumerate(history.get("photosensitising_drugs", ())):
        yield _statement(
            record,
            Concept.PHOTOSENSITISING_DRUG,
            "active",
            medication=concept("concept", Concept.PHOTOSENSITISING_DRUG, text=str(name)),
            part=str(index),
        )


def _statement(
    record: ConsultationRecord,
    drug: Concept,
    status: str,
    *,
    medication: Any = None,
    stopped_on: str | None = None,
    part: str = "",
) -> MedicationStatement:
    return MedicationStatement(
        id=compartment_id(record.patient_id, record.id, f"medication/{drug.value}/{part}"),
        meta=meta(record.knowledge_versions),
        status=status,
        medicationCodeableConcept=medication or concept("concept", drug.value),
        subject=reference("Patient", record.patient_id),
        dateAsserted=instant(record.created_at),
        informationSource=reference("Patient", record.patient_id),
        effectivePeriod=Period(end=stopped_on) if stopped_on else None,
        category=standard(
            f"{HL7}/medication-statement-category", "patientspecified", "Patient Specified"
        ),
    )


def care_plan(series: TreatmentSeries, versions: Versions) -> CarePlan:
    """A treatment series: its zones and depths, number of sessions and interval."""
    plan = series.plan
    activities = [
        CarePlanActivity(
            detail=CarePlanActivityDetail(
                kind="ServiceRequest",
                code=concept("concept", Concept.MICRONEEDLING),
                status=_activity_status(series.status),
                scheduledTiming=Timing(
                    repeat=TimingRepeat(
                        count=plan.sessions, period=Decimal(plan.interval_days), periodUnit="d"
                    )
                ),
                description=(
                    f"{zone.zone.value}: {zone.depth_min_mm}-{zone.depth_max_mm} mm, "
                    f"{plan.sessions} sessions every {plan.interval_days} days"
                ),
                extension=[
                    extension("zone", valueCodeableConcept=concept("zone", zone.zone.value)),
                    extension(
                        "planned-depth",
                        valueRange=Range(
                            low=millimetres(zone.depth_min_mm), high=millimetres(zone.depth_max_mm)
                        ),
                    ),
                ],
            )
        )
        for zone in plan.zones
    ]
    notes = [
        Annotation(
            text=f"Deviation from the proposal at {d.path}: proposed {d.proposed}, chosen "
            f"{d.chosen}; {d.reason}" + (f" (rule {d.rule_id})" if d.rule_id else ""),
            authorReference=reference("Practitioner", d.by),
            time=instant(d.at),
        )
        for d in series.deviations
    ]
    if series.cancellation is not None:
        cancelled = series.cancellation
        notes.append(
            Annotation(
                text=f"Cancelled: {cancelled.reason}"
                + (
                    f" (superseded by CarePlan/{cancelled.superseded_by})"
                    if cancelled.superseded_by
                    else ""
                ),
                authorReference=reference("Practitioner", cancelled.by),
                time=instant(cancelled.at),
            )
        )
    return CarePlan(
        id=compartment_id(series.patient_id, series.id),
        meta=meta(versions, version_id=series.version),
        status=SERIES_STATUS[series.status],
        intent="plan",
        title="Microneedling series",
        category=[concept("concept", Concept.MICRONEEDLING)],
        subject=reference("Patient", series.patient_id),
        created=instant(series.created_at),
        author=reference("Practitioner", series.created_by),
        replaces=None,
        activity=activities or None,
        note=notes or None,
        identifier=[
            Identifier(system=f"{ID_SYSTEM}/consultation", value=str(series.consultation_id))
        ],
        extension=[extension("series-status", valueCode=series.status.value)],
    )


def _activity_status(status: SeriesStatus) -> str:
    return {
        SeriesStatus.PLANNED: "scheduled",
        SeriesStatus.IN_PROGRESS: "in-progress",
        SeriesStatus.COMPLETED: "completed",
        SeriesStatus.CANCELLED: "cancelled",
    }[status]


def appointment(booked: Booked, started: set[UUID], versions: Versions) -> Appointment:
    """A booked visit: patient, practitioner and room for a time."""
    participants = [
        AppointmentParticipant(actor=reference(kind, ident), status="accepted", required="required")
        for kind, ident in (
            ("Patient", booked.patient_id),
            ("Practitioner", booked.practitioner_id),
            ("Location", booked.room_id),
        )
    ]
    supporting = [own("CarePlan", booked.patient_id, booked.series_id)] if booked.series_id else []
    if booked.session_id in started:
        supporting.append(own("Procedure", booked.patient_id, booked.session_id))
    return Appointment(
        id=compartment_id(booked.patient_id, booked.id),
        meta=meta(versions, version_id=booked.version),
        status=APPOINTMENT_STATUS[booked.status],
        start=instant(booked.starts_at),
        end=instant(booked.ends_at),
        created=instant(booked.created_at),
        participant=participants,
        supportingInformation=supporting or None,
        serviceType=[concept("concept", Concept.MICRONEEDLING)],
        cancelationReason=(
            CodeableConcept(text=booked.status_reason)
            if booked.status_reason and booked.status is AppointmentStatus.CANCELLED
            else None
        ),
        comment=booked.status_reason,
        extension=[extension("session-number", valuePositiveInt=booked.session_number)]
        if booked.session_number
        else None,
    )


def procedure(
    session: TreatmentSession, chart: ChartVersion | None, versions: Versions
) -> Procedure:
    """One session: device, zones, depth delivered per zone, endpoint, performer."""
    performer_id = chart.created_by if chart else session.started_by
    excluded = [
        extension("excluded-zone", valueCodeableConcept=concept("zone", z.value))
        for z in session.excluded_zones
    ]
    return Procedure(
        id=compartment_id(session.patient_id, session.id),
        meta=meta(versions, version_id=chart.version if chart else None),
        status="completed" if chart and chart.signed_at else SESSION_STATUS[session.status],
        basedOn=[own("CarePlan", session.patient_id, session.series_id)],
        code=concept("concept", Concept.MICRONEEDLING),
        subject=reference("Patient", session.patient_id),
        performedDateTime=instant(session.started_at) if session.started_at else None,
        performer=[ProcedurePerformer(actor=reference("Practitioner", performer_id))]
        if performer_id
        else None,
        recorder=reference("Practitioner", chart.created_by) if chart else None,
        asserter=reference("Practitioner", chart.signed_by) if chart and chart.signed_by else None,
        identifier=[Identifier(system=f"{ID_SYSTEM}/session-number", value=str(session.number))],
        extension=[*excluded, *(_chart_extensions(chart) if chart else [])] or None,
        **(_chart_fields(chart) if chart else {}),
    )


def _chart_fields(chart: ChartVersion) -> dict[str, Any]:
    sheet = chart.chart
    notes = [Annotation(text=chart.notes)] if chart.notes else []
    notes.extend(
        Annotation(
            text=f"Override ({o.kind.value}"
            + (f", {o.zone.value}" if o.zone else "")
            + (f", {o.product}" if o.product else "")
            + (f", rule {o.rule_id}" if o.rule_id else "")
            + f"): {o.reason}"
        )
        for o in sheet.overrides
    )
    return {
        "bodySite": [concept("zone", z.zone.value) for z in sheet.zones] or None,
        "usedCode": [concept("device", sheet.device.value)]
        + [concept("concept", Concept.MICRONEEDLING, text=p) for p in sheet.products_applied],
        "outcome": concept("endpoint", sheet.endpoint_reached.value)
        if sheet.endpoint_reached
        else None,
        "complication": [
            concept("concept", Concept.CHART_ADVERSE_EVENT, text=e) for e in sheet.adverse_events
        ]
        or None,
        "note": notes or None,
    }


def _chart_extensions(chart: ChartVersion) -> list[Extension]:
    sheet = chart.chart
    zones = [
        Extension(
            url=f"{_ZONE_DEPTH}",
            extension=[
                extension("zone", valueCodeableConcept=concept("zone", z.zone.value)),
                extension("planned-depth", valueQuantity=millimetres(z.planned_depth_mm)),
                extension("delivered-depth", valueQuantity=millimetres(z.delivered_depth_mm)),
                extension("passes", valueInteger=z.passes),
            ],
        )
        for z in sheet.zones
    ]
    cartridge = extension(
        "cartridge",
        extension=[
            extension("lot", valueString=sheet.cartridge.lot),
            extension("expires-on", valueDate=sheet.cartridge.expires_on),
        ],
    )
    numbing = (
        [
            extension(
                "numbing",
                extension=[
                    extension("product", valueString=sheet.numbing.product),
                    extension("applied-at", valueDateTime=instant(sheet.numbing.applied_at)),
                    *(
                        [extension("removed-at", valueDateTime=instant(sheet.numbing.removed_at))]
                        if sheet.numbing.removed_at
                        else []
                    ),
                ],
            )
        ]
        if sheet.numbing
        else []
    )
    return [*zones, cartridge, *numbing]


_ZONE_DEPTH: Final = "https://needlepoint.example/fhir/StructureDefinition/zone-depth"


def adverse_events(
    session: TreatmentSession, chart: ChartVersion, versions: Versions
) -> Iterator[AdverseEvent]:
    """Each adverse event written on the session's chart."""
    for index, text in enumerate(chart.chart.adverse_events):
        yield AdverseEvent(
            id=compartment_id(session.patient_id, session.id, f"adverse-event/{index}"),
            meta=meta(versions),
            actuality="actual",
            event=concept("concept", Concept.CHART_ADVERSE_EVENT, text=text),
            subject=reference("Patient", session.patient_id),
            date=instant(session.started_at or chart.created_at),
            recordedDate=instant(chart.created_at),
            recorder=reference("Practitioner", chart.created_by),
            suspectEntity=[
                AdverseEventSuspectEntity(instance=own("Procedure", session.patient_id, session.id))
            ],
        )


def assessment_observations(
    assessment: ScarAssessmentRecord, versions: Versions
) -> Iterator[Observation]:
    """The scar grades of an assessment: overall and per zone, on each scale scored."""
    grading = assessment.grading
    scales_version = str(grading.get("scales_version", ""))
    overall: Mapping[str, Any] = grading.get("overall") or {}
    yield from _grades(assessment, overall, None, versions, scales_version)
    for zone in grading.get("zones", ()):
        yield from _grades(assessment, zone, str(zone["zone"]), versions, scales_version)


def _grades(
    assessment: ScarAssessmentRecord,
    scores: Mapping[str, Any],
    zone: str | None,
    versions: Versions,
    scales_version: str,
) -> Iterator[Observation]:
    for scale in (OutcomeScale.GB_QUALITATIVE, OutcomeScale.GB_QUANTITATIVE, OutcomeScale.ECCA):
        result: Mapping[str, Any] | None = scores.get(scale.value)
        if not result:
            continue
        value = result["grade"] if scale is OutcomeScale.GB_QUALITATIVE else result["total"]
        yield Observation(
            id=compartment_id(
                assessment.patient_id, assessment.id, f"{scale.value}/{zone or 'overall'}"
            ),
            meta=meta({**versions, **({"scales": scales_version} if scales_version else {})}),
            status="final",
            category=[standard(f"{HL7}/observation-category", "exam", "Exam")],
            code=concept("scale", scale.value),
            subject=reference("Patient", assessment.patient_id),
            effectiveDateTime=assessment.assessed_on.isoformat(),
            issued=instant(assessment.created_at),
            performer=[reference("Practitioner", assessment.assessed_by)],
            valueQuantity=score(value, SCALE_UNIT[scale]),
            bodySite=concept("zone", zone) if zone else None,
            method=concept("concept", Concept.CLINICIAN_GRADED),
            note=[Annotation(text=str(result["explanation"]))]
            if result.get("explanation")
            else None,
            referenceRange=None,
            component=[
                ObservationComponent(
                    code=concept("scale", scale.value, text="maximum total"),
                    valueQuantity=score(result["max_total"]),
                )
            ]
            if result.get("max_total") is not None
            else None,
        )


def outcome_observation(measured: OutcomeMeasurement, versions: Versions) -> Observation:
    """An outcome measurement on one scale."""
    reported = measured.scale in PATIENT_REPORTED
    return Observation(
        id=compartment_id(measured.patient_id, measured.id),
        meta=meta(versions),
        status="final",
        category=[
            standard(
                f"{HL7}/observation-category",
                "survey" if reported else "exam",
                "Survey" if reported else "Exam",
            )
        ],
        code=concept("scale", measured.scale.value),
        subject=reference("Patient", measured.patient_id),
        focus=[own("CarePlan", measured.patient_id, measured.series_id)]
        if measured.series_id
        else None,
        effectiveDateTime=measured.measured_on.isoformat(),
        issued=instant(measured.recorded_at),
        performer=[
            reference(
                "Patient" if reported else "Practitioner",
                measured.patient_id if reported else measured.recorded_by,
            )
        ],
        valueQuantity=score(measured.value, SCALE_UNIT[measured.scale]),
        method=concept(
            "concept", Concept.PATIENT_REPORTED if reported else Concept.CLINICIAN_GRADED
        ),
        note=[Annotation(text=measured.note)] if measured.note else None,
    )


def redness_observation(
    reading: RednessReading, started: set[UUID], versions: Versions
) -> Observation:
    """The redness index (mean CIELAB a*) of a region drawn on a photo."""
    return Observation(
        id=compartment_id(reading.patient_id, reading.id),
        meta=meta(versions),
        status="final",
        category=[standard(f"{HL7}/observation-category", "imaging", "Imaging")],
        code=concept("concept", Concept.REDNESS_INDEX),
        subject=reference("Patient", reading.patient_id),
        partOf=[own("Procedure", reading.patient_id, reading.session_id)]
        if reading.session_id in started
        else None,
        effectiveDateTime=reading.taken_on.isoformat(),
        issued=instant(reading.recorded_at),
        performer=[reference("Practitioner", reading.recorded_by)],
        valueQuantity=score(reading.a_star, "1"),
        bodySite=concept("zone", reading.zone.value) if reading.zone else None,
        method=concept("concept", Concept.CIELAB_A_STAR),
        derivedFrom=[own("Media", reading.patient_id, reading.photo_id)],
        extension=[
            extension("photo-view", valueCodeableConcept=concept("view", reading.view.value))
        ],
    )


def consent_resource(consent: SignedConsent, versions: Versions) -> Consent:
    """A patient's consent to a series (withdrawn: inactive, its provision ended)."""
    withdrawn = consent.withdrawal
    witness = consent.witness
    return Consent(
        id=compartment_id(consent.patient_id, consent.id),
        meta=meta(versions),
        status="inactive" if withdrawn else "active",
        scope=standard(f"{HL7}/consentscope", "treatment", "Treatment"),
        category=[standard(LOINC, "59284-0", "Patient Consent")],
        patient=reference("Patient", consent.patient_id),
        dateTime=instant(consent.signed_at),
        performer=[reference("Patient", consent.patient_id, consent.signature.typed_name)],
        organization=[reference("Organization", consent.clinic_id)],
        sourceReference=own("DocumentReference", consent.patient_id, consent.document_id)
        if consent.document_id
        else None,
        policyRule=concept(
            "concept",
            Concept.CONSENT_FORM,
            text=f"consent form {consent.template_id} version "
            f"{consent.template_version} (sha256 {consent.template_sha256})",
        ),
        provision=ConsentProvision(
            type="permit",
            period=Period(
                start=instant(consent.signed_at), end=instant(withdrawn.at) if withdrawn else None
            ),
            data=None,
        ),
        verification=[ConsentVerification(verified=True, verificationDate=instant(witness.at))]
        if witness
        else None,
        extension=[
            extension(
                "series", valueReference=own("CarePlan", consent.patient_id, consent.series_id)
            ),
            extension(
                "signed-via", valueCodeableConcept=concept("signed-via", consent.signed_via.value)
            ),
            *(
                [extension("witness", valueReference=reference("Practitioner", witness.by))]
                if witness
                else []
            ),
            *([extension("withdrawal-reason", valueString=withdrawn.reason)] if withdrawn else []),
        ],
    )


def consent_document(
    consent: SignedConsent, document_id: UUID, versions: Versions
) -> DocumentReference:
    """The signed consent form as a PDF (a link to the API; the bytes stay in needlepoint)."""
    return DocumentReference(
        id=compartment_id(consent.patient_id, document_id),
        meta=meta(versions),
        status="current",
        type=concept("concept", Concept.CONSENT_FORM),
        subject=reference("Patient", consent.patient_id),
        date=instant(consent.witness.at if consent.witness else consent.signed_at),
        custodian=reference("Organization", consent.clinic_id),
        content=[
            DocumentReferenceContent(
                attachment=Attachment(
                    contentType="application/pdf",
                    url=f"/api/v1/consents/{consent.id}/document",
                    title="Signed consent form",
                )
            )
        ],
    )


def care_document(document: CareDocument, versions: Versions) -> DocumentReference:
    """A pre-care or aftercare document as given (its content as JSON, inline)."""
    data = json.dumps(document.content, sort_keys=True, default=str).encode("utf-8")
    return DocumentReference(
        id=compartment_id(document.patient_id, document.id),
        meta=meta(versions),
        status="current",
        type=concept("document", document.kind.value),
        subject=reference("Patient", document.patient_id),
        date=instant(document.issued_at),
        author=[reference("Practitioner", document.issued_by)],
        custodian=reference("Organization", document.clinic_id),
        context=None,
        content=[
            DocumentReferenceContent(
                attachment=Attachment(
                    contentType="application/json",
                    data=base64.b64encode(data),
                    size=len(data),
                    title=f"{document.kind.value.replace('_', ' ')} instructions",
                    creation=instant(document.issued_at),
                )
            )
        ],
        extension=[
            extension(
                "series", valueReference=own("CarePlan", document.patient_id, document.series_id)
            )
        ],
    )


def media(photo: ClinicalPhoto, started: set[UUID], versions: Versions) -> Media:
    """A clinical photo's metadata and a link to its bytes (never the bytes)."""
    return Media(
        id=compartment_id(photo.patient_id, photo.id),
        meta=meta(versions),
        status="completed",
        type=standard("http://terminology.hl7.org/CodeSystem/media-type", "image", "Image"),
        view=concept("view", photo.view.value),
        subject=reference("Patient", photo.patient_id),
        partOf=[own("Procedure", photo.patient_id, photo.session_id)]
        if photo.session_id in started
        else None,
        createdDateTime=photo.taken_on.isoformat(),
        issued=instant(photo.created_at),
        operator=reference("Practitioner", photo.created_by),
        bodySite=concept("zone", photo.zone.value) if photo.zone else None,
        height=photo.height_px,
        width=photo.width_px,
        content=Attachment(
            contentType=photo.content_type,
            url=f"/api/v1/photos/{photo.id}/image",
            size=photo.size_bytes,
            creation=instant(photo.created_at),
        ),
        extension=[extension("sha256", valueString=photo.sha256)],
    )
