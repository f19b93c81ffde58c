"""The treatment area's facade: series, sessions, charts, clinical photos and the pages.

Entrypoints call the use cases here. Other areas import only this module and the area's
``ports`` (the import contract "Areas meet only at their facades" checks it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from needlepoint.domain.consent import SignedConsent
from needlepoint.domain.consent_templates import ConsentTemplateVersion
from needlepoint.domain.documents import StoredDocument
from needlepoint.domain.outcomes import OutcomeChart
from needlepoint.domain.photo_geometry import Landmarks, Region
from needlepoint.domain.photos import (
    ClinicalPhoto,
    Comparison,
    PatientPhotos,
    PhotoDetails,
    RednessReading,
    Rendition,
)
from needlepoint.domain.recalls import LotRecall
from needlepoint.domain.treatment import ChartVersion, TreatmentSeries, TreatmentSession
from needlepoint.services import audit as audit_service
from needlepoint.services.consultation.facade import Engine
from needlepoint.services.ports import Clock, DocumentRenderer
from needlepoint.services.treatment import (
    charts,
    consent_documents,
    consent_templates,
    consents,
    past_sessions,
    photo_images,
    photos,
    printouts,
)
from needlepoint.services.treatment import pages as clinical_pages
from needlepoint.services.treatment import series as treatment
from needlepoint.services.treatment import series_overview as overviews
from needlepoint.services.treatment import sessions as rescreen
from needlepoint.services.treatment.ports import ClinicalImaging, TreatmentUnitOfWork

__all__ = ["Treatment"]


@dataclass(frozen=True, slots=True)
class Treatment:
    """Series, sessions, charts, clinical photos and the clinical pages that read them."""

    unit_of_work: Callable[[], TreatmentUnitOfWork]
    clock: Clock
    engine: Engine
    imaging: ClinicalImaging
    documents: DocumentRenderer
    read_unit_of_work: Callable[[], TreatmentUnitOfWork] | None = None
    """For use cases that only read: no write lock, audit group-committed (ADR 0032)."""

    def create_series(
        self, new: treatment.NewSeries, *, context: audit_service.RequestContext
    ) -> TreatmentSeries:
        """Agree a treatment series from a signed consultation (changes need reasons)."""
        return treatment.create_series_from_consultation(
            new=new,
            context=context,
            uow=self.unit_of_work(),
            engine=self.engine,
            clock=self.clock,
        )

    def get_series(
        self, series_id: UUID, *, context: audit_service.RequestContext
    ) -> TreatmentSeries:
        """One treatment series of the actor's clinic."""
        uow = self.unit_of_work()
        return treatment.get_series(series_id=series_id, context=context, uow=uow, clock=self.clock)

    def list_series(
        self, patient_id: UUID, *, page: tuple[int, int], context: audit_service.RequestContext
    ) -> Sequence[TreatmentSeries]:
        """A page (offset, limit) of a patient's treatment series, newest first."""
        uow = self.unit_of_work()
        return treatment.list_series(
            patient_id=patient_id, page=page, context=context, uow=uow, clock=self.clock
        )

    def cancel_series(
        self,
        cancellation: treatment.SeriesCancellation,
        *,
        context: audit_service.RequestContext,
    ) -> TreatmentSeries:
        """Stop a series before its end, with a reason, if it is still at the expected version."""
        return treatment.cancel_series(
            cancellation=cancellation,
            context=context,
            uow=self.unit_of_work(),
            clock=self.clock,
        )

    def series_overview(
        self, series_id: UUID, *, context: audit_service.RequestContext
    ) -> overviews.SeriesOverview:
        """A series with its patient, sessions and appointments."""
        uow = self.unit_of_work()
        return overviews.series_overview(
            series_id=series_id, context=context, uow=uow, clock=self.clock
        )

    def replacement_candidates(
        self, series_id: UUID, *, context: audit_service.RequestContext
    ) -> tuple[overviews.Replacement, ...]:
        """The consultations a new series could come from to replace (supersede) a series."""
        uow = self.unit_of_work()
        return overviews.replacement_candidates(
            series_id=series_id, context=context, uow=uow, clock=self.clock
        )

    def list_sessions(
        self, series_id: UUID, *, context: audit_service.RequestContext
    ) -> Sequence[TreatmentSession]:
        """The sessions of a series, by number."""
        uow = self.unit_of_work()
        return treatment.list_sessions(
            series_id=series_id, context=context, uow=uow, clock=self.clock
        )

    def start_session(
        self,
        series_id: UUID,
        *,
        rescreen_document: Mapping[str, Any],
        context: audit_service.RequestContext,
    ) -> TreatmentSession:
        """Start the next session of a series after the day-of re-screen."""
        return rescreen.start_session(
            series_id=series_id,
            rescreen_document=rescreen_document,
            context=context,
            uow=self.unit_of_work(),
            engine=self.engine,
            clock=self.clock,
        )

    def chart_session(
        self, entry: charts.ChartEntry, *, context: audit_service.RequestContext
    ) -> ChartVersion:
        """Chart a started session (or amend its chart) as the next version."""
        uow = self.unit_of_work()
        return charts.chart_session(
            entry=entry, context=context, uow=uow, clock=self.clock, knowledge=self.engine.knowledge
        )

    def sign_chart(
        self, session_id: UUID, *, version: int, context: audit_service.RequestContext
    ) -> ChartVersion:
        """Sign the newest version of a session's chart."""
        return charts.sign_chart(
            session_id=session_id,
            version=version,
            context=context,
            uow=self.unit_of_work(),
            clock=self.clock,
        )

    def record_past_sessions(
        self,
        series_id: UUID,
        visits: Sequence[past_sessions.PastVisit],
        *,
        context: audit_service.RequestContext,
    ) -> TreatmentSeries:
        """Record a planned series' sessions as held on past days, charted and signed."""
        return past_sessions.record_past_sessions(
            series_id=series_id,
            visits=visits,
            context=context,
            uow=self.unit_of_work(),
            clock=self.clock,
            knowledge=self.engine.knowledge,
        )

    def chart_history(
        self, session_id: UUID, *, context: audit_service.RequestContext
    ) -> tuple[ChartVersion, ...]:
        """Every version of a session's chart, oldest first."""
        uow = (self.read_unit_of_work or self.unit_of_work)()
        return charts.get_chart_history(
            session_id=session_id, context=context, uow=uow, clock=self.clock
        )

    def recall_lot(self, lot: str, *, context: audit_service.RequestContext) -> LotRecall:
        """Every session of the actor's clinic charted with a cartridge lot, and its patients."""
        uow = self.unit_of_work()
        return charts.recall_lot(lot=lot, context=context, uow=uow, clock=self.clock)

    def session_chart_sheet(
        self, session_id: UUID, *, context: audit_service.RequestContext
    ) -> clinical_pages.ChartSheet:
        """A session with its plan, its chart history and the previous session's chart."""
        uow = self.unit_of_work()
        return clinical_pages.chart_sheet(
            session_id=session_id, context=context, uow=uow, clock=self.clock
        )

    def session_handout(
        self, series_id: UUID, number: int, *, context: audit_service.RequestContext
    ) -> clinical_pages.Handout:
        """The pre-care and aftercare timeline for the booked date of one session."""
        return clinical_pages.session_handout(
            series_id=series_id,
            number=number,
            context=context,
            uow=self.unit_of_work(),
            engine=self.engine,
            clock=self.clock,
        )

    def outcome_chart(
        self, patient_id: UUID, *, context: audit_service.RequestContext
    ) -> OutcomeChart:
        """A patient's outcome measurements with scar scores against the expected range."""
        uow = self.unit_of_work()
        return clinical_pages.outcome_chart(
            patient_id=patient_id,
            context=context,
            uow=uow,
            knowledge=self.engine.knowledge,
            clock=self.clock,
        )

    # --- PDF documents (docs/pdf.md) -----------------------------------------------------------

    def handout_pdf(
        self, series_id: UUID, number: int, *, context: audit_service.RequestContext
    ) -> bytes:
        """The handout of one session of a series as PDF (audited as the handout page)."""
        return printouts.handout_pdf(
            series_id=series_id, number=number, context=context, uow=self.unit_of_work(),
            press=self._press(),
        )  # fmt: skip

    def session_summary_pdf(
        self, session_id: UUID, *, context: audit_service.RequestContext
    ) -> bytes:
        """A session's summary from the newest version of its chart, as PDF."""
        uow, press = self.unit_of_work(), self._press()
        return printouts.session_summary_pdf(
            session_id=session_id, context=context, uow=uow, press=press
        )

    def outcome_report_pdf(
        self, patient_id: UUID, *, context: audit_service.RequestContext
    ) -> bytes:
        """A patient's outcome report (scores, expected band, the chart) as PDF."""
        return printouts.outcome_report_pdf(
            patient_id=patient_id, context=context, uow=self.unit_of_work(),
            clinic_uow=self.unit_of_work(), press=self._press(),
        )  # fmt: skip

    def _press(self) -> printouts.Press:
        return printouts.Press(self.documents, self.clock, self.engine)

    # --- consent (ADR 0029) -------------------------------------------------------------------

    def list_consent_templates(
        self, *, context: audit_service.RequestContext
    ) -> Sequence[ConsentTemplateVersion]:
        """Every version of the clinic's consent templates, by template then newest first."""
        uow = self.unit_of_work()
        return consent_templates.list_templates(context=context, uow=uow)

    def consent_template(
        self, version_id: UUID, *, context: audit_service.RequestContext
    ) -> ConsentTemplateVersion:
        """One version of the clinic's consent templates."""
        uow = self.unit_of_work()
        return consent_templates.get_template(version_id=version_id, context=context, uow=uow)

    def create_consent_template(
        self, new: consent_templates.NewTemplate, *, context: audit_service.RequestContext
    ) -> ConsentTemplateVersion:
        """Start a template's next version as a draft (admins)."""
        uow = self.unit_of_work()
        return consent_templates.create_template(
            new=new, context=context, uow=uow, clock=self.clock
        )

    def revise_consent_template(
        self, revision: consent_templates.TemplateRevision, *, context: audit_service.RequestContext
    ) -> ConsentTemplateVersion:
        """Edit a draft, or make a published version's successor as a new draft (admins)."""
        uow = self.unit_of_work()
        return consent_templates.revise_template(
            revision=revision, context=context, uow=uow, clock=self.clock
        )

    def publish_consent_template(
        self, version_id: UUID, *, expected_sha256: str, context: audit_service.RequestContext
    ) -> ConsentTemplateVersion:
        """Publish a draft as read; it never changes after this (admins)."""
        return consent_templates.publish_template(
            version_id=version_id,
            expected_sha256=expected_sha256,
            context=context,
            uow=self.unit_of_work(),
            clock=self.clock,
        )

    def series_consent(
        self, series_id: UUID, *, context: audit_service.RequestContext
    ) -> consents.SeriesConsent:
        """A series, the consent form it is signed with, and its consents."""
        uow = self.unit_of_work()
        return consents.series_consent(
            series_id=series_id, context=context, uow=uow, clock=self.clock
        )

    def witness_consent(
        self, consent_id: UUID, *, context: audit_service.RequestContext
    ) -> SignedConsent:
        """Confirm in person that the patient signed; keep the signed form as a PDF."""
        return consent_documents.witness_consent(
            consent_id=consent_id,
            context=context,
            uow=self.unit_of_work(),
            renderer=self.documents,
            clock=self.clock,
        )

    def withdraw_consent(
        self, withdrawal: consents.WithdrawalRequest, *, context: audit_service.RequestContext
    ) -> SignedConsent:
        """Record that the patient withdrew their consent; no further session starts."""
        uow = self.unit_of_work()
        return consents.withdraw_consent(
            withdrawal=withdrawal, context=context, uow=uow, clock=self.clock
        )

    def consent_document(
        self, consent_id: UUID, *, context: audit_service.RequestContext
    ) -> StoredDocument:
        """A witnessed consent's signed PDF, checked against its SHA-256."""
        uow = self.unit_of_work()
        return consent_documents.consent_document(
            consent_id=consent_id, context=context, uow=uow, clock=self.clock
        )

    # --- clinical photos ------------------------------------------------------------------

    def upload_photo(
        self, new: photos.NewPhoto, *, context: audit_service.RequestContext
    ) -> ClinicalPhoto:
        """Check, re-encode (no EXIF or GPS) and store a clinical photo of a patient."""
        uow = self.unit_of_work()
        return photos.upload_photo(
            new=new, context=context, uow=uow, clock=self.clock, imaging=self.imaging
        )

    def patient_photos(
        self, patient_id: UUID, *, context: audit_service.RequestContext
    ) -> PatientPhotos:
        """A patient's clinical photos and redness readings, oldest first."""
        uow = self.unit_of_work()
        return photos.patient_photos(
            patient_id=patient_id, context=context, uow=uow, clock=self.clock
        )

    def photo_details(
        self, photo_id: UUID, *, context: audit_service.RequestContext
    ) -> PhotoDetails:
        """One clinical photo (without its pixels) with its patient and readings."""
        uow = self.unit_of_work()
        return photos.photo_details(photo_id=photo_id, context=context, uow=uow, clock=self.clock)

    def photo_image(
        self, photo_id: UUID, rendition: Rendition, *, context: audit_service.RequestContext
    ) -> bytes:
        """A clinical photo's verified bytes, or a smaller copy of them (JPEG)."""
        return photo_images.photo_image(
            photo_id=photo_id,
            rendition=rendition,
            context=context,
            uow=self.unit_of_work(),
            clock=self.clock,
            imaging=self.imaging,
        )

    def mark_landmarks(
        self, photo_id: UUID, landmarks: Landmarks, *, context: audit_service.RequestContext
    ) -> ClinicalPhoto:
        """Mark the two landmarks of a clinical photo."""
        return photos.mark_landmarks(
            photo_id=photo_id,
            landmarks=landmarks,
            context=context,
            uow=self.unit_of_work(),
            clock=self.clock,
        )

    def record_redness(
        self, photo_id: UUID, region: Region, *, context: audit_service.RequestContext
    ) -> RednessReading:
        """Measure and record the redness index (mean a*) of a region of a photo."""
        return photos.record_redness(
            photo_id=photo_id,
            region=region,
            context=context,
            uow=self.unit_of_work(),
            clock=self.clock,
            imaging=self.imaging,
        )

    def compare_photos(
        self, photo_ids: tuple[UUID, UUID], *, context: audit_service.RequestContext
    ) -> Comparison:
        """Two photos of the same view, earlier first, and the transform aligning them."""
        return photo_images.compare_photos(
            photo_ids=photo_ids,
            context=context,
            uow=self.unit_of_work(),
            clock=self.clock,
            imaging=self.imaging,
        )

    def aligned_image(
        self, photo_ids: tuple[UUID, UUID], *, context: audit_service.RequestContext
    ) -> bytes:
        """The later photo of a pair aligned onto the earlier, as a JPEG."""
        return photo_images.aligned_image(
            photo_ids=photo_ids,
            context=context,
            uow=self.unit_of_work(),
            clock=self.clock,
            imaging=self.imaging,
        )
