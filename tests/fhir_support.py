"""Patient exports for the FHIR tests: what the engine proposes, agreed, booked, charted.

``export_for`` turns any consultation the engine can read into the neutral records the FHIR
mapping takes (``services.interop.ports.PatientExport``): the consultation record with its
report, a series on the proposed plan (when there is one), appointments, started and charted
sessions, an assessment, outcomes, a consent, care documents, photos and redness readings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid5
from zoneinfo import ZoneInfo

from needlepoint.domain.assessments import ScarAssessmentRecord
from needlepoint.domain.charting import (
    Cartridge,
    Numbing,
    Override,
    OverrideKind,
    SessionChart,
    ZoneTreatment,
)
from needlepoint.domain.consent import Signature, SignedConsent, SignedVia, Withdrawal, Witness
from needlepoint.domain.consultation import Consultation
from needlepoint.domain.contact import ClinicContact
from needlepoint.domain.outcomes import (
    CareDocument,
    CareDocumentKind,
    OutcomeMeasurement,
    OutcomeScale,
)
from needlepoint.domain.photo_geometry import Point, Region
from needlepoint.domain.photos import ClinicalPhoto, PhotoView, RednessReading
from needlepoint.domain.planning import Endpoint
from needlepoint.domain.programme import FirstAppointment, propose_programme
from needlepoint.domain.records import (
    Clinic,
    ConsultationRecord,
    ConsultationStatus,
    PatientRecord,
    Role,
    StaffMember,
)
from needlepoint.domain.scheduling import Room
from needlepoint.domain.scheduling.appointments import Appointment, AppointmentStatus
from needlepoint.domain.series_plan import Deviation, SeriesPlan, proposed_plan
from needlepoint.domain.treatment import (
    Cancellation,
    ChartVersion,
    SeriesStatus,
    SessionStatus,
    TreatmentSeries,
    TreatmentSession,
)
from needlepoint.domain.vocabulary import Device, Zone
from needlepoint.knowledge import catalogue
from needlepoint.services.consultation.engine import ConsultationOutcome
from needlepoint.services.consultation.reports import build_report
from needlepoint.services.interop.ports import ClinicExport, PatientExport
from needlepoint.services.records.programme import ClinicalRecord, PatientProgramme, SeriesCourse

KNOWLEDGE = catalogue.load_knowledge()
CITATIONS = {s.id: s.citation for s in catalogue.sources().sources}
NS = UUID("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0")
CLINIC_ID = uuid5(NS, "clinic")
CLINICIAN_ID = uuid5(NS, "clinician")
DESK_ID = uuid5(NS, "desk")
ROOM_ID = uuid5(NS, "room")
AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Choices:
    """What happened after the consultation (drawn by the property test)."""

    started_sessions: int = 2
    series_status: SeriesStatus = SeriesStatus.IN_PROGRESS
    adverse_events: tuple[str, ...] = ("transient petechiae on the left cheek",)
    outcome_values: tuple[tuple[OutcomeScale, Decimal], ...] = (
        (OutcomeScale.GB_QUALITATIVE, Decimal(3)),
        (OutcomeScale.GAIS, Decimal(2)),
        (OutcomeScale.SATISFACTION, Decimal(8)),
    )
    withdrawn: bool = False
    with_contact: bool = True


def clinic_export() -> ClinicExport:
    """A clinic with a clinician, a front desk member and one room."""
    clinic = Clinic(
        id=CLINIC_ID,
        name="Harbour Skin Clinic",
        time_zone="Europe/London",
        contact=ClinicContact(phone="+44 20 7946 0000", address="1 Quay St", phone_hours="9-5"),
    )
    staff = (
        StaffMember(
            CLINICIAN_ID,
            CLINIC_ID,
            "ana@example.org",
            "Dr Ana Silva",
            Role.CLINICIAN,
            Decimal("1.5"),
        ),
        StaffMember(DESK_ID, CLINIC_ID, "desk@example.org", "Front Desk", Role.FRONT_DESK, None),
    )
    rooms = (Room(ROOM_ID, CLINIC_ID, "Room 1"),)
    return ClinicExport(clinic, staff, rooms, dict(KNOWLEDGE.versions))


def export_for(consultation: Consultation, choices: Choices = Choices()) -> PatientExport:
    """The whole record of one patient consulted with ``consultation``."""
    patient_id = uuid5(NS, f"patient/{consultation.consulted_on}/{consultation.patient}")
    patient = PatientRecord(
        id=patient_id,
        clinic_id=CLINIC_ID,
        given_name="Maya",
        family_name="Okafor",
        born_on=consultation.patient.born_on,
        sex=consultation.patient.sex,
        email="maya@example.org",
        phone="+44 7700 900123",
        created_at=AT,
    )
    record = _consultation_record(consultation, patient_id)
    courses, appointments, charts = _series(record, patient_id, choices)
    clinical = ClinicalRecord(
        consultations=(record,),
        charts=charts,
        assessments=_assessments(record, patient_id),
        outcomes=tuple(
            OutcomeMeasurement(
                uuid5(NS, f"outcome/{scale}"),
                CLINIC_ID,
                patient_id,
                courses[0].series.id if courses else None,
                consultation.consulted_on,
                scale,
                value,
                "as seen",
                AT,
                CLINICIAN_ID,
            )
            for scale, value in choices.outcome_values
        ),
        care_documents=tuple(
            CareDocument(
                uuid5(NS, f"care/{c.series.id}"),
                CLINIC_ID,
                patient_id,
                c.series.id,
                CareDocumentKind.AFTERCARE,
                AT,
                CLINICIAN_ID,
                {"title": "Aftercare", "items": ["no make-up for 24 h"]},
            )
            for c in courses
        ),
    )
    programme = PatientProgramme(patient, courses, clinical, appointments)
    sessions = [s for c in courses for s in c.sessions]
    return PatientExport(
        clinic=clinic_export(),
        programme=programme,
        consents=tuple(_consent(c.series, choices) for c in courses),
        photos=(*(_photo(patient_id, s) for s in sessions[:1]), _photo(patient_id, None)),
        redness=tuple(_redness(patient_id, s) for s in sessions[:1]),
    )


def _consultation_record(consultation: Consultation, patient_id: UUID) -> ConsultationRecord:
    first = FirstAppointment(
        requested_at=None, clinic_tz=ZoneInfo("Europe/London"), default_time=time(9, 0)
    )
    programme = propose_programme(
        consultation, KNOWLEDGE, on=consultation.consulted_on, appointment=first
    )
    outcome = ConsultationOutcome(
        "Harbour Skin Clinic", "Europe/London", programme, _intake(consultation)
    )
    report = build_report(outcome, cite=CITATIONS)
    return ConsultationRecord(
        id=uuid5(NS, f"consultation/{patient_id}"),
        clinic_id=CLINIC_ID,
        patient_id=patient_id,
        consulted_on=consultation.consulted_on,
        intake=outcome.intake,
        report=report,
        decision=str(report["decision"]),
        knowledge_versions=dict(report["knowledge_versions"]),
        status=ConsultationStatus.SIGNED,
        created_at=AT,
        created_by=CLINICIAN_ID,
        signed_at=AT,
        signed_by=CLINICIAN_ID,
    )


def _intake(consultation: Consultation) -> dict[str, Any]:
    history = consultation.history
    stopped = history.isotretinoin.stopped_on
    return {
        "consulted_on": consultation.consulted_on.isoformat(),
        "history": {
            "isotretinoin": {
                "status": history.isotretinoin.status.value,
                "stopped_on": stopped.isoformat() if stopped else None,
            },
            "anticoagulant": history.anticoagulant,
            "antiplatelet": history.antiplatelet,
            "photosensitising_drugs": list(history.photosensitising_drugs),
        },
        "device": consultation.device.value,
        "treatments": [
            {"indication": r.indication.value, "zones": [z.value for z in r.zones]}
            for r in consultation.requests
        ],
    }


def _series(
    record: ConsultationRecord, patient_id: UUID, choices: Choices
) -> tuple[tuple[SeriesCourse, ...], tuple[Appointment, ...], dict[UUID, ChartVersion]]:
    report = record.report
    if not (report.get("plan") or {}).get("zones") or not report.get("series"):
        return (), (), {}
    plan = proposed_plan({"plan": report["plan"], "series": report["series"]})
    series_id = uuid5(NS, f"series/{record.id}")
    cancelled = choices.series_status is SeriesStatus.CANCELLED
    series = TreatmentSeries(
        id=series_id,
        clinic_id=CLINIC_ID,
        patient_id=patient_id,
        consultation_id=record.id,
        proposal={"plan": report["plan"], "series": report["series"]},
        plan=plan,
        deviations=(
            Deviation(
                "series.sessions",
                str(plan.sessions),
                str(plan.sessions),
                "as proposed",
                CLINICIAN_ID,
                AT,
                "rule.example",
            ),
        ),
        status=choices.series_status,
        created_at=AT,
        created_by=CLINICIAN_ID,
        cancellation=Cancellation(AT, CLINICIAN_ID, "patient moved away") if cancelled else None,
    )
    sessions: list[TreatmentSession] = []
    appointments: list[Appointment] = []
    charts: dict[UUID, ChartVersion] = {}
    for number in range(1, plan.sessions + 1):
        session_id = uuid5(NS, f"session/{series_id}/{number}")
        starts = AT + timedelta(days=plan.interval_days * number)
        started = number <= choices.started_sessions
        sessions.append(
            TreatmentSession(
                id=session_id,
                series_id=series_id,
                clinic_id=CLINIC_ID,
                patient_id=patient_id,
                number=number,
                status=SessionStatus.SIGNED if started else SessionStatus.SCHEDULED,
                started_at=starts if started else None,
                started_by=CLINICIAN_ID if started else None,
                rescreen={} if started else None,
            )
        )
        appointments.append(
            Appointment(
                id=uuid5(NS, f"appointment/{session_id}"),
                clinic_id=CLINIC_ID,
                patient_id=patient_id,
                series_id=series_id,
                session_number=number,
                practitioner_id=CLINICIAN_ID,
                room_id=ROOM_ID,
                starts_at=starts,
                ends_at=starts + timedelta(minutes=60),
                status=AppointmentStatus.ATTENDED if started else AppointmentStatus.BOOKED,
                created_at=AT,
                created_by=DESK_ID,
                session_id=session_id if started else None,
            )
        )
        if started:
            charts[session_id] = _chart(session_id, patient_id, plan, record, choices, starts)
    return (SeriesCourse(series, tuple(sessions)),), tuple(appointments), charts


def _chart(
    session_id: UUID,
    patient_id: UUID,
    plan: SeriesPlan,
    record: ConsultationRecord,
    choices: Choices,
    starts: datetime,
) -> ChartVersion:
    chart = SessionChart(
        device=Device(record.intake["device"]),
        cartridge=Cartridge(lot="LOT-42", expires_on=date(2027, 6, 30)),
        numbing=Numbing(
            "lidocaine 4%", starts - timedelta(minutes=40), starts - timedelta(minutes=5)
        ),
        zones=tuple(ZoneTreatment(z.zone, z.depth_min_mm, z.depth_min_mm, 3) for z in plan.zones),
        endpoint_reached=Endpoint.ERYTHEMA,
        products_applied=("hyaluronic acid serum",),
        adverse_events=choices.adverse_events,
        overrides=(
            Override(
                OverrideKind.DEEPER_THAN_PLAN,
                "agreed with the patient",
                zone=plan.zones[0].zone,
                rule_id="rule.example",
            ),
        ),
    )
    return ChartVersion(
        id=uuid5(NS, f"chart/{session_id}"),
        session_id=session_id,
        clinic_id=CLINIC_ID,
        patient_id=patient_id,
        version=1,
        chart=chart,
        rescreen={},
        notes="tolerated well",
        created_at=starts + timedelta(minutes=50),
        created_by=CLINICIAN_ID,
        signed_at=starts + timedelta(minutes=55),
        signed_by=CLINICIAN_ID,
    )


def _assessments(record: ConsultationRecord, patient_id: UUID) -> tuple[ScarAssessmentRecord, ...]:
    grading = record.report.get("scar_scores")
    if not grading or not grading.get("zones"):
        return ()
    return (
        ScarAssessmentRecord(
            id=uuid5(NS, f"assessment/{record.id}"),
            clinic_id=CLINIC_ID,
            patient_id=patient_id,
            assessed_on=record.consulted_on,
            assessed_by=CLINICIAN_ID,
            zones=tuple({"zone": z["zone"]} for z in grading["zones"]),
            grading=grading,
            created_at=AT,
        ),
    )


def _consent(series: TreatmentSeries, choices: Choices) -> SignedConsent:
    return SignedConsent(
        id=uuid5(NS, f"consent/{series.id}"),
        clinic_id=CLINIC_ID,
        patient_id=series.patient_id,
        series_id=series.id,
        template_id=uuid5(NS, "template"),
        template_version=2,
        template_sha256="ab" * 32,
        signature=Signature("Maya Okafor", None),
        signed_at=AT,
        signed_via=SignedVia.CLINIC,
        recorded_by=DESK_ID,
        witness=Witness(CLINICIAN_ID, AT + timedelta(minutes=1)),
        withdrawal=Withdrawal(AT + timedelta(days=3), "changed my mind", None)
        if choices.withdrawn
        else None,
        document_id=uuid5(NS, f"consent-document/{series.id}"),
    )


def _photo(patient_id: UUID, session: TreatmentSession | None) -> ClinicalPhoto:
    return ClinicalPhoto(
        id=uuid5(NS, f"photo/{patient_id}/{session.id if session else 'none'}"),
        clinic_id=CLINIC_ID,
        patient_id=patient_id,
        session_id=session.id if session else None,
        view=PhotoView.FRONT if session else PhotoView.CLOSE_UP,
        zone=None if session else Zone.CHEEKS,
        taken_on=date(2026, 11, 2),
        width_px=1600,
        height_px=1200,
        size_bytes=123456,
        sha256="cd" * 32,
        created_at=AT,
        created_by=CLINICIAN_ID,
    )


def _redness(patient_id: UUID, session: TreatmentSession) -> RednessReading:
    square = tuple(Point(float(x), float(y)) for x, y in ((10, 10), (60, 10), (60, 60), (10, 60)))
    return RednessReading(
        id=uuid5(NS, f"redness/{session.id}"),
        clinic_id=CLINIC_ID,
        patient_id=patient_id,
        photo_id=uuid5(NS, f"photo/{patient_id}/{session.id}"),
        session_id=session.id,
        taken_on=date(2026, 11, 2),
        view=PhotoView.FRONT,
        zone=None,
        region=Region(square),
        a_star=Decimal("14.25"),
        recorded_at=AT,
        recorded_by=CLINICIAN_ID,
    )


__all__ = ["Choices", "clinic_export", "export_for"]


def references_of(value: Any) -> list[str]:
    """Every literal ``reference`` anywhere in a resource."""
    if isinstance(value, dict):
        found = [value["reference"]] if isinstance(value.get("reference"), str) else []
        return found + [r for v in value.values() for r in references_of(v)]
    if isinstance(value, list):
        return [r for v in value for r in references_of(v)]
    return []
