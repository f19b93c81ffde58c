"""The portal area's facade: what patients do in the portal, and the clinic's side of check-ins.

Entrypoints call the use cases here. Other areas import only this module and the area's
``ports`` (the import contract "Areas meet only at their facades" checks it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from needlepoint.domain.check_in_reviews import CheckInReview
from needlepoint.domain.checkins import CheckIn, CheckInPhoto, ClinicCheckIn, TriageRules
from needlepoint.domain.consent import SignedConsent
from needlepoint.domain.documents import StoredDocument
from needlepoint.domain.outcomes import OutcomeChart
from needlepoint.domain.photos import ClinicalPhoto, Rendition
from needlepoint.domain.programme import ClinicalKnowledge
from needlepoint.services import audit
from needlepoint.services.portal import check_ins as checkins
from needlepoint.services.portal import clinic_check_ins, clinical_photos, consents, printouts
from needlepoint.services.portal import sign_in as portal_access
from needlepoint.services.portal.clinic_check_ins import ATTENTION_LIMIT
from needlepoint.services.portal.pages import (
    AppointmentPage,
    CareToday,
    PortalHome,
    SeriesPage,
    acknowledge_care,
    portal_appointment,
    portal_home,
    portal_series,
    score_trend,
)
from needlepoint.services.portal.ports import PhotoTools, PortalUnitOfWork
from needlepoint.services.portal.sign_in import (
    PatientContext,
)
from needlepoint.services.ports import Clock, DocumentRenderer

__all__ = ["ATTENTION_LIMIT", "Portal"]


@dataclass(frozen=True, slots=True)
class Portal:
    """The portal's use cases with their dependencies bound (built by ``bootstrap``).

    ``public_url`` is the address people reach needlepoint at (``NEEDLEPOINT_PUBLIC_URL``):
    sign-in links start with its portal (``…/portal``), and the clinic's alert links to the
    check-in's page beside it. No link is ever built from a request.
    """

    unit_of_work: Callable[[], PortalUnitOfWork]
    clock: Clock
    knowledge: ClinicalKnowledge
    triage_rules: TriageRules
    photos: PhotoTools
    link_lifetime: timedelta
    public_url: str
    documents: DocumentRenderer

    @property
    def portal_url(self) -> str:
        """The portal as patients reach it: ``<public URL>/portal``."""
        return f"{self.public_url.rstrip('/')}/portal"

    def request_sign_in_links(self, request: portal_access.LinkRequest) -> int:
        """Queue one sign-in link per patient record with the email (see ``portal_access``)."""
        return portal_access.request_sign_in_links(
            request=request,
            lifetime=self.link_lifetime,
            uow=self.unit_of_work(),
            clock=self.clock,
        )

    def make_sign_in_link(self, link_id: str) -> str | None:
        """A fresh secret for a queued sign-in link, as its URL (the worker, at send time)."""
        return portal_access.make_sign_in_link(
            link_id=link_id,
            portal_url=self.portal_url,
            uow=self.unit_of_work(),
            clock=self.clock,
        )

    def open_session(
        self, token: str, *, replacing: str | None, request_id: str
    ) -> portal_access.IssuedPatientSession:
        """Consume a sign-in link and open a patient session."""
        return portal_access.open_patient_session(
            token=token,
            replacing=replacing,
            request_id=request_id,
            uow=self.unit_of_work(),
            clock=self.clock,
        )

    def resolve_session(self, token: str) -> portal_access.PortalPatient | None:
        """The patient of a live session, else None."""
        uow = self.unit_of_work()
        return portal_access.resolve_patient_session(token=token, uow=uow, clock=self.clock)

    def end_session(self, token: str, *, request_id: str) -> None:
        """Sign a patient out."""
        uow = self.unit_of_work()
        portal_access.end_patient_session(
            token=token, request_id=request_id, uow=uow, clock=self.clock
        )

    def home(self, context: PatientContext) -> PortalHome:
        """The patient's home page."""
        return portal_home(
            context=context,
            uow=self.unit_of_work(),
            clock=self.clock,
            knowledge=self.knowledge,
            rules=self.triage_rules,
        )

    def series(self, series_id: UUID, context: PatientContext) -> SeriesPage:
        """One of the patient's series."""
        return portal_series(
            series_id=series_id,
            context=context,
            uow=self.unit_of_work(),
            clock=self.clock,
            knowledge=self.knowledge,
        )

    def appointment(self, appointment_id: UUID, context: PatientContext) -> AppointmentPage:
        """One of the patient's appointments."""
        return portal_appointment(
            appointment_id=appointment_id,
            context=context,
            uow=self.unit_of_work(),
            clock=self.clock,
            knowledge=self.knowledge,
        )

    def progress(self, context: PatientContext) -> OutcomeChart:
        """The patient's scar scores over time."""
        return score_trend(context=context, uow=self.unit_of_work(), clock=self.clock)

    def appointment_handout_pdf(
        self, appointment_id: UUID, patient: portal_access.PortalPatient, *, request_id: str
    ) -> bytes:
        """The handout of one of the patient's appointments as PDF."""
        return printouts.appointment_handout_pdf(
            appointment_id=appointment_id, patient=patient, request_id=request_id,
            uow=self.unit_of_work(), press=self._press(),
        )  # fmt: skip

    def outcome_report_pdf(self, patient: portal_access.PortalPatient, *, request_id: str) -> bytes:
        """The patient's scar scores over time, with their chart, as PDF."""
        return printouts.outcome_report_pdf(
            patient=patient, request_id=request_id, uow=self.unit_of_work(), press=self._press()
        )

    def _press(self) -> printouts.PortalPress:
        return printouts.PortalPress(self.documents, self.clock, self.knowledge)

    def acknowledge(self, item_id: str, context: PatientContext) -> CareToday:
        """Mark one of today's care instructions as read."""
        return acknowledge_care(
            item_id=item_id,
            context=context,
            uow=self.unit_of_work(),
            clock=self.clock,
            knowledge=self.knowledge,
        )

    def check_in_form(self, treatment_id: UUID, context: PatientContext) -> checkins.CheckInDue:
        """The treatment a check-in form is for."""
        return checkins.check_in_form(
            treatment_id=treatment_id,
            context=context,
            uow=self.unit_of_work(),
            clock=self.clock,
            rules=self.triage_rules,
        )

    def submit_check_in(self, new: checkins.NewCheckIn, context: PatientContext) -> CheckIn:
        """Triage and keep a check-in; alert the clinic when it is amber or red."""
        return checkins.submit_check_in(
            new=new,
            context=context,
            uow=self.unit_of_work(),
            clock=self.clock,
            tools=checkins.CheckInTools(self.triage_rules, self.photos, self.public_url),
        )

    def check_in(self, check_in_id: UUID, context: PatientContext) -> CheckIn:
        """One of the patient's check-ins."""
        uow = self.unit_of_work()
        return checkins.patient_check_in(
            check_in_id=check_in_id, context=context, uow=uow, clock=self.clock
        )

    def photo(self, photo_id: UUID, context: PatientContext) -> CheckInPhoto:
        """One of the patient's check-in photos."""
        uow = self.unit_of_work()
        return checkins.patient_photo(photo_id=photo_id, context=context, uow=uow, clock=self.clock)

    # --- consent (ADR 0029) ---

    def consent_form(self, series_id: UUID, context: PatientContext) -> consents.ConsentForm:
        """One of the patient's series, the consent form to sign and what they signed."""
        uow = self.unit_of_work()
        return consents.consent_form(
            series_id=series_id, context=context, uow=uow, clock=self.clock
        )

    def sign_consent(
        self, signature: consents.NewSignature, context: PatientContext
    ) -> SignedConsent:
        """The patient signs the consent form of one of their series (it awaits a witness)."""
        return consents.sign_consent(
            signature=signature,
            context=context,
            uow=self.unit_of_work(),
            photos=self.photos,
            clock=self.clock,
        )

    def sign_consent_on_tablet(
        self, signature: consents.NewSignature, *, context: audit.RequestContext
    ) -> SignedConsent:
        """Record a patient's signature given on a clinic tablet (it awaits a witness)."""
        return consents.sign_on_tablet(
            signature=signature,
            context=context,
            uow=self.unit_of_work(),
            photos=self.photos,
            clock=self.clock,
        )

    def consent_document(self, consent_id: UUID, context: PatientContext) -> StoredDocument:
        """The signed PDF of one of the patient's witnessed consents (checked on reading)."""
        uow = self.unit_of_work()
        return consents.consent_document(
            consent_id=consent_id, context=context, uow=uow, clock=self.clock
        )

    def withdraw_consent(
        self, withdrawal: consents.PatientWithdrawal, context: PatientContext
    ) -> SignedConsent:
        """The patient withdraws their consent to a series."""
        uow = self.unit_of_work()
        return consents.withdraw_consent(
            withdrawal=withdrawal, context=context, uow=uow, clock=self.clock
        )

    def clinical_photos(self, context: PatientContext) -> tuple[ClinicalPhoto, ...]:
        """The patient's own clinical photos (taken by the clinic), oldest first."""
        uow = self.unit_of_work()
        return clinical_photos.own_photos(context=context, uow=uow, clock=self.clock)

    def clinical_photo_image(
        self, photo_id: UUID, rendition: Rendition, context: PatientContext
    ) -> bytes:
        """One of the patient's own clinical photos (or a smaller copy), verified."""
        return clinical_photos.own_photo_image(
            photo_id=photo_id,
            rendition=rendition,
            context=context,
            uow=self.unit_of_work(),
            clock=self.clock,
            renditions=self.photos,
        )

    def emergency_signs(self) -> tuple[str, ...]:
        """The red flags that mean "call emergency services now", in the patient's words."""
        flags = self.knowledge.care.red_flags
        return tuple(f.sign for f in flags if f.urgency == "emergency")

    def call_clinic_signs(self) -> tuple[str, ...]:
        """The red flags that mean "call your clinic", in the patient's words."""
        flags = self.knowledge.care.red_flags
        return tuple(f.sign for f in flags if f.urgency != "emergency")

    # --- the clinic's side of check-ins ---

    def needing_attention(self, *, context: audit.RequestContext) -> tuple[ClinicCheckIn, ...]:
        """The clinic's unreviewed amber and red check-ins, red first, newest first."""
        uow = self.unit_of_work()
        return clinic_check_ins.needing_attention(context=context, uow=uow, clock=self.clock)

    def clinic_check_in(self, check_in_id: UUID, *, context: audit.RequestContext) -> ClinicCheckIn:
        """One check-in of the clinic, with its patient."""
        uow = self.unit_of_work()
        return clinic_check_ins.clinic_check_in(
            check_in_id=check_in_id, context=context, uow=uow, clock=self.clock
        )

    def clinic_photo(self, check_in_id: UUID, *, context: audit.RequestContext) -> CheckInPhoto:
        """The photo of one check-in of the clinic."""
        uow = self.unit_of_work()
        return clinic_check_ins.clinic_photo(
            check_in_id=check_in_id, context=context, uow=uow, clock=self.clock
        )

    def review(
        self, check_in_id: UUID, review: CheckInReview, *, context: audit.RequestContext
    ) -> CheckIn:
        """Record the acting clinician's review of a check-in: the outcome and a note."""
        uow = self.unit_of_work()
        return clinic_check_ins.review_check_in(
            check_in_id=check_in_id, review=review, context=context, uow=uow, clock=self.clock
        )

    def patient_check_ins(
        self, patient_id: UUID, *, page: tuple[int, int], context: audit.RequestContext
    ) -> clinic_check_ins.CheckInHistory:
        """A page of a patient's check-ins, newest first, with their triage and review."""
        uow = self.unit_of_work()
        return clinic_check_ins.patient_check_ins(
            patient_id=patient_id, page=page, context=context, uow=uow, clock=self.clock
        )
