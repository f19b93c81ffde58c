"""The records area's facade: patients, assessments, outcomes, care documents and programme views.

Entrypoints call the use cases here. Other areas import only this module and the area's
``ports`` (the import contract "Areas meet only at their facades" checks it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from needlepoint.domain.assessments import ScarAssessmentRecord
from needlepoint.domain.audit_view import AuditEntry, AuditFilter
from needlepoint.domain.break_glass import MAX_TTL_MINUTES, BreakGlassGrant
from needlepoint.domain.outcomes import CareDocument, OutcomeMeasurement
from needlepoint.domain.patient_changes import PatientChange
from needlepoint.domain.records import PatientRecord
from needlepoint.services import audit as audit_service
from needlepoint.services.consultation.facade import Engine, Json
from needlepoint.services.ports import Clock
from needlepoint.services.records import (
    assessments,
    break_glass,
    field_keys,
    outcomes,
    patient_edits,
    patients,
)
from needlepoint.services.records import programme as programme_overview
from needlepoint.services.records.break_glass import BreakGlassNotFoundError, BrokenGlassRead
from needlepoint.services.records.ports import RecordsUnitOfWork
from needlepoint.services.records.programme import (
    ClinicalRecord,
    PatientProgramme,
    SeriesCourse,
    gather_programme,
    read_programme,
)

__all__ = [
    "BreakGlassNotFoundError",
    "BrokenGlassRead",
    "ClinicalRecord",
    "PatientProgramme",
    "Records",
    "SeriesCourse",
    "gather_programme",
    "read_programme",
]


@dataclass(frozen=True, slots=True)
class Records:
    """Patients, assessments, outcomes, care documents and programme views."""

    unit_of_work: Callable[[], RecordsUnitOfWork]
    clock: Clock
    engine: Engine
    break_glass_minutes: int = MAX_TTL_MINUTES
    """How long break-glass access lasts (capped at ``MAX_TTL_MINUTES`` by the domain)."""
    reseal: field_keys.FieldResealing | None = None
    """The database's re-encryption of protected text (``reencrypt_fields``)."""

    def reencrypt_fields(
        self, *, batch_size: int, context: audit_service.OperatorContext
    ) -> field_keys.ResealReport:
        """Re-encrypt every protected text under the current field key, audited (ADR 0039)."""
        if self.reseal is None:
            raise RuntimeError("no re-encryption: build Records with reseal=...")
        return field_keys.reencrypt_fields(
            batch_size=batch_size,
            context=context,
            reseal=self.reseal,
            unit_of_work=self.unit_of_work,
            clock=self.clock,
        )

    def register_patient(
        self, new: patients.NewPatient, *, context: audit_service.RequestContext
    ) -> PatientRecord:
        """Register a patient in the actor's clinic."""
        return patients.register_patient(
            new=new,
            context=context,
            uow=self.unit_of_work(),
            clock=self.clock,
            max_age_years=self.engine.knowledge.limits.max_age_years,
        )

    def get_patient(
        self, patient_id: UUID, *, context: audit_service.RequestContext
    ) -> PatientRecord:
        """One patient of the actor's clinic."""
        uow = self.unit_of_work()
        return patients.get_patient(
            patient_id=patient_id, context=context, uow=uow, clock=self.clock
        )

    def search_patients(
        self,
        search: str | None,
        *,
        page: tuple[int, int],
        context: audit_service.RequestContext,
        after: UUID | None = None,
        cursor: str | None = None,
    ) -> Sequence[PatientRecord]:
        """A page (offset, limit; after a cursor or a patient) of the clinic's patients found.

        By a full name in either order, an email, or a date of birth (``read_search``).
        """
        uow = self.unit_of_work()
        return patients.search_patients(
            search=search,
            page=page,
            context=context,
            uow=uow,
            clock=self.clock,
            after=after if cursor is None else cursor,
        )

    def edit_patient(
        self, edit: patient_edits.PatientEdit, *, context: audit_service.RequestContext
    ) -> PatientRecord:
        """Save a patient's edited details and what changed, if still at the version seen."""
        return patient_edits.edit_patient(
            edit=edit,
            context=context,
            uow=self.unit_of_work(),
            clock=self.clock,
            max_age_years=self.engine.knowledge.limits.max_age_years,
        )

    def patient_changes(
        self, patient_id: UUID, *, context: audit_service.RequestContext
    ) -> Sequence[PatientChange]:
        """The recent edits of a patient's details, newest first."""
        uow = self.unit_of_work()
        return patient_edits.list_patient_changes(
            patient_id=patient_id, context=context, uow=uow, clock=self.clock
        )

    def record_outcome(
        self, new: outcomes.NewOutcome, *, context: audit_service.RequestContext
    ) -> OutcomeMeasurement:
        """Record an outcome measurement for a patient of the actor's clinic."""
        return outcomes.record_outcome(
            new=new,
            context=context,
            uow=self.unit_of_work(),
            engine=self.engine,
            clock=self.clock,
        )

    def list_outcomes(
        self, patient_id: UUID, *, page: tuple[int, int], context: audit_service.RequestContext
    ) -> Sequence[OutcomeMeasurement]:
        """A page (offset, limit) of a patient's outcome measurements, oldest first."""
        uow = self.unit_of_work()
        return outcomes.list_outcomes(
            patient_id=patient_id, page=page, context=context, uow=uow, clock=self.clock
        )

    def issue_care_document(
        self, new: outcomes.NewCareDocument, *, context: audit_service.RequestContext
    ) -> CareDocument:
        """Keep a care document as given to the patient of a series."""
        uow = self.unit_of_work()
        return outcomes.issue_care_document(new=new, context=context, uow=uow, clock=self.clock)

    def list_care_documents(
        self, patient_id: UUID, *, page: tuple[int, int], context: audit_service.RequestContext
    ) -> Sequence[CareDocument]:
        """A page (offset, limit) of a patient's care documents, newest first."""
        uow = self.unit_of_work()
        return outcomes.list_care_documents(
            patient_id=patient_id, page=page, context=context, uow=uow, clock=self.clock
        )

    def record_assessment(
        self, new: assessments.NewAssessment, *, context: audit_service.RequestContext
    ) -> ScarAssessmentRecord:
        """Grade and keep a scar assessment for a patient of the actor's clinic."""
        return assessments.record_assessment(
            new=new,
            context=context,
            uow=self.unit_of_work(),
            engine=self.engine,
            clock=self.clock,
        )

    def list_assessments(
        self, patient_id: UUID, *, page: tuple[int, int], context: audit_service.RequestContext
    ) -> Sequence[ScarAssessmentRecord]:
        """A page (offset, limit) of a patient's scar assessments, oldest first."""
        uow = self.unit_of_work()
        return assessments.list_assessments(
            patient_id=patient_id, page=page, context=context, uow=uow, clock=self.clock
        )

    def preview_scar_scores(self, zones: Sequence[Mapping[str, Any]]) -> Json:
        """The scores scar counts would be graded with, without keeping them (face map)."""
        from needlepoint.services.records import scar_preview  # noqa: PLC0415 - web preview only

        return scar_preview.preview_scar_scores(zones=zones, engine=self.engine)

    def patient_schedule(
        self, patient_id: UUID, *, context: audit_service.RequestContext
    ) -> programme_overview.PatientProgramme:
        """A patient with their series and sessions, without clinical content."""
        uow = self.unit_of_work()
        return programme_overview.patient_schedule(
            patient_id=patient_id, context=context, uow=uow, clock=self.clock
        )

    def patient_programme(
        self, patient_id: UUID, *, context: audit_service.RequestContext
    ) -> programme_overview.PatientProgramme:
        """A patient's whole programme: schedule, consultations, charts, scores and documents."""
        uow = self.unit_of_work()
        return programme_overview.patient_programme(
            patient_id=patient_id, context=context, uow=uow, clock=self.clock
        )

    def open_break_glass(
        self, patient_id: UUID, reason: str | None, *, context: audit_service.RequestContext
    ) -> BreakGlassGrant:
        """Open one patient's clinical record in an emergency, for a short time (ADR 0038)."""
        return break_glass.open_break_glass(
            patient_id=patient_id,
            reason=reason,
            context=context,
            uow=self.unit_of_work(),
            clock=self.clock,
            ttl_minutes=self.break_glass_minutes,
        )

    def read_under_break_glass(
        self, grant_id: UUID, *, context: audit_service.RequestContext
    ) -> BrokenGlassRead:
        """The patient's programme under the actor's live grant (every read severity high)."""
        return break_glass.read_under_break_glass(
            grant_id=grant_id, context=context, uow=self.unit_of_work(), clock=self.clock
        )

    def break_glass_grants(
        self, *, context: audit_service.RequestContext
    ) -> Sequence[BreakGlassGrant]:
        """The clinic's newest break-glass grants (admins)."""
        return break_glass.list_grants(context=context, uow=self.unit_of_work(), clock=self.clock)

    def audit_page(
        self,
        wanted: AuditFilter,
        *,
        before_seq: int | None,
        limit: int,
        context: audit_service.RequestContext,
    ) -> Sequence[AuditEntry]:
        """A page of the clinic's audit events, newest first (admins)."""
        return break_glass.audit_page(
            wanted=wanted,
            before_seq=before_seq,
            limit=limit,
            context=context,
            uow=self.unit_of_work(),
            clock=self.clock,
        )

    def audit_export(
        self, wanted: AuditFilter, *, context: audit_service.RequestContext
    ) -> Iterator[AuditEntry]:
        """Every event of a bounded range, streamed in batches (admins; audited at once)."""
        return break_glass.audit_export(
            wanted=wanted, context=context, unit_of_work=self.unit_of_work, clock=self.clock
        )
